"""The participant's start page /my/ (today's and the next sessions of their phase and group) and their calendar
subscription: a private token per participant (made, rotated, revoked; only its digest stored), the iCal feed of
their own sessions at /my/calendar/<token>.ics without signing in (their phase; of group sessions only their
group's), the section on /my/enrollment/, and the API (`/me/sessions`, `/me/calendar`)."""

import datetime
import re

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dangjian.accounts.models import User
from dangjian.core.models import AuditEntry
from dangjian.enrollment import selectors, services
from dangjian.enrollment.models import CalendarFeed, Placement
from dangjian.enrollment.services import NomineeInput
from tests.api.helpers import ApiClient
from tests.factories import GroupFactory, SessionFactory, UserFactory, at

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2027, 1, 15, 10, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def calendar_world(enrollment_world):
    """Two confirmed participants of the organ, the first placed in phase 1's group A; phase 1 has a plenary
    session and a session for each of its groups A and B; phase 2 has one session."""
    w = enrollment_world
    services.quotas_set(program=w.program, by=w.organizer, seats={w.organ.pk: 4})
    nominations = services.nominate(program=w.program, organ=w.organ, by=w.organizer,
                                    nominees=[NomineeInput(person=p) for p in w.secretaries[:2]])
    services.nominations_confirm(nominations=nominations, by=w.organizer)
    group_a, group_b = GroupFactory(phase=w.phase1, number=1), GroupFactory(phase=w.phase1, number=2)
    Placement.unscoped.create(nomination=nominations[0], phase=w.phase1, group=group_a)
    day = w.phase1.starts_on
    w.plenary = SessionFactory(phase=w.phase1, title="开班式", starts_at=at(day, "08:30"), ends_at=at(day, "09:30"))
    w.ours = SessionFactory(phase=w.phase1, group=group_a, title="分组讨论甲", starts_at=at(day, "14:30"),
                            ends_at=at(day, "17:00"))
    w.theirs = SessionFactory(phase=w.phase1, group=group_b, title="分组讨论乙", starts_at=at(day, "14:30"),
                              ends_at=at(day, "17:00"))
    w.later = SessionFactory(phase=w.phase2, title="第二期讲座")
    w.placed = User.objects.get(person=w.secretaries[0])
    w.unplaced = User.objects.get(person=w.secretaries[1])
    return w


def test_my_sessions_are_my_phase_and_my_group(calendar_world):
    w = calendar_world
    assert selectors.my_sessions(user=w.placed) == [w.plenary, w.ours]
    # Not placed yet: every phase and every group, as the enrollment page shows.
    assert selectors.my_sessions(user=w.unplaced) == [w.plenary, w.ours, w.theirs, w.later]
    assert selectors.my_sessions(user=w.organizer) == []


def test_rotate_keeps_one_digest_and_revoke_ends_it(calendar_world):
    w = calendar_world
    first = services.calendar_feed_rotate(by=w.placed)
    assert services.calendar_feed_user(first) == w.placed
    assert CalendarFeed.objects.get().digest == CalendarFeed.digest_of(first) != first
    second = services.calendar_feed_rotate(by=w.placed)
    assert services.calendar_feed_user(first) is None
    assert services.calendar_feed_user(second) == w.placed
    assert CalendarFeed.objects.count() == 1
    assert services.calendar_feed_revoke(by=w.placed) is True
    assert services.calendar_feed_user(second) is None
    assert services.calendar_feed_revoke(by=w.placed) is False
    assert AuditEntry.objects.filter(model__icontains="calendarfeed").count() == 3
    with pytest.raises(PermissionDenied):
        services.calendar_feed_rotate(by=w.organizer)
    assert services.calendar_feed_user("") is None


