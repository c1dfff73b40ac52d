"""The REST API v1 (django-ninja): OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs."""

from dangjian.api import (
    allocation,
    attendance,
    certificates,
    checkin,
    closing,
    completion,
    enrollment,
    errors,
    evaluation,
    followup,
    jobs,
    leave,
    ledger,
    outbox,
    reflections,
    registry,
    spreadsheets,
    training,
)
from dangjian.api.auth import API_AUTH

api = errors.ProblemDetailsAPI(
    title="dangjian API",
    version="1",
    urls_namespace="api-v1",
    auth=API_AUTH,
    description="Registry of organs, party organizations, people and posts; training programs with their "
    "approval workflow, phases, groups, class committee, temporary branch, timetable and documents; the training "
    "library; enrollment (quotas, nominations, waitlist) and a participant's own enrollment; the outbox of "
    "messages (preview, send in bulk, retry); background jobs (a spreadsheet import, sending messages) with their "
    "progress and result; the training-hours ledger (学时档案): training records and their import, requirements "
    "as versioned data, exemptions, compliance and the annual statistics. "
    "Authenticate with `Authorization: Bearer <token>` (`dangjian apitoken USERNAME`). "
    "Errors are problem details (RFC 9457, `application/problem+json`) naming the field, or the sheet, row "
    "and column: 400 for a body that is not valid JSON, 401 (with `WWW-Authenticate: Bearer`), 403, 404, 409 "
    "for an illegal transition or a refused delete, 413 for a body over the size limit, 422 for invalid input "
    "(a boolean is not a number, nor a number a boolean).",
)
errors.install(api)


@api.exception_handler(registry.Conflict)
def on_conflict(request, exc):
    return errors.problem(api, request, status=409, title=exc.title, detail=exc.detail)


api.add_router("/", registry.router)
api.add_router("/spreadsheets/", spreadsheets.router)
api.add_router("/jobs/", jobs.router)
api.add_router("/", training.router)
api.add_router("/outbox/", outbox.router)
api.add_router("/", enrollment.router)
api.add_router("/", allocation.router)
api.add_router("/ledger/", ledger.router)
api.add_router("/", attendance.router)
api.add_router("/", checkin.router)
api.add_router("/leave/", leave.router)
api.add_router("/", completion.router)
api.add_router("/", reflections.router)
api.add_router("/", closing.router)
api.add_router("/", evaluation.router)
api.add_router("/", certificates.router)
api.add_router("/", followup.router)
