"""Fixtures of the certificate tests: the API client of tests/api."""

from tests.api.conftest import api_as  # noqa: F401
