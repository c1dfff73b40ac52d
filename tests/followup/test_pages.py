"""Follow-up pages: the permission matrix (every page × every role and anonymous; a refused request changes no
row, an allowed write changed what it should), the participant's refusals in words, and the lists' query counts.

participant (the graduate)  -> /my/followup/, the plan (recent class), the survey (earlier class)
unit administrator           -> the reports of their organ to confirm, one report
organizer                    -> a program's follow-up, reminders, the Excel export
others                       -> 403; anonymous -> the login page
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dangjian.followup.models import FollowUpReport, ImplementationPlan, UnitConfirmation
from dangjian.outbox.models import Message
from tests.conftest import ROLES
from tests.denials import assert_no_traceback_logged
from tests.followup.conftest import graduate, report_for
from tests.followup.matrix_world import build
from tests.shared_world import world_per_module
from tests.state import db_state, state_diff

pytestmark = pytest.mark.django_db

ALL_ROLES = [*ROLES, "anonymous"]
_built_once, users_by_role, records = world_per_module(build)


def _plan_post(world):
    due = (world.today + datetime.timedelta(days=40)).isoformat()
    return {"rows": "2", "action-1": "建立“三会一课”台账", "due-1": due, "action-2": "", "due-2": ""}


SURVEY_POST = {"choice-methods_applied": ["themed_party_day", "integration"], "text-branch_changes": "有变化",
               "text-further_needs": ""}

# (method, url name, args from the world, data, the role allowed, its status, what it changed)
PAGES = [
    ("get", "my_followup", lambda w: [], None, "participant", 200, None),
    ("get", "my_followup_plan", lambda w: [w.recent.pk], None, "participant", 200, None),
    ("post", "my_followup_plan", lambda w: [w.recent.pk], _plan_post, "participant", 302,
     lambda w: ImplementationPlan.unscoped.filter(nomination=w.me_recent).exists()),
    ("get", "my_followup_survey", lambda w: [w.earlier.pk], None, "participant", 200, None),
    ("post", "my_followup_survey", lambda w: [w.earlier.pk], lambda w: SURVEY_POST, "participant", 302,
     lambda w: FollowUpReport.unscoped.filter(nomination=w.me_earlier).exists()),
    ("get", "followup_confirmations", lambda w: [], None, "unit_admin", 200, None),
    ("get", "followup_report", lambda w: [w.colleague_report.pk], None, "unit_admin", 200, None),
    ("post", "followup_report", lambda w: [w.colleague_report.pk],
     lambda w: {"decision": "confirmed", "unit-unit_rating": "4", "unit-unit_comment": ""}, "unit_admin", 302,
     lambda w: UnitConfirmation.unscoped.filter(report=w.colleague_report).exists()),
    ("get", "followup_program", lambda w: [w.earlier.pk], None, "organizer", 200, None),
    ("post", "followup_reminders", lambda w: [w.earlier.pk], lambda w: {}, "organizer", 302,
     lambda w: Message.unscoped.filter(program=w.earlier).count() == 4),  # 2 participants, 2 unit admins
    ("get", "followup_program_xlsx", lambda w: [w.earlier.pk], None, "organizer", 200, None),
]


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize(("method", "name", "args", "data", "allowed", "status", "changed"), PAGES,
                         ids=[f"{p[0]}-{p[1]}" for p in PAGES])
def test_page_permission_matrix(client, users_by_role, records, role, method, name, args, data, allowed, status,
                                changed, caplog):
    user = users_by_role[role]
    if user is not None:
        client.force_login(user)
    url = reverse(name, args=args(records))
    before = db_state()
    response = client.post(url, data(records)) if method == "post" else client.get(url)
    assert_no_traceback_logged(caplog)
    if role == allowed:
        assert response.status_code == status, response.content[:500]
        if changed is not None:
            assert changed(records)
        if name == "followup_program_xlsx":
            assert b"".join(response.streaming_content)[:2] == b"PK"
        return
    if role == "anonymous":
        assert response.status_code == 302 and "/login" in response["Location"]
    else:
        assert response.status_code == 403
    assert state_diff(before, db_state()) == {}


def test_the_participant_sees_refusals_in_words(client, users_by_role, records):
    client.cookies.load({"django_language": "en"})
    client.force_login(users_by_role["participant"])
    survey = client.get(reverse("my_followup_survey", args=[records.recent.pk]))
    assert b"The follow-up survey opens on" in survey.content and b"<form" not in survey.content.split(b"</nav>")[-1]
    plan = client.get(reverse("my_followup_plan", args=[records.earlier.pk]))
    assert b"was due by" in plan.content and b"Save my plan" not in plan.content
    home = client.get(reverse("my_followup")).content.decode()
    assert "近期结业班" in home and "早期结业班" in home and "Answer the follow-up survey" in home
    # A class they did not attend: not found
    assert client.get(reverse("my_followup_plan", args=[records.stranger.program_id + 1000])).status_code == 404


def test_the_plan_page_names_the_wrong_row(client, users_by_role, records):
    client.cookies.load({"django_language": "en"})
    client.force_login(users_by_role["participant"])
    response = client.post(reverse("my_followup_plan", args=[records.recent.pk]),
                           {"rows": "2", "action-1": "建立台账", "due-1": "", "action-2": "", "due-2": ""})
    assert response.status_code == 400
    assert "Row 1: give the date by which it will be done." in response.content.decode()
    assert not ImplementationPlan.unscoped.exists()


def test_a_unit_admin_of_another_organ_gets_a_404(client, records):
    client.force_login(records.other_admin)
    assert client.get(reverse("followup_report", args=[records.colleague_report.pk])).status_code == 404
    assert records.colleague.person.name not in client.get(reverse("followup_confirmations")).content.decode()


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_lists_take_a_constant_number_of_queries(client, users_by_role, records):
    program_url = reverse("followup_program", args=[records.earlier.pk])
    client.force_login(users_by_role["organizer"])
    organizer_before = _count(client, program_url)
    client.force_login(users_by_role["unit_admin"])
    unit_before = _count(client, reverse("followup_confirmations"))
    for _ in range(4):
        nomination = graduate(records.earlier, records.organ, records.earlier_phase)
        report_for(nomination)
        ImplementationPlan.unscoped.create(nomination=nomination, program=records.earlier,
                                           items=[{"action": "台账", "due": "2030-01-01"}])
    assert _count(client, reverse("followup_confirmations")) == unit_before
    client.force_login(users_by_role["organizer"])
    assert _count(client, program_url) == organizer_before


# Read by tests/web/test_page_permissions.py: the pages whose permissions this file tests.
COVERED_URL_NAMES = {name for _method, name, *_rest in PAGES}


def test_every_follow_up_page_is_in_the_matrix():
    from dangjian.web.urls_followup import urlpatterns

    assert {p.name for p in urlpatterns} <= {name for _method, name, *_rest in PAGES}
