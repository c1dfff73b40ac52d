"""GET /api/v1/jobs/{id} and the import that starts a job: every role, with the outcome read back.

GET a job       who started it and organizers: 200 with status, progress and result; anyone else 404;
                anonymous 401
POST an import  organizer and unit admin (people): 202 with the job, its URL in Location; other roles 403
                and no job; anonymous 401
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dangjian.jobs.models import BackgroundJob
from dangjian.organizations.models import Person
from dangjian.organizations.spreadsheets import XLSX_CONTENT_TYPE
from tests.api.helpers import BASE
from tests.conftest import ROLES
from tests.organizations.test_spreadsheets import people_book, person_row
from tests.state import db_state, state_diff

pytestmark = pytest.mark.django_db

ALL_ROLES = [*ROLES, "anonymous"]


def a_job(user, **fields) -> BackgroundJob:
    return BackgroundJob.unscoped.create(kind=BackgroundJob.Kind.REGISTRY_IMPORT, params={"kind": "people"},
                                         requested_by=user, filename=f"{user.username}.xlsx", **fields)


@pytest.mark.parametrize("owner", ["organizer", "unit_admin"])
@pytest.mark.parametrize("role", ALL_ROLES)
def test_reading_a_job(api_as, users_by_role, role, owner):
    job = a_job(users_by_role[owner], status="running", stage="checking", progress_done=30, progress_total=120)
    response = api_as(users_by_role[role]).get(f"jobs/{job.pk}")
    expected = 401 if role == "anonymous" else 200 if role in ("organizer", owner) else 404
    assert response.status_code == expected, response.content
    if expected != 200:
        assert response["Content-Type"] == "application/problem+json"
        return
    body = response.json()
    assert (body["id"], body["url"], body["kind"], body["status"], body["stage"]) == (
        job.pk, f"{BASE}jobs/{job.pk}", "registry_import", "running", "checking")
    assert body["progress"] == {"done": 30, "total": 120, "percent": 25}
    assert (body["requested_by"], body["filename"], body["result"]) == (
        users_by_role[owner].username, f"{users_by_role[owner].username}.xlsx", None)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_starting_an_import(api_as, users_by_role, organ, role):
    client = api_as(users_by_role[role])
    before = db_state()
    response = client.django.post(f"{BASE}spreadsheets/people/import", {"file": SimpleUploadedFile(
        "book.xlsx", people_book([person_row(organ)]), content_type=XLSX_CONTENT_TYPE)})
    expected = {"organizer": 202, "unit_admin": 202, "anonymous": 401}.get(role, 403)
    assert response.status_code == expected, response.content
    if expected != 202:
        assert state_diff(before, db_state()) == {}
        return
    job = BackgroundJob.unscoped.get()
    assert response.json()["id"] == job.pk and response["Location"] == f"{BASE}jobs/{job.pk}"
    assert (job.requested_by, job.status) == (users_by_role[role], "done")
    assert Person.unscoped.count() == 1


def test_a_failed_job_gives_the_error_of_an_unexpected_failure(api_as, organizer):
    job = a_job(organizer, status="failed", result={"error": "意外"})
    assert api_as(organizer).get(f"jobs/{job.pk}").json()["result"] == {"error": "意外"}


def test_with_a_token(api_as, organizer):
    job = a_job(organizer)
    assert api_as(organizer, token=True).get(f"jobs/{job.pk}").json()["status"] == "queued"


def test_an_unknown_job_is_404(api_as, organizer):
    assert api_as(organizer).get("jobs/999999").status_code == 404


def test_openapi_documents_the_job_and_the_202(api_as):
    paths = api_as(None).get("openapi.json").json()["paths"]
    assert "/api/v1/jobs/{job_id}" in paths
    assert "202" in paths["/api/v1/spreadsheets/{kind}/import"]["post"]["responses"]
