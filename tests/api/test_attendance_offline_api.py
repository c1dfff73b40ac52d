"""The offline roll call's sync through PUT /api/v1/attendance/sessions/{id}/marks (docs/attendance.md, "Offline
roll call"): marks carry the time they were made on the device (`made_at`) and a client id; a mark made earlier
than the stored one, synced late, does not replace it; a mark sent twice is written once; a time in the future
counts as now. And the input checks: bad times, sources and repeated client ids are 422 naming the row, nothing
written; marks from the paper sign-in sheet carry `source` "sheet"."""

import datetime
import uuid

import pytest
from django.utils import timezone

from dangjian.attendance.models import Attendance
from dangjian.core.models import AuditEntry
from tests.attendance.conftest import world  # noqa: F401 (the fixture)
from tests.state import db_state, state_diff

pytestmark = pytest.mark.django_db

def at(minutes: int) -> str:
    """A time on the device, `minutes` from now, as the page sends it (ISO 8601, UTC)."""
    moment = (timezone.now() + datetime.timedelta(minutes=minutes)).astimezone(datetime.UTC)
    return moment.isoformat().replace("+00:00", "Z")


def one(nomination, mark, made_at=None, note="", client_id=None):
    item = {"nomination_id": nomination.pk, "mark": mark, "note": note, "client_id": str(client_id or uuid.uuid4())}
    if made_at is not None:
        item["made_at"] = made_at
    return item


def put(client, session, marks, **extra):
    return client.django.put(f"/api/v1/attendance/sessions/{session.pk}/marks", {"marks": marks, **extra},
                             content_type="application/json")


def stored(session, nomination):
    return Attendance.unscoped.get(session=session, nomination=nomination)


def test_an_earlier_mark_synced_late_does_not_replace_a_later_one(api_as, world):  # noqa: F811
    w, person = world, world.ours[0]
    phone, laptop = api_as(w.head_teacher), api_as(w.organizer)
    # The organizer marks "late" online at -5 min; the head teacher's phone marked "absent" offline at -20 min.
    assert put(laptop, w.session, [one(person, "late", at(-5))]).status_code == 200
    response = put(phone, w.session, [one(person, "absent", at(-20))])
    assert response.status_code == 200
    row = next(row for row in response.json()["rows"] if row["nomination_id"] == person.pk)
    assert row["mark"] == "late"  # the answer shows what stands, so that the page shows it too
    assert stored(w.session, person).mark == "late"
    # A mark made later than the stored one replaces it, whenever it arrives.
    assert put(phone, w.session, [one(person, "present", at(-1))]).status_code == 200
    assert stored(w.session, person).mark == "present"


def test_a_repeated_mark_made_later_keeps_its_time(api_as, world):  # noqa: F811
    """present at -30, present again at -5 (no change of the mark), absent made at -10 synced last: the latest
    mark made is "present" (at -5), so "absent" does not replace it."""
    w, person = world, world.ours[0]
    client = api_as(w.head_teacher)
    put(client, w.session, [one(person, "present", at(-30))])
    put(client, w.session, [one(person, "present", at(-5))])
    put(client, w.session, [one(person, "absent", at(-10))])
    assert stored(w.session, person).mark == "present"


def test_the_same_client_id_twice_writes_once(api_as, world):  # noqa: F811
    w = world
    client = api_as(w.head_teacher)
    marks = [one(w.ours[0], "late", at(-3), note="堵车"), one(w.ours[1], "absent", at(-2))]
    assert put(client, w.session, marks).status_code == 200
    before = db_state()
    # The phone did not get the answer (the bus left the network) and sends the same marks again.
    assert put(client, w.session, marks).status_code == 200
    assert state_diff(before, db_state()) == {}
    assert Attendance.unscoped.filter(session=w.session).count() == 2
    assert AuditEntry.objects.filter(model="attendance.attendance", action="create").count() == 2


def test_a_retried_mark_superseded_meanwhile_is_not_written_again(api_as, world):  # noqa: F811
    w, person = world, world.ours[0]
    client = api_as(w.head_teacher)
    first = one(person, "absent", at(-10))
    put(client, w.session, [first])
    put(client, w.session, [one(person, "late", at(-5))])
    assert put(client, w.session, [first]).status_code == 200  # the first one's retry, late
    assert stored(w.session, person).mark == "late"


def test_a_time_in_the_future_counts_as_now(api_as, world):  # noqa: F811
    w, person = world, world.ours[0]
    client = api_as(w.head_teacher)
    assert put(client, w.session, [one(person, "late", at(24 * 60))]).status_code == 200  # a phone's clock a day fast
    assert stored(w.session, person).made_at <= timezone.now()
    # ... so that a mark made later, by a correct clock, still replaces it.
    assert put(client, w.session, [one(person, "present", at(1))]).status_code == 200
    assert stored(w.session, person).mark == "present"


def test_a_time_without_an_offset_is_beijing_time(api_as, world):  # noqa: F811
    w, person = world, world.ours[0]
    client = api_as(w.head_teacher)
    assert put(client, w.session, [one(person, "late", "2022-10-10T08:40:00")]).status_code == 200
    assert stored(w.session, person).made_at == datetime.datetime(2022, 10, 10, 0, 40, tzinfo=datetime.UTC)


@pytest.mark.parametrize("made_at", ["yesterday", "2022-13-01T08:00:00", 1665362400, True])
def test_a_bad_time_is_refused_naming_the_row(api_as, world, made_at):  # noqa: F811
    w = world
    client = api_as(w.head_teacher)
    before = db_state()
    response = put(client, w.session, [one(w.ours[0], "late", at(-1)), one(w.ours[1], "late", made_at)])
    assert response.status_code == 422, response.content.decode()
    assert [error["field"] for error in response.json()["errors"]] == ["marks.1.made_at"]
    assert state_diff(before, db_state()) == {}


@pytest.mark.parametrize("source", ["qr", "leave", "", "paper", None])
def test_a_source_other_than_the_roll_call_or_the_sheet_is_refused(api_as, world, source):  # noqa: F811
    w = world
    client = api_as(w.head_teacher)
    before = db_state()
    response = put(client, w.session, [one(w.ours[0], "present")], source=source)
    assert response.status_code == 422, response.content.decode()
    assert [error["field"] for error in response.json()["errors"]] == ["source"]
    assert state_diff(before, db_state()) == {}


def test_marks_from_the_paper_sheet_carry_their_source(api_as, world):  # noqa: F811
    w = world
    client = api_as(w.head_teacher)
    put(client, w.session, [one(w.ours[0], "present")])
    response = put(client, w.session, [one(w.ours[1], "absent", note="签到表上无签名")], source="sheet")
    assert response.status_code == 200
    sources = {row["nomination_id"]: row["source"] for row in response.json()["rows"]}
    assert sources == {w.ours[0].pk: "roll_call", w.ours[1].pk: "sheet", w.theirs[0].pk: None}
    assert stored(w.session, w.ours[1]).source == "sheet"


def test_one_client_id_for_two_rows_is_refused_naming_the_row(api_as, world):  # noqa: F811
    w = world
    client = api_as(w.head_teacher)
    same = uuid.uuid4()
    before = db_state()
    response = put(client, w.session, [one(w.ours[0], "present", client_id=same),
                                       one(w.ours[1], "present", client_id=same)])
    assert response.status_code == 422, response.content.decode()
    assert [(e["field"], e["message"]) for e in response.json()["errors"]] == [
        ("marks.1.client_id", "第 2 行：该客户端编号已用于另一行。")]
    assert state_diff(before, db_state()) == {}
