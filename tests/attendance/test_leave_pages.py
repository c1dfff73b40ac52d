"""The leave pages: the participant files and cancels on /my/leave/ (linked from /my/), the head teacher approves
and refuses on the program's leave list and files for a participant, the organizer confirms or clears a
withdrawal, the class attendance overview (unit administrators: their own organs' people; other organs' records
404), and the query counts of every list at a small and a larger size."""

import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from dangjian.attendance import leave_services
from dangjian.attendance.models import Attendance, LeaveRequest, Withdrawal
from tests.attendance.leave_world import leave_world_fixture, place  # noqa: F401 (the fixture leave_world)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_pages(client):
    client.cookies["django_language"] = "en"


def file(w, sessions, nomination=None, by=None):
    return leave_services.leave_file(nomination=nomination or w.me, sessions=sessions, reason="家中有事",
                                     by=by or w.participant)


def texts(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_participant_files_and_cancels_on_the_phone(client, leave_world):
    w = leave_world
    client.force_login(w.participant)
    assert reverse("my_leave") in client.get(reverse("my_home")).content.decode()
    page = client.get(reverse("my_leave")).content.decode()
    assert "Leave 0 / limit 3 hours" in page
    assert w.future[0].title in page and w.past.title not in page  # only coming sessions
    response = client.post(reverse("my_leave"), {"nomination": w.me.pk, "sessions": [w.future[0].pk],
                                                 "reason": "孩子生病"})
    assert response.status_code == 302
    assert any("Close to the limit" in text for text in texts(response))  # 3 of 3 hours if approved
    leave = LeaveRequest.unscoped.get()
    assert (leave.reason, list(leave.sessions.all())) == ("孩子生病", [w.future[0]])
    page = client.get(reverse("my_leave")).content.decode()
    assert "Awaiting approval" in page and reverse("leave_cancel", args=[leave.pk]) in page
    response = client.post(reverse("leave_cancel", args=[leave.pk]), {"next": reverse("my_leave")})
    assert response.status_code == 302 and response["Location"] == reverse("my_leave")
    leave.refresh_from_db()
    assert leave.status == "cancelled"


def test_a_refused_form_names_the_problem_and_keeps_the_input(client, leave_world):
    w = leave_world
    client.force_login(w.participant)
    response = client.post(reverse("my_leave"), {"nomination": w.me.pk, "sessions": [w.future[1].pk],
                                                 "reason": " "})
    assert response.status_code == 400
    content = response.content.decode()
    assert "Give the reason for the leave." in content
    assert f'value="{w.future[1].pk}" checked' in content
    assert not LeaveRequest.unscoped.exists()
    # Another person's nomination: 404, nothing written.
    assert client.post(reverse("my_leave"), {"nomination": w.mate.pk, "sessions": [w.future[1].pk],
                                             "reason": "x"}).status_code == 404


def test_the_head_teacher_approves_and_refuses(client, leave_world):
    w = leave_world
    first, second = file(w, w.future[:1]), file(w, w.future[1:2], nomination=w.mate, by=w.head_teacher)
    client.force_login(w.head_teacher)
    page = client.get(reverse("program_leave", args=[w.program.pk])).content.decode()
    assert w.me.person.name in page and w.mate.person.name in page
    assert reverse("leave_approve", args=[first.pk]) in page
    response = client.post(reverse("leave_approve", args=[first.pk]), {"note": "同意"})
    assert response.status_code == 302
    assert Attendance.unscoped.get(nomination=w.me).mark == "on_leave"
    response = client.post(reverse("leave_refuse", args=[second.pk]), {"note": "课程重要"})
    second.refresh_from_db()
    assert (second.status, second.decision_note) == ("refused", "课程重要")
    # Deciding again: refused with the reason, nothing changes.
    response = client.post(reverse("leave_approve", args=[second.pk]))
    assert response.status_code == 302 and any("no longer awaiting" in text for text in texts(response))


def test_the_head_teacher_files_for_a_participant_and_an_approval_past_the_limit_flags(client, leave_world):
    w = leave_world
    client.force_login(w.head_teacher)
    url = reverse("program_leave", args=[w.program.pk]) + f"?participant={w.me.pk}"
    page = client.get(url).content.decode()
    assert w.past.title in page  # the head teacher may record a leave for a past session
    response = client.post(url, {"sessions": [w.past.pk, w.future[0].pk], "reason": "住院"})
    assert response.status_code == 302
    assert any("If it is approved: Leave 6 / limit 3 hours" in text for text in texts(response))
    leave = LeaveRequest.unscoped.get()
    response = client.post(reverse("leave_approve", args=[leave.pk]))
    assert any("flagged for withdrawal" in text for text in texts(response))
    withdrawal = Withdrawal.unscoped.get(nomination=w.me)
    # The organizer confirms; the head teacher sees the list but no buttons.
    assert reverse("withdrawal_confirm", args=[withdrawal.pk]) not in client.get(
        reverse("program_withdrawals", args=[w.program.pk])).content.decode()
    client.force_login(w.organizer)
    page = client.get(reverse("program_withdrawals", args=[w.program.pk])).content.decode()
    assert reverse("withdrawal_confirm", args=[withdrawal.pk]) in page
    response = client.post(reverse("withdrawal_clear", args=[withdrawal.pk]), {"note": ""})
    assert any("Say why" in text for text in texts(response))
    client.post(reverse("withdrawal_confirm", args=[withdrawal.pk]), {"note": "退学"})
    withdrawal.refresh_from_db()
    assert withdrawal.status == "confirmed"
    overview = client.get(reverse("program_attendance", args=[w.program.pk])).content.decode()
    assert "Withdrawn from the class" in overview and "Leave 6 / limit 3 hours" in overview


def test_the_overview_for_a_unit_administrator_their_own_people(client, leave_world):
    w = leave_world
    theirs = file(w, w.future[:1], nomination=w.theirs, by=w.head_teacher)
    client.force_login(w.admin)
    page = client.get(reverse("program_attendance", args=[w.program.pk])).content.decode()
    assert w.me.person.name in page and w.mate.person.name in page and w.theirs.person.name not in page
    page = client.get(reverse("program_leave", args=[w.program.pk])).content.decode()
    assert w.theirs.person.name not in page and "File a leave" not in page
    assert client.get(reverse("program_leave", args=[w.program.pk]) + f"?participant={w.theirs.pk}"
                      ).status_code == 404
    assert client.post(reverse("leave_approve", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("leave_cancel", args=[theirs.pk])).status_code == 403  # not a role that files leave
    mine = file(w, w.future[1:2])
    assert client.post(reverse("leave_approve", args=[mine.pk])).status_code == 403


def test_the_program_page_links_the_overview(client, leave_world):
    w = leave_world
    client.force_login(w.head_teacher)
    assert reverse("program_attendance", args=[w.program.pk]) in client.get(
        reverse("program_detail", args=[w.program.pk])).content.decode()


def _count(client, url, django_assert_num_queries, captured):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    captured.append(len(context))


@pytest.mark.parametrize("who", ["head_teacher", "admin", "organizer"])
def test_query_counts_do_not_grow_with_the_class(client, leave_world, who, django_assert_num_queries):
    w = leave_world
    client.force_login(getattr(w, who))
    urls = [reverse(name, args=[w.program.pk]) for name in ("program_attendance", "program_leave",
                                                            "program_withdrawals")]
    file(w, w.future[:1])
    Withdrawal.unscoped.create(nomination=w.mate, reason="x")
    small: list[int] = []
    for url in urls:
        _count(client, url, django_assert_num_queries, small)
    for index in range(6):
        nomination = place(w.program, w.organ if index % 2 else w.other, w.phase)
        leave = file(w, w.future[index % 6: index % 6 + 1], nomination=nomination, by=w.head_teacher)
        if index % 3 == 0:
            leave_services.leave_approve(leave=leave, by=w.head_teacher)
        Withdrawal.unscoped.create(nomination=nomination, reason="x")
    large: list[int] = []
    for url in urls:
        _count(client, url, django_assert_num_queries, large)
    assert large == small


def test_the_participants_page_takes_as_many_queries_with_more_requests(client, leave_world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    w = leave_world
    client.force_login(w.participant)
    file(w, w.future[:1])

    def count():
        with CaptureQueriesContext(connection) as context:
            assert client.get(reverse("my_leave")).status_code == 200
        return len(context)

    few = count()
    for session in w.future[1:5]:
        file(w, [session])
    assert count() == few
    assert len(re.findall(r"leave_cancel|/cancel/", client.get(reverse("my_leave")).content.decode())) == 5
