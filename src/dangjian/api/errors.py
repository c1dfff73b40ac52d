"""Errors as problem details (RFC 9457), each naming the field, or the sheet, row and column.

Body: {"type", "title", "status", "detail", "errors": [{"field": ..., "message": ...}, ...]}
Spreadsheet errors carry "sheet", "row" and "column" instead of (or beside) "field".
"""

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from dangjian.core.rules import ActionRefused

PROBLEM_CONTENT_TYPE = "application/problem+json"


def problem(api, request, *, status: int, title: str, detail: str = "", errors: list | None = None) -> HttpResponse:
    body = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if errors is not None:
        body["errors"] = errors
    response = api.create_response(request, body, status=status)
    response["Content-Type"] = PROBLEM_CONTENT_TYPE
    return response


def django_validation_errors(error: DjangoValidationError) -> list[dict]:
    if hasattr(error, "error_dict"):
        return [
            {"field": None if field == NON_FIELD_ERRORS else field, "message": message}
            for field, messages in error.message_dict.items()
            for message in messages
        ]
    return [{"field": None, "message": message} for message in error.messages]


def install(api) -> None:
    """Register the problem-details handlers on a NinjaAPI."""

    @api.exception_handler(DjangoValidationError)
    def on_validation(request, exc):
        return problem(api, request, status=422, title=_("The data is not valid."),
                       errors=django_validation_errors(exc))

    @api.exception_handler(NinjaValidationError)
    def on_schema_validation(request, exc):
        errors = []
        for item in exc.errors:
            loc = [str(part) for part in item.get("loc", []) if part not in ("body", "payload", "query", "path")]
            errors.append({"field": ".".join(loc) or None, "message": item.get("msg", "")})
        return problem(api, request, status=422, title=_("The data is not valid."), errors=errors)

    @api.exception_handler(ActionRefused)
    def on_refused(request, exc):
        """The caller may take this action, but not on the record in its present state."""
        return problem(api, request, status=409, title=_("Not possible in the record's present state."),
                       detail=" ".join(exc.messages))

    @api.exception_handler(PermissionDenied)
    def on_forbidden(request, exc):
        return problem(api, request, status=403, title=_("You are not allowed to do this."))

    @api.exception_handler(Http404)
    def on_not_found(request, exc):
        return problem(api, request, status=404, title=_("Not found."))

    @api.exception_handler(AuthenticationError)
    def on_unauthenticated(request, exc):
        return problem(api, request, status=401, title=_("Authentication required."),
                       detail=_("Send Authorization: Bearer <token>, or log in."))

    @api.exception_handler(HttpError)
    def on_http_error(request, exc):
        return problem(api, request, status=exc.status_code, title=str(exc))
