"""REST API v1 for the allocation of participants to phases and groups (分期分组, docs/allocation.md): start a run
of the solver (a background job), poll it, read its proposal, apply or discard it.

Scoped like the pages: every operation first requires `enrollment.view_allocation` (organizers and college staff;
403 for others); programs and runs are loaded through the scoped selectors (404 outside the scope); then
`enrollment.place_participants` on the program (403 for college staff of another venue, 409 for a program that is
not approved, open or in progress, a run that is no proposal, or placements that changed since the run).
"""

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from dangjian.api.inputs import Input
from dangjian.api.registry import ERRORS, Id
from dangjian.api.training_library import WRITE_ERRORS, call, gate
from dangjian.core.services import require_perm
from dangjian.enrollment import selectors, services
from dangjian.enrollment.tasks import MAX_TIME_LIMIT, allocation_run_start


class RunIn(Input):
    time_limit: int = Field(10, ge=1, le=MAX_TIME_LIMIT, description="Seconds the solver may search.")


class RunOut(Schema):
    id: int
    program_id: int
    job_id: int | None
    state: str
    solver_status: str
    time_limit: int
    solutions: int
    objective: int | None
    bound: int | None
    gap: float | None
    wall_time: float | None
    parameters: dict
    explanations: list[str]
    placed: int
    unplaced: int
    created_at: datetime.datetime
    decided_at: datetime.datetime | None

    @staticmethod
    def resolve_placed(obj) -> int:
        return len(obj.proposal)

    @staticmethod
    def resolve_unplaced(obj) -> int:
        return len(obj.unplaced)


class ProposalRowOut(Schema):
    nomination_id: int
    person_name: str
    organ_name: str
    current_phase_id: int | None
    current_group_id: int | None
    phase_id: int | None
    group_id: int | None
    moved: bool
    unplaced_reason: str


class ProposalOut(Schema):
    run: RunOut
    rows: list[ProposalRowOut]


class AppliedOut(Schema):
    created: int
    moved: int
    removed: int


def _ids(place) -> tuple[int | None, int | None]:
    if place is None:
        return None, None
    phase, group = place
    return phase.pk if phase else None, group.pk if group else None


def _run(request, run_id):
    run = selectors.allocation_run_get(user=request.user, pk=run_id)
    require_perm(request.user, "enrollment.view_allocation", run.program)
    return run


router = Router(tags=["allocation"])
router.add_decorator(gate("enrollment.view_allocation"))


@router.post("/enrollment/programs/{program_id}/allocation-runs", response={202: RunOut, **WRITE_ERRORS},
             summary="Start the solver for a program's confirmed participants (a background job)")
def run_start(request, program_id: Id, payload: RunIn):
    program = selectors.enrollment_program_get(user=request.user, pk=program_id)
    require_perm(request.user, "enrollment.place_participants", program)
    run = call(allocation_run_start, program=program, by=request.user, time_limit=payload.time_limit)
    return Status(202, selectors.allocation_run_get(user=request.user, pk=run.pk))


@router.get("/enrollment/allocation-runs/{run_id}", response={200: RunOut, **ERRORS},
            summary="A run: state, solver status, solutions, objective, bound and gap (poll while solving)")
def run_detail(request, run_id: Id):
    return _run(request, run_id)


@router.get("/enrollment/allocation-runs/{run_id}/proposal", response={200: ProposalOut, **ERRORS},
            summary="The run's proposal: every participant's placement before and after, moved ones first")
def run_proposal(request, run_id: Id):
    run = _run(request, run_id)
    rows = [{"nomination_id": row.nomination.pk, "person_name": row.nomination.person.name,
             "organ_name": row.nomination.organ.name_zh,
             "current_phase_id": _ids(row.current)[0], "current_group_id": _ids(row.current)[1],
             "phase_id": _ids(row.proposed)[0], "group_id": _ids(row.proposed)[1], "moved": row.moved,
             "unplaced_reason": row.reason} for row in selectors.proposal_rows(run=run)]
    return {"run": run, "rows": rows}


@router.post("/enrollment/allocation-runs/{run_id}/apply", response={200: AppliedOut, **WRITE_ERRORS},
             summary="Apply the proposal in one transaction (refused when the placements changed since the run)")
def run_apply(request, run_id: Id):
    run = _run(request, run_id)
    require_perm(request.user, "enrollment.place_participants", run.program)
    return call(services.allocation_apply, run=run, by=request.user)


@router.post("/enrollment/allocation-runs/{run_id}/discard", response={200: RunOut, **WRITE_ERRORS},
             summary="Discard the proposal: nothing is placed")
def run_discard(request, run_id: Id):
    run = _run(request, run_id)
    require_perm(request.user, "enrollment.place_participants", run.program)
    call(services.allocation_discard, run=run, by=request.user)
    return _run(request, run_id)


class PlacementIn(Input):
    phase_id: int
    group_id: int | None = None
    locked: bool | None = Field(None, description="Omitted: the lock stays as it is (a new placement: unlocked).")


class PlacementOut(Schema):
    nomination_id: int
    phase_id: int
    group_id: int | None
    locked: bool


def _participant(request, nomination_id):
    nomination = selectors.placement_nomination_get(user=request.user, pk=nomination_id)
    require_perm(request.user, "enrollment.view_allocation", nomination.program)
    return nomination


@router.put("/enrollment/participants/{nomination_id}/placement", response={200: PlacementOut, **WRITE_ERRORS},
            summary="Place a confirmed participant by hand in a phase and a group of it, locked or not")
def placement_set(request, nomination_id: Id, payload: PlacementIn):
    nomination = _participant(request, nomination_id)
    require_perm(request.user, "enrollment.place_participants", nomination.program)
    phase = nomination.program.phases.filter(pk=payload.phase_id).first()
    if phase is None:
        raise ValidationError({"phase_id": _("This phase belongs to another program.")})
    group = None
    if payload.group_id is not None:
        group = phase.groups.filter(pk=payload.group_id).first()
        if group is None:
            raise ValidationError({"group_id": _("This group belongs to another phase.")})
    return call(services.placement_set, nomination=nomination, phase=phase, group=group, locked=payload.locked,
                by=request.user)


@router.delete("/enrollment/participants/{nomination_id}/placement", response={204: None, **WRITE_ERRORS},
               summary="Take a participant out of their phase and group")
def placement_remove(request, nomination_id: Id):
    nomination = _participant(request, nomination_id)
    require_perm(request.user, "enrollment.place_participants", nomination.program)
    placement = getattr(nomination, "placement", None)
    if placement is not None:
        call(services.placement_remove, placement=placement, by=request.user)
    return Status(204, None)
