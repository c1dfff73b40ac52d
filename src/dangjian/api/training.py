"""REST API v1 for training programs (培训班): programs and their approval workflow, phases (期次) with
groups, class committee and temporary party branch, sessions (the timetable), and the documents.
The library (venues, sites, travel times, instructors, courses) is in api/training_library.py and
mounted here.

Scoped like the pages: every operation first requires a training role (`training.view_program`;
participants, editors and reviewers get 403); records are loaded through the scoped selectors, so a
program the user may not see is a 404; then the permission on the object (403), then one service.

- Organizers: everything. Approvers: read submitted plans, approve or return them.
- College staff: the programs at their venue, and manage the class (sessions, groups, committee,
  temporary branch: `training.manage_class`). Unit administrators: programs open for enrollment and
  later. Instructors: the programs they teach and their own sessions.

Status codes: an illegal transition (approving a draft) answers 409 with the service's message, as
does a delete the program's state or other records forbid; bad input (including plan fields that the
status freezes) answers 422 naming the field. Times without an offset are in Asia/Shanghai.
"""

import json
from pathlib import Path

import pydantic
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.errors import HttpError
from ninja.errors import ValidationError as SchemaValidationError

from dangjian.api import training_library as library
from dangjian.api.pagination import PageQuery, page_schema, paginate
from dangjian.api.registry import ERRORS, Conflict, Id, PostOut, model_fields_of
from dangjian.api.training_library import (
    WRITE_ERRORS,
    call,
    delete,
    gate,
    related_lists,
)
from dangjian.api.training_schemas import (
    ApprovalIn,
    BranchPostIn,
    CommitteeMemberIn,
    CommitteeMemberOut,
    CopyTimetableIn,
    CopyTimetableOut,
    FormMixOut,
    GroupIn,
    GroupOut,
    GroupPatch,
    GroupSessionsIn,
    GroupSessionsOut,
    MoveIn,
    PhaseCreateIn,
    PhaseFilters,
    PhaseOut,
    PhasePatch,
    ProgramCopyIn,
    ProgramCopyOut,
    ProgramDetail,
    ProgramFilters,
    ProgramIn,
    ProgramOut,
    ProgramPatch,
    ReopenClassIn,
    ReopenIn,
    ReturnIn,
    SessionCreateIn,
    SessionFilters,
    SessionOut,
    SessionPatch,
    SessionWithWarnings,
    TemporaryBranchIn,
    TemporaryBranchOut,
)
from dangjian.core.services import require_perm
from dangjian.organizations.models import Organ, Post
from dangjian.training import documents, selectors, services
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
    Site,
    Venue,
)
from dangjian.training.validators import validate_approval_document

# Documents ---------------------------------------------------------------------------------------

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ICAL = "text/calendar"


def _binary(content_type: str, description: str) -> dict:
    return {"responses": {200: {"description": description, "content": {
        content_type: {"schema": {"type": "string", "format": "binary"}}}}}}


def _download(content: bytes, content_type: str, filename: str, *, inline: bool = False) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(not inline, filename)
    return response


# Helpers -----------------------------------------------------------------------------------------

def _detail(program: Program, user) -> Program:
    """Give a program what its detail shows: the caller's transitions, the reviews and the phases."""
    program.api_transitions = services.allowed_transitions(program=program, user=user)
    program.api_reviews = list(selectors.program_reviews(program=program))
    program.api_phases = list(selectors.program_phases(program=program))
    program.phase_total = len(program.api_phases)
    program.api_approval_warnings = (selectors.approval_warnings(program=program)
                                     if "approve" in program.api_transitions else [])
    return program


def _program_keys(user) -> dict:
    return {"organizer_id": ("organizer", Organ.objects.visible_to(user)),
            "venue_id": ("venue", selectors.program_venue_choices())}


def _visible_phases(user) -> QuerySet[Phase]:
    return Phase.objects.filter(program__in=Program.objects.visible_to(user))


