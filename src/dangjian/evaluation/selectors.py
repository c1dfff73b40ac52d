"""Reads of evaluation: the forms a program uses, what a participant may answer now (and why not), the
response rates of a program's sessions and — for the head teacher only — who has not answered. Each in a constant
number of queries. No read here joins an answer to a person: answers have none (evaluation.models)."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.enrollment.enums import NominationStatus
from dangjian.enrollment.models import Nomination, Placement
from dangjian.evaluation.enums import FormKind
from dangjian.evaluation.models import EvaluationForm, EvaluationReceipt
from dangjian.training.models import Session


def rule(name: str) -> int:
    return int(settings.DANGJIAN_RULES[name])


# --- Forms ------------------------------------------------------------------------------------------

def default_forms() -> dict[str, EvaluationForm]:
    """{kind: default form}; loaded from evaluation.yaml when missing (the migration loads them; a database
    emptied since, as by a browser test, gets them again on first use)."""
    forms = {form.kind: form for form in EvaluationForm.objects.filter(program__isnull=True)}
    if len(forms) < len(FormKind.values):
        from dangjian.evaluation.services import default_forms_load

        default_forms_load()
        forms = {form.kind: form for form in EvaluationForm.objects.filter(program__isnull=True)}
    return forms


def program_forms(program) -> dict[str, EvaluationForm]:
    """{kind: the form the program uses}: its own copy, else the default. Two queries."""
    forms = default_forms()
    forms.update({form.kind: form for form in EvaluationForm.objects.filter(program=program)})
    return forms


def form_in_use(program, kind: str) -> EvaluationForm:
    own = EvaluationForm.objects.filter(program=program, kind=kind).first()
    return own or default_forms()[kind]


def form_has_answers(form) -> bool:
    return form.answers.exists() or form.receipts.exists()


# --- What a participant may answer ------------------------------------------------------------------

def my_placements(*, user):
    """The participant's placements (confirmed nominations placed in a phase), with phase and program."""
    if not getattr(user, "person_id", None):
        return Placement.unscoped.none()
    return (Placement.unscoped.filter(nomination__person_id=user.person_id,
                                      nomination__status=NominationStatus.CONFIRMED)
            .select_related("nomination__program", "phase__program", "group"))


def on_roster(session, placement) -> bool:
    return session.phase_id == placement.phase_id and (not session.group_id or session.group_id == placement.group_id)


# The kinds of session no card is asked for (evaluation.yaml's applies_to_forms leaves them out): the ceremonies,
# the assessment and travel. The one list: the card's refusal, the participant's pending cards, the analysis and
# the demo read it.
NOT_EVALUATED = ("opening", "closing", "assessment", "travel")


def card_refusal(*, session, placement, now: datetime.datetime | None = None, answered: bool = False) -> str | None:
    """Why this participant may not answer this session's card now, in words; None when they may."""
    now = now or timezone.now()
    if placement is None or not on_roster(session, placement):
        return _("This session is not on your timetable.")
    if answered:
        return _("You have already evaluated this session.")
    if session.ends_at > now:
        return _("A session is evaluated after it has ended.")
    if now - session.ends_at > datetime.timedelta(days=rule("evaluation_card_days")):
        return _("This session ended more than %(days)d days ago: its card is closed.") % {
            "days": rule("evaluation_card_days")}
    if session.form in NOT_EVALUATED:
        return _("No card is asked for this kind of session (ceremonies, the assessment, travel).")
    return None


def questionnaire_window(phase) -> tuple[datetime.date, datetime.date]:
    """The days on which the program questionnaire may be answered: around the last day of the phase."""
    return (phase.ends_on - datetime.timedelta(days=rule("evaluation_questionnaire_days_before_end")),
            phase.ends_on + datetime.timedelta(days=rule("evaluation_questionnaire_days_after_end")))


def questionnaire_refusal(*, placement, now: datetime.datetime | None = None, answered: bool = False) -> str | None:
    if placement is None:
        return _("You are not a participant of this class.")
    if answered:
        return _("You have already answered the program questionnaire.")
    today = timezone.localdate(now or timezone.now())
    opens, closes = questionnaire_window(placement.phase)
    if today < opens:
        return _("The program questionnaire opens on %(date)s.") % {"date": opens}
    if today > closes:
        return _("The program questionnaire closed on %(date)s.") % {"date": closes}
    return None


@dataclass(frozen=True)
class Pending:
    """Something the participant may answer now: a session's card (session set) or a program questionnaire."""

    placement: Placement
    kind: str
    session: Session | None = None

    @property
    def program(self):
        return self.placement.phase.program


