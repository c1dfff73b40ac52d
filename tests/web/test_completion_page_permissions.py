"""The permission matrix of the completion pages (web/urls_completion.py) × every role (and anonymous), with the
expected status; every POST's outcome read back from the database (done: the record was written; refused: no row of
the platform changed at all).

anonymous                                   -> 302 to the login page
organizer                                   -> rules (form), results and export, assessments, reflections
college staff (of the venue: head teacher)  -> results and export, assessments, reflections; 403 on the rules
unit administrator                          -> results and export (their organ's people); 403 on the others
participant                                 -> their own reflection; 403 on the staff pages
approver, instructor, editor, reviewer      -> 403
"""


import pytest
from django.contrib.messages import constants as message_levels
from django.urls import reverse

from dangjian.completion.models import Assessment, CompletionRules, Reflection
from tests.completion.class_world import running_class
from tests.conftest import ROLES
from tests.denials import assert_matrix_answer
from tests.shared_world import world_per_module
from tests.state import db_state, state_diff

pytestmark = pytest.mark.django_db

ALL_ROLES = [*ROLES, "anonymous"]


def _build(users_by_role, organ):
    return running_class(users_by_role, organ)


_built_once, users_by_role, records = world_per_module(_build)

RULES = {"min_attendance_share": "0.9", "leave_within_limit": "on", "max_leave_ratio": "0.14286",
         "assessment_pass_mark": "60", "crediting": "per_session"}

# (url name, method, post data (a function of the records), who may: status)
PAGES = [
    ("completion_rules", "get", None, {"organizer": 200}),
    ("completion_rules", "post", lambda r: RULES, {"organizer": 302}),
    ("completion_results", "get", None, {"organizer": 200, "college_staff": 200, "unit_admin": 200}),
    ("completion_results_xlsx", "get", None, {"organizer": 200, "college_staff": 200, "unit_admin": 200}),
    ("completion_assessments", "get", None, {"organizer": 200, "college_staff": 200}),
    ("completion_assessments", "post", lambda r: {f"score-{r.nomination.pk}": "88"},
     {"organizer": 302, "college_staff": 302}),
    ("completion_reflections", "get", None, {"organizer": 200, "college_staff": 200}),
    ("my_reflection", "get", None, {"participant": 200}),
    ("my_reflection", "post", lambda r: {"text": "大别山精神，终身受益。"}, {"participant": 302}),
]

EFFECTS = {
    "completion_rules": lambda r: CompletionRules.objects.filter(program=r.program, crediting="per_session").exists(),
    "completion_assessments": lambda r: Assessment.unscoped.filter(nomination=r.nomination, score=88).exists(),
    "my_reflection": lambda r: Reflection.unscoped.filter(nomination=r.nomination).exists(),
}


def _cases():
    for name, method, data, allowed in PAGES:
        for role in ALL_ROLES:
            status = 302 if role == "anonymous" else allowed.get(role, 403)
            yield pytest.param(role, name, method, data, status, id=f"{method.upper()} {name} as {role} -> {status}")


@pytest.mark.parametrize("role, name, method, data, status", list(_cases()))
def test_completion_page_permission_matrix(client, users_by_role, records, role, name, method, data, status, caplog):
    user = users_by_role[role]
    if user is not None:
        client.force_login(user)
    url = reverse(name, args=[records.program.pk])
    if method == "get":
        response = client.get(url)
    else:
        state_before = db_state()
        response = client.post(url, data(records))
    assert_matrix_answer(response, status=status, role=role, caplog=caplog)
    if method == "get":
        return
    if status == 302 and role != "anonymous":
        errors = [m.message for m in response.wsgi_request._messages if m.level == message_levels.ERROR]
        assert errors == []
        assert EFFECTS[name](records)
    else:
        assert state_diff(state_before, db_state()) == {}


def test_every_url_of_the_completion_pages_is_in_this_matrix():
    from dangjian.web.urls_completion import urlpatterns
    from tests.web.test_reflection_page_permissions import PAGES as REFLECTION_PAGES

    assert {p.name for p in urlpatterns} == {name for name, *_rest in (*PAGES, *REFLECTION_PAGES)}
