"""API v1 of the follow-up (api/followup.py): the permission matrix of every endpoint × every role and anonymous
(a refused request changes no row), the OpenAPI paths, refusals in words (409), errors naming the row (422), the
unit's scope, and the lists in a constant number of queries.

participant (the graduate) -> plan get/put (recent class), survey get/post (earlier class)
unit administrator          -> confirmations list, confirm a report of their organ
organizer                   -> a program's overview, reminders
others                      -> 403; anonymous: 401
"""

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangjian.followup.models import FollowUpReport, ImplementationPlan, UnitConfirmation
from dangjian.outbox.models import Message
from tests.api.helpers import BASE, field_errors
from tests.conftest import ROLES
from tests.denials import assert_no_traceback_logged
from tests.followup.conftest import graduate, report_for
from tests.followup.matrix_world import build
from tests.shared_world import world_per_module
from tests.state import db_state, state_diff

pytestmark = pytest.mark.django_db

ALL_ROLES = [*ROLES, "anonymous"]
_built_once, users_by_role, records = world_per_module(build)


def _plan(world):
    return {"items": [{"action": "建立“三会一课”台账", "due": (world.today + datetime.timedelta(days=40)).isoformat()}]}


SURVEY = {"choices": {"methods_applied": ["org_life_meeting"]}, "texts": {"branch_changes": "组织生活会更规范"}}

# (method, path, body, role allowed, status, what it changed)
ENDPOINTS = [
    ("get", "followup/programs/{recent}/plan", None, "participant", 200, None),
    ("put", "followup/programs/{recent}/plan", _plan, "participant", 200,
     lambda w: ImplementationPlan.unscoped.filter(nomination=w.me_recent).exists()),
    ("get", "followup/programs/{earlier}/survey", None, "participant", 200, None),
    ("post", "followup/programs/{earlier}/survey", lambda w: SURVEY, "participant", 201,
     lambda w: FollowUpReport.unscoped.filter(nomination=w.me_earlier).exists()),
    ("get", "followup/confirmations", None, "unit_admin", 200, None),
    ("post", "followup/reports/{report}/confirmation", lambda w: {"decision": "confirmed",
                                                                  "answers": {"unit_rating": 4}}, "unit_admin", 201,
     lambda w: UnitConfirmation.unscoped.filter(report=w.colleague_report).exists()),
    ("get", "followup/programs/{earlier}/overview", None, "organizer", 200, None),
    ("post", "followup/programs/{earlier}/reminders", lambda w: {}, "organizer", 201,
     lambda w: Message.unscoped.filter(program=w.earlier).count() == 4),
]


def _call(client, method, path, body):
    if method == "put":
        return client.django.put(BASE + path, json.dumps(body), content_type="application/json")
    if method == "post":
        return client.post(path, body)
    return client.get(path)


def _url(path, world):
    return path.format(recent=world.recent.pk, earlier=world.earlier.pk, report=world.colleague_report.pk)


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize(("method", "path", "body", "allowed", "status", "changed"), ENDPOINTS,
                         ids=[f"{e[0]}-{e[1]}" for e in ENDPOINTS])
def test_api_permission_matrix(api_as, users_by_role, records, role, method, path, body, allowed, status, changed,
                               caplog):
    client = api_as(users_by_role[role])
    before = db_state()
    response = _call(client, method, _url(path, records), body(records) if body else None)
    assert_no_traceback_logged(caplog)
    if role == allowed:
        assert response.status_code == status, response.content[:500]
        if changed is not None:
            assert changed(records)
        return
    assert response.status_code == (401 if role == "anonymous" else 403), response.content[:300]
    assert state_diff(before, db_state()) == {}


def test_the_openapi_paths_are_in_this_matrix(api_as):
    paths = api_as(None).get("openapi.json").json()["paths"]
    ours = {(method, path) for path, operations in paths.items() for method in operations
            if path.startswith("/api/v1/followup")}
    assert ours == {(m, "/api/v1/" + p.replace("{recent}", "{program_id}").replace("{earlier}", "{program_id}")
                     .replace("{report}", "{report_id}")) for m, p, *_rest in ENDPOINTS}


def test_refusals_in_words_and_errors_naming_the_row(api_as, users_by_role, records):
    client = api_as(users_by_role["participant"])
    client.django.cookies.load({"django_language": "en"})
    early = client.post(f"followup/programs/{records.recent.pk}/survey", SURVEY)
    assert early.status_code == 409 and "opens on" in early.json()["detail"]
    late = client.django.put(BASE + f"followup/programs/{records.earlier.pk}/plan", json.dumps(_plan(records)),
                             content_type="application/json")
    assert late.status_code == 409 and "was due by" in late.json()["detail"]
    before = (records.recent_phase.ends_on - datetime.timedelta(days=1)).isoformat()
    wrong = client.django.put(BASE + f"followup/programs/{records.recent.pk}/plan",
                              json.dumps({"items": [{"action": "台账", "due": before}]}),
                              content_type="application/json")
    assert wrong.status_code == 422
    assert "Row 1: the date is before the end of your class" in field_errors(wrong)["items"]
    got = client.get(f"followup/programs/{records.recent.pk}/survey").json()
    assert got["answered"] is False and "opens on" in got["refusal"] and got["definition"]["choices"]
    assert client.get(f"followup/programs/{records.stranger.program_id + 999}/plan").status_code == 404


def test_a_unit_admin_confirms_only_their_organs_reports(api_as, records):
    stranger_report = report_for(records.stranger)
    client = api_as(records.admin)
    listed = client.get("followup/confirmations").json()
    assert [item["id"] for item in listed["items"]] == [records.colleague_report.pk]
    before = db_state()
    assert client.post(f"followup/reports/{stranger_report.pk}/confirmation",
                       {"decision": "confirmed", "answers": {"unit_rating": 4}}).status_code == 404
    assert state_diff(before, db_state()) == {}
    comment = client.post(f"followup/reports/{records.colleague_report.pk}/confirmation",
                          {"decision": "commented", "answers": {"unit_rating": 3}})
    assert comment.status_code == 422
    done = client.post(f"followup/reports/{records.colleague_report.pk}/confirmation",
                       {"decision": "commented", "answers": {"unit_rating": 3, "unit_comment": "请补充台账"}})
    assert done.status_code == 201 and done.json()["decision"] == "commented"
    again = client.post(f"followup/reports/{records.colleague_report.pk}/confirmation",
                        {"decision": "confirmed", "answers": {"unit_rating": 4}})
    assert again.status_code == 409


def _queries(client, path) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_the_lists_take_a_constant_number_of_queries(api_as, users_by_role, records):
    organizer, unit = api_as(users_by_role["organizer"]), api_as(users_by_role["unit_admin"])
    overview = f"followup/programs/{records.earlier.pk}/overview"
    counts = (_queries(organizer, overview), _queries(unit, "followup/confirmations"))
    for _ in range(4):
        nomination = graduate(records.earlier, records.organ, records.earlier_phase)
        report_for(nomination)
        ImplementationPlan.unscoped.create(nomination=nomination, program=records.earlier,
                                           items=[{"action": "台账", "due": "2030-01-01"}])
    assert (_queries(organizer, overview), _queries(unit, "followup/confirmations")) == counts
    body = organizer.get(overview, {"state": "reported"}).json()
    assert body["participants"]["count"] == 5 and body["totals"]["reports"] == 5