def my_pending(*, user, now: datetime.datetime | None = None) -> list[Pending]:
    """The cards of the participant's ended sessions not yet answered (within the days a card stays open), the
    latest first, then the program questionnaires open now. Three queries whatever the number of sessions."""
    now = now or timezone.now()
    placements = list(my_placements(user=user))
    if not placements:
        return []
    since = now - datetime.timedelta(days=rule("evaluation_card_days"))
    sessions = (Session.unscoped.filter(phase_id__in=[p.phase_id for p in placements], ends_at__lte=now,
                                        ends_at__gte=since).exclude(form__in=NOT_EVALUATED)
                .select_related("course", "group").order_by("-ends_at", "id"))
    receipts = set(EvaluationReceipt.objects.filter(nomination_id__in=[p.nomination_id for p in placements])
                   .values_list("nomination_id", "form__kind", "session_id"))
    answered_sessions = {(n, s) for n, kind, s in receipts if kind == FormKind.SESSION_CARD}
    answered_programs = {n for n, kind, _s in receipts if kind == FormKind.PROGRAMME}
    by_phase = {p.phase_id: p for p in placements}
    pending = []
    for session in sessions:
        placement = by_phase[session.phase_id]
        if (placement.nomination_id, session.pk) in answered_sessions:
            continue
        if card_refusal(session=session, placement=placement, now=now) is None:
            pending.append(Pending(placement=placement, kind=FormKind.SESSION_CARD, session=session))
    for placement in placements:
        if questionnaire_refusal(placement=placement, now=now,
                                 answered=placement.nomination_id in answered_programs) is None:
            pending.append(Pending(placement=placement, kind=FormKind.PROGRAMME))
    return pending


def my_placement_for_session(*, user, session) -> Placement | None:
    return next((p for p in my_placements(user=user) if on_roster(session, p)), None)


def my_placement_in_program(*, user, program) -> Placement | None:
    return my_placements(user=user).filter(nomination__program=program).first()


def has_receipt(*, nomination_id: int, kind: str, session=None) -> bool:
    """Answered already: this participant, a form of this kind (for this session)."""
    return EvaluationReceipt.objects.filter(nomination_id=nomination_id, form__kind=kind, session=session).exists()


def program_has_receipts(program, kind: str) -> bool:
    """Someone of the program has answered a form of this kind (then its form is no longer replaced)."""
    return EvaluationReceipt.objects.filter(nomination__program=program, form__kind=kind).exists()


def class_sessions(placement) -> list[Session]:
    """The sessions of a participant's roster that carry hours and are evaluated (options of "the sessions you liked
    most": not the ceremonies, the assessment or travel)."""
    sessions = (Session.unscoped.filter(phase_id=placement.phase_id, hours__gt=0).exclude(form__in=NOT_EVALUATED)
                .order_by("starts_at", "id"))
    return [session for session in sessions if on_roster(session, placement)]


# --- Response rates and non-respondents -------------------------------------------------------------

@dataclass(frozen=True)
class RateRow:
    session: Session
    roster: int
    answered: int

    @property
    def rate(self) -> float | None:
        return self.answered / self.roster if self.roster else None

    @property
    def percent(self) -> int | None:
        return round(self.answered * 100 / self.roster) if self.roster else None


def response_rates(program) -> list[RateRow]:
    """Per session of the program (time order): the size of its roster and how many have answered its card.
    Three queries whatever the number of sessions and participants."""
    sessions = list(Session.unscoped.filter(phase__program=program).select_related("phase", "group", "course")
                    .order_by("starts_at", "phase__number", "group__number", "id"))
    placed = {(phase_id, group_id): count for phase_id, group_id, count in Placement.unscoped.filter(
        phase__program=program, nomination__status=NominationStatus.CONFIRMED).values_list(
        "phase_id", "group_id").annotate(count=Count("id")).order_by()}
    answered = dict(EvaluationReceipt.objects.filter(session__phase__program=program,
                                                     form__kind=FormKind.SESSION_CARD)
                    .values_list("session_id").annotate(count=Count("id")).order_by())
    rows = []
    for session in sessions:
        if session.group_id:
            roster = placed.get((session.phase_id, session.group_id), 0)
        else:
            roster = sum(count for (phase_id, _group), count in placed.items() if phase_id == session.phase_id)
        rows.append(RateRow(session=session, roster=roster, answered=answered.get(session.pk, 0)))
    return rows


def questionnaire_rate(program) -> tuple[int, int]:
    """(answered, participants placed) of the program questionnaire."""
    placed = Placement.unscoped.filter(phase__program=program, nomination__status=NominationStatus.CONFIRMED).count()
    answered = EvaluationReceipt.objects.filter(nomination__program=program, session__isnull=True,
                                                form__kind=FormKind.PROGRAMME).count()
    return answered, placed


def non_respondents(session) -> list[Nomination]:
    """The participants of a session's roster who have not answered its card (head teacher only: see
    evaluation.rules), by name. Two queries."""
    from dangjian.attendance.selectors import roster_placements

    answered = EvaluationReceipt.objects.filter(session=session).values("nomination_id")
    return [placement.nomination for placement in roster_placements(session).exclude(nomination_id__in=answered)]
