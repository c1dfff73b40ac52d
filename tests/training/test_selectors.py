"""Reads of the training app: the teaching-form mix, the timetable grid, and the filtered lists."""

import datetime
from decimal import Decimal

import pytest
from django.http import Http404
from django.utils import translation

from dangjian.training import selectors
from dangjian.training.models import Session
from tests.factories import (
    GroupFactory,
    InstructorFactory,
    PhaseFactory,
    ProgramFactory,
    SessionFactory,
    SiteFactory,
    UserFactory,
    at,
)

pytestmark = pytest.mark.django_db

DAY1, DAY2, DAY3, DAY5 = (datetime.date(2022, 10, d) for d in (10, 11, 12, 14))


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def session(phase, day, start, end, form="lecture", hours="0", **fields):
    return SessionFactory(phase=phase, starts_at=at(day, start), ends_at=at(day, end), form=form,
                          hours=Decimal(hours), **fields)


# --- Teaching-form mix -------------------------------------------------------------------------

def test_teaching_form_mix_counts_hours_per_form_and_shares():
    program = ProgramFactory(phase_count=2)
    first = PhaseFactory(program=program, number=1, starts_on=DAY1, ends_on=DAY5)
    second = PhaseFactory(program=program, number=2, starts_on=datetime.date(2022, 10, 17),
                          ends_on=datetime.date(2022, 10, 21))
    group1, group2 = GroupFactory(phase=first, number=1), GroupFactory(phase=first, number=2)
    session(first, DAY1, "07:30", "12:00", "travel", "0")
    session(first, DAY1, "14:30", "15:20", "opening", "1")
    session(first, DAY1, "15:30", "18:00", "lecture", "3")
    session(first, DAY2, "08:30", "12:00", "onsite_teaching", "3.5")
    session(first, DAY2, "14:30", "15:30", "site_visit", "1")
    session(first, DAY3, "08:30", "10:00", "case_teaching", "1.5")
    for group in (group1, group2):  # parallel: a participant sits in one of them
        session(first, DAY3, "19:30", "21:00", "discussion", "1.5", group=group)
    session(second, datetime.date(2022, 10, 17), "08:30", "11:00", "lecture", "2.5")
    session(PhaseFactory(), DAY1, "08:30", "11:30", "lecture", "3")  # another program

    mix = selectors.teaching_form_mix(program=program)

    assert mix["total_hours"] == Decimal("14")
    assert {f["code"]: f["hours"] for f in mix["forms"]} == {
        "opening": Decimal("1"), "lecture": Decimal("5.5"), "onsite_teaching": Decimal("3.5"),
        "site_visit": Decimal("1"), "case_teaching": Decimal("1.5"), "discussion": Decimal("1.5"),
    }  # travel (0 hours) is left out
    lecture = next(f for f in mix["forms"] if f["code"] == "lecture")
    assert (lecture["label"], lecture["category"]) == ("Theoretical teaching", "theory")
    categories = {c["code"]: (c["hours"], c["share"]) for c in mix["categories"]}
    # Shares are of the teaching hours (theory + practice + exchange = 13), not of ceremonies.
    assert categories == {
        "theory": (Decimal("7"), 53.8), "practice": (Decimal("4.5"), 34.6), "exchange": (Decimal("1.5"), 11.5),
        "other": (Decimal("1"), None),  # not teaching: no share
    }
    assert (mix["theory_share"], mix["practice_share"]) == (53.8, 34.6)
    assert [(p["phase"], p["hours"], p["days"], p["hours_by_days"]) for p in mix["phases"]] == [
        (first, Decimal("11.5"), 5, Decimal("37.5")), (second, Decimal("2.5"), 5, Decimal("37.5"))]