def _phase_keys() -> dict:
    """Ids to records; the service checks them against the named selectors of the phase's program."""
    return {"head_teacher_id": ("head_teacher", get_user_model().objects.filter(is_active=True)),
            "classroom_id": ("classroom", Classroom.objects.all())}


def _session_keys(user) -> dict:
    return {
        "course_id": ("course", Course.objects.all()),
        "venue_id": ("venue", Venue.objects.all()),
        "classroom_id": ("classroom", Classroom.objects.all()),
        "group_id": ("group", Group.objects.filter(phase__in=_visible_phases(user))),
    }


SESSION_LISTS = {"instructors": Instructor.objects.all(), "sites": Site.objects.all()}


def _session_row(user, pk: int) -> Session:
    """The session as the API shows it, read in the user's scope (after a write, too)."""
    return (
        Session.objects.visible_to(user).select_related("phase", "course", "venue", "classroom", "group")
        .prefetch_related(*selectors.session_prefetches())
        .get(pk=pk)
    )


def _with_warnings(user, result) -> Session:
    session, warnings = result
    row = _session_row(user, session.pk)
    row.api_warnings = warnings
    return row


def _session_fields(user, data: dict, *, create: bool = False) -> tuple[dict, dict]:
    fields, lists = related_lists(model_fields_of(data, _session_keys(user)), SESSION_LISTS)
    if create and fields.get("form") is None:
        fields.pop("form", None)  # the course's form, or (without a course) the model names the field
    return fields, lists


def _branch(phase: Phase):
    if not phase.temporary_branch_id:
        raise Http404
    branch = phase.temporary_branch
    branch.api_posts = list(selectors.phase_branch_posts(phase=phase).select_related("party_organization"))
    return branch


# Routers ------------------------------------------------------------------------------------------

router = Router(tags=["training"])
scoped = Router()
scoped.add_decorator(gate("training.view_program"))
programs = Router()
phases = Router()
sessions = Router()
calendars = Router()  # /sessions.ics: beside /sessions, not under it


# Programs (培训班) and their workflow.

@programs.get("", response={200: page_schema(ProgramOut), **ERRORS}, summary="List training programs")
def program_list(request, filters: Query[ProgramFilters], page: Query[PageQuery]):
    found = selectors.program_list(user=request.user, status=filters.status or "", year=filters.year, q=filters.q)
    return paginate(found, page)


@programs.get("/{program_id}", response={200: ProgramDetail, **ERRORS}, summary="Get a training program")
def program_detail(request, program_id: Id):
    program = selectors.program_get(user=request.user, pk=program_id)
    require_perm(request.user, "training.view_program", program)
    return _detail(program, request.user)


@programs.post("", response={201: ProgramDetail, **ERRORS}, summary="Create a training program (a draft)")
def program_create(request, payload: ProgramIn):
    require_perm(request.user, "training.add_program")
    fields = model_fields_of(payload.model_dump(), _program_keys(request.user))
    if fields.get("hours_per_day") is None:
        fields.pop("hours_per_day", None)
    program = call(services.program_create, by=request.user, **fields)
    return Status(201, _detail(program, request.user))


@programs.patch("/{program_id}", response={200: ProgramDetail, **ERRORS}, summary="Change a training program")
def program_update(request, program_id: Id, payload: ProgramPatch):
    program = selectors.program_get(user=request.user, pk=program_id)
    require_perm(request.user, "training.change_program", program)
    fields = model_fields_of(payload.model_dump(exclude_unset=True), _program_keys(request.user))
    program = call(services.program_update, program=program, by=request.user, **fields)
    return _detail(program, request.user)


@programs.delete("/{program_id}", response={204: None, **WRITE_ERRORS}, summary="Delete a draft program")
def program_delete(request, program_id: Id):
    program = selectors.program_get(user=request.user, pk=program_id)
    require_perm(request.user, "training.delete_program", program)
    return delete(services.program_delete, program=program, by=request.user)


@programs.post("/{program_id}/copy", response={201: ProgramCopyOut, **ERRORS},
               summary="Copy the program for another year (a draft)")
