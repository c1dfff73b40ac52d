"""QR check-in (attendance.checkin): a signed code per session and window; a participant of the session's roster
checks in with it while check-in is open — present up to the grace period, late after it — and checking in twice
writes once. Refused with words, nothing written: an invalid code, an expired one (outside the session's time), a
replayed one (an old window), a session not on the participant's roster (other session, group or phase), a closed
class; every role but participant is refused outright. Time is injected (`now=`)."""

import datetime
import uuid

import pytest
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from dangjian.attendance import checkin, services
from dangjian.attendance.checkin import CheckInRefused
from dangjian.attendance.models import Attendance
from dangjian.core.models import AuditEntry
from dangjian.core.rules import ActionRefused
from tests.factories import UserFactory, at

pytestmark = pytest.mark.django_db

DAY = datetime.date(2022, 10, 10)  # the world's sessions: 08:30–11:30 that day


def participant_of(nomination):
    """The participant's login (one per person)."""
    from dangjian.accounts.models import User

    return User.objects.filter(person=nomination.person).first() or UserFactory(roles=["participant"],
                                                                                 person=nomination.person)


def moment(hhmm: str, seconds: int = 0) -> datetime.datetime:
    return at(DAY, hhmm) + datetime.timedelta(seconds=seconds)


def marks(session):
    return {a.nomination_id: (a.mark, a.source) for a in Attendance.unscoped.filter(session=session)}


def test_a_participant_checks_in_present_with_a_fresh_code(world, settings):
    settings.ATTENDANCE_CHECKIN_GRACE_MINUTES = 5
    w, nomination = world, world.ours[0]
    user = participant_of(nomination)
    code = checkin.make_code(w.session, now=moment("08:20"))
    result = checkin.check_in(code=code, by=user, now=moment("08:20", 10))
    assert result.created and result.attendance.mark == "present" and result.attendance.source == "qr"
    assert result.attendance.client_id == checkin.client_id_for(w.session, nomination)
    assert result.attendance.marked_by == user and result.attendance.made_at == moment("08:20", 10)
    assert marks(w.session) == {nomination.pk: ("present", "qr")}
    assert AuditEntry.objects.filter(model="attendance.attendance", object_pk=str(result.attendance.pk)).exists()
    # Up to the grace period after the start: present; after it: late.
    second = participant_of(w.ours[1])
    at_grace = checkin.check_in(code=checkin.make_code(w.session, now=moment("08:35")), by=second,
                                now=moment("08:35"))
    assert at_grace.attendance.mark == "present"
    third = participant_of(w.theirs[0])
    late = checkin.check_in(code=checkin.make_code(w.session, now=moment("08:35", 1)), by=third,
                            now=moment("08:35", 1))
    assert late.attendance.mark == "late"


def test_checking_in_twice_is_harmless(world):
    w, nomination = world, world.ours[0]
    user = participant_of(nomination)
    code = checkin.make_code(w.session, now=moment("08:25"))
    first = checkin.check_in(code=code, by=user, now=moment("08:25"))
    again = checkin.check_in(code=code, by=user, now=moment("08:25", 20))
    later = checkin.check_in(code=checkin.make_code(w.session, now=moment("09:40")), by=user, now=moment("09:40"))
    assert first.created and not again.created and not later.created
    assert again.attendance.pk == later.attendance.pk == first.attendance.pk
    assert later.attendance.mark == "present"  # a later scan does not turn present into late
    assert Attendance.unscoped.count() == 1
    assert AuditEntry.objects.filter(model="attendance.attendance").count() == 1


def test_the_current_and_the_previous_window_are_accepted_an_older_one_is_a_replay(world, settings):
    settings.ATTENDANCE_CHECKIN_STEP_SECONDS = 30
    w = world
    shown = moment("09:00", 5)  # the screen showed this code at 09:00:05 (window 09:00:00–09:00:30)
    code = checkin.make_code(w.session, now=shown)
    assert checkin.check_in(code=code, by=participant_of(w.ours[0]), now=moment("09:00", 29)).created
    assert checkin.check_in(code=code, by=participant_of(w.ours[1]), now=moment("09:00", 59)).created
    with pytest.raises(CheckInRefused) as refused:
        checkin.check_in(code=code, by=participant_of(w.theirs[0]), now=moment("09:01", 0))
    assert refused.value.reason == "replayed"
    assert "no longer current" in refused.value.messages[0] and "30 seconds" in refused.value.messages[0]
    assert set(marks(w.session)) == {w.ours[0].pk, w.ours[1].pk}


