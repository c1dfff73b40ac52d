"""Roll call: the head teacher (college staff of the venue) or an organizer marks a session's roster, all or
nothing and audited; a retried mark (same client id) never duplicates; the roster is the phase's placements (a
group session: the group's) in two queries; unit administrators read their own organs' people only."""

import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dangjian.attendance import services
from dangjian.attendance.models import Attendance
from dangjian.attendance.selectors import session_roster
from dangjian.core.models import AuditEntry
from dangjian.core.rules import ActionRefused

pytestmark = pytest.mark.django_db


def marks_of(session):
    return {a.nomination_id: (a.mark, a.note) for a in Attendance.unscoped.filter(session=session)}


def test_the_head_teacher_marks_all_present_then_the_exceptions_with_an_audit_trail(world):
    w = world
    services.roll_call_all_present(session=w.session, by=w.head_teacher)
    everyone = [*w.ours, *w.theirs]
    assert marks_of(w.session) == {n.pk: ("present", "") for n in everyone}
    late, away = w.ours
    services.roll_call_set(session=w.session, by=w.head_teacher, marks=[
        (late, "late", "堵车 20 分钟", uuid.uuid4()), (away, "on_leave", "", None)])
    assert marks_of(w.session)[late.pk] == ("late", "堵车 20 分钟")
    assert marks_of(w.session)[away.pk] == ("on_leave", "")
    stored = Attendance.unscoped.get(session=w.session, nomination=late)
    assert stored.marked_by == w.head_teacher
    assert AuditEntry.objects.filter(model="attendance.attendance", object_pk=str(stored.pk)).count() == 2
    # "All present" again keeps the exceptions.
    services.roll_call_all_present(session=w.session, by=w.organizer)
    assert marks_of(w.session)[late.pk] == ("late", "堵车 20 分钟")


def test_a_retried_mark_with_the_same_client_id_is_written_once(world):
    w = world
    client_id = uuid.uuid4()
    mark = (w.ours[0], "absent", "", client_id)
    assert len(services.roll_call_set(session=w.session, by=w.head_teacher, marks=[mark])) == 1
    assert services.roll_call_set(session=w.session, by=w.head_teacher, marks=[mark]) == []
    assert Attendance.unscoped.count() == 1
    with pytest.raises(ValidationError, match="belongs to another mark"):
        services.roll_call_set(session=w.session, by=w.head_teacher, marks=[(w.ours[1], "absent", "", client_id)])


def test_bad_rows_are_named_and_nothing_is_written(world):
    w = world
    with pytest.raises(ValidationError) as error:
        services.roll_call_set(session=w.session, by=w.head_teacher, marks=[
            (w.ours[0], "present", "", None), (w.ours[1], "asleep", "", None), (w.elsewhere, "present", "", None),
            (w.ours[0], "late", "x" * 201, None)])
    messages = error.value.messages
    assert any(m.startswith("Row 2:") and "“asleep” is not a mark" in m for m in messages)
    assert any(m.startswith("Row 3:") and "not on this session's roster" in m for m in messages)
    assert any(m.startswith("Row 4:") and "marked twice" in m for m in messages)
    assert any(m.startswith("Row 4:") and "longer than 200" in m for m in messages)
    assert not Attendance.unscoped.exists()


def test_a_group_session_takes_only_its_group(world):
    w = world
    in_group = {n.pk for n in (w.ours[0], w.theirs[0])}
    assert {row.nomination.pk for row in session_roster(w.group_session)} == in_group
    with pytest.raises(ValidationError, match="not on this session's roster"):
        services.roll_call_set(session=w.group_session, by=w.head_teacher, marks=[(w.ours[1], "present", "", None)])
    services.roll_call_all_present(session=w.group_session, by=w.head_teacher)
    assert set(marks_of(w.group_session)) == in_group


def test_the_model_refuses_a_participant_outside_the_session(world):
    w = world
    with pytest.raises(ValidationError, match="not placed in this session's phase"):
        Attendance(session=w.session, nomination=w.elsewhere, mark="present").full_clean()
    with pytest.raises(ValidationError, match="not in this session's group"):
        Attendance(session=w.group_session, nomination=w.ours[1], mark="present").full_clean()


def test_only_organizers_and_the_venues_staff_take_the_roll_call_and_not_after_closing(world):
    w = world
    for user in (w.stranger, w.admin, w.participant):
        with pytest.raises(PermissionDenied):
            services.roll_call_all_present(session=w.session, by=user)
    assert not Attendance.unscoped.exists()
    for status in ("closed", "archived"):
        w.program.status = status
        w.program.save()
        w.session.refresh_from_db()
        with pytest.raises(ActionRefused, match="closed or archived"):
            services.roll_call_all_present(session=w.session, by=w.head_teacher)
    assert not Attendance.unscoped.exists()


def test_who_reads_a_sessions_attendance(world):
    w = world
    services.roll_call_all_present(session=w.session, by=w.head_teacher)
    for user in (w.organizer, w.head_teacher, w.admin):
        assert user.has_perm("attendance.view_attendance", w.session)
    for user in (w.stranger, w.participant):
        assert not user.has_perm("attendance.view_attendance", w.session)
    assert {row.nomination.pk for row in session_roster(w.session, user=w.admin)} == {n.pk for n in w.ours}
    assert len(session_roster(w.session, user=w.head_teacher)) == 3
    assert set(Attendance.objects.visible_to(w.admin).values_list("nomination_id", flat=True)) == {
        n.pk for n in w.ours}
    assert Attendance.objects.visible_to(w.head_teacher).count() == 3
    assert not Attendance.objects.visible_to(w.stranger).exists()


def test_the_roster_of_a_sixty_person_phase_takes_two_queries(world, django_assert_num_queries):
    from tests.factories import place

    w = world
    for index in range(57):
        place(w.program, w.organ, w.phase, w.group1 if index % 2 else w.group2)
    services.roll_call_all_present(session=w.session, by=w.organizer)
    with django_assert_num_queries(2):
        rows = session_roster(w.session)
        assert [row.attendance.mark for row in rows] == ["present"] * 60
        assert all(row.person.name and row.nomination.organ.pk and row.placement.group for row in rows)


def test_a_mark_made_earlier_than_the_stored_one_does_not_replace_it(world):
    """The offline roll call's ordering (docs/attendance.md): a phone syncing late does not overwrite a later mark;
    the same mark made again later keeps the later time, so a conflicting mark made in between loses too."""
    import datetime

    from django.utils import timezone

    w, person = world, world.ours[0]
    now = timezone.now()

    def mark(value, minutes):
        services.roll_call_set(session=w.session, by=w.head_teacher, marks=[
            services.MarkInput(nomination_id=person.pk, mark=value, client_id=uuid.uuid4(),
                               made_at=now + datetime.timedelta(minutes=minutes))])
        return Attendance.unscoped.get(session=w.session, nomination=person)

    assert mark("present", -30).mark == "present"
    assert mark("absent", -40).mark == "present"  # made before the stored one
    entries = AuditEntry.objects.filter(model="attendance.attendance").count()
    stored = mark("present", -5)  # made again, unchanged: only its time moves, not audited
    assert stored.made_at == now - datetime.timedelta(minutes=5)
    assert AuditEntry.objects.filter(model="attendance.attendance").count() == entries
    assert mark("late", -10).mark == "present"
    assert mark("late", -1).mark == "late"
