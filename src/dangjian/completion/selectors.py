"""Reads of completion: a program's rules, and each participant's result with its reasons in words.

`program_results` is the one place that decides who completed: the results page, the API, the closing pack and
closing the class (which stores what it returns and credits the hours) all read it.
"""

from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from django.db.models import Q
from django.utils.translation import gettext as _

from dangjian.attendance.enums import WithdrawalStatus
from dangjian.attendance.models import Withdrawal
from dangjian.attendance.selectors import ParticipantHours, participant_hours
from dangjian.completion.enums import Crediting, Grade, Reason
from dangjian.completion.models import Assessment, CompletionResult, CompletionRules, Reflection
from dangjian.enrollment.enums import NominationStatus
from dangjian.enrollment.models import Nomination, Placement

ONE_PLACE = Decimal("0.1")


def rules_of(program) -> CompletionRules:
    """The program's completion rules; the defaults (unsaved) when it has set none."""
    try:
        return program.completion_rules
    except CompletionRules.DoesNotExist:
        return CompletionRules(program=program)


@dataclass
class ParticipantResult:
    nomination: Nomination
    placement: Placement
    hours: ParticipantHours
    completed: bool
    credited_hours: Decimal
    reasons: list[dict] = field(default_factory=list)  # [{"code": Reason, ...figures}]

    @property
    def person(self):
        return self.nomination.person

    @property
    def reason_texts(self) -> list[str]:
        return [reason_text(reason) for reason in self.reasons]


def _percent(value: Decimal | str) -> str:
    return f"{(Decimal(value) * 100).quantize(ONE_PLACE, ROUND_HALF_UP)}%"


def reason_text(reason: dict) -> str:
    """A stored or computed reason in words, in the reader's language."""
    code = reason["code"]
    if code == Reason.WITHDRAWN:
        return _("Withdrawn from the class (退学) by the organizer.")
    if code == Reason.ATTENDANCE:
        return _("Attended %(attended)s of %(total)s hours (%(share)s), below the minimum of %(minimum)s.") % {
            "attended": reason["attended_hours"], "total": reason["class_hours"],
            "share": _percent(reason["share"]), "minimum": _percent(reason["minimum"])}
    if code == Reason.LEAVE:
        return _("On leave for %(leave)s of %(total)s hours, over the limit of %(limit)s hours.") % {
            "leave": reason["leave_hours"], "total": reason["class_hours"], "limit": reason["limit_hours"]}
    if code == Reason.REFLECTION:
        if reason.get("state") == "revise":
            return _("The reflection was sent back for revision and has not been resubmitted.")
        if reason.get("state") == "ungraded":
            return _("The reflection has not been graded pass or excellent yet.")
        return _("No reflection was submitted.")
    if code == Reason.ASSESSMENT:
        if reason.get("score") is None:
            return _("No assessment score is recorded (pass mark %(pass_mark)s).") % {"pass_mark": reason["pass_mark"]}
        return _("Assessment score %(score)s, below the pass mark of %(pass_mark)s.") % {
            "score": reason["score"], "pass_mark": reason["pass_mark"]}
    return str(code)


def leave_limit_hours(rules: CompletionRules, class_hours: Decimal) -> Decimal:
    """The most hours of leave within the limit (the limit itself is still within). Rounded down to the tenth of
    an hour that session hours are counted in: rounding half up made 1.6 of 11 hours (more than 1/7) "within"."""
    return (class_hours * rules.max_leave_ratio).quantize(ONE_PLACE, ROUND_DOWN)


def participant_placements(program):
    """Confirmed participants of the program placed in one of its phases, by phase, group and name."""
    return (Placement.unscoped.filter(phase__program=program, nomination__status=NominationStatus.CONFIRMED)
            .select_related("nomination__person", "nomination__organ", "phase", "group")
            .order_by("phase__number", "group__number", "nomination__person__name_sort", "nomination_id"))


