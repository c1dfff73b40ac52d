"""Writes of completion (结业): a program's completion rules, its participants' assessment scores (all or nothing,
errors naming the row), and a participant's own reflection. Each first `require`s its permission
(completion/rules.py), validates, writes in a transaction and audits (core.services.model_create/update/delete).

(Closing the class, storing the results and crediting the hours: see the closing part of this app.)
"""

import os
import secrets
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.completion.enums import Grade
from dangjian.completion.models import Assessment, CompletionRules, Reflection, ReflectionRevision
from dangjian.completion.selectors import participant_placements
from dangjian.completion.storage import reflection_file_storage
from dangjian.completion.validators import validate_reflection_file
from dangjian.core.rules import require
from dangjian.core.services import model_create, model_delete, model_update

RULE_FIELDS = ("min_attendance_share", "leave_within_limit", "max_leave_ratio", "require_reflection",
               "reflection_must_pass", "reflection_due_on", "require_assessment", "assessment_pass_mark", "crediting")
NOTE_MAX_LENGTH = Assessment._meta.get_field("note").max_length
SCORE_MAX = Decimal("100")
TEXT_MAX_LENGTH = Reflection._meta.get_field("text").max_length
TITLE_MAX_LENGTH = Reflection._meta.get_field("title").max_length
COMMENT_MAX_LENGTH = Reflection._meta.get_field("grade_comment").max_length
ATTACHMENT_NAME_MAX = Reflection._meta.get_field("attachment_name").max_length


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


# Reflections (心得体会) -------------------------------------------------------------------------------------

def _store_file(upload) -> tuple[str, str]:
    """Save an accepted upload under an unguessable name; (stored name, the name the author gave, shortened)."""
    extension = validate_reflection_file(upload)
    stored = reflection_file_storage().save(
        f"{timezone.now():%Y}/{secrets.token_urlsafe(16)}{extension}", upload)
    original = os.path.basename(upload.name or "")[-ATTACHMENT_NAME_MAX:] or f"reflection{extension}"
    return stored, original


def _forget_file(name: str) -> None:
    """Delete a stored file no version refers to any more, once the transaction has committed."""
    if name and not ReflectionRevision.objects.filter(attachment=name).exists():
        transaction.on_commit(lambda: reflection_file_storage().delete(name))


@transaction.atomic
def reflection_submit(*, nomination, text: str, by, title: str = "", file=None, remove_file: bool = False
                      ) -> Reflection:
    """The participant submits their reflection on the class: a text, a file, or both. Until the program's deadline
    (reflection_due_on) and while it is not graded, submitting again replaces it. A reflection the head teacher sent
    back for revision may be submitted after the deadline: the version graded "revise" is kept (ReflectionRevision)
    and the new one waits for its grade."""
    require(by, "completion.submit_reflection", nomination)
    text, title = (text or "").strip(), (title or "").strip()
    errors = {}
    if len(text) > TEXT_MAX_LENGTH:
        errors["text"] = _("The reflection is longer than %(max)d characters.") % {"max": TEXT_MAX_LENGTH}
    if len(title) > TITLE_MAX_LENGTH:
        errors["title"] = _("The title is longer than %(max)d characters.") % {"max": TITLE_MAX_LENGTH}
    if file is not None:
        try:
            validate_reflection_file(file)
        except ValidationError as error:
            errors.update(error.message_dict)
    reflection = Reflection.unscoped.select_for_update().filter(nomination=nomination).first()
    keeps_file = reflection is not None and reflection.attachment and not remove_file
    if not errors and not text and file is None and not keeps_file:
        errors["text"] = _("Write your reflection or attach a file before submitting it.")
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    if reflection is None:
        data = {"title": title, "text": text, "submitted_at": now}
        if file is not None:
            data["attachment"], data["attachment_name"] = _store_file(file)
        return model_create(instance=Reflection(nomination=nomination, **data), by=by)
    old_file = reflection.attachment.name if reflection.attachment else ""
    data = {"title": title, "text": text, "submitted_at": now}
    if reflection.grade == Grade.REVISE:
        if reflection.submitted_at is not None:  # keep the version sent back
            model_create(instance=ReflectionRevision(
                reflection=reflection, version=reflection.version, title=reflection.title, text=reflection.text,
                attachment=old_file, attachment_name=reflection.attachment_name,
                submitted_at=reflection.submitted_at, grade=reflection.grade, grade_comment=reflection.grade_comment,
                graded_by_id=reflection.graded_by_id, graded_at=reflection.graded_at), by=by)
            data["version"] = reflection.version + 1
        data.update(grade="", grade_comment="", graded_by=None, graded_at=None)
    if file is not None:
        data["attachment"], data["attachment_name"] = _store_file(file)
    elif remove_file:
        data["attachment"], data["attachment_name"] = "", ""
    updated = model_update(instance=reflection, data=data, by=by)
    if old_file and ("attachment" in data):
        _forget_file(old_file)
    return updated


