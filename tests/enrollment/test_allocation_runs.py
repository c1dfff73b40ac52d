"""Allocation runs: started as a background job (run at once in the tests), stored as a proposal, applied in one
transaction (each placement audited; refused, with nothing written, when the placements changed since the run or
the groups are gone) or discarded; who may start and apply them."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dangjian.core.models import AuditEntry
from dangjian.core.rules import ActionRefused
from dangjian.enrollment import services
from dangjian.enrollment.models import AllocationRun, Nomination, Placement
from dangjian.enrollment.tasks import allocation_run_start
from dangjian.jobs.models import BackgroundJob
from tests.factories import GroupFactory, OrganFactory, PersonFactory, UserFactory
from tests.state import db_state, state_diff

pytestmark = pytest.mark.django_db


@pytest.fixture
def run_world(enrollment_world):
    w = enrollment_world
    w.phase1.capacity = w.phase2.capacity = 6
    w.phase1.save()
    w.phase2.save()
    w.groups = {phase.pk: [GroupFactory(phase=phase, number=n) for n in (1, 2)] for phase in (w.phase1, w.phase2)}
    organs = [OrganFactory() for _ in range(4)]
    w.nominations = [Nomination.unscoped.create(program=w.program, person=PersonFactory(organ=organ), organ=organ,
                                                status="confirmed") for organ in organs for _ in range(2)]
    services.allocation_settings_update(program=w.program, by=w.organizer, group_size_min=1, group_size_max=3,
                                        max_per_organ_per_phase=1)
    return w


def test_a_run_solves_in_a_job_and_proposes_a_placement_for_everyone(run_world):
    w = run_world
    run = allocation_run_start(program=w.program, by=w.organizer, time_limit=5)
    assert run.job.status == BackgroundJob.Status.DONE and run.job.result["status"] == "optimal"
    assert (run.state, run.solver_status, run.gap) == ("proposed", "optimal", 0)
    assert sorted(run.proposal) == sorted(str(n.pk) for n in w.nominations) and not run.unplaced
    assert run.baseline == {str(n.pk): [None, None, False] for n in w.nominations}
    assert run.parameters["max_per_organ_per_phase"] == 1 and run.parameters["weights"]["unplaced"] == 1000
    # one of each organ per phase (the limit), and groups of 1 to 3 people
    phases_of_organ = {}
    for nomination in w.nominations:
        phases_of_organ.setdefault(nomination.organ_id, set()).add(run.proposal[str(nomination.pk)][0])
    assert all(len(phases) == 2 for phases in phases_of_organ.values())
    assert not Placement.unscoped.exists()


def test_applying_writes_every_placement_with_an_audit_trail_and_only_once(run_world):
    w = run_world
    run = allocation_run_start(program=w.program, by=w.organizer, time_limit=5)
    assert services.allocation_apply(run=run, by=w.organizer) == {"created": 8, "moved": 0, "removed": 0}
    placed = {str(p.nomination_id): [p.phase_id, p.group_id] for p in Placement.unscoped.all()}
    assert placed == run.proposal
    assert AuditEntry.objects.filter(model="enrollment.placement", action="create").count() == 8
    run.refresh_from_db()
    assert (run.state, run.decided_by) == ("applied", w.organizer)
    with pytest.raises(ActionRefused, match="Only a proposal with a solution"):
        services.allocation_apply(run=run, by=w.organizer)
    # A second run starts from these placements and keeps them (stability): nothing to move.
    again = allocation_run_start(program=w.program, by=w.organizer, time_limit=5)
    assert again.proposal == run.proposal
    assert services.allocation_apply(run=again, by=w.organizer) == {"created": 0, "moved": 0, "removed": 0}


def test_applying_is_refused_with_nothing_written_when_the_placements_changed_since(run_world):
    w = run_world
    run = allocation_run_start(program=w.program, by=w.organizer, time_limit=5)
    services.placement_set(nomination=w.nominations[0], phase=w.phase1, group=None, by=w.organizer)
    before = db_state()
    with pytest.raises(ActionRefused, match="changed since this run started"):
        services.allocation_apply(run=run, by=w.organizer)
    assert state_diff(before, db_state()) == {}


def test_applying_is_refused_when_a_group_of_the_proposal_is_gone(run_world):
    w = run_world
    run = allocation_run_start(program=w.program, by=w.organizer, time_limit=5)
    w.groups[w.phase2.pk][1].delete()
    before = db_state()
    with pytest.raises(ActionRefused, match="phases or groups changed"):
        services.allocation_apply(run=run, by=w.organizer)
    assert state_diff(before, db_state()) == {}


def test_a_discarded_proposal_places_nobody_and_cannot_be_applied(run_world):
    w = run_world
    run = allocation_run_start(program=w.program, by=w.organizer, time_limit=5)
    services.allocation_discard(run=run, by=w.organizer)
    run.refresh_from_db()
    assert run.state == "discarded"
    with pytest.raises(ActionRefused):
        services.allocation_apply(run=run, by=w.organizer)
    assert not Placement.unscoped.exists()


def test_an_infeasible_run_is_proposed_with_its_explanation_and_cannot_be_applied(run_world):
    w = run_world
    services.allocation_settings_update(program=w.program, by=w.organizer, group_size_min=3, group_size_max=3,
                                        max_per_organ_per_phase=None)
    run = allocation_run_start(program=w.program, by=w.organizer, time_limit=5)
    assert run.solver_status == "infeasible" and not run.proposal
    assert run.explanations == ["The groups need at least 12 participants in all, but there are 8."]
    with pytest.raises(ActionRefused):
        services.allocation_apply(run=run, by=w.organizer)


def test_who_may_start_and_apply_runs(run_world):
    w = run_world
    staff = UserFactory(roles=["college_staff"])
    w.program.venue.staff.add(staff)
    run = allocation_run_start(program=w.program, by=staff, time_limit=5)
    for user in (w.admin, UserFactory(roles=["college_staff"]), UserFactory(roles=["approver"])):
        with pytest.raises(PermissionDenied):
            allocation_run_start(program=w.program, by=user, time_limit=5)
        with pytest.raises(PermissionDenied):
            services.allocation_apply(run=run, by=user)
    assert AllocationRun.objects.count() == 1
    with pytest.raises(ValidationError, match="between 1 and 600"):
        allocation_run_start(program=w.program, by=w.organizer, time_limit=601)
    w.program.status = "closed"
    w.program.save()
    with pytest.raises(ActionRefused):
        services.allocation_apply(run=run, by=w.organizer)


def test_unavailable_dates_of_a_nominee_reach_the_solver(run_world):
    w = run_world
    nomination = w.nominations[0]
    nomination.unavailable_periods.create(starts_on=datetime.date(2027, 3, 1), ends_on=datetime.date(2027, 3, 2))
    run = allocation_run_start(program=w.program, by=w.organizer, time_limit=5)
    assert run.proposal[str(nomination.pk)][0] == w.phase2.pk