def program_copy(request, program_id: Id, payload: ProgramCopyIn):
    """A new draft with the same plan, its phases shifted to the year (or to `first_day`), their groups
    and timetables with instructors and rooms; an instructor or room booked at the new time is left out
    and named in `warnings`. For those who may see the program and create programs."""
    program = selectors.program_get(user=request.user, pk=program_id)
    require_perm(request.user, "training.copy_program", program)
    copy, warnings = call(services.program_copy, program=program, by=request.user, **payload.model_dump())
    copy = selectors.program_get(user=request.user, pk=copy.pk)
    copy.api_warnings = warnings
    return Status(201, _detail(copy, request.user))


def _transition(request, program_id: int, name: str, service, parse=None, **kwargs):
    """Apply one transition: 404 outside the scope, 403 without the right, 409 when the program's status
    does not allow it (the service's message), 422 for bad input. `parse(request)` reads a body that
    ninja does not (after the permission check, so that a refusal does not depend on the input)."""
    program = selectors.program_get(user=request.user, pk=program_id)
    require_perm(request.user, services.TRANSITIONS[name][2], program)  # 403, or 409 (ActionRefused)
    if parse is not None:
        kwargs.update(parse(request))
    call(service, program=program, by=request.user, **kwargs)
    program.refresh_from_db()
    return _detail(program, request.user)


TRANSITION_RESPONSES = {200: ProgramDetail, **WRITE_ERRORS}


@programs.post("/{program_id}/submit", response=TRANSITION_RESPONSES, summary="Submit the plan for approval")
def program_submit(request, program_id: Id):
    """draft or returned → submitted. 422 lists what the plan still lacks."""
    return _transition(request, program_id, "submit", services.program_submit)


APPROVE_BODY = {"requestBody": {"content": {
    "application/json": {"schema": ApprovalIn.model_json_schema()},
    "multipart/form-data": {"schema": {"type": "object", "properties": {
        "comments": {"type": "string"}, "document_reference": {"type": "string"},
        "document": {"type": "string", "format": "binary", "description": "PDF, OFD, PNG or JPEG, at most 20 MB."},
    }}},
}}}


def _approval_input(request) -> dict:
    """The approval as JSON, or as multipart/form-data with the approval document as `document`."""
    document = None
    if request.content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
        data = {key: request.POST.get(key) for key in request.POST}
        unknown = sorted(set(request.FILES) - {"document"})
        if unknown:
            raise SchemaValidationError([{"loc": (unknown[0],), "msg": _("Unexpected file.")}])
        document = request.FILES.get("document")
    else:
        try:
            data = json.loads(request.body or b"{}")
        except ValueError as error:  # as for the other operations: malformed JSON is a 400
            raise HttpError(400, "Cannot parse request body") from error
        if not isinstance(data, dict):
            raise SchemaValidationError([{"loc": ("body",), "msg": _("Send a JSON object.")}])
    try:
        payload = ApprovalIn.model_validate(data)
    except pydantic.ValidationError as error:
        raise SchemaValidationError(error.errors(include_url=False, include_context=False)) from error
    if document is not None:
        try:
            validate_approval_document(document)  # the model's rule, before the transition is asked for
        except ValidationError as error:
            raise ValidationError({"document": error.messages}) from error
    return {**payload.model_dump(), "document": document}


@programs.post("/{program_id}/approve", response=TRANSITION_RESPONSES, openapi_extra=APPROVE_BODY,
               summary="Approve the plan (approvers)")
def program_approve(request, program_id: Id):
    """submitted → approved. JSON `{comments, document_reference}`, or the same as multipart/form-data
    with the approval document as the file `document`."""
    return _transition(request, program_id, "approve", services.program_approve, parse=_approval_input)


@programs.post("/{program_id}/return", response=TRANSITION_RESPONSES, summary="Return the plan (approvers)")
def program_return(request, program_id: Id, payload: ReturnIn):
    """submitted → returned, with comments saying what must be revised."""
    return _transition(request, program_id, "return", services.program_return, comments=payload.comments)


