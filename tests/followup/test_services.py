"""Follow-up services and selectors: the plan (rows validated, naming the row; until its deadline), the survey's
timing (not before follow_up_months; the due day itself is open), the unit's confirmation scoped to its organ,
reminders composed once to the right people, and the overview's counts."""

import datetime

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.utils import timezone

from dangjian.core.audit import AuditEntry
from dangjian.core.rules import ActionRefused
from dangjian.followup import selectors, services
from dangjian.followup.enums import Decision, FollowUpState
from dangjian.followup.models import FollowUpReport, ImplementationPlan, UnitConfirmation
from dangjian.outbox.enums import MessageKind
from dangjian.outbox.models import Message
from tests.followup.conftest import SURVEY, plan_rows

pytestmark = pytest.mark.django_db


def noon(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


# --- Months ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("day", "months", "expected"), [
    (datetime.date(2022, 10, 14), 3, datetime.date(2023, 1, 14)),
    (datetime.date(2022, 11, 30), 3, datetime.date(2023, 2, 28)),
    (datetime.date(2023, 11, 30), 3, datetime.date(2024, 2, 29)),
    (datetime.date(2022, 12, 31), 1, datetime.date(2023, 1, 31)),
    (datetime.date(2023, 3, 15), -4, datetime.date(2022, 11, 15)),
])
def test_add_months(day, months, expected):
    assert selectors.add_months(day, months) == expected


# --- The plan ------------------------------------------------------------------------------------------------

def test_a_graduate_files_and_changes_the_plan_audited(world):
    plan = services.plan_save(nomination=world.me_recent, rows=plan_rows(world, days=(60, 30)), by=world.participant)
    assert [row["action"] for row in plan.items] == ["每季度开展主题党日", "建立“三会一课”台账"]  # by due date
    assert plan.program == world.recent
    services.plan_save(nomination=world.me_recent, rows=plan_rows(world)[:1], by=world.participant)
    plan.refresh_from_db()
    assert len(plan.items) == 1
    actions = list(AuditEntry.objects.filter(model="followup.implementationplan").order_by("id")
                   .values_list("action", flat=True))
    assert actions == ["create", "update"]


def test_plan_errors_name_the_row_and_nothing_is_written(world):
    rows = [{"action": "建立台账", "due": (world.today + datetime.timedelta(days=10)).isoformat()},
            {"action": "", "due": ""},  # blank: dropped
            {"action": "", "due": (world.today + datetime.timedelta(days=10)).isoformat()},
            {"action": "主题党日", "due": "2026-13-40"},
            {"action": "组织生活会", "due": ""},
            {"action": "民主评议", "due": (world.recent_phase.ends_on - datetime.timedelta(days=1)).isoformat()},
            {"action": "x" * 501, "due": (world.today + datetime.timedelta(days=10)).isoformat()}]
    with pytest.raises(ValidationError) as caught:
        services.plan_save(nomination=world.me_recent, rows=rows, by=world.participant)
    messages = caught.value.message_dict["items"]
    assert messages == [
        "Row 3: say what you will change.",
        "Row 4: “2026-13-40” is not a date (YYYY-MM-DD).",
        "Row 5: give the date by which it will be done.",
        f"Row 6: the date is before the end of your class ({world.recent_phase.ends_on}).",
        "Row 7: at most 500 characters.",
    ]
    assert not ImplementationPlan.unscoped.exists()
    with pytest.raises(ValidationError, match="at least one row"):
        services.plan_save(nomination=world.me_recent, rows=[{"action": " ", "due": ""}], by=world.participant)


def test_the_plan_closes_after_its_deadline(world):
    deadline = world.recent_phase.ends_on + datetime.timedelta(days=30)
    services.plan_save(nomination=world.me_recent, rows=plan_rows(world), by=world.participant, now=noon(deadline))
    with pytest.raises(ActionRefused, match=f"was due by {deadline}"):
        services.plan_save(nomination=world.me_recent, rows=plan_rows(world), by=world.participant,
                           now=noon(deadline + datetime.timedelta(days=1)))
    with pytest.raises(ActionRefused, match="was due by"):  # the earlier class: past its deadline today
        services.plan_save(nomination=world.me_earlier, rows=plan_rows(world), by=world.participant)


