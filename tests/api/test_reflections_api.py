"""API v1 for reflections and the assessment import (api/reflections.py): the permission matrix (every role ×
every operation; a refused request changes nothing), the OpenAPI paths, errors in words, and query counts of the
list that do not grow with the class."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dangjian.completion.models import Assessment, Reflection
from tests.completion.reflection_world import workbook
from tests.conftest import ROLES
from tests.shared_world import world_per_module
from tests.state import db_state, state_diff
from tests.web.test_reflection_page_permissions import _build, _with_file

pytestmark = pytest.mark.django_db

ALL_ROLES = [*ROLES, "anonymous"]
_built_once, users_by_role, records = world_per_module(_build)


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.REFLECTION_FILE_ROOT = tmp_path / "reflection-files"


BASE = "/api/v1/completion"
OPERATIONS = {
    # name: (method, path, body, who may: status, effect)
    "list": ("get", lambda r: f"{BASE}/programs/{r.program.pk}/reflections", None,
             {"organizer": 200, "college_staff": 200}, None),
    "detail": ("get", lambda r: f"{BASE}/reflections/{r.reflection.pk}", None,
               {"organizer": 200, "college_staff": 200, "participant": 200}, None),
    "grade": ("post", lambda r: f"{BASE}/reflections/{r.reflection.pk}/grade", {"grade": "revise", "comment": "请修改"},
              {"organizer": 200, "college_staff": 200},
              lambda r: Reflection.unscoped.get(pk=r.reflection.pk).grade == "revise"),
    "allow_late": ("post", lambda r: f"{BASE}/programs/{r.program.pk}/reflections/allow-late/{r.other.pk}",
                   {"comment": "补交"}, {"organizer": 200, "college_staff": 200},
                   lambda r: Reflection.unscoped.get(nomination=r.other).grade == "revise"),
    "portal_draft": ("post", lambda r: f"{BASE}/reflections/{r.reflection.pk}/portal-draft", None,
                     {"organizer": 200}, lambda r: Reflection.unscoped.get(pk=r.reflection.pk).portal_page_id),
    "file": ("get", lambda r: f"{BASE}/reflections/{r.reflection.pk}/file", None,
             {"organizer": 200, "college_staff": 200, "participant": 200}, None),
    "submit": ("multipart", lambda r: f"{BASE}/programs/{r.program.pk}/reflection/submit",
               lambda r: {"text": "修改后的心得", "file": SimpleUploadedFile("新.txt", "正文".encode())},
               {"participant": 200}, lambda r: Reflection.unscoped.get(pk=r.reflection.pk).version == 2),
    "consent": ("put", lambda r: f"{BASE}/programs/{r.program.pk}/reflection/consent",
                {"publish": True, "with_name": True}, {"participant": 200},
                lambda r: Reflection.unscoped.get(pk=r.reflection.pk).consent_name),
    "template": ("get", lambda r: f"{BASE}/programs/{r.program.pk}/assessments/template", None,
                 {"organizer": 200, "college_staff": 200}, None),
    "import": ("multipart", lambda r: f"{BASE}/programs/{r.program.pk}/assessments/import",
               lambda r: {"file": SimpleUploadedFile("s.xlsx", workbook([(1, r.nomination.person.name, "", "", 77,
                                                                         "")]))},
               {"organizer": 200, "college_staff": 200},
               lambda r: Assessment.unscoped.get(nomination=r.nomination).score == 77),
}
# A participant asks for a program's staff pages: 403 before any lookup; their own pages of a program: as allowed.
EXPECTED_OTHER = {"anonymous": 401}


def expected(role, operation):
    if role == "anonymous":
        return 401
    return OPERATIONS[operation][3].get(role, 403)


def _request(client, operation, records):
    method, path, body, _allowed, _effect = OPERATIONS[operation]
    url = path(records)
    django = client.django
    if method == "get":
        return django.get(url)
    if method == "multipart":
        return django.post(url, body(records))
    if method == "put":
        return django.put(url, body, content_type="application/json")
    return django.post(url, body or {}, content_type="application/json")


@pytest.mark.parametrize("operation", list(OPERATIONS))
@pytest.mark.parametrize("role", ALL_ROLES)
def test_permission_matrix(api_as, users_by_role, records, role, operation):
    _with_file(records)
    if operation == "submit":  # sent back for revision: the author may resubmit
        Reflection.unscoped.filter(pk=records.reflection.pk).update(grade="revise", grade_comment="请修改")
    client = api_as(users_by_role[role])
    before = db_state()
    response = _request(client, operation, records)
    assert response.status_code == expected(role, operation), (role, operation, response.content.decode()[:400])
    effect = OPERATIONS[operation][4]
    if response.status_code != 200:
        assert state_diff(before, db_state()) == {}
        return
    if effect is None:  # a read: at most the audit of a download
        assert set(state_diff(before, db_state())) <= {"core.AuditEntry"}
        return
    assert effect(records)


def test_the_openapi_paths_are_in_this_matrix(api_as):
    paths = api_as(None).get("openapi.json").json()["paths"]
    ours = {(method, path) for path, operations in paths.items() for method in operations if path in PATHS}
    assert len(ours) == len(OPERATIONS)


PATHS = {
    f"{BASE}/programs/{{program_id}}/reflections", f"{BASE}/reflections/{{reflection_id}}",
    f"{BASE}/reflections/{{reflection_id}}/grade",
    f"{BASE}/programs/{{program_id}}/reflections/allow-late/{{nomination_id}}",
    f"{BASE}/reflections/{{reflection_id}}/portal-draft", f"{BASE}/reflections/{{reflection_id}}/file",
    f"{BASE}/programs/{{program_id}}/reflection/consent", f"{BASE}/programs/{{program_id}}/assessments/template",
    f"{BASE}/programs/{{program_id}}/assessments/import", f"{BASE}/programs/{{program_id}}/reflection/submit",
}
SHARED: set = set()  # no path shared with api/completion.py


def test_errors_in_words(api_as, users_by_role, records):
    client = api_as(users_by_role["college_staff"])
    url = f"{BASE}/reflections/{records.reflection.pk}/grade"
    response = client.django.post(url, {"grade": "revise", "comment": ""}, content_type="application/json")
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "comment"
    bad = SimpleUploadedFile("s.xlsx", workbook([(1, "无名氏", "", "", 77, "")]))
    response = client.django.post(f"{BASE}/programs/{records.program.pk}/assessments/import", {"file": bad})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "file" and "无名氏" in response.json()["errors"][0]["message"]
    organizer = api_as(users_by_role["organizer"])
    Reflection.unscoped.filter(pk=records.reflection.pk).update(consent_publish=False)
    response = organizer.django.post(f"{BASE}/reflections/{records.reflection.pk}/portal-draft")
    assert response.status_code == 409 and response.json()["detail"]


def test_the_list_takes_as_many_queries_for_many_reflections(api_as, users_by_role, records):
    from dangjian.enrollment.models import Nomination, Placement
    from tests.factories import PersonFactory

    client = api_as(users_by_role["organizer"])
    url = f"{BASE}/programs/{records.program.pk}/reflections"

    def queries():
        with CaptureQueriesContext(connection) as context:
            assert client.get(url.removeprefix("/api/v1/")).status_code == 200
        return len(context)

    few = queries()
    phase = records.nomination.placement.phase
    for _ in range(8):
        nomination = Nomination.unscoped.create(program=records.program, person=PersonFactory(),
                                                organ=records.nomination.organ, status="confirmed")
        Placement.unscoped.create(nomination=nomination, phase=phase)
        Reflection.unscoped.create(nomination=nomination, text="心得", submitted_at=timezone.now())
    assert queries() == few


def test_the_author_reads_their_own_without_the_neighbours(api_as, users_by_role, records):
    from dangjian.completion.models import Reflection as Model

    other = Model.unscoped.create(nomination=records.other, text="另一篇", submitted_at=timezone.now())
    staff = api_as(users_by_role["college_staff"]).get(f"completion/reflections/{records.reflection.pk}").json()
    assert staff["next_id"] == other.pk or staff["previous_id"] == other.pk
    mine = api_as(users_by_role["participant"]).get(f"completion/reflections/{records.reflection.pk}").json()
    assert mine["previous_id"] is None and mine["next_id"] is None and mine["text"] == "第一段。\n\n第二段。"
    assert api_as(users_by_role["participant"]).get(f"completion/reflections/{other.pk}").status_code == 404
