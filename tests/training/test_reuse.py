"""Reuse across years: services.program_copy (a program as another year's draft, with its phases, groups
and timetable), the timetable copy that leaves out booked instructors and rooms, and the phases a
timetable may be copied from (selectors.timetable_source_choices)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from dangjian.training import selectors, services
from dangjian.training.models import ClassCommitteeMember, Program, Session
from tests.factories import (
    ClassroomFactory,
    GroupFactory,
    InstructorFactory,
    PersonFactory,
    PhaseFactory,
    ProgramFactory,
    SessionFactory,
    SiteFactory,
    UserFactory,
    VenueFactory,
    at,
)

pytestmark = pytest.mark.django_db

SAT, MON = datetime.date(2022, 10, 8), datetime.date(2022, 10, 17)  # the seed's two phases start so


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def college_staff():
    return UserFactory(username="college", roles=["college_staff"])


@pytest.fixture
def source(college_staff):
    """The seed's program, closed: two five-day phases (Saturday and Monday starts), a head teacher, a
    classroom, two groups per phase with a leader, a class committee; a lecture with an instructor and a
    room, a visit to a site and a group discussion per group in each phase."""
    venue = VenueFactory()
    venue.staff.add(college_staff)
    program = ProgramFactory(title="2022年南阳市直机关新任党组织书记培训班", year=2022, venue=venue, phase_count=2,
                             status=Program.Status.CLOSED, submitted_at=timezone.now(),
                             budget_estimate=Decimal("120000"), hours_per_day=Decimal("8"))
    room, site, teacher = ClassroomFactory(venue=venue, name="第一教室"), SiteFactory(), InstructorFactory(name="刘强")
    for number, first in ((1, SAT), (2, MON)):
        phase = PhaseFactory(program=program, number=number, starts_on=first,
                             ends_on=first + datetime.timedelta(days=4), capacity=56, head_teacher=college_staff,
                             classroom=room)
        groups = [GroupFactory(phase=phase, number=n, name=f"第{n}组", name_en=f"Group {n}",
                                leader=PersonFactory()) for n in (1, 2)]
        ClassCommitteeMember.objects.create(phase=phase, person=PersonFactory(), role="monitor",
                                            started_on=phase.starts_on, ended_on=phase.ends_on)
        lecture = SessionFactory(phase=phase, title="专题讲座", form="lecture", venue=venue, classroom=room,
                                 starts_at=at(first, "15:30"), ends_at=at(first, "18:00"), hours=Decimal("2.5"))
        lecture.instructors.set([teacher])
        visit = SessionFactory(phase=phase, title="参观学习", form="site_visit", venue=None,
                               starts_at=at(first + datetime.timedelta(days=1), "08:30"),
                               ends_at=at(first + datetime.timedelta(days=1), "10:00"))
        visit.stops.create(site=site, order=0)
        for group in groups:
            SessionFactory(phase=phase, group=group, title="分组研讨", form="discussion", venue=venue,
                           starts_at=at(first + datetime.timedelta(days=1), "19:30"),
                           ends_at=at(first + datetime.timedelta(days=1), "21:00"))
    return program


def test_copy_for_next_year_keeps_weekdays_plan_groups_and_timetable(source, organizer, college_staff):
    copy, warnings = services.program_copy(program=source, by=organizer, year=2023)
    assert warnings == []
    assert (copy.title, copy.year, copy.status, copy.submitted_at) == (
        "2023年南阳市直机关新任党组织书记培训班", 2023, Program.Status.DRAFT, None)
    for name in ("legal_basis", "purpose", "target_population", "requirement", "content", "venue",
                 "planned_participants", "phase_count", "hours_per_day", "cost_per_person_day", "budget_estimate",
                 "organizer", "contact_name", "contact_phone"):
        assert getattr(copy, name) == getattr(source, name), name
    assert not copy.reviews.exists()
    phases = list(copy.phases.order_by("number"))
    # 52 weeks later: the same weekdays (a Saturday start stays a Saturday start).
    assert [(p.starts_on, p.ends_on) for p in phases] == [
        (datetime.date(2023, 10, 7), datetime.date(2023, 10, 11)), (datetime.date(2023, 10, 16),
                                                                    datetime.date(2023, 10, 20))]
    assert [p.starts_on.weekday() for p in phases] == [SAT.weekday(), MON.weekday()]
    for phase in phases:
        assert (phase.capacity, phase.head_teacher, phase.classroom.name) == (56, college_staff, "第一教室")
        assert [(g.number, g.name, g.name_en, g.leader) for g in phase.groups.all()] == [
            (1, "第1组", "Group 1", None), (2, "第2组", "Group 2", None)]
        assert not phase.committee_members.exists() and phase.temporary_branch is None
        sessions = list(phase.sessions.select_related("group", "classroom").prefetch_related("instructors", "stops"))
        assert len(sessions) == 4
        lecture = next(s for s in sessions if s.title == "专题讲座")
        assert timezone.localtime(lecture.starts_at) == at(phase.starts_on, "15:30")
        assert [i.name for i in lecture.instructors.all()] == ["刘强"] and lecture.classroom.name == "第一教室"
        assert [s.group.number for s in sessions if s.group_id] == [1, 2]
        assert next(s for s in sessions if s.title == "参观学习").stops.count() == 1
    assert Session.unscoped.filter(phase__program=source).count() == 8  # the source is untouched


def test_copy_to_a_chosen_first_day_moves_every_phase_alike(source, organizer):
    copy, warnings = services.program_copy(program=source, by=organizer, year=2023,
                                           first_day=datetime.date(2023, 9, 11), title="2023年秋季新任书记培训班")
    assert copy.title == "2023年秋季新任书记培训班"
    assert [(p.starts_on, p.ends_on) for p in copy.phases.order_by("number")] == [
        (datetime.date(2023, 9, 11), datetime.date(2023, 9, 15)), (datetime.date(2023, 9, 20),
                                                                   datetime.date(2023, 9, 24))]
    assert warnings == ["The first phase now starts on a Monday instead of a Saturday: check the weekends in the "
                        "timetable."]


def test_the_shift_in_whole_weeks(source):
    assert services.program_copy_shift(program=source, year=2023) == datetime.timedelta(weeks=52)
    assert services.program_copy_shift(program=source, year=2028) == datetime.timedelta(weeks=313)  # 6 years
    assert services.program_copy_shift(program=source, year=2021) == datetime.timedelta(weeks=-52)
    first = datetime.date(2024, 2, 29)
    leap = ProgramFactory(year=2024)
    PhaseFactory(program=leap, starts_on=first, ends_on=first)
    shift = services.program_copy_shift(program=leap, year=2025)
    assert shift.days % 7 == 0 and abs((first + shift) - datetime.date(2025, 2, 28)).days <= 3


def test_a_copy_in_the_same_year_needs_a_first_day(source, organizer):
    with pytest.raises(ValidationError) as error:
        services.program_copy(program=source, by=organizer, year=2022)
    assert list(error.value.message_dict) == ["first_day"]
    assert Program.unscoped.count() == 1


def test_booked_instructors_and_rooms_are_left_out_and_reported(source, organizer):
    """The year after, 刘强 teaches elsewhere when phase 1's lecture would be, and the classroom is booked:
    the lecture is copied without them, and the warnings say so."""
    teacher = source.phases.get(number=1).sessions.get(title="专题讲座").instructors.get()
    other_phase = PhaseFactory(program=ProgramFactory(venue=source.venue), starts_on=datetime.date(2023, 10, 7),
                               ends_on=datetime.date(2023, 10, 7))
    busy = SessionFactory(phase=other_phase, title="另一个班的课", starts_at=at(datetime.date(2023, 10, 7), "15:00"),
                          ends_at=at(datetime.date(2023, 10, 7), "17:00"),
                          classroom=source.phases.get(number=1).classroom, venue=source.venue)
    busy.instructors.set([teacher])
    copy, warnings = services.program_copy(program=source, by=organizer, year=2023)
    lecture = copy.phases.get(number=1).sessions.get(title="专题讲座")
    assert list(lecture.instructors.all()) == [] and lecture.classroom is None
    assert warnings == [
        "“专题讲座” on 2023-10-07 was copied without 刘强: 刘强 already teaches “另一个班的课” at this time "
        f"({other_phase.program.title}, phase {other_phase.number}).",
        "“专题讲座” on 2023-10-07 was copied without its room: The classroom is booked for “另一个班的课” at this "
        "time.",
    ]
    second = copy.phases.get(number=2).sessions.get(title="专题讲座")  # the other phase's lecture is free
    assert [i.name for i in second.instructors.all()] == ["刘强"] and second.classroom is not None


def test_a_head_teacher_who_left_the_college_is_not_copied(source, organizer, college_staff):
    source.venue.staff.remove(college_staff)
    copy, warnings = services.program_copy(program=source, by=organizer, year=2023)
    assert [p.head_teacher for p in copy.phases.all()] == [None, None]
    assert warnings[0] == f"Phase 1: {college_staff} no longer works at the college and is not its head teacher."


def test_who_may_copy_a_program(source, college_staff):
    """Those who may see it and create programs: organizers. College staff see it but create no program;
    approvers, unit administrators and instructors create none either."""
    for user in (college_staff, UserFactory(roles=["approver"]), UserFactory(roles=["unit_admin"]),
                 UserFactory(roles=["instructor"])):
        assert not user.has_perm("training.copy_program", source)
        with pytest.raises(PermissionDenied):
            services.program_copy(program=source, by=user, year=2023)
    assert Program.unscoped.count() == 1
    assert UserFactory(roles=["organizer"]).has_perm("training.copy_program", source)


def test_copying_is_all_or_nothing(source, organizer):
    """A session that does not fit its phase (written before the phase shrank) cannot be copied: nothing
    of the copy remains."""
    phase = source.phases.get(number=2)
    late = SessionFactory(phase=phase, title="超出期次的课", starts_at=at(MON, "08:00"), ends_at=at(MON, "09:00"))
    Session.unscoped.filter(pk=late.pk).update(starts_at=at(MON + datetime.timedelta(days=9), "08:00"),
                                               ends_at=at(MON + datetime.timedelta(days=9), "09:00"))
    with pytest.raises(ValidationError, match="“超出期次的课” on 2023-10-25 cannot be copied"):
        services.program_copy(program=source, by=organizer, year=2023)
    assert Program.unscoped.count() == 1


def test_timetable_sources_are_the_phases_the_user_runs(source, college_staff, organizer):
    target = PhaseFactory(program=ProgramFactory(venue=source.venue, year=2023), number=1,
                          starts_on=datetime.date(2023, 10, 9), ends_on=datetime.date(2023, 10, 13))
    elsewhere = PhaseFactory(program=ProgramFactory(year=2022))  # another college
    SessionFactory(phase=elsewhere)
    PhaseFactory(program=target.program, number=2, starts_on=datetime.date(2023, 10, 16),
                 ends_on=datetime.date(2023, 10, 20))  # no sessions: nothing to copy
    mine = list(selectors.timetable_source_choices(user=college_staff, target=target))
    assert mine == list(source.phases.order_by("number"))
    assert [p.session_total for p in mine] == [4, 4]
    assert set(selectors.timetable_source_choices(user=organizer, target=target)) == {*source.phases.all(), elsewhere}
    for role in ("approver", "unit_admin", "instructor"):
        assert not selectors.timetable_source_choices(user=UserFactory(roles=[role]), target=target).exists()
    # The target's own program comes first.
    own = target.program.phases.get(number=2)
    SessionFactory(phase=own, starts_at=at(own.starts_on, "08:30"), ends_at=at(own.starts_on, "09:30"))
    assert selectors.timetable_source_choices(user=college_staff, target=target).first() == own
