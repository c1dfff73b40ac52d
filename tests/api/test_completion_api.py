"""API v1 for completion: /api/v1/completion/programs/{id}/rules (GET, PUT), /results (GET, paged),
/assessments (GET, PUT), /reflection (the participant's own: GET, PUT). The permission matrix (every role × every
operation, outcomes read back from the database: a refused request changes nothing), 409 after closing, 422 naming
the row, and query counts that do not grow with the class."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangjian.completion.models import Assessment, CompletionRules, Reflection
from tests.completion.conftest import mark, world  # noqa: F401 (the fixture)
from tests.conftest import ROLES
from tests.factories import UserFactory, place
from tests.state import db_state, state_diff

pytestmark = pytest.mark.django_db

ALL_ROLES = [*ROLES, "anonymous"]
OPERATIONS = ["rules_get", "rules_put", "results_get", "assessments_get", "assessments_put", "reflection_get",
              "reflection_put"]
# role -> the operations it may do (200); the others: 401 anonymous, 403 or 404 (a participant asking for a
# program they do not attend).
ALLOWED = {
    "organizer": {"rules_get", "rules_put", "results_get", "assessments_get", "assessments_put"},
    "college_staff": {"rules_get", "results_get", "assessments_get", "assessments_put"},
    "unit_admin": {"rules_get", "results_get"},
    "participant": {"reflection_get", "reflection_put"},
}


def users(w) -> dict:
    return {"organizer": w.organizer, "college_staff": w.head_teacher, "unit_admin": w.admin,
            "participant": UserFactory(roles=["participant"], person=w.ours[0].person), "anonymous": None,
            **{role: UserFactory(roles=[role]) for role in ("approver", "instructor", "editor", "reviewer")}}


def call(client, w, operation):
    base = f"completion/programs/{w.program.pk}"
    json = "application/json"
    if operation == "rules_get":
        return client.get(f"{base}/rules")
    if operation == "rules_put":
        return client.django.put(f"/api/v1/{base}/rules", {"min_attendance_share": "0.9", "crediting": "per_session"},
                                 content_type=json)
    if operation == "results_get":
        return client.get(f"{base}/results")
    if operation == "assessments_get":
        return client.get(f"{base}/assessments")
    if operation == "assessments_put":
        return client.django.put(f"/api/v1/{base}/assessments", {"rows": [
            {"nomination_id": w.ours[0].pk, "score": "88.5", "note": "良好"}]}, content_type=json)
    if operation == "reflection_get":
        return client.get(f"{base}/reflection")
    return client.django.put(f"/api/v1/{base}/reflection", {"text": "大别山精神，终身受益。"}, content_type=json)


# Approvers and instructors do not see a program in progress that they neither approve nor teach in: 404.
NOT_IN_SCOPE = {("approver", "rules_get"), ("approver", "rules_put"), ("instructor", "rules_get"),
                ("instructor", "rules_put")}


def expected(role, operation):
    if role == "anonymous":
        return 401
    if (role, operation) in NOT_IN_SCOPE:
        return 404
    return 200 if operation in ALLOWED.get(role, set()) else 403


@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize("role", ALL_ROLES)
def test_permission_matrix(api_as, world, role, operation):  # noqa: F811
    w = world
    client = api_as(users(w)[role])
    before = db_state()
    response = call(client, w, operation)
    assert response.status_code == expected(role, operation), response.content.decode()[:500]
    if response.status_code != 200 or operation.endswith("_get"):
        assert state_diff(before, db_state()) == {}
        return
    if operation == "rules_put":
        rules = CompletionRules.objects.get(program=w.program)
        assert (str(rules.min_attendance_share), rules.crediting) == ("0.900", "per_session")
    elif operation == "assessments_put":
        assert Assessment.unscoped.get(nomination=w.ours[0]).note == "良好"
    else:
        assert Reflection.unscoped.get(nomination=w.ours[0]).text == "大别山精神，终身受益。"


def test_the_openapi_paths_are_in_this_matrix(api_as):
    paths = api_as(None).get("openapi.json").json()["paths"]
    from tests.api.test_reflections_api import PATHS, SHARED

    ours = {(method, path) for path, operations in paths.items() for method in operations
            if path.startswith("/api/v1/completion") and path not in PATHS and (method, path) not in SHARED}
    base = "/api/v1/completion/programs/{program_id}"
    assert ours == {("get", f"{base}/rules"), ("put", f"{base}/rules"), ("get", f"{base}/results"),
                    ("get", f"{base}/assessments"), ("put", f"{base}/assessments"), ("get", f"{base}/reflection"),
                    ("put", f"{base}/reflection")}
    assert len(OPERATIONS) == len(ours)


def test_results_with_reasons_in_words_paged_and_scoped(api_as, world):  # noqa: F811
    w = world
    CompletionRules.objects.create(program=w.program, require_reflection=True)
    for nomination in (*w.ours, *w.theirs):
        mark(nomination, w.sessions)
    body = api_as(w.organizer).get(f"completion/programs/{w.program.pk}/results?page_size=2").json()
    assert body["count"] == 4 and len(body["items"]) == 2
    first = body["items"][0]
    assert first["provisional"] is True and first["completed"] is False
    assert first["reasons"] == [{"code": "reflection", "text": "未提交心得体会。"}]
    assert first["class_hours"] == "35.0" or float(first["class_hours"]) == 35
    names = {item["person_name"] for item in api_as(w.admin).get(
        f"completion/programs/{w.program.pk}/results").json()["items"]}
    assert names == {"甲一", "乙二", "丁四"}
    found = api_as(w.organizer).get(f"completion/programs/{w.program.pk}/results?q=丙").json()
    assert [item["person_name"] for item in found["items"]] == ["丙三"]


def test_writes_name_the_row_and_are_refused_after_closing(api_as, world):  # noqa: F811
    w = world
    client = api_as(w.head_teacher)
    url = f"/api/v1/completion/programs/{w.program.pk}/assessments"
    response = client.django.put(url, {"rows": [{"nomination_id": w.ours[0].pk, "score": "80"},
                                                {"nomination_id": w.ours[0].pk, "score": "70"}]},
                                 content_type="application/json")
    assert response.status_code == 422
    assert [e["message"] for e in response.json()["errors"]] == ["第 2 行：甲一重复出现。"]
    assert client.django.put(url, {"rows": [{"nomination_id": w.ours[0].pk, "score": "101"}]},
                             content_type="application/json").status_code == 422
    assert not Assessment.unscoped.exists()
    w.program.status = "closed"
    w.program.save()
    assert client.django.put(url, {"rows": [{"nomination_id": w.ours[0].pk, "score": "80"}]},
                             content_type="application/json").status_code == 409
    me = api_as(UserFactory(roles=["participant"], person=w.ours[0].person))
    assert me.get(f"completion/programs/{w.program.pk}/reflection").json()["can_submit"] is False
    assert me.django.put(f"/api/v1/completion/programs/{w.program.pk}/reflection", {"text": "晚了"},
                         content_type="application/json").status_code == 409
    assert me.get(f"completion/programs/{w.program.pk + 999}/reflection").status_code == 404
    assert not Reflection.unscoped.exists() and not Assessment.unscoped.exists()


def test_the_results_of_sixty_take_as_many_queries_as_of_four(api_as, world):  # noqa: F811
    w = world
    client = api_as(w.organizer)

    def queries(path):
        with CaptureQueriesContext(connection) as context:
            assert client.get(f"completion/programs/{w.program.pk}/{path}").status_code == 200
        return len(context)

    few = queries("results"), queries("assessments")
    for index in range(56):
        mark(place(w.program, w.other, w.phase, w.group1 if index % 2 else w.group2), w.sessions[:2])
    assert (queries("results"), queries("assessments")) == few
