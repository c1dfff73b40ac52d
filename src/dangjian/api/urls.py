"""The REST API v1 (django-ninja): OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs."""

from ninja import NinjaAPI

api = NinjaAPI(
    title="dangjian API",
    version="1",
    urls_namespace="api-v1",
    description="Registry of organs, party organizations, people and posts. "
    "Authenticate with `Authorization: Bearer <token>` (`dangjian apitoken USERNAME`).",
)
