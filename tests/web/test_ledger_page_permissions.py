"""The permission matrix of the ledger's pages (学时档案): every page × every role, with the outcome of each POST
read again from the database.

anonymous      -> 302 to the login page
organizer      -> every page (the city's compliance, requirements and exemptions are theirs alone)
unit_admin     -> their organ's people, records and compliance; 404 on another organ's; 403 on the city's view,
                  requirements' changes and exemptions
any other role -> 403
A record of this platform (credited by its class) and a rule that has taken effect are refused in their state:
a redirect with the reason, nothing changed.
"""

import datetime
from types import SimpleNamespace

import pytest
from django.urls import reverse

from dangjian.ledger.models import Exemption, Requirement, TrainingRecord
from dangjian.outbox.models import Message
from tests.conftest import ROLES
from tests.denials import assert_matrix_answer
from tests.factories import (
    ExemptionFactory,
    OrganFactory,
    PersonFactory,
    PhaseFactory,
    PostFactory,
    TrainingRecordFactory,
)
from tests.shared_world import world_per_module
from tests.state import db_state, state_diff

pytestmark = pytest.mark.django_db

ALL_ROLES = [*ROLES, "anonymous"]
STAFF = {"organizer", "unit_admin"}

PAGES = [
    ("ledger_home", "get", None),
    ("ledger_city", "get", None),
    ("ledger_city_export", "get", None),
    ("ledger_organ", "get", "organ"),
    ("ledger_organ", "get", "other_organ"),
    ("ledger_organ_export", "get", "organ"),
    ("ledger_organ_export", "get", "other_organ"),
    ("ledger_person", "get", "person"),
    ("ledger_person", "get", "other_person"),
    ("ledger_person_xlsx", "get", "person"),
    ("ledger_person_xlsx", "get", "other_person"),
    ("ledger_person_pdf", "get", "person"),
    ("ledger_person_pdf", "get", "other_person"),
    ("ledger_record_create", "get", "person"),
    ("ledger_record_create", "get", "other_person"),
    ("ledger_record_edit", "get", "record"),
    ("ledger_record_edit", "get", "other_record"),
    ("ledger_record_edit", "get", "platform_record"),
    ("ledger_record_delete", "post", "record"),
    ("ledger_record_delete", "post", "other_record"),
    ("ledger_record_delete", "post", "platform_record"),
    ("ledger_exemption_create", "get", "person"),
    ("ledger_exemption_create", "get", "other_person"),
    ("ledger_exemption_delete", "post", "exemption"),
    ("ledger_exemption_delete", "post", "other_exemption"),
    ("ledger_import", "get", None),
    ("ledger_import_template", "get", None),
    ("ledger_requirement_list", "get", None),
    ("ledger_requirement_create", "get", None),
    ("ledger_requirement_edit", "get", "requirement"),
    ("ledger_requirement_supersede", "get", "requirement"),
    ("ledger_requirement_delete", "post", "future_requirement"),
    ("ledger_requirement_delete", "post", "requirement"),
    ("ledger_statistics", "get", None),
    ("ledger_statistics_export", "get", None),
    ("ledger_forecast", "get", None),
    ("ledger_induction_remind", "post", None),
]

ORGANIZERS_ONLY = {"ledger_city", "ledger_city_export", "ledger_requirement_create", "ledger_requirement_edit",
                   "ledger_requirement_supersede", "ledger_requirement_delete", "ledger_exemption_create",
                   "ledger_exemption_delete", "ledger_forecast", "ledger_induction_remind"}
REDIRECTS = {"ledger_home"}
# Refused in the record's state: a redirect back with the reason, nothing written.
REFUSED_STATE = {("ledger_record_edit", "platform_record"), ("ledger_record_delete", "platform_record"),
                 ("ledger_requirement_delete", "requirement")}


def _exists(record) -> bool:
    return type(record)._base_manager.filter(pk=record.pk).exists()


def expected_status(role: str, name: str, method: str, target: str | None) -> int:
    if role == "anonymous":
        return 302
    if role not in STAFF:
        return 403
    if role == "unit_admin":
        if name in ORGANIZERS_ONLY:
            return 403
        if target and target.startswith("other_"):
            return 404
    if method == "post" or name in REDIRECTS or (name, target) in REFUSED_STATE:
        return 302
    return 200


def _cases():
    for name, method, target in PAGES:
        for role in ALL_ROLES:
            status = expected_status(role, name, method, target)
            on = f"({target})" if target else ""
            case = f"{method.upper()} {name}{on} as {role} -> {status}"
            yield pytest.param(role, name, method, target, status, id=case)


def _build(users_by_role, organ):
    result = {"organ": organ, "other_organ": OrganFactory()}
    for prefix, owner in [("", organ), ("other_", result["other_organ"])]:
        person = PostFactory(person=PersonFactory(organ=owner), party_organization__organ=owner,
                             started_on=datetime.date(2026, 3, 1)).person
        result[f"{prefix}person"] = person
        result[f"{prefix}record"] = TrainingRecordFactory(person=person)
        result[f"{prefix}exemption"] = ExemptionFactory(person=person)
    phase = PhaseFactory()
    result["platform_record"] = TrainingRecordFactory(person=result["person"], source="platform", phase=phase,
                                                      program=phase.program, starts_on=phase.starts_on,
                                                      ends_on=phase.ends_on)
    result["requirement"] = Requirement.objects.get(code="induction")
    result["future_requirement"] = Requirement.objects.create(
        code="future-rule", kind="hours", title_zh="未来规则", min_hours=10, source="测试",
        effective_from=datetime.date(2099, 1, 1))
    PostFactory(person=PersonFactory(organ=organ), party_organization__organ=organ,
                started_on=datetime.date(2026, 9, 1))  # due for induction training, not exempt
    users_by_role["unit_admin"].email = "danwei@example.org"  # reachable: the reminder writes a draft
    users_by_role["unit_admin"].save(update_fields=["email"])
    return SimpleNamespace(**result)


_built_once, users_by_role, records = world_per_module(_build)


@pytest.mark.parametrize("role, name, method, target, status", list(_cases()))
def test_ledger_page_matrix(client, users_by_role, records, role, name, method, target, status, caplog):
    user = users_by_role[role]
    if user is not None:
        client.force_login(user)
    url = reverse(name, args=[getattr(records, target).pk] if target else [])
    record = getattr(records, target) if method == "post" and target else None
    before = db_state() if method == "post" else None
    drafts = Message.unscoped.count()
    response = getattr(client, method)(url)
    assert_matrix_answer(response, status=status, role=role, caplog=caplog)
    if method == "post":
        done = status == 302 and role != "anonymous" and (name, target) not in REFUSED_STATE
        if done and record is None:  # the reminder: drafts written
            assert Message.unscoped.count() > drafts, f"{name} as {role} answered {status} but wrote nothing"
        elif done:
            assert not _exists(record), f"{name} as {role} answered {status} but changed nothing"
        else:
            assert state_diff(before, db_state()) == {}


def test_models_of_the_matrix_are_the_ledgers():
    assert {TrainingRecord, Exemption, Requirement}
