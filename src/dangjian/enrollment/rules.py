"""Who may do what in the enrollment of a program, and when: one permission per action
(core.rules.add_action), answering the role, the scope (the organ) and the record's state together.

Objects: a Program (the enrollment as a whole), a Quota (a program × an organ: nominating into it) or a
Nomination. Services `require` these permissions; pages, templates and the API ask the same ones.
"""

import datetime

import rules
from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.accounts.rules import is_organizer, is_participant, is_unit_admin
from dangjian.core.rules import add_action
from dangjian.enrollment.enums import ACTIVE_STATUSES, NominationStatus
from dangjian.training.enums import PUBLISHED_STATUSES, ProgramStatus
from dangjian.training.rules import can_see_program, program_of, runs_class

# --- Scope ----------------------------------------------------------------------------------------


def _program(obj):
    """The program of a Program, Quota or Nomination (None for a list-level question)."""
    if obj is None:
        return None
    program = getattr(obj, "program", None)
    return program if program is not None else program_of(obj)


@rules.predicate
def administers_organ(user, obj) -> bool:
    """A unit administrator of the record's organ (a Quota's or a Nomination's), in a program published to the
    organs; None (a list-level question) passes."""
    if obj is None:
        return True
    organ_id = getattr(obj, "organ_id", None)
    program = _program(obj)
    return (organ_id is not None and organ_id in user.organ_ids and program is not None
            and program.status in PUBLISHED_STATUSES)


organs_or_organizer = is_organizer | (is_unit_admin & administers_organ)


@rules.predicate
def sees_program_enrollment(user, obj) -> bool:
    if obj is None:
        return True
    return can_see_program.test(user, _program(obj))


# --- State ----------------------------------------------------------------------------------------

def first_day(program) -> datetime.date | None:
    """The first day of the program's first phase (cached on the instance: rules ask it several times)."""
    cached = getattr(program, "_first_day", "unset")
    if cached == "unset":
        cached = min((phase.starts_on for phase in program.phases.all()), default=None)
        program._first_day = cached
    return cached


def class_started(program, today: datetime.date | None = None) -> bool:
    if program.status != ProgramStatus.ENROLLMENT_OPEN:
        return program.status in (ProgramStatus.IN_PROGRESS, ProgramStatus.CLOSED, ProgramStatus.ARCHIVED)
    start = first_day(program)
    return start is not None and (today or timezone.localdate()) >= start


@rules.predicate
def enrollment_settable(user, obj) -> bool:
    program = _program(obj)
    return program is None or program.status in (ProgramStatus.APPROVED, ProgramStatus.ENROLLMENT_OPEN)


@rules.predicate
def enrollment_open(user, obj) -> bool:
    program = _program(obj)
    return program is None or program.status == ProgramStatus.ENROLLMENT_OPEN


def deadline_of(program) -> datetime.date | None:
    """The program's nomination deadline, None when none is set."""
    if program is None:
        return None
    try:
        return program.enrollment.nomination_deadline
    except ObjectDoesNotExist:
        return None


@rules.predicate
def before_deadline_or_organizer(user, obj) -> bool:
    """Unit administrators nominate until the deadline (inclusive); organizers afterwards too (an override the
    service asks to be explicit, and audits)."""
    program = _program(obj)
    if program is None or is_organizer(user):
        return True
    deadline = deadline_of(program)
    return deadline is None or timezone.localdate() <= deadline


@rules.predicate
def nomination_changeable(user, obj) -> bool:
    """Withdrawal, substitution and the unavailable dates: an active nomination, until the class starts."""
    if obj is None:
        return True
    return obj.status in ACTIVE_STATUSES and obj.program.status == ProgramStatus.ENROLLMENT_OPEN \
        and not class_started(obj.program)


@rules.predicate
def nomination_undecided(user, obj) -> bool:
    if obj is None:
        return True
    return obj.status in (NominationStatus.NOMINATED, NominationStatus.WAITLISTED) \
        and obj.program.status == ProgramStatus.ENROLLMENT_OPEN


@rules.predicate
def nomination_confirmed(user, obj) -> bool:
    return obj is None or obj.status == NominationStatus.CONFIRMED


def _nomination_refusal(nomination) -> str:
    if nomination.status not in ACTIVE_STATUSES:
        return _("This nomination is %(status)s: it can no longer be changed.") % {
            "status": nomination.get_status_display()}
    return _("The class has started (or the program is no longer open for enrollment): nominations can no longer "
             "be changed.")


