"""Writes of evaluation: loading the default forms, an organizer's copy and edit of a program's form, and a
participant's anonymous answer.

An answer and its receipt are written in one transaction and without an audit entry: the audit trail names the
actor and the record, which would link the person to the answer (the anonymity rule of issue 13). The receipt
says only that the participant answered (for the response rate and the "once" rule), on which date.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core.rules import ActionRefused, require
from dangjian.core.services import model_create, model_update
from dangjian.evaluation import selectors
from dangjian.evaluation.definitions import default_definitions, dimensions_for, label
from dangjian.evaluation.enums import FormKind
from dangjian.evaluation.models import EvaluationAnswer, EvaluationForm, EvaluationReceipt

TEXT_ANSWER_MAX = 2000


def default_forms_load() -> int:
    """Create the default forms missing from the database (from evaluation.yaml); returns how many."""
    created = 0
    existing = set(EvaluationForm.objects.filter(program__isnull=True).values_list("kind", flat=True))
    for kind, data in default_definitions().items():
        if kind in existing:
            continue
        form = EvaluationForm(kind=kind, program=None, **data)
        form.full_clean(validate_constraints=False)
        try:
            with transaction.atomic():
                form.save()
        except IntegrityError:
            continue  # loaded meanwhile by another request
        created += 1
    return created


# --- Forms of a program ---------------------------------------------------------------------------

def form_copy(*, program, kind: str, by) -> EvaluationForm:
    """Give the program its own copy of the default form of this kind (to edit). Refused when the program has
    one, or when its participants have already answered a form of this kind (the answers would mix forms)."""
    require(by, "evaluation.change_forms", program)
    if kind not in FormKind.values:
        raise ValidationError({"kind": _("Unknown kind of form.")})
    if EvaluationForm.objects.filter(program=program, kind=kind).exists():
        raise ValidationError(_("This program already has its own form of this kind."))
    if selectors.program_has_receipts(program, kind):
        raise ValidationError(_("Participants have already answered this form: it can no longer be replaced."))
    source = selectors.default_forms()[kind]
    return model_create(instance=EvaluationForm(
        kind=kind, program=program, title_zh=source.title_zh, title_en=source.title_en,
        definition=source.definition, copied_from=source), by=by)


def form_update(*, form: EvaluationForm, title_zh: str, title_en: str, definition: dict, by) -> EvaluationForm:
    """Change a program's own form (not a default one) while nobody has answered it."""
    if form.program is None:
        raise PermissionDenied(_("A default form is not edited: copy it for a program."))
    require(by, "evaluation.change_forms", form.program)
    if selectors.form_has_answers(form):
        raise ValidationError(_("Participants have already answered this form: it can no longer be changed."))
    return model_update(instance=form, by=by, data={
        "title_zh": title_zh.strip(), "title_en": title_en.strip(), "definition": definition,
        "updated_at": timezone.now()})


# --- Answers ----------------------------------------------------------------------------------------

def clean_answer(*, definition: dict, teaching_form: str | None, scores: dict, choices: dict, texts: dict,
                 options: dict[str, list[str]]) -> tuple[dict, dict, dict]:
    """The answer as stored, checked against the form: every rated row has a level of the scale, each choice
    within its options and count, texts within their length. Errors name the question."""
    errors = []
    levels = {level["value"] for level in definition["levels"]}
    clean_scores = {}
    for row in dimensions_for(definition, teaching_form=teaching_form):
        value = scores.get(row["id"])
        try:
            value = int(value) if value not in (None, "") else None
        except (TypeError, ValueError):
            value = -1
        if value is None:
            errors.append(_("“%(question)s”: choose a level.") % {"question": label(row)})
        elif value not in levels:
            errors.append(_("“%(question)s”: not a level of the scale.") % {"question": label(row)})
        else:
            clean_scores[row["id"]] = value
    clean_choices = {}
    for row in definition.get("choices", []):
        picked = choices.get(row["id"]) or []
        picked = [str(item) for item in (picked if isinstance(picked, list | tuple) else [picked])]
        allowed = options.get(row["id"], [])
        if any(item not in allowed for item in picked) or len(set(picked)) != len(picked):
            errors.append(_("“%(question)s”: not one of the options.") % {"question": label(row)})
        elif len(picked) > row["max_select"]:
            errors.append(_("“%(question)s”: choose at most %(max)d.") % {"question": label(row),
                                                                        "max": row["max_select"]})
        elif picked:
            clean_choices[row["id"]] = picked
    clean_texts = {}
    for row in definition.get("open_questions", []):
        text = str(texts.get(row["id"]) or "").strip()
        if len(text) > TEXT_ANSWER_MAX:
            errors.append(_("“%(question)s”: at most %(max)d characters.") % {"question": label(row),
                                                                            "max": TEXT_ANSWER_MAX})
        elif not text and row.get("required"):
            errors.append(_("“%(question)s”: please answer.") % {"question": label(row)})
        elif text:
            clean_texts[row["id"]] = text
    if errors:
        raise ValidationError(errors)
    return clean_scores, clean_choices, clean_texts