@programs.post("/{program_id}/reopen", response=TRANSITION_RESPONSES, summary="Reopen an approved plan")
def program_reopen(request, program_id: Id, payload: ReopenIn):
    """approved or enrollment open → draft; it must be submitted and approved again."""
    return _transition(request, program_id, "reopen", services.program_reopen, reason=payload.reason)


@programs.post("/{program_id}/open-enrollment", response=TRANSITION_RESPONSES, summary="Open enrollment")
def program_open_enrollment(request, program_id: Id):
    """approved → enrollment open."""
    return _transition(request, program_id, "open_enrollment", services.program_open_enrollment)


@programs.post("/{program_id}/start", response=TRANSITION_RESPONSES, summary="Start the training")
def program_start(request, program_id: Id):
    """enrollment open → in progress."""
    return _transition(request, program_id, "start", services.program_start)


@programs.post("/{program_id}/close", response=TRANSITION_RESPONSES, summary="Close the class")
def program_close(request, program_id: Id):
    """in progress → closed; every phase is finished. Requires a closing pack made after the last change of the
    class's records (409 in words otherwise: POST /closing/programs/{id}/packs makes one); each participant's
    result is fixed and those who completed are credited with their hours in the ledger."""
    return _transition(request, program_id, "close", services.program_close)


@programs.post("/{program_id}/reopen-class", response=TRANSITION_RESPONSES, summary="Reopen a closed class")
def program_reopen_class(request, program_id: Id, payload: ReopenClassIn):
    """closed → in progress (organizers), with a reason: the results are deleted and the hours credited at closing
    are taken back from the ledger, audited with the reason; closing again credits anew."""
    return _transition(request, program_id, "reopen_class", services.program_reopen_class, reason=payload.reason)


@programs.post("/{program_id}/archive", response=TRANSITION_RESPONSES, summary="Archive the program")
def program_archive(request, program_id: Id):
    """closed → archived."""
    return _transition(request, program_id, "archive", services.program_archive)


REVIEW_DOCUMENT = {"responses": {200: {"description": "The approval document as uploaded: PDF, PNG or JPEG",
                                        "content": {media: {"schema": {"type": "string", "format": "binary"}}
                                                    for media in (PDF, "image/png", "image/jpeg")}}}}


@programs.get("/{program_id}/reviews/{review_id}/document", url_name="program_review_document",
              openapi_extra=REVIEW_DOCUMENT, response=ERRORS, summary="Download an approval document")
def program_review_document(request, program_id: Id, review_id: Id):
    program = selectors.program_get(user=request.user, pk=program_id)
    require_perm(request.user, "training.view_program", program)
    review = get_object_or_404(ProgramReview, program=program, pk=review_id)
    if not review.document:
        raise Http404
    return FileResponse(review.document.open("rb"), as_attachment=True,
                        filename=Path(review.document.name).name)


@programs.get("/{program_id}/form-mix", response={200: FormMixOut, **ERRORS},
              summary="Hours per teaching form (theory vs practice)")
def program_form_mix(request, program_id: Id):
    program = selectors.program_get(user=request.user, pk=program_id)
    require_perm(request.user, "training.view_program", program)
    mix = selectors.teaching_form_mix(program=program)
    mix["phases"] = [{"phase_id": row["phase"].pk, "number": row["phase"].number, "hours": row["hours"],
                      "days": row["days"], "hours_by_days": row["hours_by_days"]} for row in mix["phases"]]
    return mix


@programs.get("/{program_id}/plan.pdf", openapi_extra=_binary(PDF, "The plan (培训方案), A4 PDF"),
              response=ERRORS, summary="The program plan as PDF")
def program_plan_pdf(request, program_id: Id):
    program = selectors.program_get(user=request.user, pk=program_id)
    require_perm(request.user, "training.view_program", program)
    content = documents.program_plan_pdf(program=program)
    return _download(content, PDF, _("%(title)s plan.pdf") % {"title": program.title}, inline=True)


# Phases (期次), their groups, class committee and temporary party branch.

