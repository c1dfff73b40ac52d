"""Writes to training programs. Each checks permission and the program's status, validates, writes
atomically and records the change in the audit trail.

The program's status changes only through the transition services below (one per transition);
rules of the workflow live in TRANSITIONS.
"""

import datetime
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core.audit import audit_record, snapshot
from dangjian.core.services import model_create, model_delete, model_delete_protected, model_update, require_perm
from dangjian.organizations.models import PartyOrganization, Person, Post
from dangjian.training.models import (
    ClassCommitteeMember,
    Classroom,
    Course,
    Group,
    Instructor,
    Phase,
    Program,
    ProgramReview,
    Session,
    SessionStop,
    Site,
    TeachingForm,
    TravelTime,
    Venue,
)

Status = Program.Status


# --- Library (venues, classrooms, sites, travel times, instructors, courses) ----------------------

def library_create(*, model, by, m2m: dict | None = None, **fields):
    """Create a library record (any model of the library); `m2m` sets many-to-many fields after saving."""
    require_perm(by, "training.change_library")
    with transaction.atomic():
        instance = model_create(instance=model(**fields), by=by)
        for name, values in (m2m or {}).items():
            getattr(instance, name).set(values)
    return instance


def library_update(*, instance, by, m2m: dict | None = None, **fields):
    require_perm(by, "training.change_library")
    with transaction.atomic():
        model_update(instance=instance, data=fields, by=by)
        for name, values in (m2m or {}).items():
            before = sorted(getattr(instance, name).values_list("pk", flat=True))
            getattr(instance, name).set(values)
            after = sorted(getattr(instance, name).values_list("pk", flat=True))
            if before != after:
                audit_record(actor=by, action="update", instance=instance, changes={name: [before, after]})
    return instance


def library_delete(*, instance, by) -> None:
    """Library records used in a timetable stay: deleting them would rewrite past timetables."""
    require_perm(by, "training.change_library")
    used = isinstance(instance, Instructor | Classroom | Course) and instance.sessions.exists()
    if used or (isinstance(instance, Classroom) and instance.phases.exists()):
        raise ValidationError(_("%(record)s is used in timetables and cannot be deleted.") % {"record": instance})
    model_delete_protected(instance=instance, by=by)


# --- Program and its workflow ---------------------------------------------------------------------

def program_create(*, by, **fields) -> Program:
    require_perm(by, "training.add_program")
    fields.pop("status", None)
    return model_create(instance=Program(**fields), by=by)


def program_update(*, program: Program, by, **fields) -> Program:
    """Edit a program. The plan's fields (PLAN_FIELDS) change only while it is a draft or returned:
    an approved plan is what the approver signed; changing it means reopening and resubmitting."""
    require_perm(by, "training.change_program", program)
    fields.pop("status", None)
    fields.pop("submitted_at", None)
    # Compare with the stored plan, not with `program`: a bound ModelForm has already written the new
    # values into the instance, which would make every change look like no change.
    stored = Program.objects.get(pk=program.pk)
    if stored.status in (Status.CLOSED, Status.ARCHIVED):
        raise ValidationError(_("A closed or archived program cannot be changed."))
    if not stored.plan_editable:
        changed = [
            _field_name(name) for name in fields
            if _field_name(name) in Program.PLAN_FIELDS and not _same(getattr(stored, name), fields[name])
        ]
        if changed:
            raise ValidationError({
                changed[0]: _("The plan is %(status)s: reopen it and submit it again to change this.")
                % {"status": stored.get_status_display()}
            })
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
    require_perm(by, "training.delete_program", program)
    if program.status != Status.DRAFT or program.submitted_at is not None:
        raise ValidationError(_("Only a draft that was never submitted can be deleted."))
    with transaction.atomic():
        for phase in program.phases.select_related("temporary_branch"):
            _temporary_branch_remove(phase=phase, by=by)
        model_delete(instance=program, by=by)