def test_rotating_groups_count_one_groups_path():
    """Group 1 is on site while group 2 discusses, then they swap: a participant lives 3 + 3 hours."""
    phase = PhaseFactory()
    group1, group2 = GroupFactory(phase=phase, number=1), GroupFactory(phase=phase, number=2)
    session(phase, DAY2, "08:30", "11:30", "discussion", "3", group=group2)
    session(phase, DAY2, "08:30", "11:30", "onsite_teaching", "3", group=group1)
    session(phase, DAY2, "14:30", "17:30", "onsite_teaching", "3", group=group2)
    session(phase, DAY2, "14:30", "17:30", "discussion", "3", group=group1)
    mix = selectors.teaching_form_mix(program=phase.program)
    assert mix["total_hours"] == Decimal("6")
    assert {f["code"]: f["hours"] for f in mix["forms"]} == {"onsite_teaching": Decimal("3"),
                                                             "discussion": Decimal("3")}
    assert (mix["theory_share"], mix["practice_share"]) == (0.0, 50.0)


def test_an_empty_program_has_an_empty_mix():
    mix = selectors.teaching_form_mix(program=ProgramFactory())
    assert (mix["total_hours"], mix["forms"], mix["theory_share"], mix["practice_share"]) == (0, [], 0.0, 0.0)


def test_the_mix_takes_a_constant_number_of_queries(django_assert_num_queries):
    program = ProgramFactory()
    phase = PhaseFactory(program=program)
    for day in (DAY1, DAY2, DAY3):
        session(phase, day, "08:30", "11:30", "lecture", "3")
    with django_assert_num_queries(2):  # sessions, phases
        selectors.teaching_form_mix(program=program)


# --- Timetable grid ----------------------------------------------------------------------------

def placement(grid, item_session):
    item = next(i for i in grid["items"] if i["session"] == item_session)
    return item["column"], item["row"], item["span"], item["lane"], item["lanes"]


def test_grid_has_a_column_per_day_and_rows_of_a_quarter_hour():
    phase = PhaseFactory(starts_on=DAY1, ends_on=DAY5)
    grid = selectors.timetable_grid(phase=phase)
    assert grid["days"] == phase.days and grid["rows"] == 64  # 06:00-22:00
    assert grid["hours"][0] == {"label": "06:00", "row": 1}
    assert grid["hours"][-1] == {"label": "21:00", "row": 61}
    assert len(grid["slots"]) == 5 * 64
    assert grid["slots"][10] == {"day": DAY1, "day_iso": DAY1.isoformat(), "column": 1, "row": 11, "time": "08:30",
                                 "classes": "col-1 row-11"}
    assert grid["slots"][64] == {"day": DAY2, "day_iso": DAY2.isoformat(), "column": 2, "row": 1, "time": "06:00",
                                 "classes": "col-2 row-1 hour-top"}
    assert grid["items"] == []


@pytest.mark.parametrize(("day", "start", "end", "expected"), [
    (DAY1, "08:30", "11:30", (1, 11, 12)),  # 3 hours = 12 quarter-hour rows
    (DAY3, "14:30", "15:20", (3, 35, 4)),  # an end inside a quarter fills that quarter
    (DAY5, "19:30", "21:00", (5, 55, 6)),
    (DAY2, "05:30", "07:00", (2, 1, 4)),  # starts before the grid: clipped to its top
    (DAY2, "21:00", "23:00", (2, 61, 4)),  # ends after the grid: clipped to its bottom
    (DAY2, "21:00", "00:30", (2, 61, 4)),  # across midnight: to the bottom of the day
])
def test_grid_places_a_session_by_column_row_and_span(day, start, end, expected):
    phase = PhaseFactory(starts_on=DAY1, ends_on=DAY5)
    ends_on = day + datetime.timedelta(days=1) if end < start else day
    item = SessionFactory(phase=phase, starts_at=at(day, start), ends_at=at(ends_on, end))
    grid = selectors.timetable_grid(phase=phase)
    assert placement(grid, item) == (*expected, 0, 1)


def test_parallel_group_sessions_of_one_form_are_one_block():
    phase = PhaseFactory(starts_on=DAY1, ends_on=DAY5)
    groups = [GroupFactory(phase=phase, number=n) for n in (1, 2, 3)]
    whole = session(phase, DAY1, "08:30", "11:30")
    parallel = [session(phase, DAY1, "14:30", "17:30", "discussion", title="分组研讨", group=g) for g in groups]
    later = session(phase, DAY1, "19:30", "21:00", "discussion", group=groups[0])  # alone in the evening
    grid = selectors.timetable_grid(phase=phase, sessions=selectors.phase_sessions(phase=phase))
    assert len(grid["items"]) == 3
    assert placement(grid, whole) == (1, 11, 12, 0, 1) and placement(grid, later)[3:] == (0, 1)
    block = next(item for item in grid["items"] if item["parallel"])
    assert placement(grid, parallel[0]) == (1, 35, 12, 0, 1)  # one block, full width: no lanes
    assert block["parallel"].sessions == parallel and block["parallel"].group_count == 3
    assert block["parallel"].common_title == "分组研讨"
    assert [item["parallel"] for item in grid["items"] if item["session"] != parallel[0]] == [None, None]


