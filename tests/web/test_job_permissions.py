"""The permission matrix of the import upload and of the background job pages: every URL x every role.

spreadsheet_import (POST with a workbook)  organizer and unit admin start a job (302 to its page; the unit
                                            admin not for organs: 403); any other role 403; anonymous 302
job_detail, job_status                     who started the job, and organizers: 200; anyone else 404 (the job
                                            does not exist for them); anonymous 302 to the login page

A POST that is done created its job and imported the row; a refused one changed no row at all.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dangjian.jobs.models import BackgroundJob
from dangjian.organizations.models import Organ, Person
from dangjian.organizations.spreadsheets import XLSX_CONTENT_TYPE
from tests.conftest import ROLES
from tests.organizations.test_spreadsheets import organs_book, people_book, person_row
from tests.state import db_state, state_diff

pytestmark = pytest.mark.django_db

ALL_ROLES = [*ROLES, "anonymous"]

# (url name, method, target): the job of which user, or the kind of workbook uploaded
PAGES = [
    ("spreadsheet_import", "post", "kind=people"),
    ("spreadsheet_import", "post", "kind=organs"),
    ("job_detail", "get", "organizer"),
    ("job_detail", "get", "unit_admin"),
    ("job_status", "get", "organizer"),
    ("job_status", "get", "unit_admin"),
]


def expected_status(role: str, name: str, target: str) -> int:
    if role == "anonymous":
        return 302
    if name == "spreadsheet_import":
        if role == "organizer" or (role == "unit_admin" and target == "kind=people"):
            return 302  # to the job's page
        return 403
    return 200 if role in ("organizer", target) else 404


def _cases():
    for name, method, target in PAGES:
        for role in ALL_ROLES:
            status = expected_status(role, name, target)
            yield pytest.param(role, name, method, target, status, id=f"{method.upper()} {name}({target}) as {role} "
                                                                          f"-> {status}")


@pytest.mark.parametrize("role, name, method, target, status", list(_cases()))
def test_job_page_permission_matrix(client, users_by_role, organ, role, name, method, target, status):
    jobs = {owner: BackgroundJob.unscoped.create(kind=BackgroundJob.Kind.REGISTRY_IMPORT, params={"kind": "people"},
                                                 requested_by=users_by_role[owner], filename=f"{owner}.xlsx")
            for owner in ("organizer", "unit_admin")}
    user = users_by_role[role]
    if user is not None:
        client.force_login(user)
    before = db_state()
    if name == "spreadsheet_import":
        kind = target.removeprefix("kind=")
        content = (people_book([person_row(organ)]) if kind == "people"
                   else organs_book([{"单位代码": "new-organ", "单位名称": "新单位", "单位类别": "政府部门"}]))
        response = client.post(reverse(name, args=[kind]),
                               {"file": SimpleUploadedFile("book.xlsx", content, content_type=XLSX_CONTENT_TYPE)})
    else:
        response = client.get(reverse(name, args=[jobs[target].pk]))
    assert response.status_code == status
    if role == "anonymous":
        assert response["Location"].startswith(reverse("login") + "?next=")
    elif name == "spreadsheet_import" and status == 302:  # done: a job, run, that imported the row
        job = BackgroundJob.unscoped.latest("pk")
        assert response["Location"] == reverse("job_detail", args=[job.pk])
        assert (job.requested_by, job.status) == (user, "done")
        assert Person.unscoped.exists() or Organ.unscoped.filter(code="new-organ").exists()
    elif status == 200:
        assert f"{target}.xlsx" in response.content.decode()
    if status != 302 or role == "anonymous":
        assert state_diff(before, db_state()) == {}