@pytest.mark.parametrize("when", ["07:59", "11:31", "15:00"])
def test_a_code_outside_the_sessions_time_has_expired(world, settings, when):
    settings.ATTENDANCE_CHECKIN_OPENS_MINUTES = 30
    w = world
    code = checkin.make_code(w.session, now=moment(when))
    with pytest.raises(CheckInRefused) as refused:
        checkin.check_in(code=code, by=participant_of(w.ours[0]), now=moment(when))
    assert refused.value.reason == "expired"
    assert refused.value.messages == [f"This code has expired: check-in for “{w.session.title}” is open "
                                      "2022-10-10 08:00–11:30."]
    assert not Attendance.unscoped.exists()


def test_check_in_opens_before_the_start_and_ends_with_the_session(world, settings):
    settings.ATTENDANCE_CHECKIN_OPENS_MINUTES = 30
    w = world
    assert not checkin.is_open(w.session, now=moment("07:59", 59))
    assert checkin.is_open(w.session, now=moment("08:00")) and checkin.is_open(w.session, now=moment("11:30"))
    assert not checkin.is_open(w.session, now=moment("11:30", 1))


@pytest.mark.parametrize("code", [
    "garbage", "", "1.2", signing.Signer().sign("1.2"), signing.Signer(salt="other").sign("1.2"),
])
def test_an_invalid_code_is_refused(world, code):
    with pytest.raises(CheckInRefused) as refused:
        checkin.check_in(code=code, by=participant_of(world.ours[0]), now=moment("08:30"))
    assert refused.value.reason == "invalid"
    assert "not a check-in code" in refused.value.messages[0]


def test_a_tampered_code_or_a_deleted_session_is_refused(world):
    w = world
    code = checkin.make_code(w.session, now=moment("08:30"))
    _session_id, rest = code.split(".", 1)
    with pytest.raises(CheckInRefused, match="not a check-in code"):
        checkin.check_in(code=f"{w.group_session.pk}.{rest}", by=participant_of(w.ours[0]), now=moment("08:30"))
    gone = checkin.make_code(w.group_session, now=moment("08:30"))
    w.group_session.delete()
    with pytest.raises(CheckInRefused, match="no longer exists"):
        checkin.check_in(code=gone, by=participant_of(w.ours[0]), now=moment("08:30"))


def test_a_code_of_another_session_group_or_phase_is_refused(world):
    w = world
    group_code = checkin.make_code(w.group_session, now=moment("08:30"))  # group 1's session
    for nomination in (w.ours[1], w.elsewhere):  # group 2; the other phase
        with pytest.raises(ActionRefused, match="not on this session's roster"):
            checkin.check_in(code=group_code, by=participant_of(nomination), now=moment("08:30"))
    unplaced = UserFactory(roles=["participant"])  # a participant without a person of the registry
    with pytest.raises(ActionRefused, match="not on this session's roster"):
        checkin.check_in(code=group_code, by=unplaced, now=moment("08:30"))
    assert not Attendance.unscoped.exists()
    assert checkin.check_in(code=group_code, by=participant_of(w.ours[0]), now=moment("08:30")).created


def test_a_closed_class_refuses_check_in(world):
    w = world
    w.program.status = "closed"
    w.program.save()
    with pytest.raises(ActionRefused, match="The class is closed"):
        checkin.check_in(code=checkin.make_code(w.session, now=moment("08:30")), by=participant_of(w.ours[0]),
                         now=moment("08:30"))
    assert not Attendance.unscoped.exists()


@pytest.mark.parametrize("role", ["organizer", "college_staff", "unit_admin", "approver", "instructor", "editor",
                                  "reviewer"])
def test_other_roles_cannot_check_in(world, role):
    w = world
    user = UserFactory(roles=[role], person=w.ours[0].person)  # even with the participant's person
    if role == "college_staff":
        w.program.venue.staff.add(user)
    with pytest.raises(PermissionDenied):
        checkin.check_in(code=checkin.make_code(w.session, now=moment("08:30")), by=user, now=moment("08:30"))
    assert not Attendance.unscoped.exists()