@transaction.atomic
def reflection_grade(*, reflection, grade: str, comment: str = "", by) -> Reflection:
    """The head teacher grades a submitted reflection: excellent, pass, or revise (sent back to the author with a
    comment, which the author may then resubmit, also after the deadline)."""
    require(by, "completion.grade_reflection", reflection)
    comment = (comment or "").strip()
    if grade not in Grade.values:
        raise ValidationError({"grade": _("Choose excellent, pass or revise.")})
    if grade == Grade.REVISE and not comment:
        raise ValidationError({"comment": _("Say what the author should revise.")})
    if len(comment) > COMMENT_MAX_LENGTH:
        raise ValidationError({"comment": _("The comment is longer than %(max)d characters.")
                               % {"max": COMMENT_MAX_LENGTH}})
    reflection = Reflection.unscoped.select_for_update().select_related("nomination__program").get(pk=reflection.pk)
    return model_update(instance=reflection, data={"grade": grade, "grade_comment": comment, "graded_by": by,
                                                   "graded_at": timezone.now()}, by=by)


@transaction.atomic
def reflection_allow_late(*, nomination, comment: str = "", by) -> Reflection:
    """Let a participant who has not submitted a reflection submit one after the deadline: the head teacher "asks
    for it" as for a revision (an unsubmitted reflection graded revise, with the comment)."""
    require(by, "completion.allow_late_reflection", nomination)
    comment = (comment or "").strip()[:COMMENT_MAX_LENGTH] or _("Please submit your reflection.")
    reflection = Reflection.unscoped.select_for_update().filter(nomination=nomination).first()
    data = {"grade": Grade.REVISE, "grade_comment": comment, "graded_by": by, "graded_at": timezone.now()}
    if reflection is None:
        return model_create(instance=Reflection(nomination=nomination, **data), by=by)
    if reflection.submitted_at is not None:
        raise ValidationError(_("%(person)s has submitted a reflection: grade it, or ask for a revision.")
                              % {"person": nomination.person})
    return model_update(instance=reflection, data=data, by=by)


@transaction.atomic
def reflection_consent(*, reflection, publish: bool, with_name: bool = False, by) -> Reflection:
    """The author's consent to publish their reflection in the portal, and to be named as its author (which needs
    the first). Given or withdrawn at any time; a draft already made stays a draft for the editors to withdraw."""
    require(by, "completion.consent_reflection", reflection.nomination)
    if reflection.submitted_at is None:
        raise ValidationError(_("Submit your reflection first."))
    with_name = bool(publish and with_name)
    return model_update(instance=reflection, data={
        "consent_publish": bool(publish), "consent_name": with_name,
        "consent_at": timezone.now() if publish else None}, by=by)


@transaction.atomic
def reflection_article_draft(*, reflection, by):
    """A draft article in the portal from an excellent reflection whose author agreed to publish it
    (portal.drafts.reflection_draft, through the portal's review workflow). Once per reflection: a second call
    returns the draft made the first time."""
    require(by, "completion.draft_reflection_article", reflection)
    from dangjian.portal.drafts import reflection_draft

    reflection = (Reflection.unscoped.select_for_update()
                  .select_related("nomination__person", "nomination__program__organizer").get(pk=reflection.pk))
    if reflection.portal_page_id is not None:
        return reflection.portal_page.specific
    page = reflection_draft(reflection, by)
    model_update(instance=reflection, data={"portal_page": page.page_ptr}, by=by)
    return page