def _phase_rows(qs: QuerySet[Phase]) -> QuerySet[Phase]:
    return qs.select_related("head_teacher", "classroom", "temporary_branch").annotate(
        session_total=Count("sessions", distinct=True), group_total=Count("groups", distinct=True))


@phases.get("", response={200: page_schema(PhaseOut), **ERRORS}, summary="List phases")
def phase_list(request, filters: Query[PhaseFilters], page: Query[PageQuery]):
    if filters.program is not None:
        program = Program.objects.visible_to(request.user).filter(pk=filters.program).first()
        if program is None:  # not a program the user may see: nothing to list
            return paginate(Phase.objects.none(), page)
        return paginate(selectors.program_phases(program=program), page)
    return paginate(_phase_rows(_visible_phases(request.user)).order_by("program_id", "number"), page)


def _phase(request, phase_id: int, perm: str = "training.view_program") -> Phase:
    phase = selectors.phase_get(user=request.user, pk=phase_id)
    require_perm(request.user, perm, phase)
    return phase


@phases.get("/{phase_id}", response={200: PhaseOut, **ERRORS}, summary="Get a phase")
def phase_detail(request, phase_id: Id):
    _phase(request, phase_id)
    return get_object_or_404(_phase_rows(_visible_phases(request.user)), pk=phase_id)


@phases.post("", response={201: PhaseOut, **ERRORS}, summary="Add a phase to a program")
def phase_create(request, payload: PhaseCreateIn):
    """Part of the plan: only while the program is a draft or returned."""
    require_perm(request.user, "training.change_plan")
    keys = {**_phase_keys(), "program_id": ("program", Program.objects.visible_to(request.user))}
    fields = model_fields_of(payload.model_dump(), keys)
    program = fields.pop("program")
    phase = call(services.phase_create, program=program, by=request.user, **fields)
    return Status(201, get_object_or_404(_phase_rows(_visible_phases(request.user)), pk=phase.pk))


@phases.patch("/{phase_id}", response={200: PhaseOut, **ERRORS}, summary="Change a phase")
def phase_update(request, phase_id: Id, payload: PhasePatch):
    """Dates, number and capacity are part of the plan (organizers, while it is a draft or returned);
    head teacher, classroom and status are the class's (organizers and the venue's college staff)."""
    phase = _phase(request, phase_id, "training.manage_class")
    fields = model_fields_of(payload.model_dump(exclude_unset=True), _phase_keys())
    call(services.phase_update, phase=phase, by=request.user, **fields)
    return get_object_or_404(_phase_rows(_visible_phases(request.user)), pk=phase.pk)


@phases.delete("/{phase_id}", response={204: None, **WRITE_ERRORS}, summary="Delete a phase")
def phase_delete(request, phase_id: Id):
    phase = _phase(request, phase_id, "training.change_plan")
    return delete(services.phase_delete, phase=phase, by=request.user)


@phases.post("/{phase_id}/copy-timetable", response={200: CopyTimetableOut, **ERRORS},
             summary="Copy the timetable to another phase")
def phase_copy_timetable(request, phase_id: Id, payload: CopyTimetableIn):
    """Copies every session of this phase to the target phase (of this program or another), shifted to
    its dates; groups are matched by number. An instructor or a room booked elsewhere at the new time is
    left out and named in `warnings`; anything else that does not fit copies nothing (422)."""
    source = _phase(request, phase_id)
    target = _visible_phases(request.user).select_related("program").filter(pk=payload.target_phase).first()
    if target is None:
        raise ValidationError({"target_phase": _("There is no phase with id %(id)s among those you may use.")
                               % {"id": payload.target_phase}})
    require_perm(request.user, "training.edit_timetable", target)
    copied, warnings = call(services.phase_timetable_copy, source=source, target=target, by=request.user,
                            replace=payload.replace)
    return {"copied": copied, "warnings": warnings}


@phases.post("/{phase_id}/group-sessions", response={201: GroupSessionsOut, **WRITE_ERRORS},
             summary="Add a session for every group at once")