def test_the_follow_up_starts_when_the_class_has_closed(world):
    type(world.recent).unscoped.filter(pk=world.recent.pk).update(status="in_progress")
    world.me_recent.program.refresh_from_db()
    with pytest.raises(ActionRefused, match="when the class has closed"):
        services.plan_save(nomination=world.me_recent, rows=plan_rows(world), by=world.participant)


def test_only_the_graduate_themselves(world):
    with pytest.raises(PermissionDenied):  # did not complete the class
        services.plan_save(nomination=world.failed, rows=plan_rows(world), by=world.failed_user)
    with pytest.raises(PermissionDenied):  # someone else's nomination
        services.plan_save(nomination=world.colleague, rows=plan_rows(world), by=world.participant)
    with pytest.raises(PermissionDenied):  # an organizer does not file a participant's plan
        services.plan_save(nomination=world.me_recent, rows=plan_rows(world), by=world.organizer)
    assert not ImplementationPlan.unscoped.exists()


# --- The survey's timing ---------------------------------------------------------------------------------------

def test_the_survey_opens_on_its_due_day_not_before(world):
    due = selectors.survey_due(world.me_recent)
    assert due == selectors.add_months(world.recent_phase.ends_on, 3)
    with pytest.raises(ActionRefused, match=f"opens on {due}, 3 months after your class"):
        services.survey_submit(nomination=world.me_recent, by=world.participant,
                               now=noon(due - datetime.timedelta(days=1)), **SURVEY)
    report = services.survey_submit(nomination=world.me_recent, by=world.participant, now=noon(due), **SURVEY)
    assert report.due_on == due and report.choices == SURVEY["choices"] and report.texts["further_needs"]
    with pytest.raises(ActionRefused, match="already answered"):
        services.survey_submit(nomination=world.me_recent, by=world.participant,
                               now=noon(due + datetime.timedelta(days=1)), **SURVEY)
    assert FollowUpReport.unscoped.filter(nomination=world.me_recent).count() == 1


def test_follow_up_months_is_a_setting(world):
    rules = {**settings.DANGJIAN_RULES, "follow_up_months": 6}
    with override_settings(DANGJIAN_RULES=rules):
        due = selectors.survey_due(world.me_recent)
        assert due == selectors.add_months(world.recent_phase.ends_on, 6)
        with pytest.raises(ActionRefused, match="6 months after"):
            services.survey_submit(nomination=world.me_recent, by=world.participant,
                                   now=noon(selectors.add_months(world.recent_phase.ends_on, 3)), **SURVEY)


def test_survey_answers_are_checked_against_the_form(world):
    with pytest.raises(ValidationError) as caught:
        services.survey_submit(nomination=world.me_earlier, by=world.participant,
                               choices={"methods_applied": ["no_such_method"]}, texts={"branch_changes": "x" * 2001})
    assert any("not one of the options" in message for message in caught.value.messages)
    assert any("at most 2000 characters" in message for message in caught.value.messages)
    assert not FollowUpReport.unscoped.filter(nomination=world.me_earlier).exists()


# --- The unit's confirmation ------------------------------------------------------------------------------------