def program_results(program, *, placements=None) -> list[ParticipantResult]:
    """Each participant's result under the program's rules, with the reasons when not completed, and the hours
    the ledger would credit. A constant number of queries (placements, sessions, marks, withdrawals, reflections,
    assessments). Unmarked sessions count as not attended: before the class ends the result is provisional."""
    rules = rules_of(program)
    placements = list(participant_placements(program) if placements is None else placements)
    ids = [placement.nomination_id for placement in placements]
    hours = participant_hours(placements)
    withdrawn = set(Withdrawal.unscoped.filter(nomination_id__in=ids, status=WithdrawalStatus.CONFIRMED)
                    .values_list("nomination_id", flat=True))
    reflections = {}
    if rules.require_reflection:
        reflections = dict(Reflection.unscoped.filter(nomination_id__in=ids, submitted_at__isnull=False)
                           .values_list("nomination_id", "grade"))
    scores = {}
    if rules.require_assessment:
        scores = dict(Assessment.unscoped.filter(nomination_id__in=ids).values_list("nomination_id", "score"))
    results = []
    for placement in placements:
        nomination_id = placement.nomination_id
        figures = hours[nomination_id]
        reasons = []
        if nomination_id in withdrawn:
            reasons.append({"code": Reason.WITHDRAWN.value})
        share = figures.attendance_share
        if rules.min_attendance_share is not None and (share or 0) < rules.min_attendance_share:
            reasons.append({"code": Reason.ATTENDANCE.value, "attended_hours": str(figures.attended_hours),
                            "class_hours": str(figures.class_hours), "share": str(share or 0),
                            "minimum": str(rules.min_attendance_share)})
        limit = leave_limit_hours(rules, figures.class_hours)
        if rules.leave_within_limit and figures.leave_hours > limit:
            reasons.append({"code": Reason.LEAVE.value, "leave_hours": str(figures.leave_hours),
                            "class_hours": str(figures.class_hours), "limit_hours": str(limit)})
        if rules.require_reflection:
            reason = reflection_reason(rules, reflections, nomination_id)
            if reason is not None:
                reasons.append(reason)
        if rules.require_assessment:
            score = scores.get(nomination_id)
            if score is None or score < rules.assessment_pass_mark:
                reasons.append({"code": Reason.ASSESSMENT.value, "score": None if score is None else str(score),
                                "pass_mark": str(rules.assessment_pass_mark)})
        completed = not reasons
        results.append(ParticipantResult(
            nomination=placement.nomination, placement=placement, hours=figures, completed=completed,
            credited_hours=credited_hours(program, rules, figures) if completed else Decimal(0), reasons=reasons))
    return results


def reflection_reason(rules: CompletionRules, reflections: dict, nomination_id: int) -> dict | None:
    """Why a required reflection does not count yet, or None when it does. `reflections`: nomination id -> grade
    of the submitted ones. Sent back for revision: never counts; not graded yet: counts unless the rules say it
    must be graded pass or excellent."""
    if nomination_id not in reflections:
        return {"code": Reason.REFLECTION.value}
    grade = reflections[nomination_id]
    if grade == Grade.REVISE:
        return {"code": Reason.REFLECTION.value, "state": "revise"}
    if not grade and rules.reflection_must_pass:
        return {"code": Reason.REFLECTION.value, "state": "ungraded"}
    return None


def credited_hours(program, rules: CompletionRules, figures: ParticipantHours) -> Decimal:
    """The 学时 a participant who completed is credited: days attended × the program's hours per day, or the
    hours of the sessions attended (the program's rules say which)."""
    if rules.crediting == Crediting.PER_SESSION:
        return figures.attended_hours
    return (figures.days_attended * program.hours_per_day).quantize(ONE_PLACE, ROUND_HALF_UP)


# --- Pages and API: the rules in words, the results by page, the assessment grid, reflections -------------------