def test_an_attended_mark_stands_an_absence_is_replaced_a_later_mark_of_the_head_teacher_stands(world):
    w = world
    present, absent, offline = w.ours[0], w.ours[1], w.theirs[0]
    services.roll_call_set(session=w.session, by=w.head_teacher, marks=[
        services.MarkInput(nomination_id=present.pk, mark="present", made_at=moment("08:30")),
        services.MarkInput(nomination_id=absent.pk, mark="absent", made_at=moment("08:30")),
        # taken offline at 09:10, synced before the participant's scan of 09:00 reached the server
        services.MarkInput(nomination_id=offline.pk, mark="absent", note="早退", made_at=moment("09:10"))])
    for nomination in (present, absent, offline):
        checkin.check_in(code=checkin.make_code(w.session, now=moment("09:00")), by=participant_of(nomination),
                         now=moment("09:00"))
    assert marks(w.session) == {present.pk: ("present", "roll_call"), absent.pk: ("late", "qr"),
                                offline.pk: ("absent", "roll_call")}


def test_the_preview_writes_nothing_and_says_what_the_mark_would_be(world):
    w = world
    user = participant_of(w.ours[0])
    code = checkin.make_code(w.session, now=moment("08:50"))
    preview = checkin.check_in_preview(code=code, by=user, now=moment("08:50"))
    assert (preview.session, preview.mark, preview.existing) == (w.session, "late", None)
    assert not Attendance.unscoped.exists()


def test_codes_are_short_and_the_client_id_is_deterministic(world):
    w = world
    code = checkin.make_code(w.session, now=timezone.now())
    assert len(code) < 80
    assert checkin.client_id_for(w.session, w.ours[0]) == checkin.client_id_for(w.session, w.ours[0])
    assert checkin.client_id_for(w.session, w.ours[0]) != checkin.client_id_for(w.group_session, w.ours[0])
    assert isinstance(checkin.client_id_for(w.session, w.ours[0]), uuid.UUID)


def test_the_code_screen_changes_at_each_window(settings):
    settings.ATTENDANCE_CHECKIN_STEP_SECONDS = 30
    start = datetime.datetime(2022, 10, 10, 1, 0, 0, tzinfo=datetime.UTC)
    assert checkin.seconds_to_next_code(now=start) == 30
    assert checkin.seconds_to_next_code(now=start + datetime.timedelta(seconds=29)) == 1
    assert checkin.window_of(start + datetime.timedelta(seconds=29)) == checkin.window_of(start)
    assert checkin.window_of(start + datetime.timedelta(seconds=30)) == checkin.window_of(start) + 1


def test_a_refusal_is_a_validation_error_on_the_code_field():
    error = CheckInRefused("invalid", "words")
    assert isinstance(error, ValidationError) and error.message_dict == {"code": ["words"]}


def test_a_concurrent_scan_of_the_same_participant_writes_once(world):
    """The check-in reads the participant's row and stored mark once (for the permission) and inserts without
    locking when nothing was stored; a second scan that wrote meanwhile makes the insert fail the unique
    constraint: nothing more is written, the database stays usable, and the check-in answers the stored mark."""
    from django.db import IntegrityError

    from dangjian.attendance import selectors

    w, nomination = world, world.ours[0]
    user = participant_of(nomination)
    stale = selectors.roster_entry(user=user, session=w.session)  # read before the other scan wrote
    assert stale.attendance is None
    first = checkin.check_in(code=checkin.make_code(w.session, now=moment("08:30")), by=participant_of(nomination),
                             now=moment("08:30"))
    assert first.created
    mark = services.MarkInput(nomination_id=nomination.pk, mark="present", made_at=moment("08:30", 1),
                              client_id=checkin.client_id_for(w.session, nomination))
    with pytest.raises(IntegrityError):
        services.write_marks(session=w.session, marks=[mark], by=user, source="qr", roster=[stale])
    assert Attendance.unscoped.filter(session=w.session).count() == 1
    assert AuditEntry.objects.filter(model="attendance.attendance").count() == 1
    # The same through check_in: the participant's remembered row is the stale one.
    again = checkin.check_in(code=checkin.make_code(w.session, now=moment("08:31")), by=user, now=moment("08:31"))
    assert not again.created and again.attendance.pk == first.attendance.pk
