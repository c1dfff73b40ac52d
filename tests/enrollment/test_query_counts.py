"""Every enrollment list, on the pages and in the API, takes the same number of queries with 1 row as with 3
(organs, people due, nominations, waitlisted): no per-row query."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dangjian.enrollment import services
from dangjian.enrollment.services import NomineeInput
from tests.api.helpers import ApiClient
from tests.enrollment.conftest import make_secretaries
from tests.factories import OrganFactory, PhaseFactory, ProgramFactory, SessionFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2027, 1, 15, 10, tzinfo=datetime.UTC), tick=False):
        yield


def build(n: int):
    """n organs with a quota of n+1 seats and n+2 due secretaries each; n+1 nominations per organ, confirmed
    into n seats (the rest waitlisted); a participant confirmed in n programs."""
    organizer = UserFactory(roles=["organizer"])
    organs = [OrganFactory() for _ in range(n)]
    admin = UserFactory(roles=["unit_admin"], organs=organs)
    program = ProgramFactory(status="enrollment_open", year=2027)
    phase = PhaseFactory(program=program, number=1, starts_on=datetime.date(2027, 3, 1),
                         ends_on=datetime.date(2027, 3, 5), capacity=n)
    SessionFactory(phase=phase)
    services.quotas_set(program=program, by=organizer, seats={organ.pk: n + 1 for organ in organs})
    nominations = []
    for organ in organs:
        people = make_secretaries(organ, n + 2)
        nominations += services.nominate(program=program, organ=organ, by=organizer, nominees=[
            NomineeInput(person=p, unavailable=[(datetime.date(2027, 2, 1), datetime.date(2027, 2, 2))])
            for p in people[:n + 1]])
    services.nominations_confirm(nominations=nominations, by=organizer)
    person = nominations[0].person
    for _ in range(n - 1):  # the same person confirmed in other programs
        other = ProgramFactory(status="enrollment_open", year=2027)
        PhaseFactory(program=other, number=1, starts_on=datetime.date(2027, 4, 1),
                     ends_on=datetime.date(2027, 4, 5), capacity=5)
        services.quotas_set(program=other, by=organizer, seats={person.organ_id: 1})
        mine = services.nominate(program=other, organ=person.organ, by=organizer,
                                 nominees=[NomineeInput(person=person)])
        services.nominations_confirm(nominations=mine, by=organizer)
    person.refresh_from_db()
    return {"organizer": organizer, "unit_admin": admin, "participant": person.user, "program": program,
            "organ": organs[0]}


PAGES = [
    ("organizer", lambda w: reverse("enrollment_overview", args=[w["program"].pk])),
    ("unit_admin", lambda w: reverse("enrollment_overview", args=[w["program"].pk])),
    ("organizer", lambda w: reverse("enrollment_overview", args=[w["program"].pk]) + "?status=waitlisted"),
    ("organizer", lambda w: reverse("enrollment_settings", args=[w["program"].pk])),
    ("unit_admin", lambda w: reverse("nominate_page", args=[w["program"].pk, w["organ"].pk])),
    ("participant", lambda w: reverse("my_enrollment")),
]
API = [
    ("organizer", lambda w: "enrollment/nominations"),
    ("unit_admin", lambda w: "enrollment/nominations"),
    ("organizer", lambda w: f"enrollment/programs/{w['program'].pk}/quotas"),
    ("organizer", lambda w: f"enrollment/programs/{w['program'].pk}/waitlist"),
    ("unit_admin", lambda w: f"enrollment/programs/{w['program'].pk}/due?organ={w['organ'].pk}"),
    ("participant", lambda w: "me/enrollments"),
]


def _count(get) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = get()
    assert response.status_code == 200, response.content[:500]
    return len(queries)


@pytest.mark.parametrize("role, url", PAGES, ids=lambda v: v if isinstance(v, str) else "")
def test_enrollment_pages_take_a_constant_number_of_queries(client, role, url, django_db_blocker):
    counts = []
    for n in (1, 3):
        world = build(n)
        client.force_login(world[role])
        counts.append(_count(lambda world=world: client.get(url(world))))
    assert counts[0] == counts[1], counts


@pytest.mark.parametrize("role, path", API, ids=lambda v: v if isinstance(v, str) else "")
def test_enrollment_api_lists_take_a_constant_number_of_queries(role, path):
    counts = []
    for n in (1, 3):
        world = build(n)
        client = ApiClient(world[role])
        counts.append(_count(lambda world=world, client=client: client.get(path(world))))
    assert counts[0] == counts[1], counts


@pytest.mark.parametrize("url", [
    lambda w: reverse("enrollment_overview", args=[w["program"].pk]) + "?organs_page=2",
    lambda w: reverse("enrollment_settings", args=[w["program"].pk]) + "?page=2",
])
def test_paged_quotas_take_a_constant_number_of_queries(client, monkeypatch, url):
    """Two organs a page: one organ (one page) costs what three (a second page) cost."""
    from dangjian.web.views import enrollment as views

    monkeypatch.setattr(views, "QUOTA_PAGE", 2)
    counts = []
    for n in (1, 3):
        world = build(n)
        client.force_login(world["organizer"])
        counts.append(_count(lambda world=world: client.get(url(world))))
    assert counts[0] == counts[1], counts