# name: (statuses it may start from, status it leads to, permission)
TRANSITIONS = {
    "submit": ((Status.DRAFT, Status.RETURNED), Status.SUBMITTED, "training.submit_program"),
    "approve": ((Status.SUBMITTED,), Status.APPROVED, "training.review_program"),
    "return": ((Status.SUBMITTED,), Status.RETURNED, "training.review_program"),
    "reopen": ((Status.APPROVED, Status.ENROLLMENT_OPEN), Status.DRAFT, "training.run_program"),
    "open_enrollment": ((Status.APPROVED,), Status.ENROLLMENT_OPEN, "training.run_program"),
    "start": ((Status.ENROLLMENT_OPEN,), Status.IN_PROGRESS, "training.run_program"),
    "close": ((Status.IN_PROGRESS,), Status.CLOSED, "training.run_program"),
    "archive": ((Status.CLOSED,), Status.ARCHIVED, "training.run_program"),
}


def allowed_transitions(*, program: Program, user) -> list[str]:
    """Transitions the user may apply to the program now (for buttons and the API)."""
    return [
        name for name, (sources, _target, perm) in TRANSITIONS.items()
        if program.status in sources and user.has_perm(perm, program)
    ]


def _refusal(program: Program, name: str) -> ValidationError:
    return ValidationError(
        _("A program that is “%(status)s” cannot be %(action)s.")
        % {"status": program.get_status_display(), "action": TRANSITION_VERBS[name]()}
    )


def _require_transition(*, program: Program, name: str, by) -> None:
    """Role first, then the stored status, then (in the caller) the input: a user without the role
    learns nothing, and a transition from the wrong status is named as such rather than as a
    missing comment or an incomplete plan. _transition checks the status again under a lock."""
    sources, _target, perm = TRANSITIONS[name]
    require_perm(by, perm, program)
    stored = Program.objects.only("status").get(pk=program.pk)
    if stored.status not in sources:
        raise _refusal(stored, name)


def _transition(*, program: Program, name: str, by, note: str = "", **extra) -> Program:
    sources, target, perm = TRANSITIONS[name]
    require_perm(by, perm, program)
    with transaction.atomic():
        # Re-read under a lock so that two clicks cannot both approve.
        current = Program.objects.select_for_update().get(pk=program.pk)
        if current.status not in sources:
            raise _refusal(current, name)
        before = current.status
        current.status = target
        for key, value in extra.items():
            setattr(current, key, value)
        current.save(update_fields=["status", "updated_at", *extra.keys()])
        changes = {"status": [before, target]}
        if note:
            changes["comments"] = note
        audit_record(actor=by, action="update", instance=current, changes=changes)
    program.status = current.status
    for key, value in extra.items():
        setattr(program, key, value)
    return program


TRANSITION_VERBS = {
    "submit": lambda: _("submitted"),
    "approve": lambda: _("approved"),
    "return": lambda: _("returned"),
    "reopen": lambda: _("reopened"),
    "open_enrollment": lambda: _("opened for enrollment"),
    "start": lambda: _("started"),
    "close": lambda: _("closed"),
    "archive": lambda: _("archived"),
}


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
    """Close the class: every phase is finished (posts of the temporary branches end with their phase)."""
    with transaction.atomic():
        _transition(program=program, name="close", by=by)
        for phase in program.phases.exclude(status=Phase.Status.FINISHED):
            model_update(instance=phase, data={"status": Phase.Status.FINISHED}, by=by)
    return program


def program_archive(*, program: Program, by) -> Program:
    return _transition(program=program, name="archive", by=by)


# --- Phases, groups, class committee, temporary party branch --------------------------------------

def _require_plan_editable(program: Program, field: str | None = None) -> None:
    if not program.plan_editable:
        message = _("The plan is %(status)s: reopen it and submit it again to change its phases.") % {
            "status": program.get_status_display()}
        raise ValidationError({field: message} if field else message)


