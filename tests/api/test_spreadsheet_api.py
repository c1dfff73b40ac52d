"""/api/v1/spreadsheets/{kind}/template, /export and /import: same permissions as the staff pages.

An import is a background job (run at once in the tests): 202 with the job, whose result is read at
/api/v1/jobs/{id} (tests/api/test_jobs_api.py)."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import NoReverseMatch, reverse

from dangjian.accounts.models import ApiToken
from dangjian.core.models import AuditEntry
from dangjian.jobs.models import BackgroundJob
from dangjian.organizations.models import Person, Post
from dangjian.organizations.spreadsheets import XLSX_CONTENT_TYPE
from tests.factories import PartyOrganizationFactory, PersonFactory, UserFactory
from tests.organizations.test_spreadsheets import organs_book, people_book, person_row, post_row

pytestmark = pytest.mark.django_db

BASE = "/api/v1/spreadsheets/"


def _mounted() -> bool:
    try:
        reverse("api-v1:spreadsheet_template", args=["people"])
    except NoReverseMatch:
        return False
    return True


@pytest.fixture(autouse=True)
def _needs_the_router():
    if not _mounted():
        pytest.skip("mount dangjian.api.spreadsheets.router in api/urls.py: "
                    'api.add_router("/spreadsheets/", spreadsheets.router)')


def bearer(user) -> Client:
    return Client(headers={"Authorization": f"Bearer {ApiToken.issue(user=user)}"})


def post_file(client, kind: str, content: bytes, name: str = "book.xlsx"):
    return client.post(f"{BASE}{kind}/import",
                       {"file": SimpleUploadedFile(name, content, content_type=XLSX_CONTENT_TYPE)})


def imported(client, kind: str, content: bytes, name: str = "book.xlsx") -> dict:
    """POST the file (202 with the job), then GET the job from its Location: the job as the API shows it."""
    response = post_file(client, kind, content, name)
    assert response.status_code == 202, response.content
    job = BackgroundJob.unscoped.latest("pk")
    assert response["Location"] == f"/api/v1/jobs/{job.pk}" == response.json()["url"]
    answer = client.get(response["Location"])
    assert answer.status_code == 200
    return answer.json()


def test_template(organizer):
    response = bearer(organizer).get(f"{BASE}party-organizations/template")
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert openpyxl.load_workbook(io.BytesIO(response.content)).sheetnames == ["党组织", "说明"]


def test_export_masked_and_revealed(organizer, organ):
    person = PersonFactory(organ=organ)
    client = bearer(organizer)
    for reveal, expected in (("false", person.id_number[:6] + "********" + person.id_number[-4:]),
                             ("true", person.id_number)):
        response = client.get(f"{BASE}people/export", {"reveal": reveal})
        assert response.status_code == 200 and response["Content-Type"] == XLSX_CONTENT_TYPE
        workbook = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
        assert next(workbook["人员"].iter_rows(min_row=2, values_only=True))[2] == expected
    assert list(AuditEntry.objects.order_by("pk").values_list("action", "changes__reveal")) == [
        ("export", False), ("export", True)]


def test_import_success_returns_the_job_with_the_counts(organizer, organ):
    party_org = PartyOrganizationFactory(organ=organ)
    someone = person_row(organ)
    job = imported(bearer(organizer), "people", people_book([someone], [post_row(someone["身份证号"], party_org)]))
    assert (job["kind"], job["status"], job["filename"], job["requested_by"]) == (
        "registry_import", "done", "book.xlsx", organizer.username)
    assert job["result"]["counts"] == {"people": 1, "posts": 1} and job["result"]["errors"] == []
    assert job["progress"] == {"done": 2, "total": 2, "percent": 100}
    assert job["finished_at"] and job["started_at"]
    assert Post.unscoped.count() == 1
    assert AuditEntry.objects.get().action == "import"


def test_import_errors_name_sheet_row_and_column(organizer, organ):
    job = imported(bearer(organizer), "people", people_book([
        person_row(organ), person_row(organ, 身份证号="123"), person_row(organ, 所在单位代码="nowhere"),
    ]))
    assert job["status"] == "failed"
    errors = job["result"]["errors"]
    assert [(e["sheet"], e["row"], e["column"]) for e in errors] == [
        ("人员", 3, "身份证号"), ("人员", 4, "所在单位代码")]
    assert all(e["message"] for e in errors) and job["result"]["error_count"] == 2
    assert not Person.unscoped.exists() and not AuditEntry.objects.exists()


def test_import_of_a_non_workbook_is_a_file_level_error(organizer):
    job = imported(bearer(organizer), "people", b"not a workbook", name="people.csv")
    assert job["status"] == "failed" and job["result"]["errors"][0]["row"] is None


def test_a_file_over_the_upload_limit_is_422_at_once(organizer, organ, settings):
    settings.IMPORT_MAX_UPLOAD_MB = 0
    response = post_file(bearer(organizer), "people", people_book([person_row(organ)]))
    assert response.status_code == 422 and response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"][0]["row"] is None and "0 MB" in response.json()["errors"][0]["message"]
    assert not BackgroundJob.unscoped.exists()


def test_import_without_a_file_is_422(organizer):
    assert bearer(organizer).post(f"{BASE}people/import").status_code == 422


def test_unknown_kind_is_422(organizer):
    assert bearer(organizer).get(f"{BASE}cats/template").status_code == 422


def test_unit_admin_may_not_import_organs(unit_admin):
    response = post_file(bearer(unit_admin), "organs",
                         organs_book([{"单位代码": "x", "单位名称": "某单位", "单位类别": "政府部门"}]))
    assert response.status_code == 403


def test_unit_admin_rows_for_another_organ_are_refused(unit_admin, organ, other_organ):
    job = imported(bearer(unit_admin), "people", people_book([person_row(organ), person_row(other_organ)]))
    assert [(e["row"], e["column"]) for e in job["result"]["errors"]] == [(3, "所在单位代码")]


@pytest.mark.parametrize("role", ["approver", "participant", "instructor"])
def test_roles_without_registry_access_get_403(role, organ):
    client = bearer(UserFactory(roles=[role]))
    assert client.get(f"{BASE}people/template").status_code == 403
    assert client.get(f"{BASE}people/export").status_code == 403
    assert post_file(client, "people", people_book([person_row(organ)])).status_code == 403
    assert not Person.unscoped.exists() and not BackgroundJob.unscoped.exists()


def test_anonymous_gets_401():
    assert Client().get(f"{BASE}people/template").status_code == 401


def test_openapi_documents_the_endpoints(organizer):
    schema = bearer(organizer).get("/api/v1/openapi.json").json()
    assert "/api/v1/spreadsheets/{kind}/import" in schema["paths"]
    assert XLSX_CONTENT_TYPE in str(schema["paths"]["/api/v1/spreadsheets/{kind}/export"])
