"""Every enrollment endpoint × every role, with the status each must answer, and each write's outcome read back
from the database (done: what its `effect` reads changed; refused: no row of the platform changed at all).

The world: a program open for enrollment (capacity 5) with quotas for the unit administrator's organ (3) and
another organ (3); of the unit administrator's organ one nomination awaiting a decision and one confirmed; of the
other organ one awaiting. Organizers do everything; unit administrators their own organ's part (another organ's
nomination is a 404; the organizers' actions a 403); the other roles get 403 before any lookup, except the
participant's own page (`/me/enrollments`), which is theirs alone.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pytest
import time_machine

from dangjian.core.models import AuditEntry
from dangjian.enrollment import services
from dangjian.enrollment.models import ActivationLink, CalendarFeed, Nomination, ProgramEnrollment, Quota
from dangjian.enrollment.services import NomineeInput
from dangjian.jobs.models import BackgroundJob
from dangjian.organizations.models import Person
from dangjian.outbox.models import Message
from tests.conftest import ROLES
from tests.denials import assert_no_traceback_logged
from tests.enrollment.conftest import make_secretaries
from tests.factories import OrganFactory, PhaseFactory, ProgramFactory, UserFactory
from tests.shared_world import world_per_module
from tests.state import db_state, state_diff

ALL_ROLES = [*ROLES, "anonymous"]
NOW = datetime.datetime(2027, 1, 15, 10, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


def _build_world(users_by_role, organ):
    with time_machine.travel(NOW, tick=False):
        organizer = users_by_role["organizer"]
        other = OrganFactory()
        program = ProgramFactory(status="enrollment_open", year=2027)
        PhaseFactory(program=program, number=1, starts_on=datetime.date(2027, 3, 1),
                     ends_on=datetime.date(2027, 3, 5), capacity=5)
        services.quotas_set(program=program, by=organizer, seats={organ.pk: 3, other.pk: 3})
        ours = make_secretaries(organ, 4)
        theirs_people = make_secretaries(other, 1)
        nominated, confirmed = services.nominate(program=program, organ=organ, by=organizer,
                                                 nominees=[NomineeInput(person=p) for p in ours[:2]])
        services.nominations_confirm(nominations=[confirmed], by=organizer)
        confirmed.refresh_from_db()
        theirs = services.nominate(program=program, organ=other, by=organizer,
                                   nominees=[NomineeInput(person=theirs_people[0])])[0]
        # Reachable: the confirmed participant by SMS, the unit administrator of an organ that has nominated
        # nobody by e-mail (the messages' endpoints write drafts).
        Person.unscoped.filter(pk=confirmed.person_id).update(mobile="13800138001")
        silent = OrganFactory()
        services.quotas_set(program=program, by=organizer, seats={silent.pk: 2})
        UserFactory(roles=["unit_admin"], organs=[silent], email="silent@example.org")
        services.calendar_feed_rotate(by=users_by_role["participant"])  # replaced or revoked by the matrix
        AuditEntry.objects.all().delete()
        return SimpleNamespace(program=program, organ=organ, other=other, nominated=nominated,
                               confirmed=confirmed, theirs=theirs, spare=ours[2], spare2=ours[3])


_built_once, users_by_role, world = world_per_module(_build_world, name="world")


def nominations(world):
    return sorted(Nomination.unscoped.values_list("pk", "status"))


def quotas(world):
    return sorted(Quota.unscoped.values_list("organ_id", "seats"))


def deadline(world):
    return list(ProgramEnrollment.objects.values_list("nomination_deadline", flat=True))


def unavailable(world):
    return list(Nomination.unscoped.get(pk=world.nominated.pk).unavailable_periods.values_list("starts_on"))


def links(world):
    return ActivationLink.objects.count()


def drafts(world):
    return sorted(Message.unscoped.values_list("kind", flat=True))


def calendar_feeds(world):
    return sorted(CalendarFeed.objects.values_list("digest", flat=True))


def jobs(world):
    return BackgroundJob.unscoped.count()


@dataclass
class Endpoint:
    name: str
    method: str
    path: str
    who: str  # "staff" (organizers and unit admins), "organizer", "own" (unit admin's organ), "other" (another
    # organ's record: unit admins 404), "participant"
    ok: int = 200
    payload: dict | None = None
    effect: Callable[[Any], Any] | None = None
    params: dict = field(default_factory=dict)


E = Endpoint
ENDPOINTS = [
    E("enrollment detail", "get", "enrollment/programs/{program.pk}", "staff"),
    E("enrollment update", "patch", "enrollment/programs/{program.pk}", "organizer", 200,
      {"nomination_deadline": "2027-02-01"}, deadline),
    E("quota list", "get", "enrollment/programs/{program.pk}/quotas", "staff"),
    E("quota set", "put", "enrollment/programs/{program.pk}/quotas", "organizer", 200,
      {"quotas": [{"organ_id": "{organ.pk}", "seats": 4}]}, quotas),
    E("organs not nominated", "get", "enrollment/programs/{program.pk}/organs-not-nominated", "organizer"),
    E("due people", "get", "enrollment/programs/{program.pk}/due?organ={organ.pk}", "staff"),
    E("waitlist", "get", "enrollment/programs/{program.pk}/waitlist", "staff"),
    E("promote", "post", "enrollment/programs/{program.pk}/promote", "organizer", 200, {},
      nominations),
    E("nominate", "post", "enrollment/programs/{program.pk}/nominations", "own", 201,
      {"organ_id": "{organ.pk}", "people": [{"person_id": "{spare.pk}"}]}, nominations),
    E("decide", "post", "enrollment/programs/{program.pk}/decisions", "organizer", 200,
      {"decision": "confirm", "nominations": ["{nominated.pk}"]}, nominations),
    E("nomination list", "get", "enrollment/nominations", "staff"),
    E("nomination detail", "get", "enrollment/nominations/{nominated.pk}", "own"),
    E("another organ's nomination", "get", "enrollment/nominations/{theirs.pk}", "other"),
    E("withdraw", "post", "enrollment/nominations/{nominated.pk}/withdraw", "own", 200, {"reason": "调动"},
      nominations),
    E("withdraw another organ's", "post", "enrollment/nominations/{theirs.pk}/withdraw", "other", 200,
      {"reason": "调动"}, nominations),
    E("substitute", "post", "enrollment/nominations/{nominated.pk}/substitute", "own", 201,
      {"person_id": "{spare2.pk}", "reason": "换人"}, nominations),
    E("unavailable", "put", "enrollment/nominations/{nominated.pk}/unavailable", "own", 200,
      {"unavailable": [{"starts_on": "2027-02-01", "ends_on": "2027-02-03"}]}, unavailable),
    E("activation", "post", "enrollment/nominations/{confirmed.pk}/activation", "own", 201, {}, links),
    E("nomination opened", "post", "enrollment/programs/{program.pk}/messages/nomination-opened", "organizer", 201,
      {}, drafts),
    E("deadline reminder", "post", "enrollment/programs/{program.pk}/messages/deadline-reminder", "organizer", 201,
      {}, drafts),
    E("admission notices", "post", "enrollment/programs/{program.pk}/admission-notices", "organizer", 202, {},
      jobs),
    E("admission notice", "get", "enrollment/nominations/{confirmed.pk}/admission-notice.pdf", "own"),
    E("my admission notice", "get", "me/enrollments/{confirmed.pk}/admission-notice.pdf", "not-mine"),
    E("my enrollments", "get", "me/enrollments", "participant"),
    E("my sessions", "get", "me/sessions", "participant"),
    E("my calendar", "get", "me/calendar", "participant"),
    E("my calendar rotate", "post", "me/calendar", "participant", 201, {}, calendar_feeds),
    E("my calendar revoke", "delete", "me/calendar", "participant", 204, None, calendar_feeds),
]


def expected_status(endpoint: Endpoint, role: str) -> int:
    if role == "anonymous":
        return 401
    if endpoint.who == "participant":
        return endpoint.ok if role == "participant" else 403
    if endpoint.who == "not-mine":  # a participant's own notice: another's is not found
        return 404 if role == "participant" else 403
    if role not in {"organizer", "unit_admin"}:
        return 403
    if role == "organizer":
        return endpoint.ok
    return {"staff": endpoint.ok, "own": endpoint.ok, "organizer": 403, "other": 404}[endpoint.who]


def _fill(value, world):
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        obj = world
        for part in value[1:-1].split("."):
            obj = getattr(obj, part)
        return obj
    if isinstance(value, list):
        return [_fill(item, world) for item in value]
    if isinstance(value, dict):
        return {key: _fill(item, world) for key, item in value.items()}
    return value


def call(client, endpoint: Endpoint, world):
    path = endpoint.path.format(**vars(world))
    payload = _fill(endpoint.payload or {}, world)
    if endpoint.method == "put":
        return client.django.put("/api/v1/" + path, payload, content_type="application/json")
    return client.call(endpoint.method, path, payload)


def test_matrix_covers_every_enrollment_path(api_as):
    paths = api_as(None).get("openapi.json").json()["paths"]
    ours = {(method, path) for path, operations in paths.items() for method in operations
            if path.startswith(("/api/v1/enrollment", "/api/v1/me/"))
            and "allocation-runs" not in path and not path.endswith("/placement")}  # allocation: its own matrix
    # (tests/enrollment/test_allocation_pages.py)
    names = {"program.pk": "program_id", "nominated.pk": "nomination_id", "theirs.pk": "nomination_id",
             "confirmed.pk": "nomination_id"}

    def openapi_path(path):
        for key, name in names.items():
            path = path.replace("{" + key + "}", "{" + name + "}")
        return "/api/v1/" + path.split("?")[0]

    assert ours == {(e.method, openapi_path(e.path)) for e in ENDPOINTS}


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_enrollment_api_permission_matrix(api_as, users_by_role, world, endpoint, role, caplog):
    client = api_as(users_by_role[role])
    writes = endpoint.method != "get"
    state_before = db_state() if writes else None
    effect_before = endpoint.effect(world) if writes and endpoint.effect else None
    audit_before = AuditEntry.objects.count()
    response = call(client, endpoint, world)
    expected = expected_status(endpoint, role)
    assert response.status_code == expected, response.content
    assert_no_traceback_logged(caplog)
    if expected >= 400:
        assert response["Content-Type"] == "application/problem+json"
        if writes:
            assert state_diff(state_before, db_state()) == {}
    elif writes and endpoint.name != "promote":  # nobody waits: promoting changes nothing, and says so
        assert endpoint.effect(world) != effect_before, f"{endpoint.name} as {role}: nothing changed"
        assert AuditEntry.objects.count() > audit_before


def test_unit_admin_lists_only_their_organs_nominations(api_as, users_by_role, world):
    found = api_as(users_by_role["unit_admin"]).get("enrollment/nominations").json()
    assert {row["organ_id"] for row in found["items"]} == {world.organ.pk}
    every = api_as(users_by_role["organizer"]).get("enrollment/nominations").json()
    assert every["count"] == 3


def test_a_program_filter_outside_the_scope_is_an_empty_list(api_as, users_by_role, world):
    from dangjian.training.models import Program

    Program.unscoped.filter(pk=world.program.pk).update(status="approved")  # not published to the organs
    found = api_as(users_by_role["unit_admin"]).get("enrollment/nominations", {"program": world.program.pk})
    assert found.json()["count"] == 0