def _require_class_open(program: Program) -> None:
    """Groups, class committee, temporary branch and phase status are history once the class closed."""
    if program.status in (Status.CLOSED, Status.ARCHIVED):
        raise ValidationError(_("A closed or archived program cannot be changed."))


def _require_timetable_editable(program: Program) -> None:
    if not program.timetable_editable:
        raise ValidationError(
            _("The timetable of a program that is “%(status)s” cannot be changed.")
            % {"status": program.get_status_display()}
        )


def _require_head_teacher_at_venue(head_teacher, program: Program) -> None:
    """The head teacher (班主任) works for the college that holds the class (or is an organizer)."""
    if head_teacher is None:
        return
    from dangjian.training.scoping import sees_all_organs, staffed_venue_ids

    if not (sees_all_organs(head_teacher) or program.venue_id in staffed_venue_ids(head_teacher)):
        raise ValidationError({"head_teacher": _("The head teacher must work for the program's venue.")})


def phase_create(*, program: Program, by, **fields) -> Phase:
    require_perm(by, "training.change_program", program)
    _require_plan_editable(program)
    _require_head_teacher_at_venue(fields.get("head_teacher"), program)
    if not fields.get("number"):
        fields["number"] = (program.phases.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    return model_create(instance=Phase(program=program, **fields), by=by)


PHASE_PLAN_FIELDS = ("number", "starts_on", "ends_on", "capacity")


def phase_update(*, phase: Phase, by, **fields) -> Phase:
    """Dates, number and capacity are part of the approved plan; head teacher, classroom and status are
    the class's business (organizers and the venue's college staff)."""
    program = phase.program
    # Compare with the stored phase (a bound ModelForm has already changed `phase`).
    stored = Phase.objects.get(pk=phase.pk)
    plan_changes = [n for n in fields if n in PHASE_PLAN_FIELDS and getattr(stored, n) != fields[n]]
    if plan_changes:
        require_perm(by, "training.change_program", program)
        _require_plan_editable(program, plan_changes[0])
    else:
        require_perm(by, "training.manage_class", phase)
    _require_class_open(program)
    _require_head_teacher_at_venue(fields.get("head_teacher"), program)
    with transaction.atomic():
        model_update(instance=phase, data=fields, by=by)
        if {"starts_on", "ends_on"} & set(plan_changes):
            outside = phase.sessions.filter(
                Q(starts_at__lt=_day_start(phase.starts_on)) | Q(ends_at__gt=_day_start(phase.ends_on, 1))
            ).count()
            if outside:
                raise ValidationError({"starts_on": _(
                    "%(count)d session(s) would lie outside the new dates; move or delete them first."
                ) % {"count": outside}})
            _sync_phase_posts(phase=phase, by=by)
    return phase


def phase_delete(*, phase: Phase, by) -> None:
    require_perm(by, "training.change_program", phase.program)
    _require_plan_editable(phase.program)
    with transaction.atomic():
        _temporary_branch_remove(phase=phase, by=by)
        model_delete(instance=phase, by=by)


def _day_start(day: datetime.date, plus_days: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=plus_days), datetime.time()))


