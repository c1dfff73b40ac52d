"""The import and export page: templates, masked and revealed exports, uploads and the row report.

An upload starts a background job (run at once in the tests) and leads to the job's page, which shows the
report when the job has ended (tests/web/test_job_pages.py follows a job that is still running)."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from dangjian.core.models import AuditEntry
from dangjian.jobs.models import BackgroundJob
from dangjian.organizations.models import Person
from dangjian.organizations.spreadsheets import XLSX_CONTENT_TYPE
from tests.factories import PartyOrganizationFactory, PersonFactory, UserFactory, make_id_number
from tests.organizations.test_spreadsheets import organs_book, people_book, person_row, post_row

pytestmark = pytest.mark.django_db


def upload(content: bytes, name: str = "人员.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=XLSX_CONTENT_TYPE)


def logged_in(client, user):
    client.force_login(user)
    return client


def post_import(client, kind: str, content: bytes, name: str = "人员.xlsx"):
    """Upload a workbook without htmx: the answer sends the browser to the job's page, which is returned."""
    response = client.post(reverse("spreadsheet_import", args=[kind]), {"file": upload(content, name)})
    job = BackgroundJob.unscoped.latest("pk")
    assert response.status_code == 302 and response["Location"] == reverse("job_detail", args=[job.pk])
    return client.get(response["Location"])


def test_index_lists_every_kind_with_its_forms(client, organizer):
    response = logged_in(client, organizer).get(reverse("spreadsheets"))
    assert response.status_code == 200
    html = response.content.decode()
    for kind in ("organs", "party-organizations", "people"):
        assert reverse("spreadsheet_template", args=[kind]) in html
        assert reverse("spreadsheet_export", args=[kind]) in html
        assert f'hx-post="{reverse("spreadsheet_import", args=[kind])}"' in html
    assert 'name="reveal"' in html
    assert 'enctype="multipart/form-data"' in html and "csrfmiddlewaretoken" in html
    assert "<style" not in html and "<script>" not in html  # strict CSP: no inline code
    assert "htmx-indicator" in html and "spreadsheets.css" in html


def test_unit_admin_sees_no_organ_import_form(client, unit_admin):
    html = logged_in(client, unit_admin).get(reverse("spreadsheets")).content.decode()
    assert reverse("spreadsheet_import", args=["organs"]) not in html
    assert reverse("spreadsheet_import", args=["people"]) in html


@pytest.mark.parametrize("role", ["approver", "participant", "college_staff", "instructor", "editor", "reviewer"])
def test_roles_without_registry_access_get_403(client, role):
    client = logged_in(client, UserFactory(roles=[role]))
    assert client.get(reverse("spreadsheets")).status_code == 403
    assert client.get(reverse("spreadsheet_template", args=["people"])).status_code == 403
    assert client.get(reverse("spreadsheet_export", args=["people"])).status_code == 403
    response = client.post(reverse("spreadsheet_import", args=["people"]), {"file": upload(b"x")})
    assert response.status_code == 403
    assert not AuditEntry.objects.exists() and not BackgroundJob.unscoped.exists()


def test_anonymous_is_sent_to_the_login_page(client):
    response = client.get(reverse("spreadsheets"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_unknown_kind_is_404(client, organizer):
    client = logged_in(client, organizer)
    assert client.get(reverse("spreadsheet_template", args=["cats"])).status_code == 404
    assert client.post(reverse("spreadsheet_import", args=["cats"]), {"file": upload(b"x")}).status_code == 404


def test_template_download(client, organizer):
    response = logged_in(client, organizer).get(reverse("spreadsheet_template", args=["people"]))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert "attachment" in response["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["人员", "任职", "说明"]


def _exported_id_numbers(response) -> list[str]:
    workbook = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    return [row[2] for row in workbook["人员"].iter_rows(min_row=2, values_only=True)]


def test_export_is_masked_by_default(client, organizer, organ):
    person = PersonFactory(organ=organ)
    response = logged_in(client, organizer).get(reverse("spreadsheet_export", args=["people"]))
    assert response.status_code == 200 and response["Content-Type"] == XLSX_CONTENT_TYPE
    assert _exported_id_numbers(response) == [person.id_number[:6] + "********" + person.id_number[-4:]]
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.changes["reveal"]) == ("export", False)


def test_export_with_reveal_checkbox_is_audited(client, organizer, organ):
    person = PersonFactory(organ=organ)
    response = logged_in(client, organizer).post(reverse("spreadsheet_export", args=["people"]), {"reveal": "1"})
    assert _exported_id_numbers(response) == [person.id_number]
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor, entry.changes["reveal"]) == ("export", organizer, True)
    assert entry.origin  # the client address


def test_upload_with_errors_shows_every_bad_row_and_imports_nothing(client, organizer, organ):
    bad_id = make_id_number()[:-1] + "Y"
    content = people_book([person_row(organ), person_row(organ, 身份证号=bad_id),
                           person_row(organ, 所在单位代码="nowhere", 出生日期="yesterday")])
    response = post_import(logged_in(client, organizer), "people", content)
    assert response.status_code == 200
    html = response.content.decode()
    with translation.override(response.wsgi_request.LANGUAGE_CODE):
        assert gettext("Nothing was imported.") in html
    report = response.context["result"]
    assert [(e.sheet, e.row, e.column) for e in report.errors] == [
        ("人员", 3, "身份证号"), ("人员", 4, "出生日期"), ("人员", 4, "所在单位代码")]
    for error in report.errors:
        assert f"<td>{error.column}</td>" in html
    assert '<td class="num">3</td>' in html and '<td class="num">4</td>' in html
    assert "hx-get" not in html  # the job has ended: nothing polls
    assert not Person.unscoped.exists() and not AuditEntry.objects.exists()
    job = BackgroundJob.unscoped.get()
    assert (job.status, job.requested_by, job.result["error_count"]) == ("failed", organizer, 3)


def test_upload_of_a_file_that_is_not_a_workbook(client, organizer):
    response = post_import(logged_in(client, organizer), "people", b"name,id\n", name="people.csv")
    assert ".xlsx" in response.content.decode()
    assert response.context["result"].errors[0].row is None


def test_upload_without_a_file(client, organizer):
    response = logged_in(client, organizer).post(reverse("spreadsheet_import", args=["people"]), {})
    assert response.status_code == 400
    assert response.context["result"] is None and response.context["form"].errors
    assert not BackgroundJob.unscoped.exists()


def stored_uploads(settings) -> set:
    return set(settings.JOB_UPLOAD_ROOT.rglob("*.xlsx"))


def test_a_file_over_the_upload_limit_is_refused_at_once_and_not_stored(client, organizer, organ, settings):
    settings.IMPORT_MAX_UPLOAD_MB = 0
    before = stored_uploads(settings)
    response = logged_in(client, organizer).post(reverse("spreadsheet_import", args=["people"]),
                                                 {"file": upload(people_book([person_row(organ)]))})
    assert response.status_code == 400
    assert "0 MB" in " ".join(response.context["form"].errors["file"])
    assert not BackgroundJob.unscoped.exists()
    assert stored_uploads(settings) == before


def test_successful_upload_shows_counts(client, organizer, organ, settings):
    party_org = PartyOrganizationFactory(organ=organ)
    someone = person_row(organ)
    content = people_book([someone, person_row(organ)], [post_row(someone["身份证号"], party_org)])
    before = stored_uploads(settings)
    response = post_import(logged_in(client, organizer), "people", content)
    assert response.context["result"].counts == {"people": 2, "posts": 1}
    assert "<strong>2</strong>" in response.content.decode()
    assert Person.unscoped.count() == 2
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor, entry.changes["file"]) == ("import", organizer, "人员.xlsx")
    assert entry.origin == "127.0.0.1"  # the client address of the upload, recorded by the job
    job = BackgroundJob.unscoped.get()
    assert (job.status, job.result["counts"], job.progress_done) == ("done", {"people": 2, "posts": 1}, 3)
    assert not job.upload and stored_uploads(settings) == before  # the upload is deleted


