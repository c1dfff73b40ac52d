"""Phases (期次) and their class: groups (小组), class committee (班委) and the temporary party branch
(临时党支部). Dates, number and capacity of a phase belong to the plan (training.change_plan); the rest
is the class's business until it closes (training.manage_class)."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core.audit import audit_record
from dangjian.core.rules import require
from dangjian.core.services import model_create, model_delete, model_update
from dangjian.organizations import services as registry
from dangjian.organizations.models import PartyOrganization, Person, Post
from dangjian.training import selectors
from dangjian.training.models import ClassCommitteeMember, Group, Phase, Program

PHASE_PLAN_FIELDS = ("number", "starts_on", "ends_on", "capacity")


def day_start(day: datetime.date, plus_days: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=plus_days), datetime.time()))


def _require_head_teacher(head_teacher, program: Program, current=None) -> None:
    """The head teacher (班主任) is one of selectors.head_teacher_choices: staff of the program's college."""
    if head_teacher is not None and not selectors.head_teacher_choices(
            program=program, current=current).filter(pk=head_teacher.pk).exists():
        raise ValidationError({"head_teacher": _("The head teacher must work for the program's venue.")})


def _require_classroom(classroom, program: Program) -> None:
    if classroom is not None and not selectors.phase_classroom_choices(program=program).filter(
            pk=classroom.pk).exists():
        raise ValidationError({"classroom": _("Choose a classroom of the program's college.")})


def _require_nominee(person: Person, phase: Phase, by, field: str = "person") -> None:
    """Only people of selectors.class_nominee_choices may be picked for the class."""
    if person is not None and not selectors.class_nominee_choices(user=by, phase=phase).filter(
            pk=person.pk).exists():
        raise ValidationError({field: _("This person cannot be picked for this class.")})


