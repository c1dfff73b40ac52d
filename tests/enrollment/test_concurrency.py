"""Seats under concurrent requests, on PostgreSQL (the row lock is a no-op on SQLite, which serialises writers
with its database lock instead; skipped there).

200 confirmations race for the 55 seats of a one-phase program: exactly 55 are confirmed, nobody twice, and the
other 145 are on the waitlist in the order in which their requests got the program's lock (places 1–145, no gap,
no repeat). The server allows 100 connections, shared with other work: the 200 requests come from 40 threads at
once, each with its own connection. And 30 requests nominating the same person at once: exactly one nomination.
"""

import datetime
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import time_machine
from django.db import connection

from dangjian.enrollment import services
from dangjian.enrollment.models import Nomination
from dangjian.enrollment.services import NomineeInput
from tests.enrollment.conftest import make_secretaries
from tests.factories import OrganFactory, PhaseFactory, ProgramFactory, UserFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]

THREADS = 40


def _in_thread(work):
    def run(*args):
        try:
            return work(*args)
        finally:
            connection.close()
    return run


@pytest.fixture
def race():
    with time_machine.travel(datetime.datetime(2027, 1, 15, 10, tzinfo=datetime.UTC), tick=True):
        organ = OrganFactory()
        organizer = UserFactory(roles=["organizer"])
        program = ProgramFactory(status="enrollment_open", year=2027)
        PhaseFactory(program=program, number=1, starts_on=datetime.date(2027, 3, 1),
                     ends_on=datetime.date(2027, 3, 5), capacity=55)
        yield organ, organizer, program


def test_200_concurrent_confirmations_into_55_seats(race):
    organ, organizer, program = race
    services.quotas_set(program=program, by=organizer, seats={organ.pk: 200})
    nominations = services.nominate(program=program, organ=organ, by=organizer,
                                    nominees=[NomineeInput(person=p) for p in make_secretaries(organ, 200)])
    start = threading.Barrier(THREADS)

    @_in_thread
    def confirm(nomination):
        if threading.current_thread().name not in started:
            started.add(threading.current_thread().name)
            start.wait(timeout=60)
        return services.nominations_confirm(nominations=[Nomination.unscoped.get(pk=nomination.pk)], by=organizer)

    started = set()
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        outcomes = list(pool.map(confirm, nominations))
    assert sum(o["confirmed"] for o in outcomes) == 55
    assert sum(o["waitlisted"] for o in outcomes) == 145
    rows = Nomination.unscoped.filter(program=program)
    assert rows.filter(status="confirmed").count() == 55
    assert rows.values("person").distinct().count() == rows.count() == 200  # nobody twice
    waitlisted = list(rows.filter(status="waitlisted").order_by("waitlist_position"))
    assert [n.waitlist_position for n in waitlisted] == list(range(1, 146))
    # In order: each place was given after the one before (the order of the lock), after every seat was taken.
    assert [n.decided_at for n in waitlisted] == sorted(n.decided_at for n in waitlisted)
    last_seat = max(rows.filter(status="confirmed").values_list("decided_at", flat=True))
    assert waitlisted[0].decided_at >= last_seat


def test_concurrent_nominations_of_one_person_make_one(race):
    organ, organizer, program = race
    services.quotas_set(program=program, by=organizer, seats={organ.pk: 50})
    person = make_secretaries(organ, 1)[0]
    start = threading.Barrier(30)

    @_in_thread
    def nominate(_):
        start.wait(timeout=60)
        try:
            services.nominate(program=program, organ=organ, by=organizer, nominees=[NomineeInput(person=person)])
        except Exception as error:  # the refusal: already nominated
            return str(error)
        return "created"

    with ThreadPoolExecutor(max_workers=30) as pool:
        results = list(pool.map(nominate, range(30)))
    assert results.count("created") == 1
    # Refused with the person's name ("… is already nominated", in the thread's language).
    assert all(person.name in r for r in results if r != "created"), set(results)
    assert Nomination.unscoped.filter(program=program, person=person).count() == 1