def rules_in_words(program, rules: CompletionRules | None = None) -> list[str]:
    """The program's completion rules as sentences (the program page, the rules form, the results page)."""
    rules = rules or rules_of(program)
    words = []
    if rules.min_attendance_share is not None:
        words.append(_("Attend at least %(share)s of the class's hours (present or late).")
                     % {"share": _percent(rules.min_attendance_share)})
    if rules.leave_within_limit:
        words.append(_("Leave within %(ratio)s of the class's hours (about 1/7 by default); more and the "
                       "participant does not complete.") % {"ratio": _percent(rules.max_leave_ratio)})
    if rules.require_reflection:
        if rules.reflection_must_pass:
            words.append(_("Submit a reflection (心得体会) graded pass or excellent."))
        else:
            words.append(_("Submit a reflection (心得体会); one sent back for revision counts once resubmitted."))
    if rules.reflection_due_on:
        words.append(_("Reflections are due on %(date)s.") % {"date": rules.reflection_due_on.isoformat()})
    if rules.require_assessment:
        words.append(_("Pass the assessment with at least %(mark)s points.") % {"mark": rules.assessment_pass_mark})
    if not words:
        words.append(_("No condition: every participant who is not withdrawn completes."))
    if rules.crediting == Crediting.PER_SESSION:
        words.append(_("Hours credited: the sum of the hours of the sessions attended."))
    else:
        words.append(_("Hours credited: days attended × %(hours)s hours per day (a day counts when at least half "
                       "of its hours were attended).") % {"hours": program.hours_per_day})
    return words


def is_provisional(program) -> bool:
    """Results are computed from the records until the class closes; then they are the stored ones."""
    from dangjian.training.enums import CLOSED_STATUSES

    return program.status not in CLOSED_STATUSES


def _people_filter(user, program, path: str = "nomination__"):
    """Whose results the user may see: everyone for those who run the class, else their own organs' people."""
    from dangjian.enrollment.scoping import nomination_filter
    from dangjian.training.scoping import manages_venue_of

    if manages_venue_of(user, program):
        return Q()
    return nomination_filter(user, path=path)


def result_placements(program, *, user, q: str = ""):
    """The placements whose provisional results the user may see, by phase, group and name; `q` a part of the
    name."""
    placements = participant_placements(program).filter(_people_filter(user, program))
    if q:
        placements = placements.filter(nomination__person__name__icontains=q)
    return placements


def stored_results(program, *, user, q: str = ""):
    """The results stored when the class closed, those the user may see, in the same order."""
    results = (CompletionResult.unscoped.filter(program=program).filter(_people_filter(user, program))
               .select_related("nomination__person", "nomination__organ", "nomination__placement__phase",
                               "nomination__placement__group")
               .order_by("nomination__placement__phase__number", "nomination__placement__group__number",
                         "nomination__person__name_sort", "nomination_id"))
    if q:
        results = results.filter(nomination__person__name__icontains=q)
    return results


@dataclass(frozen=True)
class ResultRow:
    """One line of the results (page, API, export), provisional or stored."""

    nomination: Nomination
    phase_number: int | None
    group_name: str
    class_hours: Decimal
    attended_hours: Decimal
    leave_hours: Decimal
    days_attended: int
    completed: bool
    reasons: list
    credited_hours: Decimal
    provisional: bool

    @property
    def person(self):
        return self.nomination.person

    @property
    def reason_texts(self) -> list[str]:
        return [reason_text(reason) for reason in self.reasons]


def result_rows(program, placements) -> list[ResultRow]:
    """Provisional rows of the given placements (a page of result_placements), from program_results."""
    return [ResultRow(nomination=r.nomination, phase_number=r.placement.phase.number,
                      group_name=str(r.placement.group or ""), class_hours=r.hours.class_hours,
                      attended_hours=r.hours.attended_hours, leave_hours=r.hours.leave_hours,
                      days_attended=r.hours.days_attended, completed=r.completed, reasons=r.reasons,
                      credited_hours=r.credited_hours, provisional=True)
            for r in program_results(program, placements=placements)]


def stored_rows(results) -> list[ResultRow]:
    """Rows of stored CompletionResults (a page of stored_results)."""
    rows = []
    for result in results:
        placement = getattr(result.nomination, "placement", None)
        rows.append(ResultRow(
            nomination=result.nomination, phase_number=placement.phase.number if placement else None,
            group_name=str(placement.group or "") if placement else "", class_hours=result.class_hours,
            attended_hours=result.attended_hours, leave_hours=result.leave_hours,
            days_attended=result.days_attended, completed=result.completed, reasons=result.reasons,
            credited_hours=result.credited_hours, provisional=False))
    return rows


