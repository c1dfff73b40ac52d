"""Model rules of the training app: clean(), constraints, defaults and small properties."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from dangjian.training.models import (
    FORM_CATEGORY,
    Classroom,
    FormCategory,
    Program,
    Session,
    TeachingForm,
    TravelTime,
)
from tests.factories import (
    ClassroomFactory,
    CourseFactory,
    GroupFactory,
    PersonFactory,
    PhaseFactory,
    ProgramFactory,
    SessionFactory,
    SiteFactory,
    VenueFactory,
    at,
)

pytestmark = pytest.mark.django_db

DAY1, DAY5 = datetime.date(2022, 10, 10), datetime.date(2022, 10, 14)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def test_every_teaching_form_has_a_category():
    assert set(FORM_CATEGORY) == set(TeachingForm.values)
    assert FORM_CATEGORY["lecture"] == FormCategory.THEORY
    assert FORM_CATEGORY["onsite_teaching"] == FORM_CATEGORY["site_visit"] == FormCategory.PRACTICE
    assert FORM_CATEGORY["discussion"] == FormCategory.EXCHANGE
    assert FORM_CATEGORY["travel"] == FormCategory.OTHER


def test_hours_per_day_defaults_to_the_rule(settings):
    assert ProgramFactory().hours_per_day == Decimal("7.5")
    settings.DANGJIAN_RULES = {**settings.DANGJIAN_RULES, "hours_per_day": "8"}
    assert ProgramFactory().hours_per_day == Decimal("8")


@pytest.mark.parametrize(("status", "plan", "timetable"), [
    ("draft", True, True), ("returned", True, True), ("submitted", False, True), ("approved", False, True),
    ("enrollment_open", False, True), ("in_progress", False, True), ("closed", False, False),
    ("archived", False, False),
])
def test_what_may_change_in_each_status(status, plan, timetable):
    program = Program(status=status)
    assert (program.plan_editable, program.timetable_editable) == (plan, timetable)


def test_names_follow_the_language():
    venue = VenueFactory(name_zh="河南大别山干部学院", name_en="Henan Dabie Mountain Cadre College")
    course = CourseFactory(title_zh="党章解读", title_en="")
    with translation.override("zh-hans"):
        assert (str(venue), course.title) == ("河南大别山干部学院", "党章解读")
    assert str(venue) == "Henan Dabie Mountain Cadre College"
    assert course.title == "党章解读"  # no English title: the Chinese one


def test_a_venue_cannot_belong_to_itself():
    venue = VenueFactory()
    venue.parent = venue
    with pytest.raises(ValidationError) as error:
        venue.full_clean()
    assert error.value.message_dict == {"parent": ["A venue cannot belong to itself."]}


def test_classroom_names_are_unique_per_venue():
    room = ClassroomFactory(name="第一报告厅")
    with pytest.raises(ValidationError):
        Classroom(venue=room.venue, name="第一报告厅", capacity=10).full_clean()
    Classroom(venue=VenueFactory(), name="第一报告厅", capacity=10).full_clean()


@pytest.mark.parametrize("ends", [
    {}, {"from_venue": True, "from_site": True, "to_site": True}, {"from_site": True},
])
def test_a_travel_time_has_one_place_at_each_end(ends):
    venue, site = VenueFactory(), SiteFactory()
    row = TravelTime(minutes=30, from_venue=venue if ends.get("from_venue") else None,
                     from_site=site if ends.get("from_site") else None,
                     to_site=site if ends.get("to_site") else None)
    with pytest.raises(ValidationError, match="Give exactly one venue or site at each end"):
        row.full_clean()


def test_a_travel_time_between_a_venue_and_a_site():
    venue, site = VenueFactory(), SiteFactory()
    row = TravelTime(from_venue=venue, to_site=site, minutes=45)
    row.full_clean()
    assert (row.origin, row.destination) == (venue, site)
    assert TravelTime.key(venue) == ("venue", venue.pk) and TravelTime.key(site) == ("site", site.pk)


# --- Phases and groups ----------------------------------------------------------------------------

def test_a_phase_knows_its_days():
    phase = PhaseFactory(starts_on=DAY1, ends_on=DAY5)
    assert phase.day_count == 5
    assert phase.days == [DAY1 + datetime.timedelta(days=i) for i in range(5)]
    assert str(phase) == f"{phase.program.title}, phase {phase.number}"


def test_phase_numbers_and_dates_are_checked_on_their_fields():
    phase = PhaseFactory(number=1)
    duplicate = PhaseFactory.build(program=phase.program, number=1)
    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()
    assert error.value.message_dict == {"number": ["This program already has a phase with this number."]}
    backwards = PhaseFactory.build(program=phase.program, number=2, starts_on=DAY5, ends_on=DAY1)
    with pytest.raises(ValidationError) as error:
        backwards.full_clean()
    assert error.value.message_dict == {"ends_on": ["The last day cannot be before the first day."]}


def test_the_database_refuses_a_backwards_phase():
    with pytest.raises(IntegrityError), transaction.atomic():
        PhaseFactory(starts_on=DAY5, ends_on=DAY1)


def test_group_rules_are_on_their_fields():
    group = GroupFactory(number=1)
    assert str(group) == "Group 1"
    with pytest.raises(ValidationError) as error:
        GroupFactory.build(phase=group.phase, number=1).full_clean()
    assert error.value.message_dict == {"number": ["This phase already has a group with this number."]}
    person = PersonFactory()
    with pytest.raises(ValidationError) as error:
        GroupFactory.build(phase=group.phase, number=2, leader=person, deputy_leader=person).full_clean()
    assert error.value.message_dict == {"deputy_leader": ["The deputy leader must be another person."]}
    GroupFactory.build(phase=GroupFactory().phase, number=1).full_clean()  # the same number in another phase


# --- Sessions ---------------------------------------------------------------------------------

def test_session_clean_reports_each_rule_on_its_field():
    phase = PhaseFactory(starts_on=DAY1, ends_on=DAY5)
    other_phase_group = GroupFactory()
    session = SessionFactory.build(
        phase=phase, starts_at=at(DAY1, "08:30"), ends_at=at(DAY1, "11:30"), venue=VenueFactory(),
        classroom=ClassroomFactory(), group=other_phase_group,
    )
    with pytest.raises(ValidationError) as error:
        session.full_clean()
    assert error.value.message_dict == {
        "group": ["This group belongs to another phase."],
        "classroom": ["This classroom is not at the session's venue."],
    }


def test_session_times_are_checked_against_the_phase_in_local_time():
    phase = PhaseFactory(starts_on=DAY1, ends_on=DAY5)
    # 00:30 on the first day in Beijing is still the day before in UTC: it is inside the phase.
    SessionFactory.build(phase=phase, starts_at=at(DAY1, "00:30"), ends_at=at(DAY1, "01:30")).full_clean()
    late = SessionFactory.build(phase=phase, starts_at=at(DAY5, "23:00"), ends_at=at(DAY5 + datetime.timedelta(1),
                                                                                       "00:30"))
    with pytest.raises(ValidationError) as error:
        late.full_clean()
    assert list(error.value.message_dict) == ["starts_at"]
    backwards = SessionFactory.build(phase=phase, starts_at=at(DAY1, "10:00"), ends_at=at(DAY1, "09:00"))
    with pytest.raises(ValidationError) as error:
        backwards.full_clean()
    assert error.value.message_dict == {"ends_at": ["A session must end after it starts."]}  # not also the phase


def test_the_database_refuses_a_backwards_session():
    phase = PhaseFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        SessionFactory(phase=phase, starts_at=at(DAY1, "10:00"), ends_at=at(DAY1, "10:00"))


def test_overlapping_is_strict():
    phase = PhaseFactory()
    morning = SessionFactory(phase=phase, starts_at=at(DAY1, "08:30"), ends_at=at(DAY1, "11:30"))
    assert list(Session.unscoped.overlapping(at(DAY1, "11:00"), at(DAY1, "12:00"))) == [morning]
    assert list(Session.unscoped.overlapping(at(DAY1, "11:30"), at(DAY1, "12:00"))) == []
    assert list(Session.unscoped.overlapping(at(DAY1, "07:00"), at(DAY1, "08:30"))) == []


def test_session_properties():
    session = SessionFactory(form="onsite_teaching", title="现场教学", title_en="On-site teaching",
                             starts_at=at(DAY1, "23:30"), ends_at=at(DAY1, "23:50"))
    assert session.category == FormCategory.PRACTICE
    assert session.local_day == DAY1  # 15:30 UTC, but the 10th in Beijing
    assert session.display_title == "On-site teaching"
    with translation.override("zh-hans"):
        assert session.display_title == "现场教学"
    assert str(session) == "2022-10-10 23:30 现场教学"