def test_feed_without_login_has_only_my_sessions(client, calendar_world):
    w = calendar_world
    token = services.calendar_feed_rotate(by=w.placed)
    response = client.get(reverse("my_calendar_feed", args=[token]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert "no-store" in response["Cache-Control"]
    body = response.content.decode()
    assert body.count("BEGIN:VEVENT") == 2
    assert "开班式" in body and "分组讨论甲" in body and "分组讨论乙" not in body
    assert client.get(reverse("my_calendar_feed", args=["not-a-token"])).status_code == 404
    w.placed.is_active = False
    w.placed.save(update_fields=["is_active"])
    assert client.get(reverse("my_calendar_feed", args=[token])).status_code == 404


def test_feed_queries_do_not_grow_with_sessions(client, calendar_world):
    w = calendar_world
    token = services.calendar_feed_rotate(by=w.unplaced)
    url = reverse("my_calendar_feed", args=[token])
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for hour in range(8, 18):
        SessionFactory(phase=w.phase2, starts_at=at(w.phase2.ends_on, f"{hour:02d}:00"),
                       ends_at=at(w.phase2.ends_on, f"{hour:02d}:50"))
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).content.decode().count("BEGIN:VEVENT") == 14
    assert len(many) == len(few)


def test_page_makes_shows_once_and_revokes(client, calendar_world):
    w = calendar_world
    client.force_login(w.placed)
    page = client.get(reverse("my_enrollment")).content.decode()
    assert reverse("my_calendar_rotate") in page and reverse("my_calendar_revoke") not in page
    assert "分组讨论甲" in page and "分组讨论乙" not in page  # the timetable: their group's sessions only
    response = client.post(reverse("my_calendar_rotate"))
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    url = re.search(r'id="calendar-url" type="text" readonly value="([^"]+)"', response.content.decode()).group(1)
    assert url.startswith("http://testserver/my/calendar/") and url.endswith(".ics")
    page = client.get(reverse("my_enrollment")).content.decode()
    assert url not in page and reverse("my_calendar_revoke") in page  # shown only once
    assert client.get(url.split("testserver", 1)[1]).status_code == 200
    assert client.post(reverse("my_calendar_revoke")).status_code == 302
    assert not CalendarFeed.objects.exists()
    assert client.get(url.split("testserver", 1)[1]).status_code == 404


def test_api_sessions_and_calendar(calendar_world):
    w = calendar_world
    api = ApiClient(w.placed)
    rows = api.get("me/sessions").json()
    assert [row["title"] for row in rows] == ["开班式", "分组讨论甲"]
    assert api.get("me/calendar").json() == {"active": False, "created_at": None, "url": ""}
    made = api.post("me/calendar", {})
    assert made.status_code == 201
    url = made.json()["url"]
    assert api.get("me/calendar").json()["active"] is True and api.get("me/calendar").json()["url"] == ""
    assert services.calendar_feed_user(url.rsplit("/", 1)[1].removesuffix(".ics")) == w.placed
    assert api.delete("me/calendar").status_code == 204
    assert not CalendarFeed.objects.exists()
    assert ApiClient(UserFactory(roles=["organizer"])).get("me/calendar").status_code == 403


def test_api_my_sessions_queries_do_not_grow(calendar_world):
    w = calendar_world
    api = ApiClient(w.unplaced)
    with CaptureQueriesContext(connection) as few:
        assert len(api.get("me/sessions").json()) == 4
    for hour in range(8, 18):
        SessionFactory(phase=w.phase2, starts_at=at(w.phase2.ends_on, f"{hour:02d}:00"),
                       ends_at=at(w.phase2.ends_on, f"{hour:02d}:50"))
    with CaptureQueriesContext(connection) as many:
        assert len(api.get("me/sessions").json()) == 14
    assert len(many) == len(few)


# The participant's start page /my/ ----------------------------------------------------------------------------

def test_agenda_is_today_then_the_next_sessions(calendar_world):
    w = calendar_world
    first_day = datetime.datetime(2027, 3, 1, 7, tzinfo=datetime.UTC)  # 15:00 in Beijing: the day of phase 1
    assert selectors.my_agenda(user=w.placed, now=first_day) == ([w.plenary, w.ours], [])
    assert selectors.my_agenda(user=w.unplaced, now=NOW) == ([], [w.plenary, w.ours, w.theirs, w.later])
    assert selectors.my_agenda(user=w.unplaced, now=NOW, upcoming=2) == ([], [w.plenary, w.ours])


def test_start_page_shows_sessions_with_place_and_instructors(client, calendar_world):
    w = calendar_world
    client.force_login(w.placed)
    assert client.get(reverse("home"))["Location"] == reverse("my_home")  # the participant's landing
    page = client.get(reverse("my_home")).content.decode()
    assert "开班式" in page and "分组讨论甲" in page and "分组讨论乙" not in page
    assert w.program.title in page and reverse("my_enrollment") in page
    client.force_login(w.organizer)
    assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("my_home")).status_code == 403


def test_start_page_queries_do_not_grow_with_sessions(client, calendar_world):
    w = calendar_world
    client.force_login(w.unplaced)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("my_home"))
    for hour in range(8, 18):
        SessionFactory(phase=w.phase2, starts_at=at(w.phase2.starts_on, f"{hour:02d}:00"),
                       ends_at=at(w.phase2.starts_on, f"{hour:02d}:50"))
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("my_home"))
    assert len(many) == len(few)


def test_my_training_archive_shows_hours_per_year_and_my_requirements(client, calendar_world):
    from dangjian.ledger import selectors as ledger_selectors
    from tests.factories import TrainingRecordFactory

    w = calendar_world
    TrainingRecordFactory(person=w.placed.person, hours=40)
    TrainingRecordFactory(person=w.placed.person, hours=12, starts_on=datetime.date(2026, 6, 1),
                          ends_on=datetime.date(2026, 6, 2))
    client.force_login(w.placed)
    page = client.get(reverse("my_enrollment")).content.decode()
    assert re.search(r"<td>2026</td><td class=\"num\">52(\.0+)?</td>", page)
    statuses = ledger_selectors.person_compliance(person=w.placed.person)
    assert statuses  # a newly appointed secretary: the induction rule applies
    for status in statuses:
        assert str(status.requirement.title) in page and status.why in page
