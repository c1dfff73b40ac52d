"""Placing confirmed participants by hand: into a phase and a group, locked or not, audited; refused for people
who are not confirmed, for a phase overlapping their unavailable dates, and for roles outside the rule
(`enrollment.place_participants`: organizers and college staff of the program's venue)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dangjian.core.models import AuditEntry
from dangjian.core.rules import ActionRefused
from dangjian.enrollment import services
from dangjian.enrollment.models import Nomination, Placement, UnavailablePeriod
from tests.factories import GroupFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def placed_world(enrollment_world):
    w = enrollment_world
    services.quotas_set(program=w.program, by=w.organizer, seats={w.organ.pk: 4})
    nominations = [Nomination.unscoped.create(program=w.program, person=person, organ=w.organ, status="confirmed")
                   for person in w.secretaries[:2]]
    w.nomination, w.second = nominations
    w.group1 = GroupFactory(phase=w.phase1, number=1)
    w.group2 = GroupFactory(phase=w.phase2, number=1)
    return w


def test_an_organizer_places_and_locks_a_participant_with_an_audit_trail(placed_world):
    w = placed_world
    placement = services.placement_set(nomination=w.nomination, phase=w.phase1, group=w.group1, by=w.organizer)
    assert (placement.phase, placement.group, placement.locked) == (w.phase1, w.group1, False)
    services.placement_lock(placement=placement, locked=True, by=w.organizer)
    moved = services.placement_set(nomination=w.nomination, phase=w.phase2, group=w.group2, by=w.organizer)
    assert (moved.pk, moved.phase, moved.group, moved.locked) == (placement.pk, w.phase2, w.group2, True)
    assert AuditEntry.objects.filter(model="enrollment.placement", object_pk=str(placement.pk)).count() == 3
    services.placement_remove(placement=moved, by=w.organizer)
    assert not Placement.unscoped.exists()


def test_college_staff_of_the_venue_place_other_staff_and_unit_administrators_may_not(placed_world):
    w = placed_world
    staff = UserFactory(roles=["college_staff"])
    w.program.venue.staff.add(staff)
    services.placement_set(nomination=w.nomination, phase=w.phase1, group=None, by=staff)
    stranger = UserFactory(roles=["college_staff"])
    for user in (stranger, w.admin):
        with pytest.raises(PermissionDenied):
            services.placement_set(nomination=w.second, phase=w.phase1, group=None, by=user)
    assert Placement.unscoped.count() == 1


def test_placing_is_refused_for_an_unconfirmed_nominee_an_unavailable_phase_or_a_closed_program(placed_world):
    w = placed_world
    waiting = Nomination.unscoped.create(program=w.program, person=w.secretaries[2], organ=w.organ)
    with pytest.raises(ValidationError, match="not a confirmed participant"):
        services.placement_set(nomination=waiting, phase=w.phase1, group=None, by=w.organizer)
    UnavailablePeriod.objects.create(nomination=w.nomination, starts_on=datetime.date(2027, 3, 4),
                                     ends_on=datetime.date(2027, 3, 8))
    with pytest.raises(ValidationError, match=r"cannot attend phase 1: it overlaps .*2027-03-04"):
        services.placement_set(nomination=w.nomination, phase=w.phase1, group=None, by=w.organizer)
    with pytest.raises(ValidationError, match="another phase"):
        services.placement_set(nomination=w.second, phase=w.phase1, group=w.group2, by=w.organizer)
    w.program.status = "closed"
    w.program.save()
    with pytest.raises(ActionRefused, match="“Closed”"):
        services.placement_set(nomination=w.second, phase=w.phase1, group=None, by=w.organizer)
    assert not Placement.unscoped.exists()


def test_allocation_settings_keep_the_largest_group_above_the_smallest(placed_world):
    w = placed_world
    settings = services.allocation_settings_update(program=w.program, by=w.organizer, group_size_min=4,
                                                   group_size_max=8, max_per_organ_per_phase=2)
    assert (settings.group_size_min, settings.group_size_max, settings.max_per_organ_per_phase) == (4, 8, 2)
    with pytest.raises(ValidationError, match="cannot be smaller"):
        services.allocation_settings_update(program=w.program, by=w.organizer, group_size_min=9, group_size_max=8,
                                            max_per_organ_per_phase=None)



def test_the_schedule_and_notice_show_the_phase_a_participant_is_placed_in(placed_world):
    from dangjian.enrollment.selectors import my_phases

    w = placed_world
    assert my_phases(nomination=w.nomination) == [w.phase1, w.phase2]
    w.nomination.preferred_phase = w.phase1
    w.nomination.save()
    assert my_phases(nomination=w.nomination) == [w.phase1]
    services.placement_set(nomination=w.nomination, phase=w.phase2, group=w.group2, by=w.organizer)
    assert my_phases(nomination=w.nomination) == [w.phase2]