def group_sessions_create(request, phase_id: Id, payload: GroupSessionsIn):
    """One session per group of the phase at the same time (group discussion, 分组研讨), each group in its
    room if known (that of its latest group session), else in `classroom_id`. A room booked at that time
    is left empty and named in `warnings`; a group busy at that time refuses the whole addition (422).
    No instructors: give each group's session its facilitator afterwards."""
    phase = _phase(request, phase_id, "training.edit_timetable")
    fields, lists = _session_fields(request.user, payload.model_dump(), create=True)
    added, warnings = call(services.session_create_for_groups, phase=phase, by=request.user, **lists, **fields)
    rows = {row.pk: row for row in Session.objects.visible_to(request.user).filter(pk__in=[s.pk for s in added])
            .select_related("phase", "course", "venue", "classroom", "group")
            .prefetch_related(*selectors.session_prefetches())}
    return Status(201, {"sessions": [rows[session.pk] for session in added], "warnings": warnings})


@phases.get("/{phase_id}/groups", response={200: page_schema(GroupOut), **ERRORS}, summary="List a phase's groups")
def group_list(request, phase_id: Id, page: Query[PageQuery]):
    phase = _phase(request, phase_id)
    return paginate(selectors.phase_groups(phase=phase), page)


@phases.get("/{phase_id}/groups/{group_id}", response={200: GroupOut, **ERRORS}, summary="Get a group")
def group_detail(request, phase_id: Id, group_id: Id):
    phase = _phase(request, phase_id)
    return get_object_or_404(selectors.phase_groups(phase=phase), pk=group_id)


def _group_keys(user, phase) -> dict:
    people = selectors.class_nominee_choices(user=user, phase=phase)
    return {"leader_id": ("leader", people), "deputy_leader_id": ("deputy_leader", people)}


@phases.post("/{phase_id}/groups", response={201: GroupOut, **ERRORS}, summary="Add a group")
def group_create(request, phase_id: Id, payload: GroupIn):
    phase = _phase(request, phase_id, "training.manage_class")
    fields = model_fields_of(payload.model_dump(), _group_keys(request.user, phase))
    return Status(201, call(services.group_create, phase=phase, by=request.user, **fields))


@phases.patch("/{phase_id}/groups/{group_id}", response={200: GroupOut, **ERRORS}, summary="Change a group")
def group_update(request, phase_id: Id, group_id: Id, payload: GroupPatch):
    phase = _phase(request, phase_id, "training.manage_class")
    group = get_object_or_404(selectors.phase_groups(phase=phase), pk=group_id)
    fields = model_fields_of(payload.model_dump(exclude_unset=True), _group_keys(request.user, phase))
    return call(services.group_update, group=group, by=request.user, **fields)


@phases.delete("/{phase_id}/groups/{group_id}", response={204: None, **WRITE_ERRORS}, summary="Delete a group")
def group_delete(request, phase_id: Id, group_id: Id):
    phase = _phase(request, phase_id, "training.manage_class")
    group = get_object_or_404(Group, phase=phase, pk=group_id)
    return delete(services.group_delete, group=group, by=request.user)


@phases.get("/{phase_id}/committee", response={200: page_schema(CommitteeMemberOut), **ERRORS},
            summary="List the class committee")
def committee_list(request, phase_id: Id, page: Query[PageQuery]):
    phase = _phase(request, phase_id)
    return paginate(selectors.phase_committee(phase=phase), page)


@phases.post("/{phase_id}/committee", response={201: CommitteeMemberOut, **ERRORS},
             summary="Appoint a class committee member")
def committee_appoint(request, phase_id: Id, payload: CommitteeMemberIn):
    """The post lasts as long as the phase."""
    phase = _phase(request, phase_id, "training.manage_class")
    nominees = selectors.class_nominee_choices(user=request.user, phase=phase)
    fields = model_fields_of(payload.model_dump(), {"person_id": ("person", nominees)})
    member = call(services.class_committee_appoint, phase=phase, by=request.user, **fields)
    return Status(201, selectors.phase_committee(phase=phase).get(pk=member.pk))


@phases.delete("/{phase_id}/committee/{member_id}", response={204: None, **WRITE_ERRORS},
               summary="Remove a class committee member")