def _store(*, form, placement, session, program, scores, choices, texts, today: datetime.date) -> datetime.date:
    """The receipt and the answer, together or neither. The receipt's unique constraint refuses a second
    answer however the requests race."""
    try:
        with transaction.atomic():
            receipt = EvaluationReceipt(nomination_id=placement.nomination_id, form=form, session=session,
                                        answered_on=today)
            receipt.full_clean(validate_constraints=False)
            receipt.save()
            EvaluationAnswer.objects.create(form=form, program=program, session=session, answered_on=today,
                                            scores=scores, choices=choices, texts=texts)
    except IntegrityError:
        raise ActionRefused(_("You have already answered this form.")) from None
    return today


def card_answer(*, session, by, scores: dict, texts: dict | None = None, now=None) -> datetime.date:
    """A participant's anonymous card for one session of their roster that has ended (within the days a card
    stays open: settings.DANGJIAN_RULES["evaluation_card_days"]), once. Returns the date stored."""
    require(by, "evaluation.answer")
    now = now or timezone.now()
    placement = selectors.my_placement_for_session(user=by, session=session)
    answered = placement is not None and selectors.has_receipt(
        nomination_id=placement.nomination_id, kind=FormKind.SESSION_CARD, session=session)
    reason = selectors.card_refusal(session=session, placement=placement, now=now, answered=answered)
    if reason:
        raise ActionRefused(reason)
    program = session.phase.program
    form = selectors.form_in_use(program, FormKind.SESSION_CARD)
    clean = clean_answer(definition=form.definition, teaching_form=session.form, scores=scores or {},
                          choices={}, texts=texts or {}, options={})
    return _store(form=form, placement=placement, session=session, program=program, scores=clean[0],
                  choices=clean[1], texts=clean[2], today=timezone.localdate(now))


def questionnaire_answer(*, program, by, scores: dict, choices: dict | None = None, texts: dict | None = None,
                         now=None) -> datetime.date:
    """A participant's anonymous program questionnaire, once, around the end of their phase
    (evaluation_questionnaire_days_before_end / _after_end)."""
    require(by, "evaluation.answer")
    now = now or timezone.now()
    placement = selectors.my_placement_in_program(user=by, program=program)
    answered = placement is not None and selectors.has_receipt(
        nomination_id=placement.nomination_id, kind=FormKind.PROGRAMME)
    reason = selectors.questionnaire_refusal(placement=placement, now=now, answered=answered)
    if reason:
        raise ActionRefused(reason)
    form = selectors.form_in_use(program, FormKind.PROGRAMME)
    options = {row["id"]: ([str(s.pk) for s in selectors.class_sessions(placement)]
                           if row.get("options_source") == "class_sessions"
                           else [option["id"] for option in row.get("options", [])])
               for row in form.definition.get("choices", [])}
    clean = clean_answer(definition=form.definition, teaching_form=None, scores=scores or {},
                          choices=choices or {}, texts=texts or {}, options=options)
    return _store(form=form, placement=placement, session=None, program=program, scores=clean[0],
                  choices=clean[1], texts=clean[2], today=timezone.localdate(now))
