"""The roll-call page of a session: the head teacher marks everyone present, then the exceptions, in a plain form;
a refused form names the row and writes nothing; a form submitted twice writes once; unit administrators read
their own organs' people; the roll call is refused after the class closes; the phase timetable links to it."""

import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from dangjian.attendance.models import Attendance
from dangjian.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def url(session):
    return reverse("roll_call", args=[session.pk])


def grid_post(page_content, marks: dict, notes: dict | None = None) -> dict:
    """The form's fields as the browser submits them: each row's client id, and the chosen marks and notes."""
    data = dict(re.findall(r'name="(client-\d+)" value="([0-9a-f-]+)"', page_content))
    data.update({f"mark-{key}": mark for key, mark in marks.items()})
    data.update({f"note-{key}": note for key, note in (notes or {}).items()})
    return data


def marks_of(session):
    return dict(Attendance.unscoped.filter(session=session).values_list("nomination_id", "mark"))


def test_the_head_teacher_takes_a_roll_call(client, world):
    w = world
    client.force_login(w.head_teacher)
    page = client.get(url(w.session))
    content = page.content.decode()
    assert page.status_code == 200
    for nomination in [*w.ours, *w.theirs]:
        assert nomination.person.name in content
        assert f'name="mark-{nomination.pk}" value="late"' in content
    assert w.elsewhere.person.name not in content
    response = client.post(url(w.session), {"all_present": "1"})
    assert response.status_code == 302
    assert set(marks_of(w.session).values()) == {"present"}
    content = client.get(url(w.session)).content.decode()
    late = w.ours[0].pk
    assert f'name="mark-{late}" value="present" checked' in content
    form = grid_post(content, {n.pk: "present" for n in [*w.ours, *w.theirs]} | {late: "late"}, {late: "晚到十分钟"})
    response = client.post(url(w.session), form)
    assert response.status_code == 302
    assert marks_of(w.session)[late] == "late"
    assert Attendance.unscoped.get(session=w.session, nomination_id=late).note == "晚到十分钟"
    # The same form again (a double click, a retried request): nothing new is written.
    entries = AuditEntry.objects.filter(model="attendance.attendance").count()
    assert client.post(url(w.session), form).status_code == 302
    assert AuditEntry.objects.filter(model="attendance.attendance").count() == entries
    assert Attendance.unscoped.count() == 3


def test_a_refused_roll_call_names_the_row_keeps_the_input_and_writes_nothing(client, world):
    w = world
    client.force_login(w.head_teacher)
    content = client.get(url(w.session)).content.decode()
    first, second = w.ours
    response = client.post(url(w.session), grid_post(content, {first.pk: "present", second.pk: "asleep"},
                                                     {first.pk: "准时"}))
    assert response.status_code == 400
    content = response.content.decode()
    assert "第 2 行" in content and "asleep" in content
    assert 'value="准时"' in content
    assert not Attendance.unscoped.exists()


def test_unit_administrators_read_their_own_people_and_cannot_mark(client, world):
    w = world
    client.force_login(w.head_teacher)
    client.post(url(w.session), {"all_present": "1"})
    client.force_login(w.admin)
    page = client.get(url(w.session))
    content = page.content.decode()
    assert page.status_code == 200
    assert all(n.person.name in content for n in w.ours)
    assert w.theirs[0].person.name not in content
    assert 'type="radio"' not in content and "出勤" in content
    assert client.post(url(w.session), {"all_present": "1"}).status_code == 403


@pytest.mark.parametrize(("who", "status"), [("stranger", 404), ("participant", 403)])
def test_others_neither_read_nor_mark(client, world, who, status):
    w = world
    client.force_login(getattr(w, who))
    assert client.get(url(w.session)).status_code == status
    assert client.post(url(w.session), {"all_present": "1"}).status_code == status
    assert not Attendance.unscoped.exists()
    client.logout()
    assert client.get(url(w.session)).status_code == 302  # to the login page


def test_the_roll_call_of_a_closed_program_is_read_only(client, world):
    w = world
    w.program.status = "closed"
    w.program.save()
    client.force_login(w.head_teacher)
    content = client.get(url(w.session)).content.decode()
    assert 'type="radio"' not in content
    response = client.post(url(w.session), {"all_present": "1"})
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["已结业或已归档的培训班不能修改考勤。"]
    assert not Attendance.unscoped.exists()


def test_the_phase_timetable_links_each_session_to_its_roll_call(client, world):
    w = world
    client.force_login(w.head_teacher)
    content = client.get(reverse("phase_timetable", args=[w.phase.pk])).content.decode()
    assert url(w.session) in content and url(w.group_session) in content


def test_the_roll_call_page_takes_as_many_queries_for_sixty_people_as_for_three(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import place

    w = world
    client.force_login(w.head_teacher)
    client.post(url(w.session), {"all_present": "1"})

    def queries():
        with CaptureQueriesContext(connection) as context:
            assert client.get(url(w.session)).status_code == 200
        return len(context)

    few = queries()
    for index in range(57):
        place(w.program, w.organ, w.phase, w.group1 if index % 2 else w.group2)
    client.post(url(w.session), {"all_present": "1"})
    assert queries() == few


def test_the_sign_in_sheet_lists_the_roster_with_a_column_to_sign(client, world):
    from tests.training.test_documents import pdf_text

    w = world
    client.force_login(w.head_teacher)
    assert reverse("sign_in_sheet", args=[w.session.pk]) in client.get(url(w.session)).content.decode()
    response = client.get(reverse("sign_in_sheet", args=[w.session.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "签到表" in text and "签名" in text and w.session.title in text
    assert all(n.person.name in text for n in [*w.ours, *w.theirs])
    assert w.elsewhere.person.name not in text
    group_sheet = pdf_text(client.get(reverse("sign_in_sheet", args=[w.group_session.pk])).content)
    assert w.ours[0].person.name in group_sheet and w.ours[1].person.name not in group_sheet
    client.force_login(w.admin)  # a unit administrator's sheet: their own organ's people
    own = pdf_text(client.get(reverse("sign_in_sheet", args=[w.session.pk])).content)
    assert w.ours[0].person.name in own and w.theirs[0].person.name not in own