def test_groups_in_different_forms_at_one_time_get_lanes():
    phase = PhaseFactory(starts_on=DAY1, ends_on=DAY5)
    groups = [GroupFactory(phase=phase, number=n) for n in (1, 2, 3)]
    discussing = [session(phase, DAY1, "14:30", "17:30", "discussion", title="研讨", group=g) for g in groups[:2]]
    visiting = session(phase, DAY1, "14:30", "17:30", "site_visit", title="参观", group=groups[2])
    grid = selectors.timetable_grid(phase=phase, sessions=selectors.phase_sessions(phase=phase))
    assert [placement(grid, s)[3:] for s in (discussing[0], visiting)] == [(0, 2), (1, 2)]
    entries = selectors.group_parallel_sessions(selectors.phase_sessions(phase=phase))
    assert [e.sessions if isinstance(e, selectors.ParallelSessions) else e for e in entries] == [discussing, visiting]


def test_parallel_sessions_with_different_titles_have_no_common_title():
    phase = PhaseFactory(starts_on=DAY1, ends_on=DAY5)
    groups = [GroupFactory(phase=phase, number=n) for n in (1, 2)]
    for group, title in zip(groups, ("研讨：题目一", "研讨：题目二"), strict=True):
        session(phase, DAY1, "14:30", "17:30", "discussion", title=title, group=group)
    (block,) = selectors.group_parallel_sessions(selectors.phase_sessions(phase=phase))
    assert block.group_count == 2 and block.common_title == ""


def test_overlapping_groups_that_start_at_different_times_get_lanes_too():
    phase = PhaseFactory(starts_on=DAY1, ends_on=DAY5)
    group1, group2 = GroupFactory(phase=phase, number=1), GroupFactory(phase=phase, number=2)
    a = session(phase, DAY2, "14:30", "16:00", "discussion", group=group1)
    b = session(phase, DAY2, "15:00", "17:30", "site_visit", group=group2)
    c = session(phase, DAY2, "16:00", "17:00", "discussion", group=group1)  # reuses group 1's lane
    grid = selectors.timetable_grid(phase=phase)
    assert [placement(grid, s)[3:] for s in (a, b, c)] == [(0, 2), (1, 2), (0, 2)]
    other_day = session(phase, DAY3, "15:00", "17:30", "discussion", group=group2)
    assert placement(selectors.timetable_grid(phase=phase), other_day)[3:] == (0, 1)


def test_grid_leaves_out_sessions_outside_the_phase_days():
    phase = PhaseFactory(starts_on=DAY1, ends_on=DAY2)
    inside = session(phase, DAY1, "08:30", "11:30")
    Session.unscoped.filter(pk=session(phase, DAY2, "08:30", "11:30").pk).update(
        starts_at=at(DAY5, "08:30"), ends_at=at(DAY5, "11:30"))  # e.g. written before the phase shrank
    grid = selectors.timetable_grid(phase=phase)
    assert [i["session"] for i in grid["items"]] == [inside]


def test_phase_sessions_load_everything_the_grid_shows_in_three_queries(django_assert_num_queries):
    phase = PhaseFactory()
    group = GroupFactory(phase=phase, number=1)
    teacher, site = InstructorFactory(), SiteFactory()
    for day in (DAY1, DAY2, DAY3):
        s = session(phase, day, "08:30", "11:30", "onsite_teaching", group=group)
        s.instructors.add(teacher)
        s.stops.create(site=site)
    with django_assert_num_queries(3):  # sessions (+ course, venue, classroom, group), instructors, stops
        grid = selectors.timetable_grid(phase=phase)
        for item in grid["items"]:
            assert [i.name for i in item["session"].instructors.all()] == [teacher.name]
            assert [stop.site.name for stop in item["session"].stops.all()] == [site.name]
            assert item["session"].group.number == 1


