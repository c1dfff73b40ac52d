"""Writes of completion (结业): a program's completion rules, its participants' assessment scores (all or nothing,
errors naming the row), and a participant's own reflection. Each first `require`s its permission
(completion/rules.py), validates, writes in a transaction and audits (core.services.model_create/update/delete).

(Closing the class, storing the results and crediting the hours: see the closing part of this app.)
"""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.completion.models import Assessment, CompletionRules, Reflection
from dangjian.completion.selectors import participant_placements
from dangjian.core.rules import require
from dangjian.core.services import model_create, model_delete, model_update

RULE_FIELDS = ("min_attendance_share", "leave_within_limit", "max_leave_ratio", "require_reflection",
               "require_assessment", "assessment_pass_mark", "crediting")
NOTE_MAX_LENGTH = Assessment._meta.get_field("note").max_length
SCORE_MAX = Decimal("100")


@transaction.atomic
def rules_set(*, program, by, **fields) -> CompletionRules:
    """Set the program's completion rules (the fields given; the others keep their value or default). Organizers,
    while the class is open: until it closes the results are computed under the rules as they are then."""
    require(by, "completion.change_rules", program)
    unknown = set(fields) - set(RULE_FIELDS)
    if unknown:
        raise ValidationError({name: _("Not a completion rule.") for name in sorted(unknown)})
    rules = CompletionRules.objects.select_for_update().filter(program=program).first()
    if rules is None:
        return model_create(instance=CompletionRules(program=program, **fields), by=by)
    return model_update(instance=rules, data=fields, by=by)


@dataclass(frozen=True)
class ScoreInput:
    nomination_id: int
    score: Decimal | str | None  # None or "": no score (a recorded one is removed)
    note: str = ""


def _score(value) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        score = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError from None
    if not score.is_finite() or score < 0 or score > SCORE_MAX or score != score.quantize(Decimal("0.1")):
        raise ValueError
    return score


@transaction.atomic
def assessment_set(*, program, by, rows) -> int:
    """Record the assessment scores of a program's participants, all or nothing: every row is checked first
    (a participant of the program, once, a score from 0 to 100 in tenths, a short note); the errors name the row
    and the person, and nothing is written. A row without a score removes the recorded one. Returns the number of
    assessments written or removed. Those who run the class, while it is open."""
    require(by, "completion.record_assessment", program)
    rows = [row if isinstance(row, ScoreInput) else ScoreInput(*row) for row in rows]
    roster = {placement.nomination_id: placement for placement in participant_placements(program)}
    errors, seen, scores = [], set(), []
    for number, row in enumerate(rows, start=1):
        placement = roster.get(row.nomination_id)
        if placement is None:
            errors.append(_("Row %(row)d: the participant is not in this program.") % {"row": number})
            continue
        person = placement.nomination.person
        if row.nomination_id in seen:
            errors.append(_("Row %(row)d: %(person)s is given twice.") % {"row": number, "person": person})
        seen.add(row.nomination_id)
        bad = False
        try:
            score = _score(row.score)
        except ValueError:
            score, bad = None, True
            errors.append(_("Row %(row)d: %(person)s: “%(score)s” is not a score from 0 to 100 (tenths at most).")
                          % {"row": number, "person": person, "score": row.score})
        if len(row.note or "") > NOTE_MAX_LENGTH:
            errors.append(_("Row %(row)d: %(person)s: the note is longer than %(max)d characters.")
                          % {"row": number, "person": person, "max": NOTE_MAX_LENGTH})
        if score is None and not bad and (row.note or "").strip():
            errors.append(_("Row %(row)d: %(person)s: a note needs a score.") % {"row": number, "person": person})
        scores.append((placement.nomination, score, (row.note or "").strip()))
    if errors:
        raise ValidationError(errors)
    stored = {assessment.nomination_id: assessment for assessment in Assessment.unscoped.select_for_update().filter(
        nomination_id__in=[nomination.pk for nomination, _score_, _note in scores])}
    written, now = 0, timezone.now()
    for nomination, score, note in scores:
        existing = stored.get(nomination.pk)
        if score is None:
            if existing is not None:
                model_delete(instance=existing, by=by)
                written += 1
        elif existing is None:
            model_create(instance=Assessment(nomination=nomination, score=score, note=note, recorded_by=by,
                                             recorded_at=now), by=by)
            written += 1
        elif (existing.score, existing.note) != (score, note):
            model_update(instance=existing, data={"score": score, "note": note, "recorded_by": by,
                                                  "recorded_at": now}, by=by)
            written += 1
    return written


@transaction.atomic
def reflection_submit(*, nomination, text: str, by) -> Reflection:
    """The participant submits their reflection on the class (submitting again replaces the text), until the class
    closes."""
    require(by, "completion.submit_reflection", nomination)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write your reflection before submitting it.")})
    reflection = Reflection.unscoped.select_for_update().filter(nomination=nomination).first()
    if reflection is None:
        return model_create(instance=Reflection(nomination=nomination, text=text, submitted_at=timezone.now()),
                            by=by)
    return model_update(instance=reflection, data={"text": text, "submitted_at": timezone.now()}, by=by)
