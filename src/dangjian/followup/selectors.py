"""Reads of the follow-up (成果转化): the participant's own follow-ups and why a write is refused now (in words),
the unit's reports awaiting confirmation, and a program's overview (counts per organ, the list, the outcomes) —
each in a constant number of queries. Nothing here orders people by what they reported: lists are by organ and
name (no rankings of people)."""

import calendar
import datetime
from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.completion.models import CompletionResult
from dangjian.core.conf import rule
from dangjian.enrollment.enums import NominationStatus
from dangjian.enrollment.models import Nomination
from dangjian.evaluation import selectors as evaluation_selectors
from dangjian.evaluation.definitions import label
from dangjian.evaluation.enums import FormKind
from dangjian.followup.enums import Decision, FollowUpState
from dangjian.followup.models import FollowUpReport, ImplementationPlan, UnitConfirmation
from dangjian.organizations.models import organ_order
from dangjian.training.enums import CLOSED_STATUSES


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later (the month's last day when it has fewer days: 30 Nov + 3 → 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def class_end(nomination) -> datetime.date:
    """The last day of the participant's phase (their class), else of the program's last phase."""
    placement = getattr(nomination, "placement", None)
    if placement is not None:
        return placement.phase.ends_on
    return nomination.program.phases.order_by("-ends_on").values_list("ends_on", flat=True).first()


def plan_deadline(nomination) -> datetime.date:
    return class_end(nomination) + datetime.timedelta(days=int(rule("follow_up_plan_days")))


def survey_due(nomination) -> datetime.date:
    return add_months(class_end(nomination), int(rule("follow_up_months")))


def plan_refusal(nomination, *, now: datetime.datetime | None = None) -> str | None:
    """Why the participant may not file or change their plan now; None when they may."""
    if nomination.program.status not in CLOSED_STATUSES:
        return _("The follow-up starts when the class has closed.")
    today = timezone.localdate(now or timezone.now())
    deadline = plan_deadline(nomination)
    if today > deadline:
        return _("The implementation plan was due by %(date)s: it can no longer be changed.") % {"date": deadline}
    return None


def survey_refusal(nomination, *, now: datetime.datetime | None = None, answered: bool | None = None) -> str | None:
    """Why the participant may not answer the follow-up survey now; None when they may."""
    if nomination.program.status not in CLOSED_STATUSES:
        return _("The follow-up starts when the class has closed.")
    if answered is None:
        answered = FollowUpReport.unscoped.filter(nomination=nomination).exists()
    if answered:
        return _("You have already answered the follow-up survey.")
    today = timezone.localdate(now or timezone.now())
    due = survey_due(nomination)
    if today < due:
        return _("The follow-up survey opens on %(date)s, %(months)d months after your class.") % {
            "date": due, "months": int(rule("follow_up_months"))}
    return None


def follow_up_form(program):
    """The follow-up form the program uses (its own copy, else the default of evaluation.yaml)."""
    return evaluation_selectors.form_in_use(program, FormKind.FOLLOW_UP)


# --- The participant ------------------------------------------------------------------------------------

def _graduates():
    return (Nomination.unscoped.filter(status=NominationStatus.CONFIRMED, completion_result__completed=True,
                                       program__status__in=CLOSED_STATUSES)
            .select_related("program", "organ", "placement__phase", "completion_result", "implementation_plan",
                            "follow_up_report__confirmation"))


def my_graduations(*, user) -> list[Nomination]:
    """The participant's nominations of closed classes they completed, the latest first. One query."""
    if not getattr(user, "person_id", None):
        return []
    return list(_graduates().filter(person_id=user.person_id).order_by("-placement__phase__ends_on", "-id"))


def my_graduation(*, user, program_pk: int) -> Nomination:
    """The participant's nomination of this program, when they completed the closed class; 404 otherwise."""
    found = next((n for n in my_graduations(user=user) if n.program_id == program_pk), None)
    if found is None:
        raise Http404
    return found


def plan_of(nomination) -> ImplementationPlan | None:
    try:
        return nomination.implementation_plan
    except ImplementationPlan.DoesNotExist:
        return None


def report_of(nomination) -> FollowUpReport | None:
    try:
        return nomination.follow_up_report
    except FollowUpReport.DoesNotExist:
        return None


def confirmation_of(report) -> UnitConfirmation | None:
    if report is None:
        return None
    try:
        return report.confirmation
    except UnitConfirmation.DoesNotExist:
        return None


def state_of(nomination) -> str:
    report = report_of(nomination)
    if report is not None:
        confirmation = confirmation_of(report)
        if confirmation is None:
            return FollowUpState.REPORTED
        return FollowUpState.CONFIRMED if confirmation.decision == Decision.CONFIRMED else FollowUpState.COMMENTED
    return FollowUpState.PLANNED if plan_of(nomination) is not None else FollowUpState.NO_PLAN


# --- The unit's party organization ------------------------------------------------------------------------

def unit_reports(*, user, pending: bool = True):
    """The follow-up reports of the unit administrator's own organs' participants: awaiting confirmation
    (`pending`), or confirmed / commented on (latest first)."""
    reports = (FollowUpReport.objects.visible_to(user).filter(nomination__organ__in=user.organ_ids)
               .select_related("nomination__person", "nomination__organ", "program", "form", "confirmation",
                               "nomination__implementation_plan"))
    if pending:
        return reports.filter(confirmation__isnull=True).order_by("submitted_at", "id")
    return reports.filter(confirmation__isnull=False).order_by("-confirmation__confirmed_at", "-id")


def unit_report_get(*, user, pk: int) -> FollowUpReport:
    """One report of the unit administrator's organs (404 otherwise)."""
    report = (FollowUpReport.objects.visible_to(user).filter(nomination__organ__in=user.organ_ids, pk=pk)
              .select_related("nomination__person", "nomination__organ", "program", "form",
                              "nomination__implementation_plan", "nomination__placement__phase").first())
    if report is None:
        raise Http404
    return report


# --- A program's overview (organizers) ----------------------------------------------------------------------

STATE_FILTERS = {
    FollowUpState.NO_PLAN: Q(nomination__implementation_plan__isnull=True, nomination__follow_up_report__isnull=True),
    FollowUpState.PLANNED: Q(nomination__implementation_plan__isnull=False, nomination__follow_up_report__isnull=True),
    FollowUpState.REPORTED: Q(nomination__follow_up_report__isnull=False,
                              nomination__follow_up_report__confirmation__isnull=True),
    FollowUpState.CONFIRMED: Q(nomination__follow_up_report__confirmation__decision=Decision.CONFIRMED),
    FollowUpState.COMMENTED: Q(nomination__follow_up_report__confirmation__decision=Decision.COMMENTED),
}


def program_graduates(program, *, organ_id: int | None = None, state: str = ""):
    """The stored results of those who completed the program, with their plan, report and confirmation; by
    organ (the official list) and name. Filters: an organ, a state (FollowUpState)."""
    results = (CompletionResult.unscoped.filter(program=program, completed=True)
               .select_related("nomination__person", "nomination__organ", "nomination__program",
                               "nomination__placement__phase", "nomination__implementation_plan",
                               "nomination__follow_up_report__confirmation")
               .order_by(*organ_order("nomination__organ__"), "nomination__person__name_sort", "nomination_id"))
    if organ_id:
        results = results.filter(nomination__organ_id=organ_id)
    if state in STATE_FILTERS:
        results = results.filter(STATE_FILTERS[state])
    return results


@dataclass(frozen=True)
class OrganCounts:
    organ_id: int
    organ_name: str
    completed: int
    plans: int
    reports: int
    confirmed: int
    commented: int


def organ_counts(program) -> list[OrganCounts]:
    """Per organ (the official list): how many completed, filed a plan, answered the survey, were confirmed or
    commented on. One query."""
    rows = (CompletionResult.unscoped.filter(program=program, completed=True)
            .values("nomination__organ_id", "nomination__organ__name_zh")
            .annotate(completed=Count("id"), plans=Count("nomination__implementation_plan"),
                      reports=Count("nomination__follow_up_report"),
                      confirmed=Count("nomination__follow_up_report__confirmation",
                                      filter=Q(nomination__follow_up_report__confirmation__decision=Decision.CONFIRMED)),
                      commented=Count("nomination__follow_up_report__confirmation",
                                      filter=Q(nomination__follow_up_report__confirmation__decision=Decision.COMMENTED)))
            .order_by(*organ_order("nomination__organ__")))
    return [OrganCounts(organ_id=row["nomination__organ_id"], organ_name=row["nomination__organ__name_zh"],
                        completed=row["completed"], plans=row["plans"], reports=row["reports"],
                        confirmed=row["confirmed"], commented=row["commented"]) for row in rows]


def totals(counts: list[OrganCounts]) -> dict:
    return {name: sum(getattr(row, name) for row in counts)
            for name in ("completed", "plans", "reports", "confirmed", "commented")}


def outcomes(program) -> dict:
    """The survey's answers summarised (no person named, none ranked): per choice, how many chose each option;
    per rated row and per rated unit item, how many gave each level; how many answered each open question. Two
    queries (the form, the answers)."""
    form = follow_up_form(program)
    definition = form.definition
    reports = list(FollowUpReport.unscoped.filter(program=program).values_list("scores", "choices", "texts"))
    unit_answers = [answers for answers in UnitConfirmation.unscoped.filter(report__program=program)
                    .values_list("answers", flat=True)]
    choice_counts = {row["id"]: Counter() for row in definition.get("choices", [])}
    score_counts = {row["id"]: Counter() for row in definition.get("dimensions", [])}
    text_counts = Counter()
    for scores, choices, texts in reports:
        for key, picked in (choices or {}).items():
            if key in choice_counts:
                choice_counts[key].update(picked)
        for key, level in (scores or {}).items():
            if key in score_counts:
                score_counts[key][int(level)] += 1
        text_counts.update(key for key, text in (texts or {}).items() if text)
    levels = [{"value": level["value"], "label": label(level)} for level in definition["levels"]]
    rated_unit_items = [row for row in definition.get("unit_items", []) if row.get("type") == "likert4"]
    unit_counts = {row["id"]: Counter() for row in rated_unit_items}
    for answers in unit_answers:
        for key, level in (answers or {}).items():
            if key in unit_counts and level not in (None, ""):
                unit_counts[key][int(level)] += 1
    return {
        "reports": len(reports),
        "choices": [{"id": row["id"], "label": label(row),
                     "options": [{"id": option["id"], "label": label(option),
                                  "count": choice_counts[row["id"]][option["id"]]}
                                 for option in row.get("options", [])]}
                    for row in definition.get("choices", [])],
        "ratings": [{"id": row["id"], "label": label(row),
                     "levels": [{**level, "count": counts[row["id"]][level["value"]]} for level in levels]}
                    for rows, counts in ((definition.get("dimensions", []), score_counts),
                                         (rated_unit_items, unit_counts)) for row in rows],
        "texts": [{"id": row["id"], "label": label(row), "count": text_counts[row["id"]]}
                  for row in definition.get("open_questions", [])],
    }


# --- Reminders ------------------------------------------------------------------------------------------------

def due_without_report(program, *, now: datetime.datetime | None = None) -> list[Nomination]:
    """Those who completed the program, whose follow-up survey is due and who have not answered it. One query."""
    today = timezone.localdate(now or timezone.now())
    candidates = (Nomination.unscoped.filter(program=program, status=NominationStatus.CONFIRMED,
                                             completion_result__completed=True, follow_up_report__isnull=True)
                  .select_related("program", "person", "organ", "placement__phase").order_by("organ_id", "id"))
    return [nomination for nomination in candidates if survey_due(nomination) <= today]


def organs_with_pending_confirmations(program):
    """The organs of the program's participants whose reports await their unit's confirmation."""
    from dangjian.organizations.models import Organ

    pending = FollowUpReport.unscoped.filter(program=program, confirmation__isnull=True)
    return (Organ.unscoped.filter(pk__in=pending.values("nomination__organ_id"))
            .annotate(pending=Count("nominations", filter=Q(nominations__program=program,
                                                             nominations__follow_up_report__isnull=False,
                                                             nominations__follow_up_report__confirmation__isnull=True)))
            .order_by("id"))
