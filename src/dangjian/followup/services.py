"""Writes of the follow-up (成果转化): the participant's implementation plan and follow-up report, the unit's
confirmation, and the organizers' reminders through the outbox. Each asks its permission first
(core.rules.require), then the timing in words (followup.selectors), validates all rows (errors name the row or
the question; nothing half-written) and is audited (core.services.model_create / model_update). Not anonymous: the
report is the participant's own, confirmed by their unit."""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from dangjian.core.rules import ActionRefused, require
from dangjian.core.services import model_create, model_update
from dangjian.evaluation.definitions import label
from dangjian.evaluation.services import clean_answer
from dangjian.followup import selectors
from dangjian.followup.enums import Decision
from dangjian.followup.models import FollowUpReport, ImplementationPlan, UnitConfirmation

PLAN_ROWS_MAX = 20
PLAN_ACTION_MAX = 500
PLAN_HORIZON_DAYS = 3 * 366  # a due date at most about three years after the class


@dataclass(frozen=True)
class PlanRow:
    action: str
    due: datetime.date | str | None


def _clean_plan(nomination, rows: list) -> list[dict]:
    """The plan's rows as stored ([{"action", "due"}], by due date); blank rows are dropped. Errors name the
    row (as numbered on the form)."""
    errors, clean = [], []
    start = selectors.class_end(nomination)
    if len(rows) > PLAN_ROWS_MAX:
        raise ValidationError({"items": _("A plan has at most %(max)d rows.") % {"max": PLAN_ROWS_MAX}})
    for number, row in enumerate(rows, start=1):
        if isinstance(row, dict):
            row = PlanRow(action=row.get("action", ""), due=row.get("due"))
        action = str(row.action or "").strip()
        due = row.due
        if not action and due in (None, ""):
            continue
        where = {"row": number}
        if not action:
            errors.append(_("Row %(row)d: say what you will change.") % where)
        elif len(action) > PLAN_ACTION_MAX:
            errors.append(_("Row %(row)d: at most %(max)d characters.") % {**where, "max": PLAN_ACTION_MAX})
        if due in (None, ""):
            errors.append(_("Row %(row)d: give the date by which it will be done.") % where)
            continue
        if isinstance(due, str):
            try:
                parsed = parse_date(due.strip())
            except ValueError:
                parsed = None
            if parsed is None:
                errors.append(_("Row %(row)d: “%(value)s” is not a date (YYYY-MM-DD).") % {**where, "value": due})
                continue
            due = parsed
        if due < start:
            errors.append(_("Row %(row)d: the date is before the end of your class (%(date)s).")
                          % {**where, "date": start})
        elif due > start + datetime.timedelta(days=PLAN_HORIZON_DAYS):
            errors.append(_("Row %(row)d: the date is more than three years after your class.") % where)
        elif action:
            clean.append({"action": action, "due": due.isoformat()})
    if not errors and not clean:
        errors.append(_("Write at least one row: what you will change and by when."))
    if errors:
        raise ValidationError({"items": errors})
    return sorted(clean, key=lambda row: row["due"])


def plan_save(*, nomination, rows: list, by, now: datetime.datetime | None = None) -> ImplementationPlan:
    """File or change the participant's implementation plan, until its deadline (follow_up_plan_days after the
    last day of their phase). All rows or none."""
    require(by, "followup.file_plan", nomination)
    now = now or timezone.now()
    reason = selectors.plan_refusal(nomination, now=now)
    if reason:
        raise ActionRefused(reason)
    items = _clean_plan(nomination, rows)
    with transaction.atomic():
        plan = ImplementationPlan.unscoped.select_for_update().filter(nomination=nomination).first()
        if plan is None:
            return model_create(instance=ImplementationPlan(
                nomination=nomination, program=nomination.program, items=items, submitted_at=now, updated_at=now),
                by=by)
        return model_update(instance=plan, by=by, data={"items": items, "updated_at": now})


def survey_options(form) -> dict[str, list[str]]:
    return {row["id"]: [option["id"] for option in row.get("options", [])]
            for row in form.definition.get("choices", [])}


def survey_submit(*, nomination, by, scores: dict | None = None, choices: dict | None = None,
                  texts: dict | None = None, now: datetime.datetime | None = None) -> FollowUpReport:
    """The participant's answer to the follow-up survey, once, from its due day (follow_up_months after their
    class). Checked against the program's follow-up form as the evaluation's answers are (errors name the
    question)."""
    require(by, "followup.answer_survey", nomination)
    now = now or timezone.now()
    reason = selectors.survey_refusal(nomination, now=now)
    if reason:
        raise ActionRefused(reason)
    form = selectors.follow_up_form(nomination.program)
    clean = clean_answer(definition=form.definition, teaching_form=None, scores=scores or {},
                         choices=choices or {}, texts=texts or {}, options=survey_options(form))
    try:
        with transaction.atomic():
            return model_create(instance=FollowUpReport(
                nomination=nomination, program=nomination.program, form=form,
                due_on=selectors.survey_due(nomination), scores=clean[0], choices=clean[1], texts=clean[2],
                submitted_at=now), by=by, lookups=False)
    except IntegrityError:
        raise ActionRefused(_("You have already answered the follow-up survey.")) from None


