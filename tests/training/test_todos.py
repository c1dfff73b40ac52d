"""The to-dos of each role's start page (selectors), scoped like every list; and what the approver is
warned of before approving (selectors.approval_warnings)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from dangjian.training import selectors
from dangjian.training.models import Program, ProgramReview
from tests.factories import PhaseFactory, ProgramFactory, SessionFactory, UserFactory, VenueFactory, at

pytestmark = pytest.mark.django_db

Status = Program.Status
TODAY = timezone.localdate()


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def review(program, decision, comments, days_ago):
    return ProgramReview.objects.create(program=program, decision=decision, comments=comments,
                                        decided_by_name="审批人", decided_at=timezone.now() - datetime.timedelta(
                                            days=days_ago))


def test_plans_awaiting_decision_are_the_submitted_ones_longest_waiting_first(organizer):
    approver = UserFactory(roles=["approver"])
    now = timezone.now()
    late = ProgramFactory(status=Status.SUBMITTED, submitted_at=now - datetime.timedelta(days=1))
    early = ProgramFactory(status=Status.SUBMITTED, submitted_at=now - datetime.timedelta(days=9))
    ProgramFactory(status=Status.APPROVED, submitted_at=now)  # decided
    ProgramFactory(status=Status.RETURNED, submitted_at=now)  # being revised: not the approver's
    ProgramFactory(status=Status.DRAFT)
    assert list(selectors.plans_awaiting_decision(user=approver)) == [early, late]
    assert not selectors.plans_awaiting_decision(user=UserFactory(roles=["unit_admin"])).exists()


def test_returned_plans_carry_the_latest_reason(organizer):
    first = ProgramFactory(status=Status.RETURNED, submitted_at=timezone.now())
    review(first, ProgramReview.Decision.RETURNED, "补充预算测算", days_ago=10)
    review(first, ProgramReview.Decision.RETURNED, "课程表理论教学不足", days_ago=2)
    second = ProgramFactory(status=Status.RETURNED, submitted_at=timezone.now())
    review(second, ProgramReview.Decision.RETURNED, "请核对期次日期", days_ago=5)
    resubmitted = ProgramFactory(status=Status.SUBMITTED, submitted_at=timezone.now())
    review(resubmitted, ProgramReview.Decision.RETURNED, "已修改", days_ago=20)
    rows = list(selectors.returned_plans(user=organizer))
    assert rows == [first, second]
    assert [(p.return_comments, p.returned_by) for p in rows] == [("课程表理论教学不足", "审批人"),
                                                                 ("请核对期次日期", "审批人")]
    # Scoped: a college-staff user (who sees their venue's programs) sees only theirs.
    staff = UserFactory(roles=["college_staff"])
    second.venue.staff.add(staff)
    assert list(selectors.returned_plans(user=staff)) == [second]


def test_coming_phases_of_the_college_soonest_first():
    staff = UserFactory(roles=["college_staff"])
    venue = VenueFactory()
    venue.staff.add(staff)
    program = ProgramFactory(venue=venue, status=Status.APPROVED, phase_count=3)
    soon = PhaseFactory(program=program, number=2, starts_on=TODAY + datetime.timedelta(days=3),
                        ends_on=TODAY + datetime.timedelta(days=7))
    running = PhaseFactory(program=program, number=1, starts_on=TODAY - datetime.timedelta(days=1),
                           ends_on=TODAY + datetime.timedelta(days=3))
    PhaseFactory(program=program, number=3, starts_on=TODAY - datetime.timedelta(days=30),
                 ends_on=TODAY - datetime.timedelta(days=26))  # over
    closed = ProgramFactory(venue=venue, status=Status.CLOSED)
    PhaseFactory(program=closed, starts_on=days(1), ends_on=days(2))
    elsewhere = PhaseFactory(program=ProgramFactory(status=Status.APPROVED), starts_on=TODAY,
                             ends_on=TODAY + datetime.timedelta(days=4))
    SessionFactory(phase=soon, starts_at=at(soon.starts_on, "08:30"), ends_at=at(soon.starts_on, "11:30"))
    rows = list(selectors.coming_phases(user=staff))
    assert rows == [running, soon]
    assert [(p.session_total, p.group_total) for p in rows] == [(0, 0), (1, 0)]
    organizer = UserFactory(roles=["organizer"])
    assert list(selectors.coming_phases(user=organizer)) == [running, elsewhere, soon]
    assert not selectors.coming_phases(user=UserFactory(roles=["approver"])).exists()


def test_programs_open_for_enrollment_for_the_unit_admin(unit_admin):
    later = ProgramFactory(status=Status.ENROLLMENT_OPEN, submitted_at=timezone.now())
    PhaseFactory(program=later, starts_on=days(40), ends_on=days(44))
    sooner = ProgramFactory(status=Status.ENROLLMENT_OPEN, submitted_at=timezone.now())
    PhaseFactory(program=sooner, starts_on=days(10), ends_on=days(14))
    ProgramFactory(status=Status.APPROVED, submitted_at=timezone.now())  # not yet open: not theirs to see
    ProgramFactory(status=Status.IN_PROGRESS, submitted_at=timezone.now())  # enrollment is over
    assert list(selectors.programs_open_for_enrollment(user=unit_admin)) == [sooner, later]


# --- Approval warnings ----------------------------------------------------------------------------

def plan(hours_by_form: dict) -> Program:
    """A submitted plan with one five-day phase (5 × 7.5 = 37.5 hours credited), sessions of these hours."""
    program = ProgramFactory(status=Status.SUBMITTED, submitted_at=timezone.now(), hours_per_day=Decimal("7.5"))
    phase = PhaseFactory(program=program, number=1, starts_on=datetime.date(2022, 10, 10),
                         ends_on=datetime.date(2022, 10, 14))
    for day, (form, hours) in enumerate(hours_by_form.items()):
        date = phase.starts_on + datetime.timedelta(days=day)
        SessionFactory(phase=phase, form=form, hours=Decimal(hours), starts_at=at(date, "08:00"),
                       ends_at=at(date, "12:00"))
    return program


def test_no_warning_for_a_timetable_like_the_seeds():
    with translation.override("en"):
        # 31 of 37.5 hours (83 %), with theory: the seed's timetable is fine.
        assert selectors.approval_warnings(program=plan({"lecture": "10", "onsite_teaching": "15",
                                                         "discussion": "6"})) == []


def test_a_timetable_far_below_its_credited_hours_is_named():
    assert Decimal("0.8") == selectors.SHORT_TIMETABLE_SHARE
    program = plan({"lecture": "20", "onsite_teaching": "9.5"})  # 29.5 < 30 = 80 % of 37.5
    number = program.phases.get().number
    with translation.override("en"):
        assert selectors.approval_warnings(program=program) == [
            f"Phase {number}: the timetable holds 29.5 hours, far below the 37.5 hours its 5 days credit (less "
            "than 80 %)."]
    plan_at_the_limit = plan({"lecture": "20", "onsite_teaching": "10"})  # exactly 80 %: not "far below"
    assert selectors.approval_warnings(program=plan_at_the_limit) == []


def test_a_timetable_without_theory_is_named():
    with translation.override("en"):
        assert selectors.approval_warnings(program=plan({"onsite_teaching": "20", "discussion": "12"})) == [
            "The timetable has no theory teaching (thematic lectures or case teaching)."]
        # Case teaching is theory too.
        assert selectors.approval_warnings(program=plan({"case_teaching": "2", "onsite_teaching": "30"})) == []
