"""A program (培训班) and its approval workflow: draft → submitted → approved or returned → enrollment
open → in progress → closed → archived; an approved plan can be reopened. The program's status changes
only through the transition services below, one per transition; who may apply which transition from
which status is training.rules.TRANSITIONS.

Other apps attach their work to a transition without training importing them (`transition_hook_add`): closing
a class credits its participants' hours and reopening it takes them back — the completion app registers that in
its AppConfig.ready (completion/closing.py, docs/architecture.md)."""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core.audit import audit_record
from dangjian.core.rules import ActionRefused, require
from dangjian.core.services import model_create, model_delete, model_update
from dangjian.training import selectors
from dangjian.training.models import Phase, Program, ProgramReview
from dangjian.training.rules import TRANSITION_VERBS, TRANSITIONS
from dangjian.training.services.classes import temporary_branch_remove

__all__ = ["TRANSITIONS", "TRANSITION_VERBS"]

Status = Program.Status


def _require_venue(venue) -> None:
    if venue is not None and not selectors.program_venue_choices().filter(pk=venue.pk).exists():
        raise ValidationError({"venue": _("Choose a college, party school or other venue, not a department.")})


def program_create(*, by, **fields) -> Program:
    require(by, "training.add_program")
    fields.pop("status", None)
    _require_venue(fields.get("venue"))
    return model_create(instance=Program(**fields), by=by)


def program_update(*, program: Program, by, **fields) -> Program:
    """Edit a program. The plan's fields (PLAN_FIELDS) change only while it is a draft or returned
    (training.change_plan): an approved plan is what the approver signed; changing it means reopening
    and resubmitting. Contacts may change until the class closes (training.change_program)."""
    fields.pop("status", None)
    fields.pop("submitted_at", None)
    # Ask the rules of the stored program, not of `program`: a bound ModelForm has already written the
    # new values into the instance, which would make every change look like no change.
    stored = Program.unscoped.get(pk=program.pk)
    require(by, "training.change_program", stored)
    changed = [
        _field_name(name) for name in fields
        if _field_name(name) in Program.PLAN_FIELDS and not _same(getattr(stored, name), fields[name])
    ]
    if "venue" in fields and fields["venue"] != stored.venue:
        _require_venue(fields["venue"])
    if changed:
        try:
            require(by, "training.change_plan", stored)
        except ActionRefused as refusal:
            raise ValidationError({changed[0]: refusal.messages}) from refusal
    return model_update(instance=program, data=fields, by=by)


def _same(stored, given) -> bool:
    """Equal, for text ignoring line endings and surrounding blanks: a browser posts a textarea with
    CRLF and a form strips it, which is no change to the plan."""
    if isinstance(stored, str) and isinstance(given, str):
        return stored.replace("\r\n", "\n").strip() == given.replace("\r\n", "\n").strip()
    return stored == given


def _field_name(name: str) -> str:
    """`venue_id` -> `venue`: a foreign key may be given by its column."""
    return name[:-3] if name.endswith("_id") else name


def program_delete(*, program: Program, by) -> None:
    """Only a draft that was never submitted can be deleted; afterwards the record stays (archive)."""
    require(by, "training.delete_program", Program.unscoped.get(pk=program.pk))
    with transaction.atomic():
        for phase in program.phases.select_related("temporary_branch"):
            temporary_branch_remove(phase=phase, by=by)
        model_delete(instance=program, by=by)


@dataclass(frozen=True)
class TransitionHook:
    """Work of another app on a transition. `check(program)` raises a ValidationError (in words) when the
    transition may not happen yet; it runs before the transition and again under the program's row lock.
    `apply(program=, by=, note=)` runs in the transition's transaction once the status changed: an error undoes
    the whole transition."""

    check: Callable | None = None
    apply: Callable | None = None


TRANSITION_HOOKS: dict[str, list[TransitionHook]] = {}


def transition_hook_add(name: str, hook: TransitionHook) -> None:
    """Attach `hook` to transition `name` (once: a second registration of the same hook is ignored)."""
    hooks = TRANSITION_HOOKS.setdefault(name, [])
    if hook not in hooks:
        hooks.append(hook)


def transition_problems(*, program: Program, name: str) -> list[str]:
    """What stands in the way of transition `name` besides permission and status (the hooks' checks), in
    words; empty when nothing does. For the page, which shows it beside the button."""
    problems = []
    for hook in TRANSITION_HOOKS.get(name, []):
        if hook.check is None:
            continue
        try:
            hook.check(program)
        except ValidationError as error:
            problems.extend(error.messages)
    return problems


def _check_hooks(program: Program, name: str) -> None:
    for hook in TRANSITION_HOOKS.get(name, []):
        if hook.check is not None:
            hook.check(program)


def allowed_transitions(*, program: Program, user) -> list[str]:
    """Transitions the user may apply to the program now (for buttons and the API)."""
    return [name for name, (_sources, _target, perm) in TRANSITIONS.items() if user.has_perm(perm, program)]