# --- Lists --------------------------------------------------------------------------------------

def test_program_list_filters_by_status_year_and_title(organizer):
    seed = ProgramFactory(title="2022年南阳市直机关新任党组织书记培训班", status="approved")
    PhaseFactory(program=seed, number=1)
    PhaseFactory(program=seed, number=2)
    rotation = ProgramFactory(title="2023年党支部书记轮训班", year=2023)
    other = ProgramFactory(title="2022年党务干部培训班", status="closed")
    assert list(selectors.program_list(user=organizer)) == [rotation, other, seed]
    assert list(selectors.program_list(user=organizer, status="approved")) == [seed]
    assert list(selectors.program_list(user=organizer, year=2022)) == [other, seed]
    assert list(selectors.program_list(user=organizer, q=" 书记 ")) == [rotation, seed]
    assert list(selectors.program_list(user=organizer, q="新任", year=2023)) == []
    assert {p.pk: p.phase_total for p in selectors.program_list(user=organizer)} == {
        seed.pk: 2, rotation.pk: 0, other.pk: 0}


def test_program_list_is_scoped(organizer):
    ProgramFactory(status="draft")
    published = ProgramFactory(status="enrollment_open",
                               submitted_at=datetime.datetime(2022, 9, 1, tzinfo=datetime.UTC))
    assert list(selectors.program_list(user=UserFactory(roles=["unit_admin"]))) == [published]
    assert list(selectors.program_list(user=UserFactory(roles=["participant"]))) == []


def test_program_and_phase_get_are_scoped(organizer):
    draft = ProgramFactory()
    phase = PhaseFactory(program=draft)
    approver = UserFactory(roles=["approver"])
    assert selectors.program_get(user=organizer, pk=draft.pk) == draft
    assert selectors.phase_get(user=organizer, pk=phase.pk) == phase
    with pytest.raises(Http404):
        selectors.program_get(user=approver, pk=draft.pk)
    with pytest.raises(Http404):
        selectors.phase_get(user=approver, pk=phase.pk)


def test_session_list_filters(organizer):
    phase = PhaseFactory(starts_on=DAY1, ends_on=DAY5)
    other_phase = PhaseFactory(program=phase.program, number=99, starts_on=DAY1, ends_on=DAY5)
    teacher = InstructorFactory()
    taught = session(phase, DAY1, "08:30", "11:30")
    taught.instructors.add(teacher)
    visit = session(phase, DAY3, "08:30", "11:30", "site_visit")
    elsewhere = session(other_phase, DAY2, "08:30", "11:30")
    foreign = session(PhaseFactory(), DAY1, "14:30", "17:30")
    assert list(selectors.session_list(user=organizer)) == [taught, foreign, elsewhere, visit]
    assert list(selectors.session_list(user=organizer, program_id=phase.program_id)) == [taught, elsewhere, visit]
    assert list(selectors.session_list(user=organizer, phase_id=phase.pk)) == [taught, visit]
    assert list(selectors.session_list(user=organizer, instructor_id=teacher.pk)) == [taught]
    assert list(selectors.session_list(user=organizer, form="site_visit")) == [visit]
    assert list(selectors.session_list(user=organizer, since=DAY2)) == [elsewhere, visit]


def test_an_instructor_sees_their_own_sessions_only(organizer):
    user = UserFactory(roles=["instructor"])
    me, colleague = InstructorFactory(user=user), InstructorFactory()
    phase = PhaseFactory()
    mine = session(phase, DAY1, "08:30", "11:30")
    mine.instructors.add(me, colleague)
    theirs = session(phase, DAY2, "08:30", "11:30")
    theirs.instructors.add(colleague)
    assert list(selectors.instructor_sessions(user=user)) == [mine]
    assert list(selectors.session_list(user=user)) == [mine]
    assert list(selectors.phase_sessions(phase=phase, user=user)) == [mine]
    assert list(selectors.phase_sessions(phase=phase, user=organizer)) == [mine, theirs]
    assert list(selectors.instructor_sessions(user=UserFactory(roles=["instructor"]))) == []