def unit_item_definition(form) -> dict:
    """The unit's items of the follow-up form as a form of their own (rated items, texts) for clean_answer."""
    items = form.definition.get("unit_items", [])
    return {"levels": form.definition["levels"],
            "dimensions": [row for row in items if row.get("type") == "likert4"],
            "open_questions": [{**row, "required": bool(row.get("required", False))}
                               for row in items if row.get("type") == "text"]}


def unit_confirm(*, report, decision: str, answers: dict, by,
                 now: datetime.datetime | None = None) -> UnitConfirmation:
    """The unit's party organization confirms a report, or comments on it (then a comment is needed), with the
    form's unit items. Once."""
    require(by, "followup.confirm", report)
    if decision not in Decision.values:
        raise ValidationError({"decision": _("Choose whether you confirm the report or comment on it.")})
    definition = unit_item_definition(report.form)
    scores, _choices, texts = clean_answer(
        definition=definition, teaching_form=None, scores=answers or {}, choices={},
        texts={row["id"]: (answers or {}).get(row["id"], "") for row in definition["open_questions"]}, options={})
    if decision == Decision.COMMENTED and definition["open_questions"] and not texts:
        raise ValidationError({"answers": _("“%(question)s”: write the comment.") % {
            "question": label(definition["open_questions"][0])}})
    try:
        with transaction.atomic():
            return model_create(instance=UnitConfirmation(
                report=report, decision=decision, answers={**scores, **texts}, confirmed_by=by,
                confirmed_at=now or timezone.now()), by=by, lookups=False)
    except IntegrityError:
        raise ActionRefused(_("This follow-up report has already been confirmed or commented on.")) from None


# --- Reminders ---------------------------------------------------------------------------------------------------

@dataclass
class Reminders:
    """What "send reminders" composed: drafts to participants and to unit administrators; who has no address."""

    participants: int = 0
    units: int = 0
    unreachable: list[str] = field(default_factory=list)
    program_id: int | None = None

    @property
    def count(self) -> int:
        return self.participants + self.units


@transaction.atomic
def reminders_compose(*, program, by, now: datetime.datetime | None = None) -> Reminders:
    """Draft reminders into the outbox (an organizer sends them there): to those whose follow-up survey is due
    and who have not answered, and to the unit administrators of organs with reports awaiting confirmation. A
    person or organ that already has an unsent reminder of this program gets no second one."""
    from dangjian.enrollment.messaging import participant_recipient
    from dangjian.outbox.enums import MessageKind, MessageStatus
    from dangjian.outbox.models import Message
    from dangjian.outbox.services import absolute_url, messages_compose, organ_admin_recipients, reachable

    require(by, "followup.send_reminders", program)
    unsent = Message.unscoped.filter(program=program, status__in=(MessageStatus.DRAFT, MessageStatus.QUEUED,
                                                                  MessageStatus.SENDING))
    reminded = set(unsent.filter(kind=MessageKind.FOLLOW_UP_DUE).values_list("person_id", flat=True))
    outcome = Reminders(program_id=program.pk)
    recipients = []
    survey_link = absolute_url(reverse("my_followup_survey", args=[program.pk]))
    for nomination in selectors.due_without_report(program, now=now):
        if nomination.person_id in reminded:
            continue
        recipient = participant_recipient(nomination, context={"due": selectors.survey_due(nomination),
                                                               "link": survey_link})
        if reachable(recipient):
            recipients.append(recipient)
        else:
            outcome.unreachable.append(nomination.person.name)
    if recipients:
        outcome.participants = len(messages_compose(kind=MessageKind.FOLLOW_UP_DUE, program=program, by=by,
                                                    recipients=recipients))
    organs_reminded = set(unsent.filter(kind=MessageKind.FOLLOW_UP_CONFIRMATION).values_list("organ_id", flat=True))
    organs = [organ for organ in selectors.organs_with_pending_confirmations(program)
              if organ.pk not in organs_reminded]
    confirm_link = absolute_url(reverse("followup_confirmations"))
    admins, unreachable = organ_admin_recipients(organs, {organ.pk: {"pending": organ.pending, "link": confirm_link}
                                                          for organ in organs})
    outcome.unreachable.extend(unreachable)
    if admins:
        outcome.units = len(messages_compose(kind=MessageKind.FOLLOW_UP_CONFIRMATION, program=program, by=by,
                                             recipients=admins))
    return outcome