def test_a_unit_admin_sees_and_confirms_only_their_organs_reports(world):
    stranger_report = services.survey_submit(nomination=world.stranger, by=_user_of(world.stranger), **SURVEY)
    assert list(selectors.unit_reports(user=world.admin)) == [world.colleague_report]
    assert list(selectors.unit_reports(user=world.other_admin)) == [stranger_report]
    with pytest.raises(PermissionDenied):
        services.unit_confirm(report=stranger_report, decision=Decision.CONFIRMED, answers={"unit_rating": 4},
                              by=world.admin)
    confirmation = services.unit_confirm(report=world.colleague_report, decision=Decision.CONFIRMED,
                                         answers={"unit_rating": "4", "unit_comment": ""}, by=world.admin)
    assert confirmation.answers == {"unit_rating": 4} and confirmation.confirmed_by == world.admin
    assert list(selectors.unit_reports(user=world.admin)) == []
    assert list(selectors.unit_reports(user=world.admin, pending=False)) == [world.colleague_report]
    with pytest.raises(ActionRefused, match="already been confirmed"):
        services.unit_confirm(report=world.colleague_report, decision=Decision.COMMENTED,
                              answers={"unit_rating": 3, "unit_comment": "再议"}, by=world.admin)
    assert AuditEntry.objects.filter(model="followup.unitconfirmation", action="create").count() == 1


def test_a_comment_needs_its_words_and_a_rating_its_level(world):
    with pytest.raises(ValidationError, match="write the comment"):
        services.unit_confirm(report=world.colleague_report, decision=Decision.COMMENTED,
                              answers={"unit_rating": 3}, by=world.admin)
    with pytest.raises(ValidationError, match="choose a level"):
        services.unit_confirm(report=world.colleague_report, decision=Decision.CONFIRMED, answers={}, by=world.admin)
    with pytest.raises(ValidationError, match="Choose whether"):
        services.unit_confirm(report=world.colleague_report, decision="maybe", answers={"unit_rating": 3},
                              by=world.admin)
    assert not UnitConfirmation.unscoped.exists()


def _user_of(nomination):
    from tests.factories import UserFactory

    return UserFactory(roles=["participant"], person=nomination.person)


# --- Overview and reminders --------------------------------------------------------------------------------------

def test_the_overview_counts_per_organ_and_filters_by_state(world):
    services.survey_submit(nomination=world.me_earlier, by=world.participant, **SURVEY)
    counts = {row.organ_id: row for row in selectors.organ_counts(world.earlier)}
    assert (counts[world.organ.pk].completed, counts[world.organ.pk].reports) == (2, 2)
    assert (counts[world.other.pk].completed, counts[world.other.pk].reports) == (1, 0)
    reported = selectors.program_graduates(world.earlier, state=FollowUpState.REPORTED)
    assert {r.nomination_id for r in reported} == {world.me_earlier.pk, world.colleague.pk}
    assert [r.nomination_id for r in selectors.program_graduates(world.earlier, organ_id=world.other.pk)] == [
        world.stranger.pk]
    # The recent class lists only who completed it
    assert {r.nomination_id for r in selectors.program_graduates(world.recent)} == {world.me_recent.pk}
    outcome = selectors.outcomes(world.earlier)
    methods = {option["id"]: option["count"] for option in outcome["choices"][0]["options"]}
    assert methods["themed_party_day"] == 1 and methods["integration"] == 1 and outcome["reports"] == 2


def test_reminders_are_composed_once_to_the_right_people(world):
    outcome = services.reminders_compose(program=world.earlier, by=world.organizer)
    # due and not answered: me and the stranger (the colleague answered); the unit admin of the colleague's organ
    assert (outcome.participants, outcome.units, outcome.unreachable) == (2, 1, [])
    due = Message.unscoped.filter(kind=MessageKind.FOLLOW_UP_DUE, program=world.earlier)
    assert set(due.values_list("person_id", flat=True)) == {world.me_earlier.person_id, world.stranger.person_id}
    confirm = Message.unscoped.get(kind=MessageKind.FOLLOW_UP_CONFIRMATION)
    assert confirm.user == world.admin and "1" in confirm.body and "/followup/confirmations/" in confirm.body
    again = services.reminders_compose(program=world.earlier, by=world.organizer)
    assert (again.participants, again.units) == (0, 0) and Message.unscoped.count() == 3
    # The recent class: nobody is due yet, nothing awaits a unit
    assert services.reminders_compose(program=world.recent, by=world.organizer).count == 0
    with pytest.raises(PermissionDenied):
        services.reminders_compose(program=world.earlier, by=world.admin)