def test_htmx_upload_returns_the_job_fragment(client, organizer, organ):
    content = people_book([person_row(organ, 身份证号="123")])
    response = logged_in(client, organizer).post(reverse("spreadsheet_import", args=["people"]),
                                                 {"file": upload(content)}, headers={"HX-Request": "true"})
    assert response.status_code == 200  # htmx swaps only successful answers
    html = response.content.decode()
    job = BackgroundJob.unscoped.get()
    assert "<html" not in html and f'id="job-{job.pk}"' in html and 'class="table import-errors"' in html


def test_htmx_upload_without_a_file_returns_the_form_error(client, organizer):
    response = logged_in(client, organizer).post(reverse("spreadsheet_import", args=["people"]), {},
                                                 headers={"HX-Request": "true"})
    assert response.status_code == 200 and 'class="errorbox"' in response.content.decode()


def test_the_page_lists_the_users_recent_imports(client, organizer, unit_admin, organ):
    post_import(logged_in(client, unit_admin), "people", people_book([person_row(organ)]), name="单位人员.xlsx")
    post_import(logged_in(client, organizer), "people", people_book([person_row(organ)]), name="全市人员.xlsx")
    html = client.get(reverse("spreadsheets")).content.decode()
    mine = BackgroundJob.unscoped.get(requested_by=organizer)
    assert "全市人员.xlsx" in html and reverse("job_detail", args=[mine.pk]) in html
    assert "单位人员.xlsx" not in html  # someone else's import is not in the organizer's own list


def test_unit_admin_may_not_import_organs(client, unit_admin):
    content = organs_book([{"单位代码": "x", "单位名称": "某单位", "单位类别": "政府部门"}])
    response = logged_in(client, unit_admin).post(reverse("spreadsheet_import", args=["organs"]),
                                                  {"file": upload(content)})
    assert response.status_code == 403


def test_unit_admin_upload_for_another_organ_is_refused_row_by_row(client, unit_admin, organ, other_organ):
    response = post_import(logged_in(client, unit_admin), "people",
                           people_book([person_row(organ), person_row(other_organ)]))
    assert [(e.row, e.column) for e in response.context["result"].errors] == [(3, "所在单位代码")]
    assert not Person.unscoped.exists()


def test_get_on_the_import_url_goes_back_to_the_page(client, organizer):
    response = logged_in(client, organizer).get(reverse("spreadsheet_import", args=["people"]))
    assert response.status_code == 302 and response["Location"] == reverse("spreadsheets")


def test_the_page_makes_as_many_queries_with_one_recent_import_as_with_five(client, organizer,
                                                                             django_assert_max_num_queries,
                                                                             django_assert_num_queries):
    def a_job():
        BackgroundJob.unscoped.create(kind=BackgroundJob.Kind.REGISTRY_IMPORT, requested_by=organizer,
                                      params={"kind": "people"}, filename="人员.xlsx")

    client = logged_in(client, organizer)
    a_job()
    client.get(reverse("spreadsheets"))  # warm: the session, the user's roles
    with django_assert_max_num_queries(50) as one:
        assert client.get(reverse("spreadsheets")).content.decode().count("人员.xlsx") == 1
    for _ in range(4):
        a_job()
    with django_assert_num_queries(len(one.captured_queries)):
        assert client.get(reverse("spreadsheets")).content.decode().count("人员.xlsx") == 5