def phase_create(*, program: Program, by, **fields) -> Phase:
    require(by, "training.change_plan", program)
    _require_head_teacher(fields.get("head_teacher"), program)
    _require_classroom(fields.get("classroom"), program)
    if not fields.get("number"):
        fields["number"] = (program.phases.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    return model_create(instance=Phase(program=program, **fields), by=by)


def phase_update(*, phase: Phase, by, **fields) -> Phase:
    """Dates, number and capacity are part of the approved plan (training.change_plan); head teacher,
    classroom and status are the class's business (training.manage_class)."""
    program = phase.program
    # Compare with the stored phase (a bound ModelForm has already changed `phase`).
    stored = Phase.objects.get(pk=phase.pk)
    plan_changes = [n for n in fields if n in PHASE_PLAN_FIELDS and getattr(stored, n) != fields[n]]
    if plan_changes:
        try:
            require(by, "training.change_plan", program)
        except ValidationError as refusal:
            raise ValidationError({plan_changes[0]: refusal.messages}) from refusal
    else:
        require(by, "training.manage_class", phase)
    if "head_teacher" in fields:
        _require_head_teacher(fields["head_teacher"], program, current=stored.head_teacher)
    if "classroom" in fields and fields["classroom"] != stored.classroom:
        _require_classroom(fields["classroom"], program)
    with transaction.atomic():
        model_update(instance=phase, data=fields, by=by)
        if {"starts_on", "ends_on"} & set(plan_changes):
            outside = phase.sessions.filter(
                Q(starts_at__lt=day_start(phase.starts_on)) | Q(ends_at__gt=day_start(phase.ends_on, 1))
            ).count()
            if outside:
                raise ValidationError({"starts_on": _(
                    "%(count)d session(s) would lie outside the new dates; move or delete them first."
                ) % {"count": outside}})
            _sync_phase_posts(phase=phase, by=by)
    return phase


def phase_delete(*, phase: Phase, by) -> None:
    require(by, "training.change_plan", phase.program)
    with transaction.atomic():
        temporary_branch_remove(phase=phase, by=by)
        model_delete(instance=phase, by=by)


def group_create(*, phase: Phase, by, **fields) -> Group:
    require(by, "training.manage_class", phase)
    _require_nominee(fields.get("leader"), phase, by, "leader")
    _require_nominee(fields.get("deputy_leader"), phase, by, "deputy_leader")
    if not fields.get("number"):
        fields["number"] = (phase.groups.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    return model_create(instance=Group(phase=phase, **fields), by=by)


def group_update(*, group: Group, by, **fields) -> Group:
    require(by, "training.manage_class", group)
    fields.pop("phase", None)
    for field in ("leader", "deputy_leader"):
        if field in fields and fields[field] != getattr(group, field):
            _require_nominee(fields[field], group.phase, by, field)
    return model_update(instance=group, data=fields, by=by)


def group_delete(*, group: Group, by) -> None:
    require(by, "training.manage_class", group)
    if group.sessions.exists():
        raise ValidationError(_("This group still has sessions in the timetable; delete or reassign them first."))
    model_delete(instance=group, by=by)


def class_committee_appoint(*, phase: Phase, person: Person, role: str, by) -> ClassCommitteeMember:
    """A class committee (班委) post lasts as long as the phase."""
    require(by, "training.manage_class", phase)
    _require_nominee(person, phase, by)
    member = ClassCommitteeMember(phase=phase, person=person, role=role, started_on=phase.starts_on,
                                  ended_on=phase.ends_on)
    return model_create(instance=member, by=by)


def class_committee_remove(*, member: ClassCommitteeMember, by) -> None:
    require(by, "training.manage_class", member)
    model_delete(instance=member, by=by)


def temporary_branch_create(*, phase: Phase, by, name: str = "") -> PartyOrganization:
    """Set up the phase's temporary party branch (临时党支部, branch regulation): under the organizer's
    organ, for the life of the class; members' organizational relations are not transferred."""
    require(by, "training.manage_class", phase)
    if phase.temporary_branch_id:
        raise ValidationError(_("This phase already has a temporary party branch."))
    program = phase.program
    name = name.strip() or _("%(program)s phase %(number)s temporary party branch") % {
        "program": program.title, "number": phase.number}
    with transaction.atomic():
        branch = registry.temporary_branch_found(organ=program.organizer, name=name[:120],
                                                 founded_on=phase.starts_on, by=by)
        phase.temporary_branch = branch
        phase.save(update_fields=["temporary_branch", "updated_at"])
        audit_record(actor=by, action="update", instance=phase, changes={"temporary_branch": [None, branch.pk]})
    return branch


def temporary_branch_appoint(*, phase: Phase, person: Person, role: str, by, portfolio: str = "") -> Post:
    """Secretary, deputy and members of the temporary branch are appointed by the approving organization;
    their posts end when the phase ends."""
    require(by, "training.manage_class", phase)
    if not phase.temporary_branch_id:
        raise ValidationError(_("Set up the temporary party branch first."))
    _require_nominee(person, phase, by)
    return registry.temporary_branch_post_appoint(
        branch=phase.temporary_branch, person=person, role=role, portfolio=portfolio, started_on=phase.starts_on,
        ended_on=phase.ends_on, by=by)


def temporary_branch_remove_post(*, post: Post, by) -> None:
    phase = getattr(post.party_organization, "training_phase", None)
    if phase is None:
        raise ValidationError(_("This post is not in a temporary party branch of a training class."))
    require(by, "training.manage_class", phase)
    registry.temporary_branch_post_remove(post=post, by=by)


def temporary_branch_remove(*, phase: Phase, by) -> None:
    """With its phase (or program) deleted, the temporary branch goes too."""
    branch = phase.temporary_branch
    if branch is None:
        return
    phase.temporary_branch = None
    phase.save(update_fields=["temporary_branch", "updated_at"])
    registry.temporary_branch_dissolve(branch=branch, by=by)


def _sync_phase_posts(*, phase: Phase, by) -> None:
    """Keep the temporary branch's posts and the class committee within the phase's new dates."""
    if phase.temporary_branch_id:
        registry.temporary_branch_redate(branch=phase.temporary_branch, started_on=phase.starts_on,
                                         ended_on=phase.ends_on, by=by)
    for member in phase.committee_members.all():
        model_update(instance=member, data={"started_on": phase.starts_on, "ended_on": phase.ends_on}, by=by)
