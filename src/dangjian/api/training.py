"""API v1 for training programs, their phases, groups, sessions and the library."""

from ninja import Router

router = Router(tags=["training"])