def _require_transition(*, program: Program, name: str, by) -> None:
    """Role and scope first, then the stored status, then (in the caller) the input: a user without the
    role learns nothing, and a transition from the wrong status is named as such rather than as a
    missing comment or an incomplete plan. _transition checks again under a lock."""
    require(by, TRANSITIONS[name][2], Program.unscoped.get(pk=program.pk))


def _transition(*, program: Program, name: str, by, note: str = "", **extra) -> Program:
    _sources, target, perm = TRANSITIONS[name]
    with transaction.atomic():
        # Re-read under a lock so that two clicks cannot both approve.
        current = Program.unscoped.select_for_update().get(pk=program.pk)
        require(by, perm, current)
        _check_hooks(current, name)
        before = current.status
        current.status = target
        for key, value in extra.items():
            setattr(current, key, value)
        current.save(update_fields=["status", "updated_at", *extra.keys()])
        changes = {"status": [before, target]}
        if note:
            changes["comments"] = note
        audit_record(actor=by, action="update", instance=current, changes=changes)
        for hook in TRANSITION_HOOKS.get(name, []):
            if hook.apply is not None:
                hook.apply(program=current, by=by, note=note)
    program.status = current.status
    for key, value in extra.items():
        setattr(program, key, value)
    return program


def program_plan_problems(*, program: Program) -> list[str]:
    """What is missing before a plan can go to the approver (empty when it is complete)."""
    problems = []
    if not program.venue_id:
        problems.append(_("Choose the venue."))
    if not program.target_population.strip():
        problems.append(_("Describe the target participants."))
    if not program.planned_participants:
        problems.append(_("Give the number of planned participants."))
    phase_count = program.phases.count()
    if phase_count != program.phase_count:
        problems.append(
            _("The plan announces %(planned)d phase(s) but %(actual)d are set up.")
            % {"planned": program.phase_count, "actual": phase_count}
        )
    return problems


def program_submit(*, program: Program, by) -> Program:
    """Send the plan to the approver (the municipal party committee approves the working committee's plan)."""
    _require_transition(program=program, name="submit", by=by)
    problems = program_plan_problems(program=program)
    if problems:
        raise ValidationError(problems)
    extra = {} if program.submitted_at else {"submitted_at": timezone.now()}
    return _transition(program=program, name="submit", by=by, **extra)


def program_approve(*, program: Program, by, comments: str = "", document=None,
                    document_reference: str = "") -> ProgramReview:
    """The approver's approval, with who, when, comments and the approval document."""
    _require_transition(program=program, name="approve", by=by)
    review = ProgramReview(program=program, decision=ProgramReview.Decision.APPROVED, decided_by=by,
                           decided_by_name=str(by), comments=comments, document_reference=document_reference)
    if document is not None:
        review.document = document
    review.full_clean()  # before the transition: a bad record leaves the program as it was
    with transaction.atomic():
        _transition(program=program, name="approve", by=by, note=comments)
        review.save()
    return review


def program_return(*, program: Program, by, comments: str) -> ProgramReview:
    """Return the plan for revision; the approver must say why."""
    _require_transition(program=program, name="return", by=by)
    if not (comments or "").strip():
        raise ValidationError({"comments": _("Say what must be revised.")})
    with transaction.atomic():
        _transition(program=program, name="return", by=by, note=comments)
        review = ProgramReview.objects.create(
            program=program, decision=ProgramReview.Decision.RETURNED, decided_by=by, decided_by_name=str(by),
            comments=comments,
        )
    return review


def program_reopen(*, program: Program, by, reason: str) -> Program:
    """Withdraw an approved plan to change it; it must then be submitted and approved again."""
    _require_transition(program=program, name="reopen", by=by)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the approved plan must change.")})
    return _transition(program=program, name="reopen", by=by, note=reason)


def program_open_enrollment(*, program: Program, by) -> Program:
    return _transition(program=program, name="open_enrollment", by=by)


def program_start(*, program: Program, by) -> Program:
    return _transition(program=program, name="start", by=by)


def program_close(*, program: Program, by) -> Program:
    """Close the class: every phase is finished (posts of the temporary branches end with their phase). The
    completion app's hook requires a current closing pack and, in the same transaction, fixes each participant's
    result and credits the hours of those who completed in the ledger (rules §9: credits are granted on closing)."""
    _require_transition(program=program, name="close", by=by)
    _check_hooks(program, "close")
    with transaction.atomic():
        _transition(program=program, name="close", by=by)
        for phase in program.phases.exclude(status=Phase.Status.FINISHED):
            model_update(instance=phase, data={"status": Phase.Status.FINISHED}, by=by)
    return program


def program_reopen_class(*, program: Program, by, reason: str) -> Program:
    """Reopen a closed class to correct its records (attendance, leave, assessments): the completion app's hook
    deletes the stored results and takes back the hours credited in the ledger, audited with the reason; closing
    again credits anew, once."""
    _require_transition(program=program, name="reopen_class", by=by)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the closed class must be reopened.")})
    return _transition(program=program, name="reopen_class", by=by, note=reason.strip())


def program_archive(*, program: Program, by) -> Program:
    return _transition(program=program, name="archive", by=by)