def assessment_grid(program):
    """Every participant of the program (placed, confirmed) with their assessment (None when not recorded): two
    queries."""
    placements = list(participant_placements(program))
    scores = {assessment.nomination_id: assessment for assessment in Assessment.unscoped.filter(
        nomination_id__in=[placement.nomination_id for placement in placements])}
    return [(placement, scores.get(placement.nomination_id)) for placement in placements]


def submitted_reflections(program):
    """The submitted reflections of the program's participants, by phase, group and name."""
    return (Reflection.unscoped.filter(nomination__program=program, submitted_at__isnull=False)
            .select_related("nomination__person", "nomination__organ", "nomination__placement__phase",
                            "nomination__placement__group")
            .order_by("nomination__placement__phase__number", "nomination__placement__group__number",
                      "nomination__person__name_sort", "nomination_id"))


def my_nomination(*, user, program_pk: int) -> Nomination:
    """The participant's own confirmed nomination in a program (404 otherwise), with its placement."""
    from django.http import Http404

    nomination = (Nomination.unscoped.filter(person_id=user.person_id, program_id=program_pk,
                                             status=NominationStatus.CONFIRMED)
                  .select_related("program", "placement__phase", "person").first()
                  if getattr(user, "person_id", None) else None)
    if nomination is None:
        raise Http404
    return nomination


def my_reflection(nomination) -> Reflection | None:
    return Reflection.unscoped.filter(nomination=nomination).first()


# --- Reflections: the head teacher's list, reading page with previous/next, the participant's page --------------

def reflection_list(program, *, grade: str = ""):
    """The submitted reflections of the program (`grade`: "ungraded", or one of Grade's values), by phase, group and
    name: one query with the person, organ and placement."""
    found = submitted_reflections(program)
    if grade == "ungraded":
        found = found.filter(grade="")
    elif grade in Grade.values:
        found = found.filter(grade=grade)
    return found


def reflection_counts(program) -> dict:
    """How many submitted reflections are ungraded, excellent, pass, revise, and how many participants have none:
    two queries."""
    from django.db.models import Count

    counts = {"ungraded": 0, **{value: 0 for value in Grade.values}}
    for row in (Reflection.unscoped.filter(nomination__program=program, submitted_at__isnull=False)
                .values("grade").annotate(n=Count("pk"))):
        counts[row["grade"] or "ungraded"] += row["n"]
    counts["submitted"] = sum(counts[key] for key in ("ungraded", *Grade.values))
    counts["participants"] = participant_placements(program).count()
    counts["missing"] = max(0, counts["participants"] - counts["submitted"])
    return counts


def reflections_missing(program):
    """The placements of participants without a submitted reflection (for "allow a late one"), by phase and name."""
    submitted = Reflection.unscoped.filter(nomination__program=program, submitted_at__isnull=False)
    return (participant_placements(program).exclude(nomination_id__in=submitted.values("nomination_id"))
            .select_related("nomination__reflection"))


def reflection_get(*, user, pk: int) -> Reflection:
    """One reflection the user may read (the head teachers of its class, its author); 404 otherwise."""
    from django.http import Http404

    reflection = (Reflection.unscoped.filter(pk=pk)
                  .select_related("nomination__person", "nomination__organ", "nomination__program__venue",
                                  "nomination__placement__phase", "nomination__placement__group", "graded_by")
                  .first())
    if reflection is None or not user.has_perm("completion.view_reflection", reflection):
        raise Http404
    return reflection


def reflection_neighbours(reflection, *, grade: str = "") -> tuple[int | None, int | None, int, int]:
    """(previous id, next id, position from 1, count) of the reflection among the program's submitted ones in the
    list's order (with the list's grade filter): one query of ids."""
    ids = list(reflection_list(reflection.nomination.program, grade=grade).values_list("pk", flat=True))
    if reflection.pk not in ids:
        return None, None, 0, len(ids)
    index = ids.index(reflection.pk)
    return (ids[index - 1] if index > 0 else None, ids[index + 1] if index + 1 < len(ids) else None, index + 1,
            len(ids))


def reflection_revisions(reflection):
    """The earlier versions of the reflection (each graded "revise"), oldest first."""
    from dangjian.completion.models import ReflectionRevision

    return ReflectionRevision.objects.filter(reflection=reflection).select_related("graded_by").order_by("version")
