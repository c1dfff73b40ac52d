"""Helpers for the API tests: a JSON client and the field errors of a problem response."""

from django.test import Client

BASE = "/api/v1/"


class ApiClient:
    """JSON calls to /api/v1/ as one user: logged in (session), by bearer token, or anonymous."""

    def __init__(self, user=None, *, token: str | None = None):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.django = Client(headers=headers)
        if user is not None and token is None:
            self.django.force_login(user)

    def get(self, path: str, params: dict | None = None):
        return self.django.get(BASE + path, params or {})

    def post(self, path: str, data: dict):
        return self.django.post(BASE + path, data, content_type="application/json")

    def patch(self, path: str, data: dict):
        return self.django.patch(BASE + path, data, content_type="application/json")

    def delete(self, path: str):
        return self.django.delete(BASE + path)

    def call(self, method: str, path: str, data: dict | None = None):
        if method in {"post", "patch"}:
            return getattr(self, method)(path, data or {})
        return getattr(self, method)(path)


def field_errors(response) -> dict[str | None, str]:
    """The problem-details `errors` of a response as {field: message}."""
    return {error["field"]: error["message"] for error in response.json().get("errors", [])}
