"""The roll-call page's parts of the offline roll call and the paper sign-in sheet (docs/attendance.md): the
marks of a paper sheet entered in the plain form carry the source "sheet", an unknown source is refused naming
it; the grid shows each mark's source; the page carries what its script needs (no inline script: a module from
/static/); the service worker is served under /attendance/ as JavaScript, not cached, to those who read
attendance only; saving the same form again later moves no mark's source."""

import re

import pytest
from django.urls import reverse

from dangjian.attendance.models import Attendance
from tests.attendance.test_pages import grid_post, url

pytestmark = pytest.mark.django_db

SW = "/attendance/sw.js"


@pytest.fixture(autouse=True)
def _english_pages(client):
    client.cookies["django_language"] = "en"


def test_the_marks_of_a_paper_sheet_are_entered_in_the_grid(client, world):
    w = world
    client.force_login(w.head_teacher)
    client.post(url(w.session), {"all_present": "1"})
    content = client.get(url(w.session)).content.decode()
    first, second = w.ours
    form = grid_post(content, {first.pk: "absent", second.pk: "present", w.theirs[0].pk: "present"},
                     {first.pk: "签到表上无签名"}) | {"source": "sheet"}
    response = client.post(url(w.session), form, follow=True)
    assert "The marks from the paper sign-in sheet were saved." in response.content.decode()
    sources = dict(Attendance.unscoped.filter(session=w.session).values_list("nomination_id", "source"))
    # Only the changed row takes the sheet's source; the unchanged ones keep the roll call's.
    assert sources == {first.pk: "sheet", second.pk: "roll_call", w.theirs[0].pk: "roll_call"}
    content = response.content.decode()
    assert "<th>Taken by</th>" in content
    assert content.count("<td data-source>Paper sign-in sheet</td>") == 1
    assert content.count("<td data-source>Roll call</td>") == 2


@pytest.mark.parametrize("source", ["qr", "leave", "paper"])
def test_an_unknown_source_is_refused_and_nothing_is_written(client, world, source):
    w = world
    client.force_login(w.head_teacher)
    content = client.get(url(w.session)).content.decode()
    response = client.post(url(w.session), grid_post(content, {w.ours[0].pk: "present"}) | {"source": source})
    assert response.status_code == 400
    assert f"“{source}” is not a source of marks" in response.content.decode()
    assert not Attendance.unscoped.exists()


def test_the_page_gives_its_script_what_it_needs(client, world):
    w = world
    client.force_login(w.head_teacher)
    content = client.get(url(w.session)).content.decode()
    assert '<script type="module" src="/static/dangjian/roll-call-offline.js"></script>' in content
    assert f'data-api="/api/v1/attendance/sessions/{w.session.pk}/marks"' in content
    assert f'data-sw="{SW}"' in content and f'data-user="{w.head_teacher.pk}"' in content
    assert 'data-t-unsynced="%(count)s unsynced"' in content
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", content)  # no inline script
    # After the class closes, the head teacher's page is read-only but still shows what their device holds (marks
    # the server now refuses), so the script and the status stay; the radios and the choice of source go.
    w.program.status = "closed"
    w.program.save()
    content = client.get(url(w.session)).content.decode()
    assert "roll-call-offline.js" in content and "data-sync-status" in content
    assert 'type="radio"' not in content
    # A reader who cannot mark gets neither the script nor the queue.
    client.force_login(w.admin)
    content = client.get(url(w.session)).content.decode()
    assert "roll-call-offline.js" not in content and "data-roll-call" not in content


def test_the_service_worker_is_served_under_attendance(client, world):
    w = world
    assert reverse("roll_call_service_worker") == SW
    client.force_login(w.head_teacher)
    response = client.get(SW)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert response["Service-Worker-Allowed"] == "/attendance/"
    assert "no-cache" in response["Cache-Control"]
    assert "Content-Security-Policy" in response
    body = response.content.decode()
    assert 'const PAGE = /^\\/attendance\\/sessions\\/\\d+\\/$/;' in body
    assert 'url.pathname.startsWith("/static/")' in body
    assert "{%" not in body and "{{" not in body
    for who, status in [(w.admin, 200), (w.participant, 403)]:
        client.force_login(who)
        assert client.get(SW).status_code == status
    client.logout()
    assert client.get(SW).status_code == 302