def committee_remove(request, phase_id: Id, member_id: Id):
    phase = _phase(request, phase_id, "training.manage_class")
    member = get_object_or_404(ClassCommitteeMember, phase=phase, pk=member_id)
    return delete(services.class_committee_remove, member=member, by=request.user)


@phases.get("/{phase_id}/temporary-branch", response={200: TemporaryBranchOut, **ERRORS},
            summary="The phase's temporary party branch and its posts")
def temporary_branch_detail(request, phase_id: Id):
    return _branch(_phase(request, phase_id))


@phases.post("/{phase_id}/temporary-branch", response={201: TemporaryBranchOut, **WRITE_ERRORS},
             summary="Set up the temporary party branch")
def temporary_branch_create(request, phase_id: Id, payload: TemporaryBranchIn):
    """Under the organizer's organ, for the life of the phase. A phase has at most one (409)."""
    phase = _phase(request, phase_id, "training.manage_class")
    if phase.temporary_branch_id:
        raise Conflict(_("This phase already has a temporary party branch."))
    call(services.temporary_branch_create, phase=phase, by=request.user, name=payload.name)
    return Status(201, _branch(phase))


@phases.post("/{phase_id}/temporary-branch/posts", response={201: PostOut, **ERRORS},
             summary="Appoint to the temporary party branch")
def temporary_branch_appoint(request, phase_id: Id, payload: BranchPostIn):
    """Secretary, deputy secretary or member; the post ends with the phase."""
    phase = _phase(request, phase_id, "training.manage_class")
    nominees = selectors.class_nominee_choices(user=request.user, phase=phase)
    fields = model_fields_of(payload.model_dump(), {"person_id": ("person", nominees)})
    post = call(services.temporary_branch_appoint, phase=phase, by=request.user, **fields)
    return Status(201, post)


@phases.delete("/{phase_id}/temporary-branch/posts/{post_id}", response={204: None, **WRITE_ERRORS},
               summary="Remove a post of the temporary party branch")
def temporary_branch_remove_post(request, phase_id: Id, post_id: Id):
    phase = _phase(request, phase_id, "training.manage_class")
    if not phase.temporary_branch_id:
        raise Http404
    post = get_object_or_404(Post.unscoped.select_related("party_organization"),
                             party_organization_id=phase.temporary_branch_id, pk=post_id)
    return delete(services.temporary_branch_remove_post, post=post, by=request.user)


def _phase_filename(phase: Phase, suffix: str) -> str:
    return _("%(program)s phase %(number)s timetable") % {
        "program": phase.program.title, "number": phase.number} + suffix


@phases.get("/{phase_id}/timetable.pdf", openapi_extra=_binary(PDF, "The timetable, A4 PDF"), response=ERRORS,
            summary="The phase's timetable as PDF")
def phase_timetable_pdf(request, phase_id: Id):
    phase = _phase(request, phase_id)
    sessions = selectors.phase_sessions(phase=phase, user=request.user)  # an instructor: their own
    return _download(documents.phase_timetable_pdf(phase=phase, sessions=sessions), PDF,
                     _phase_filename(phase, ".pdf"), inline=True)


@phases.get("/{phase_id}/timetable.xlsx", openapi_extra=_binary(XLSX, "The timetable, Excel workbook"),
            response=ERRORS, summary="The phase's timetable as Excel")
def phase_timetable_xlsx(request, phase_id: Id):
    phase = _phase(request, phase_id)
    sessions = selectors.phase_sessions(phase=phase, user=request.user)  # an instructor: their own
    return _download(documents.phase_timetable_xlsx(phase=phase, sessions=sessions), XLSX,
                     _phase_filename(phase, ".xlsx"))


@phases.get("/{phase_id}/timetable.ics", openapi_extra=_binary(ICAL, "The timetable, iCalendar"),
            response=ERRORS, summary="The phase's timetable as a calendar")
