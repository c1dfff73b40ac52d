"""The participant's start page and calendar subscription on a phone (390 x 844), in Chinese and in English: they
land on /my/ (today's and the next sessions of their group); /my/enrollment/
makes the private address, shows it once with a copy button that copies it, the feed answers with the
participant's sessions, and "stop the subscription" ends it. No sideways scrolling, no axe-core violation.
Screenshots: tests/e2e/screenshots/my-home-*.png, my-calendar-*.png."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from dangjian.enrollment.models import CalendarFeed, Nomination, Placement
from tests.e2e.conftest import assert_accessible, log_in, make_user
from tests.factories import (
    ClassroomFactory,
    GroupFactory,
    InstructorFactory,
    OrganFactory,
    PersonFactory,
    PhaseFactory,
    PostFactory,
    ProgramFactory,
    SessionFactory,
    TrainingRecordFactory,
    at,
)

pytestmark = pytest.mark.e2e

OVERFLOW = "document.documentElement.scrollWidth - window.innerWidth"
LABELS = {"zh-hans": ("生成我的日历订阅地址", "复制", "已复制", "停止订阅"),
          "en": ("Make my calendar address", "Copy", "Copied", "Stop the subscription")}


@pytest.fixture
def participant(transactional_db, ledger_rules):
    """A confirmed participant placed in group 1 of the first phase; a plenary session, one of each group."""
    organ = OrganFactory()
    person = PersonFactory(organ=organ, name="李明")
    program = ProgramFactory(status="in_progress", year=2027, title="2027年新任党组织书记培训班")
    today = timezone.localdate()
    phase = PhaseFactory(program=program, number=1, starts_on=today, ends_on=today + datetime.timedelta(days=4),
                         capacity=30)
    ours, theirs = GroupFactory(phase=phase, number=1), GroupFactory(phase=phase, number=2)
    nomination = Nomination.unscoped.create(program=program, person=person, organ=organ, status="confirmed")
    Placement.unscoped.create(nomination=nomination, phase=phase, group=ours)
    day = phase.starts_on
    room = ClassroomFactory(name="第一教室")
    opening = SessionFactory(phase=phase, title="开班式", starts_at=at(day, "08:30"), ends_at=at(day, "09:30"),
                             venue=room.venue, classroom=room)
    opening.instructors.add(InstructorFactory(name="张华"))
    SessionFactory(phase=phase, group=ours, title="分组讨论一", starts_at=at(day, "14:30"), ends_at=at(day, "17:00"))
    SessionFactory(phase=phase, group=theirs, title="分组讨论二", starts_at=at(day, "14:30"),
                   ends_at=at(day, "17:00"))
    tomorrow = day + datetime.timedelta(days=1)
    SessionFactory(phase=phase, title="专题讲座：党支部工作实务", starts_at=at(tomorrow, "08:30"),
                   ends_at=at(tomorrow, "11:30"))
    PostFactory(person=person, started_on=datetime.date(2026, 9, 1))  # a new secretary: induction applies
    TrainingRecordFactory(person=person, hours=40)
    user = make_user("liming", ["participant"], full_name="李明")
    user.person = person
    user.save(update_fields=["person"])
    return user


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_participant_subscribes_to_their_calendar_on_a_phone(phone_session, live_server, participant, language):
    make, copy, copied, stop = LABELS[language]
    session, page = phone_session, phone_session.page
    session.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    session.context.grant_permissions(["clipboard-read", "clipboard-write"])
    log_in(page, "liming")
    page.wait_for_url(f"**{reverse('my_home')}")  # the participant lands on their own start page
    # By heading, not position: after a session ends, "your evaluation is awaited" comes first.
    today = page.locator("section[aria-labelledby=today-title]")
    later = page.locator("section[aria-labelledby=next-title]")
    assert today.get_by_text("开班式").is_visible() and today.get_by_text("分组讨论一").is_visible()
    assert page.get_by_text("分组讨论二").count() == 0
    assert today.get_by_text("第一教室").is_visible() and today.get_by_text("张华").is_visible()
    assert later.get_by_text("专题讲座：党支部工作实务").is_visible()
    assert page.evaluate(OVERFLOW) <= 0
    assert_accessible(page, f"my start page ({language})")
    session.screenshot(f"my-home-{language}")
    page.goto(reverse("my_enrollment"))
    assert page.locator("#archive-title").is_visible()
    page.get_by_role("button", name=make).click()
    page.wait_for_url(f"**{reverse('my_calendar_rotate')}")  # the POST's answer: the page with the new address
    field = page.locator("#calendar-url")
    field.wait_for()
    assert page.get_by_text("分组讨论一").is_visible() and page.get_by_text("分组讨论二").count() == 0
    url = field.input_value()
    assert "/my/calendar/" in url and url.endswith(".ics")
    page.get_by_role("button", name=copy, exact=True).click()
    page.get_by_role("button", name=copied).wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == url
    assert page.evaluate(OVERFLOW) <= 0
    assert_accessible(page, f"my calendar ({language})")
    session.screenshot(f"my-calendar-{language}")

    feed = page.request.get(url)
    assert feed.status == 200
    body = feed.text()
    assert body.count("BEGIN:VEVENT") == 3 and "分组讨论一" in body and "分组讨论二" not in body

    page.get_by_role("button", name=stop).click()
    page.wait_for_load_state("load")
    assert not CalendarFeed.objects.exists()
    assert page.request.get(url).status == 404
    assert page.evaluate(OVERFLOW) <= 0
    assert_accessible(page, f"my calendar stopped ({language})")
    session.screenshot(f"my-calendar-stopped-{language}")
    assert session.console_errors == []