# --- Actions --------------------------------------------------------------------------------------

# The enrollment page of a program: organizers, and unit administrators (their organs' part) from enrollment on.
rules.add_perm("enrollment.view_enrollment", (is_organizer | is_unit_admin) & sees_program_enrollment)
# Quotas and the nomination deadline: organizers, once the plan is approved and while enrollment is open.
add_action("enrollment.manage_enrollment", who=is_organizer, when=enrollment_settable,
           refusal=lambda program: _("Quotas and the deadline are set while a program is approved or open for "
                                     "enrollment; this one is “%(status)s”.") % {
               "status": _program(program).get_status_display()})
add_action("enrollment.nominate", who=organs_or_organizer, when=enrollment_open & before_deadline_or_organizer,
           refusal=lambda quota: _("The program is not open for enrollment.")
           if _program(quota).status != ProgramStatus.ENROLLMENT_OPEN else _(
               "The nomination deadline (%(date)s) has passed: ask the working committee.") % {
               "date": deadline_of(_program(quota))})
add_action("enrollment.change_nomination", who=organs_or_organizer, when=nomination_changeable,
           refusal=_nomination_refusal)
add_action("enrollment.decide_nomination", who=is_organizer, when=nomination_undecided,
           refusal=lambda nomination: _("This nomination is %(status)s: there is nothing to decide.") % {
               "status": nomination.get_status_display()}
           if nomination.status not in (NominationStatus.NOMINATED, NominationStatus.WAITLISTED)
           else _("The program is not open for enrollment."))
add_action("enrollment.issue_activation", who=organs_or_organizer, when=nomination_confirmed,
           refusal=lambda nomination: _("Only a confirmed participant gets an account."))
# A participant's own enrollment, schedule and records.
rules.add_perm("enrollment.view_own_enrollment", is_participant)
# Make, rotate or revoke one's own calendar subscription (the private iCal address of one's sessions).
rules.add_perm("enrollment.manage_own_calendar", is_participant)


# --- Messages and admission notices ---------------------------------------------------------------

@rules.predicate
def own_nomination(user, obj) -> bool:
    """The nomination is the user's own (a participant's login is linked to the nominated person)."""
    person_id = getattr(user, "person_id", None)
    return obj is None or (person_id is not None and obj.person_id == person_id)


@rules.predicate
def notices_preparable(user, obj) -> bool:
    program = _program(obj)
    return program is None or program.status in (ProgramStatus.ENROLLMENT_OPEN, ProgramStatus.IN_PROGRESS)


# The admission notice of a confirmed participant: organizers, the organ's unit administrators, the participant.
add_action("enrollment.view_admission_notice", who=organs_or_organizer | (is_participant & own_nomination),
           when=nomination_confirmed,
           refusal=lambda nomination: _("Only a confirmed participant has an admission notice."))
# Prepare the admission notices (a job writing one draft per confirmed participant into the outbox).
add_action("enrollment.prepare_admission_notices", who=is_organizer, when=notices_preparable,
           refusal=lambda program: _("Admission notices are prepared while a program is open for enrollment or in "
                                     "progress; this one is “%(status)s”.") % {
               "status": _program(program).get_status_display()})
# Tell the organs that nomination is open, remind those that have not nominated (drafts in the outbox).
add_action("enrollment.announce_enrollment", who=is_organizer, when=enrollment_open,
           refusal=lambda program: _("The program is not open for enrollment."))

# --- Placing participants into phases and groups (allocation) -------------------------------------

PLACEABLE_STATUSES = (ProgramStatus.APPROVED, ProgramStatus.ENROLLMENT_OPEN, ProgramStatus.IN_PROGRESS)


@rules.predicate
def placement_open(user, obj) -> bool:
    program = _program(obj)
    return program is None or program.status in PLACEABLE_STATUSES


# Placing participants by hand, locking, the allocation settings and the solver's runs: organizers, and college
# staff of the program's venue (who run its class), from approval until the class closes.
add_action("enrollment.place_participants", who=runs_class, when=placement_open,
           refusal=lambda obj: _("Participants are placed while a program is approved, open for enrollment or in "
                                 "progress; this one is “%(status)s”.") % {
               "status": _program(obj).get_status_display()})
# An allocation run's page and proposal: who runs the program's class (the same people who start and apply runs;
# the program itself is loaded through its scoped selector).
rules.add_perm("enrollment.view_allocation", runs_class)
