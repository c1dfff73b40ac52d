"""Errors as problem details (RFC 9457), each naming the field, or the sheet, row and column.

Body: {"type", "title", "status", "detail", "errors": [{"field": ..., "message": ...}, ...]}
Spreadsheet errors carry "sheet", "row" and "column" instead of (or beside) "field".

Every error goes out as `application/problem+json`, and `ProblemDetailsAPI` documents it so in the
OpenAPI document: each operation lists the error statuses it can answer (`problem_statuses`), all with
the one `ProblemDetails` schema, so they are not declared by hand on each operation.
"""

from django.core.exceptions import (
    NON_FIELD_ERRORS,
    BadRequest,
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from dangjian.core.rules import ActionRefused

PROBLEM_CONTENT_TYPE = "application/problem+json"
# RFC 6750: a 401 names the scheme the client should use.
WWW_AUTHENTICATE = 'Bearer realm="api"'


class ProblemError(Schema):
    """One problem: the input field it concerns, or for a spreadsheet the sheet, row and column."""

    field: str | None = Field(None, description="Input field (dotted path), null for the request as a whole.")
    sheet: str | None = Field(None, description="Spreadsheet imports: the sheet.")
    row: int | None = Field(None, description="Spreadsheet imports: the row as Excel shows it, null for the file.")
    column: str | None = Field(None, description="Spreadsheet imports: the column header.")
    message: str


class ProblemDetails(Schema):
    """An error (RFC 9457 problem details)."""

    type: str = Field(..., description="A URI naming the kind of problem; `about:blank` when the status says it.")
    title: str = Field(..., description="Short, human-readable summary, in the user's language.")
    status: int = Field(..., description="The HTTP status code.")
    detail: str | None = Field(None, description="Explanation of this occurrence.")
    errors: list[ProblemError] | None = Field(None, description="Each invalid input: 422 (and 409) answers.")


def problem(api, request, *, status: int, title: str, detail: str = "", errors: list | None = None) -> HttpResponse:
    body = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if errors is not None:
        body["errors"] = errors
    response = api.create_response(request, body, status=status)
    response["Content-Type"] = PROBLEM_CONTENT_TYPE
    if status == 401:
        response["WWW-Authenticate"] = WWW_AUTHENTICATE
    return response


def django_validation_errors(error: DjangoValidationError) -> list[dict]:
    if hasattr(error, "error_dict"):
        return [
            {"field": None if field == NON_FIELD_ERRORS else field, "message": message}
            for field, messages in error.message_dict.items()
            for message in messages
        ]
    return [{"field": None, "message": message} for message in error.messages]


def _too_large(api, request) -> HttpResponse:
    return problem(api, request, status=413, title=_("The request is too large."))


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
        # ninja answers a body it cannot read with HttpError(400) caused by the parser's exception.
        if isinstance(exc.__cause__, RequestDataTooBig):
            return _too_large(api, request)
        if exc.status_code == 400 and exc.__cause__ is not None:
            return problem(api, request, status=400, title=_("The request body is not valid JSON."),
                           detail=str(exc.__cause__))
        return problem(api, request, status=exc.status_code, title=str(exc))

    # A multipart body Django cannot parse, or one over the limits of DATA_UPLOAD_MAX_*: the same
    # answers as Django's, but as problem details.
    @api.exception_handler(RequestDataTooBig)
    def on_too_large(request, exc):
        return _too_large(api, request)

    @api.exception_handler(SuspiciousOperation)
    @api.exception_handler(BadRequest)
    @api.exception_handler(MultiPartParserError)
    def on_bad_request(request, exc):
        return problem(api, request, status=400, title=_("The request cannot be read."), detail=str(exc))


# OpenAPI ------------------------------------------------------------------------------------------

PROBLEM_DESCRIPTIONS = {
    400: "Malformed request: the body is not valid JSON, or a multipart body cannot be parsed.",
    401: "Not authenticated: send `Authorization: Bearer <token>` (or log in).",
    403: "The user may not do this.",
    404: "Not found, or not among the records the user may see.",
    409: "The current state of the data refuses it: an illegal transition, or a delete other records forbid.",
    413: "The request body is larger than the server accepts.",
    422: "Invalid input: `errors` names each field (or sheet, row and column) and its problem.",
}
_WRITE_METHODS = {"post", "put", "patch", "delete"}
_METHODS = _WRITE_METHODS | {"get", "head", "options", "trace"}


def problem_statuses(method: str, operation: dict) -> list[int]:
    """The error statuses an operation can answer: any operation 400 (malformed request), 401, 403, 404
    and 422 (invalid path, query or body); a write also 409; one with a body also 413."""
    statuses = [400, 401, 403, 404, 422]
    if method in _WRITE_METHODS:
        statuses.append(409)
    if "requestBody" in operation:
        statuses.append(413)
    return sorted(statuses)


def _problem_response(status: int, declared: str | None) -> dict:
    response = {
        "description": PROBLEM_DESCRIPTIONS.get(status) or declared or "Error",
        "content": {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/ProblemDetails"}}},
    }
    if status == 401:
        response["headers"] = {"WWW-Authenticate": {
            "description": "The authentication scheme: `Bearer`.", "schema": {"type": "string"}}}
    return response


def document_problems(schema: dict) -> dict:
    """Give every operation of an OpenAPI document its error responses as problem details."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    problem_schema = ProblemDetails.model_json_schema(ref_template="#/components/schemas/{model}")
    components.update(problem_schema.pop("$defs", {}))
    components["ProblemDetails"] = problem_schema
    for item in schema.get("paths", {}).values():
        for method, operation in item.items():
            if method not in _METHODS:
                continue
            # ninja keys the responses by int; JSON by str.
            responses = {str(status): response for status, response in operation.get("responses", {}).items()}
            for status in problem_statuses(method, operation):
                responses.setdefault(str(status), {})
            for status, response in responses.items():
                if int(status) >= 400:
                    responses[status] = _problem_response(int(status), response.get("description"))
            operation["responses"] = dict(sorted(responses.items()))
    return schema


class ProblemDetailsAPI(NinjaAPI):
    """A NinjaAPI whose OpenAPI document lists, for every operation, the errors it can answer, each as
    `application/problem+json` with the `ProblemDetails` schema (see `problem_statuses`)."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        return document_problems(super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params))