def phase_timetable_ics(request, phase_id: Id):
    """The sessions of the phase the caller may see (an instructor: their own)."""
    phase = _phase(request, phase_id)
    name = _phase_filename(phase, "")
    content = documents.sessions_ical(sessions=selectors.phase_sessions(phase=phase, user=request.user), name=name)
    return _download(content, ICAL, name + ".ics")


# Sessions (the timetable).

def _session_filters(user, filters: SessionFilters):
    return selectors.session_list(user=user, program_id=filters.program, phase_id=filters.phase,
                                  instructor_id=filters.instructor, form=filters.form or "", since=filters.since)


@sessions.get("", response={200: page_schema(SessionOut), **ERRORS}, summary="List sessions")
def session_list(request, filters: Query[SessionFilters], page: Query[PageQuery]):
    """Sessions of the programs the caller may see, in time order; an instructor sees their own."""
    return paginate(_session_filters(request.user, filters), page)


@calendars.get("/sessions.ics", openapi_extra=_binary(ICAL, "Sessions, iCalendar"), response=ERRORS,
               summary="Sessions as a calendar")
def session_calendar(request, filters: Query[SessionFilters]):
    """The same sessions as the list (same filters), e.g. an instructor's own timetable."""
    found = _session_filters(request.user, filters)
    return _download(documents.sessions_ical(sessions=found, name=_("Sessions")), ICAL, "sessions.ics")


def _session(request, session_id: int, perm: str = "training.view_program") -> Session:
    session = selectors.session_get(user=request.user, pk=session_id)
    require_perm(request.user, perm, session)
    return session


@sessions.get("/{session_id}", response={200: SessionOut, **ERRORS}, summary="Get a session")
def session_detail(request, session_id: Id):
    return _session_row(request.user, _session(request, session_id).pk)


@sessions.post("", response={201: SessionWithWarnings, **ERRORS}, summary="Add a session to a phase")
def session_create(request, payload: SessionCreateIn):
    """Refused (422, naming the field) when it ends before it starts, lies outside the phase, overlaps
    another session of the class or group, or an instructor or classroom is booked; `warnings` tell of
    less time between two places than the trip takes."""
    require_perm(request.user, "training.edit_timetable")
    data = payload.model_dump()
    phase = _visible_phases(request.user).select_related("program").filter(pk=data.pop("phase_id")).first()
    if phase is None:
        raise ValidationError({"phase_id": _("There is no phase with id %(id)s among those you may use.")
                               % {"id": payload.phase_id}})
    require_perm(request.user, "training.edit_timetable", phase)
    fields, lists = _session_fields(request.user, data, create=True)
    result = call(services.session_create, phase=phase, by=request.user, **lists, **fields)
    return Status(201, _with_warnings(request.user, result))


@sessions.patch("/{session_id}", response={200: SessionWithWarnings, **ERRORS}, summary="Change a session")
def session_update(request, session_id: Id, payload: SessionPatch):
    session = _session(request, session_id, "training.edit_timetable")
    fields, lists = _session_fields(request.user, payload.model_dump(exclude_unset=True))
    result = call(services.session_update, session=session, by=request.user, **lists, **fields)
    return _with_warnings(request.user, result)


@sessions.post("/{session_id}/move", response={200: SessionWithWarnings, **ERRORS},
               summary="Move a session, keeping its length")
def session_move(request, session_id: Id, payload: MoveIn):
    session = _session(request, session_id, "training.edit_timetable")
    moved = call(services.session_move, session=session, by=request.user, starts_at=payload.starts_at)
    return _with_warnings(request.user, moved)


@sessions.delete("/{session_id}", response={204: None, **WRITE_ERRORS}, summary="Delete a session")
def session_delete(request, session_id: Id):
    session = _session(request, session_id, "training.edit_timetable")
    return delete(services.session_delete, session=session, by=request.user)


scoped.add_router("/programs", programs, tags=["training programs"])
scoped.add_router("/phases", phases, tags=["training phases"])
scoped.add_router("/sessions", sessions, tags=["training sessions"])
scoped.add_router("", calendars, tags=["training sessions"])
router.add_router("", scoped)
router.add_router("", library.router)