def group_create(*, phase: Phase, by, **fields) -> Group:
    require_perm(by, "training.manage_class", phase)
    _require_class_open(phase.program)
    if not fields.get("number"):
        fields["number"] = (phase.groups.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    return model_create(instance=Group(phase=phase, **fields), by=by)


def group_update(*, group: Group, by, **fields) -> Group:
    require_perm(by, "training.manage_class", group)
    _require_class_open(group.phase.program)
    fields.pop("phase", None)
    return model_update(instance=group, data=fields, by=by)


def group_delete(*, group: Group, by) -> None:
    require_perm(by, "training.manage_class", group)
    _require_class_open(group.phase.program)
    if group.sessions.exists():
        raise ValidationError(_("This group still has sessions in the timetable; delete or reassign them first."))
    model_delete(instance=group, by=by)


def class_committee_appoint(*, phase: Phase, person: Person, role: str, by) -> ClassCommitteeMember:
    """A class committee (班委) post lasts as long as the phase."""
    require_perm(by, "training.manage_class", phase)
    _require_class_open(phase.program)
    member = ClassCommitteeMember(phase=phase, person=person, role=role, started_on=phase.starts_on,
                                  ended_on=phase.ends_on)
    return model_create(instance=member, by=by)


def class_committee_remove(*, member: ClassCommitteeMember, by) -> None:
    require_perm(by, "training.manage_class", member)
    _require_class_open(member.phase.program)
    model_delete(instance=member, by=by)


def temporary_branch_create(*, phase: Phase, by, name: str = "") -> PartyOrganization:
    """Set up the phase's temporary party branch (临时党支部, branch regulation): under the organizer's
    organ, for the life of the class; members' organizational relations are not transferred."""
    require_perm(by, "training.manage_class", phase)
    _require_class_open(phase.program)
    if phase.temporary_branch_id:
        raise ValidationError(_("This phase already has a temporary party branch."))
    program = phase.program
    name = name.strip() or _("%(program)s phase %(number)s temporary party branch") % {
        "program": program.title, "number": phase.number}
    with transaction.atomic():
        branch = model_create(
            instance=PartyOrganization(organ=program.organizer, name=name[:120],
                                       org_type=PartyOrganization.Type.TEMPORARY_BRANCH,
                                       founded_on=phase.starts_on, term_started_on=phase.starts_on),
            by=by,
        )
        phase.temporary_branch = branch
        phase.save(update_fields=["temporary_branch", "updated_at"])
        audit_record(actor=by, action="update", instance=phase, changes={"temporary_branch": [None, branch.pk]})
    return branch


def temporary_branch_appoint(*, phase: Phase, person: Person, role: str, by, portfolio: str = "") -> Post:
    """Secretary, deputy and members of the temporary branch are appointed by the approving organization;
    their posts end when the phase ends."""
    require_perm(by, "training.manage_class", phase)
    _require_class_open(phase.program)
    if not phase.temporary_branch_id:
        raise ValidationError(_("Set up the temporary party branch first."))
    post = Post(person=person, party_organization=phase.temporary_branch, role=role, portfolio=portfolio,
                started_on=phase.starts_on, ended_on=phase.ends_on, method=Post.Method.APPOINTED)
    return model_create(instance=post, by=by)


def temporary_branch_remove_post(*, post: Post, by) -> None:
    phase = getattr(post.party_organization, "training_phase", None)
    if phase is None:
        raise ValidationError(_("This post is not in a temporary party branch of a training class."))
    require_perm(by, "training.manage_class", phase)
    _require_class_open(phase.program)
    model_delete(instance=post, by=by)


def _temporary_branch_remove(*, phase: Phase, by) -> None:
    branch = phase.temporary_branch
    if branch is None:
        return
    for post in branch.posts.all():
        model_delete(instance=post, by=by)
    phase.temporary_branch = None
    phase.save(update_fields=["temporary_branch", "updated_at"])
    model_delete(instance=branch, by=by)


def _sync_phase_posts(*, phase: Phase, by) -> None:
    """Keep the temporary branch's posts and the class committee within the phase's new dates."""
    if phase.temporary_branch_id:
        for post in phase.temporary_branch.posts.all():
            model_update(instance=post, data={"started_on": phase.starts_on, "ended_on": phase.ends_on}, by=by)
        model_update(instance=phase.temporary_branch,
                     data={"founded_on": phase.starts_on, "term_started_on": phase.starts_on}, by=by)
    for member in phase.committee_members.all():
        model_update(instance=member, data={"started_on": phase.starts_on, "ended_on": phase.ends_on}, by=by)


# --- Sessions (the timetable) ---------------------------------------------------------------------

SESSION_FIELDS = ("starts_at", "ends_at", "form", "title", "title_en", "course", "venue", "classroom",
                  "place_note", "group", "hours")


def session_create(*, phase: Phase, by, instructors: Iterable[Instructor] = (), sites: Iterable[Site] = (),
                   **fields) -> tuple[Session, list[str]]:
    """Add a session to a phase's timetable. Title, form, hours, sites and instructors default to the
    course's when a catalog course is given. Returns the session and warnings (e.g. short travel time)."""
    require_perm(by, "training.manage_class", phase)
    _require_timetable_editable(phase.program)
    course = fields.get("course")
    instructors, sites = list(instructors), list(sites)
    if course is not None:
        if not fields.get("form"):  # missing or empty (a form's blank choice): the course's
            fields["form"] = course.form
        if not fields.get("title"):
            fields["title"] = course.title_zh
            fields.setdefault("title_en", course.title_en)
        if fields.get("hours") is None:
            fields["hours"] = course.default_hours
        sites = sites or list(course.sites.all())
        instructors = instructors or list(course.instructors.all())
    if fields.get("hours") is None:
        fields.pop("hours", None)
    if not fields.get("venue") and fields.get("classroom") is not None:
        fields["venue"] = fields["classroom"].venue  # a classroom says where (maybe a department)
    if not fields.get("venue") and not sites and fields.get("form") != TeachingForm.TRAVEL:
        fields["venue"] = phase.program.venue
    session = Session(phase=phase, **fields)
    _require_places_in_reach(session=session, by=by)
    return _session_save(session=session, by=by, instructors=instructors, sites=sites, action="create")


def session_update(*, session: Session, by, instructors: Iterable[Instructor] | None = None,
                   sites: Iterable[Site] | None = None, **fields) -> tuple[Session, list[str]]:
    require_perm(by, "training.manage_class", session)
    _require_timetable_editable(session.phase.program)
    fields.pop("phase", None)
    before = snapshot(Session.objects.get(pk=session.pk))
    before_people = sorted(session.instructors.values_list("pk", flat=True))
    before_sites = list(session.stops.values_list("site_id", flat=True))
    for name, value in fields.items():
        setattr(session, name, value)
    instructors = list(session.instructors.all()) if instructors is None else list(instructors)
    sites = [stop.site for stop in session.stops.select_related("site")] if sites is None else list(sites)
    _require_places_in_reach(session=session, by=by)
    result = _session_save(session=session, by=by, instructors=instructors, sites=sites, action=None)
    changes = {k: [before.get(k), v] for k, v in snapshot(session).items() if before.get(k) != v}
    after_people = sorted(i.pk for i in instructors)
    if after_people != before_people:
        changes["instructors"] = [before_people, after_people]
    if [s.pk for s in sites] != before_sites:
        changes["sites"] = [before_sites, [s.pk for s in sites]]
    if changes:
        audit_record(actor=by, action="update", instance=session, changes=changes)
    return result


def session_move(*, session: Session, by, starts_at: datetime.datetime) -> tuple[Session, list[str]]:
    """Move a session to another start, keeping its length (the grid's drag and drop)."""
    length = session.ends_at - session.starts_at
    return session_update(session=session, by=by, starts_at=starts_at, ends_at=starts_at + length)


def session_delete(*, session: Session, by) -> None:
    require_perm(by, "training.manage_class", session)
    _require_timetable_editable(session.phase.program)
    model_delete(instance=session, by=by)


def _require_places_in_reach(*, session: Session, by) -> None:
    """College staff book the venues and classrooms of their own college (organizers any)."""
    from dangjian.training.scoping import sees_all_organs, staffed_venue_ids

    if sees_all_organs(by):
        return
    reach = staffed_venue_ids(by) | {session.phase.program.venue_id}
    if session.classroom_id and session.classroom.venue_id not in reach:
        raise ValidationError({"classroom": _("Choose a classroom of your college.")})
    if session.venue_id and session.venue_id not in reach:
        raise ValidationError({"venue": _("Choose a venue of your college.")})


def _session_save(*, session: Session, by, instructors: list, sites: list, action: str | None):
    with transaction.atomic():
        session.full_clean()
        errors = session_conflicts(session=session, instructors=instructors)
        if errors:
            raise ValidationError(errors)
        session.save()
        session.instructors.set(instructors)
        SessionStop.objects.filter(session=session).delete()
        SessionStop.objects.bulk_create(
            [SessionStop(session=session, site=site, order=i) for i, site in enumerate(sites)]
        )
        if action:
            changes = snapshot(session) | {"instructors": [i.pk for i in instructors],
                                           "sites": [s.pk for s in sites]}
            audit_record(actor=by, action=action, instance=session, changes=changes)
    return session, travel_warnings(session=session, sites=sites)


def session_conflicts(*, session: Session, instructors: list) -> dict[str, str]:
    """Clashes with other sessions, by field: the same phase (a whole-class session clashes with
    everything; group sessions clash within their group), an instructor or a classroom booked twice."""
    errors = {}
    others = Session.objects.exclude(pk=session.pk).overlapping(session.starts_at, session.ends_at)
    same_phase = others.filter(phase_id=session.phase_id)
    if session.group_id:
        same_phase = same_phase.filter(Q(group__isnull=True) | Q(group_id=session.group_id))
    clash = same_phase.order_by("starts_at").first()
    if clash is not None:
        errors["starts_at"] = _("This time overlaps “%(title)s” (%(start)s–%(end)s) in the same %(scope)s.") % {
            "title": clash.title, "start": _hm(clash.starts_at), "end": _hm(clash.ends_at),
            "scope": _("group") if session.group_id and clash.group_id else _("class"),
        }
    if instructors:
        busy = (
            others.filter(instructors__in=instructors)
            .select_related("phase__program")
            .prefetch_related("instructors")
            .order_by("starts_at")
            .first()
        )
        if busy is not None:
            names = "、".join(i.name for i in busy.instructors.all() if i in instructors)
            errors["instructors"] = _(
                "%(names)s already teaches “%(title)s” at this time (%(program)s, phase %(phase)s)."
            ) % {"names": names, "title": busy.title, "program": busy.phase.program.title,
                 "phase": busy.phase.number}
    if session.classroom_id:
        taken = others.filter(classroom_id=session.classroom_id).exclude(phase_id=session.phase_id).first()
        if taken is not None:
            errors["classroom"] = _("The classroom is booked for “%(title)s” at this time.") % {"title": taken.title}
    return errors


def _hm(value: datetime.datetime) -> str:
    return timezone.localtime(value).strftime("%H:%M")


def _places(session: Session, sites: list) -> tuple[object, object]:
    """First and last place of a session: its red-education stops, or else its venue."""
    if sites:
        return sites[0], sites[-1]
    venue = session.venue or session.phase.program.venue
    return venue, venue


def travel_warnings(*, session: Session, sites: list) -> list[str]:
    """Warn when the gap to the neighbouring session at another place is shorter than the travel time
    recorded between the two places (TravelTime; no record, no warning)."""
    if session.form == TeachingForm.TRAVEL:
        return []
    first, last = _places(session, sites)
    neighbours = Session.objects.filter(phase_id=session.phase_id).exclude(pk=session.pk).exclude(
        form=TeachingForm.TRAVEL)
    if session.group_id:
        neighbours = neighbours.filter(Q(group__isnull=True) | Q(group_id=session.group_id))
    neighbours = neighbours.select_related("venue", "phase__program__venue").prefetch_related("stops__site")
    day = timezone.localtime(session.starts_at).date()
    before = neighbours.filter(ends_at__lte=session.starts_at, ends_at__gte=_day_start(day)).order_by(
        "-ends_at").first()
    after = neighbours.filter(starts_at__gte=session.ends_at, starts_at__lt=_day_start(day, 1)).order_by(
        "starts_at").first()
    warnings = []
    for other, gap, origin, destination in (
        (before, before and session.starts_at - before.ends_at, before and _places(before, _stops(before))[1], first),
        (after, after and after.starts_at - session.ends_at, last, after and _places(after, _stops(after))[0]),
    ):
        if other is None or origin is None or destination is None or origin == destination:
            continue
        minutes = travel_minutes(origin, destination)
        if minutes and gap < datetime.timedelta(minutes=minutes):
            warnings.append(_(
                "Only %(gap)d minutes between “%(a)s” and “%(b)s”, but the trip from %(from)s to %(to)s "
                "takes %(minutes)d minutes."
            ) % {"gap": gap.total_seconds() // 60, "a": other.title if other is before else session.title,
                 "b": session.title if other is before else other.title, "from": origin, "to": destination,
                 "minutes": minutes})
    return warnings


def _stops(session: Session) -> list[Site]:
    return [stop.site for stop in session.stops.all()]


def travel_minutes(origin, destination) -> int | None:
    """Recorded travel time between two places (venues or sites), in either direction."""
    def end(prefix, place):
        kind = "venue" if isinstance(place, Venue) else "site"
        return Q(**{f"{prefix}_{kind}": place})

    row = TravelTime.objects.filter(
        (end("from", origin) & end("to", destination)) | (end("from", destination) & end("to", origin))
    ).order_by("minutes").first()
    return row.minutes if row else None


def phase_timetable_copy(*, source: Phase, target: Phase, by, replace: bool = False) -> int:
    """Copy a phase's timetable to another phase (of the same program, or an earlier program's), shifted
    to its dates. Groups are matched by number; instructors, places and hours are copied as they are
    (not refilled from the catalog course). All or nothing; returns the number of sessions copied."""
    require_perm(by, "training.manage_class", target)
    # Managing the source too: a copy must not reveal sessions the user may not see there.
    require_perm(by, "training.manage_class", source)
    _require_timetable_editable(target.program)
    if source.pk == target.pk:
        raise ValidationError(_("Choose another phase to copy to."))
    if target.sessions.exists() and not replace:
        raise ValidationError(_("Phase %(number)s already has sessions; tick “replace” to overwrite them.")
                              % {"number": target.number})
    shift = target.starts_on - source.starts_on
    groups = {g.number: g for g in target.groups.all()}
    sessions = list(source.sessions.select_related("group").prefetch_related("instructors", "stops__site"))
    copied = 0
    with transaction.atomic():
        for old in target.sessions.all():
            model_delete(instance=old, by=by)
        for old in sessions:
            group = None
            if old.group_id:
                group = groups.get(old.group.number)
                if group is None:
                    raise ValidationError(_("Phase %(number)s has no group %(group)s for “%(title)s”.") % {
                        "number": target.number, "group": old.group.number, "title": old.title})
            fields = {name: getattr(old, name) for name in SESSION_FIELDS}
            # Shift the local wall-clock time by whole days (the same hours on the target's days).
            fields.update(starts_at=timezone.localtime(old.starts_at) + shift,
                          ends_at=timezone.localtime(old.ends_at) + shift, group=group)
            try:
                _session_save(session=Session(phase=target, **fields), by=by, instructors=list(old.instructors.all()),
                              sites=[stop.site for stop in old.stops.all()], action="create")
            except ValidationError as error:
                raise ValidationError(_("“%(title)s” on %(day)s cannot be copied: %(error)s") % {
                    "title": old.title, "day": timezone.localtime(old.starts_at + shift).date(),
                    "error": " ".join(error.messages)}) from error
            copied += 1
    return copied


def session_hours_default(*, starts_at: datetime.datetime, ends_at: datetime.datetime) -> Decimal:
    """Hours suggested for a session of this length: its clock hours rounded to a half (as the
    college's timetables count them), a quarter rounding up."""
    half_hours = Decimal(int((ends_at - starts_at).total_seconds())) / Decimal(1800)
    return (half_hours.quantize(Decimal("1"), rounding=ROUND_HALF_UP) / 2).quantize(Decimal("0.1"))
