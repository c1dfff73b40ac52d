"""Writes to the enrollment of a program. Each service asks its action's permission (enrollment.rules) first,
checks picked people against `selectors.nominee_choices`, validates, writes in one transaction and audits.

Seats. A confirmed nomination holds a seat; the program's capacity is the sum of its phases' capacities. Every
write that takes or frees a seat, or counts against a quota, first locks the program's row
(SELECT … FOR UPDATE on PostgreSQL; SQLite serialises writers anyway), then counts: so two requests can never
both take the last seat, and the waitlist's order is the order in which the requests got the lock. A person
holds at most one active nomination in a program (a partial unique index: the database refuses a duplicate even
if two requests pass the check at once). A freed seat goes to the first of the waitlist (`waitlist_promote`).
"""

import datetime
import secrets
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.accounts.roles import Role
from dangjian.core.audit import audit_record, current_origin
from dangjian.core.models import AuditEntry
from dangjian.core.rules import ActionRefused, require
from dangjian.core.services import model_create, model_delete, model_update
from dangjian.enrollment import selectors
from dangjian.enrollment.enums import ACTIVE_STATUSES, AllocationState, NominationStatus, SolverStatus
from dangjian.enrollment.models import (
    ActivationLink,
    AllocationRun,
    CalendarFeed,
    Nomination,
    Placement,
    ProgramEnrollment,
    Quota,
    UnavailablePeriod,
)
from dangjian.enrollment.rules import deadline_of
from dangjian.organizations.models import Organ, Person
from dangjian.organizations.scoping import sees_all_organs
from dangjian.training.models import Group, Phase, Program

Status = NominationStatus


# --- Settings and quotas ----------------------------------------------------------------------------

def enrollment_settings_update(*, program: Program, by, nomination_deadline: datetime.date | None,
                               note: str = "", admission_notes: str | None = None) -> ProgramEnrollment:
    """The nomination deadline, a note to the organs and what the admission notices say about arrival and what
    to bring (None: unchanged), set by organizers."""
    require(by, "enrollment.manage_enrollment", program)
    data = {"nomination_deadline": nomination_deadline, "note": note}
    if admission_notes is not None:
        data["admission_notes"] = admission_notes
    current = ProgramEnrollment.objects.filter(program=program).first()
    if current is None:
        return model_create(instance=ProgramEnrollment(program=program, **data), by=by)
    return model_update(instance=current, data=data, by=by)


@transaction.atomic
def quotas_set(*, program: Program, by, seats: dict[int, int],
               preferred_phases: dict[int, int | None] | None = None) -> list[Quota]:
    """Set the seats (and preferred phase) of each organ given (organ id -> seats); all or nothing. A quota may be
    below what an organ already nominated: nobody is dropped, the organ can nominate no more."""
    require(by, "enrollment.manage_enrollment", program)
    preferred_phases = preferred_phases or {}
    organs = Organ.unscoped.in_bulk(list(seats))
    missing = [str(pk) for pk in seats if pk not in organs]
    if missing:
        raise ValidationError({"organ": _("There is no organ with id %(id)s.") % {"id": ", ".join(missing)}})
    phases = {phase.pk: phase for phase in program.phases.all()}
    existing = {quota.organ_id: quota for quota in Quota.unscoped.filter(program=program, organ__in=list(seats))}
    saved = []
    for organ_id, count in seats.items():
        phase_id = preferred_phases.get(organ_id)
        if phase_id is not None and phase_id not in phases:
            raise ValidationError({"preferred_phase": _("This phase belongs to another program.")})
        data = {"seats": count}
        if organ_id in preferred_phases:
            data["preferred_phase"] = phases.get(phase_id)
        quota = existing.get(organ_id)
        try:
            if quota is None:
                saved.append(model_create(instance=Quota(program=program, organ=organs[organ_id], **data), by=by))
            else:
                saved.append(model_update(instance=quota, data=data, by=by))
        except ValidationError as error:
            raise ValidationError({"seats": _("%(organ)s: %(error)s") % {
                "organ": organs[organ_id].name_zh, "error": " ".join(error.messages)}}) from error
    return saved


# --- Nominating -------------------------------------------------------------------------------------

@dataclass
class NomineeInput:
    """One person to nominate, with the days they cannot attend and an optional preferred phase."""

    person: Person
    unavailable: list[tuple[datetime.date, datetime.date]] = field(default_factory=list)
    preferred_phase: Phase | None = None


def _lock_program(program: Program) -> Program:
    """Lock the program's row until the transaction ends: seat counts and waitlist places read after it are
    final for this transaction."""
    return Program.unscoped.select_for_update().get(pk=program.pk)


def _check_periods(nominee: NomineeInput, phases: list[Phase]) -> str | None:
    """A refusal when the nominee's unavailable days make the class impossible for them: their preferred phase
    overlaps them, or every phase does."""
    for first, last in nominee.unavailable:
        if last < first:
            return _("%(person)s: the unavailable dates end before they start.") % {"person": nominee.person.name}
    if not nominee.unavailable:
        return None

    def clashes(phase):
        return any(first <= phase.ends_on and last >= phase.starts_on for first, last in nominee.unavailable)

    if nominee.preferred_phase is not None and clashes(nominee.preferred_phase):
        return _("%(person)s cannot attend phase %(number)s (%(start)s – %(end)s): it overlaps the dates they "
                 "cannot attend.") % {"person": nominee.person.name, "number": nominee.preferred_phase.number,
                                      "start": nominee.preferred_phase.starts_on,
                                      "end": nominee.preferred_phase.ends_on}
    if phases and all(clashes(phase) for phase in phases):
        return _("%(person)s cannot attend any phase of this program: every phase overlaps the dates they cannot "
                 "attend.") % {"person": nominee.person.name}
    return None


def _refusal_for_person(*, person: Person, organ: Organ, program: Program, by, today) -> str | None:
    """Why `person` cannot be nominated by `organ` (None: they can). The order of the questions gives the most
    useful answer: another organ, then a post left, then a nomination already held."""
    if person.organ_id != organ.pk:
        return _("%(person)s belongs to another organ and cannot be nominated by %(organ)s.") % {
            "person": person.name, "organ": organ.name_zh}
    if selectors.nominee_choices(user=by, program=program, organ=organ, on=today).filter(pk=person.pk).exists():
        return None
    if Nomination.unscoped.filter(program=program, person=person, status__in=ACTIVE_STATUSES).exists():
        return _("%(person)s is already nominated for this program.") % {"person": person.name}
    if not selectors.current_posts(today).filter(person=person).exists():
        ended = selectors.post_ended_on(person)
        if ended:
            return _("%(person)s left their post on %(date)s and cannot be nominated.") % {
                "person": person.name, "date": ended}
        return _("%(person)s holds no post in a party organization and cannot be nominated.") % {
            "person": person.name}
    return _("%(person)s cannot be nominated here.") % {"person": person.name}


def nominate(*, program: Program, organ: Organ, nominees: list[NomineeInput], by, override: bool = False,
             override_reason: str = "") -> list[Nomination]:
    """Nominate people of `organ` for `program` (报名推荐), all or nothing. Refused with a message naming the
    person, nothing written: a person of another organ, one who left their post (holds no current post), one
    already nominated, a preferred phase (or every phase) overlapping their unavailable dates; beyond the
    organ's quota or after the nomination deadline, unless an organizer overrides (override=True with a reason;
    audited). A person already credited with induction training, nominated for an induction program, is
    flagged (`already_credited`), not refused."""
    quota = selectors.quota_of(program=program, organ=organ)
    require(by, "enrollment.nominate", quota)
    if not nominees:
        raise ValidationError({"people": _("Choose at least one person to nominate.")})
    organizer = sees_all_organs(by)
    if override and not organizer:
        raise ValidationError({"override": _("Only the working committee may override the quota or the deadline.")})
    today = timezone.localdate()
    seen = set()
    for nominee in nominees:
        if nominee.person.pk in seen:
            raise ValidationError({"people": _("%(person)s is listed twice.") % {"person": nominee.person.name}})
        seen.add(nominee.person.pk)
    with transaction.atomic():
        program = _lock_program(program)
        phases = list(program.phases.order_by("number"))
        errors = []
        for nominee in nominees:
            reason = _refusal_for_person(person=nominee.person, organ=organ, program=program, by=by, today=today)
            if reason is None and nominee.preferred_phase is not None \
                    and nominee.preferred_phase.program_id != program.pk:
                reason = _("%(person)s: the preferred phase belongs to another program.") % {
                    "person": nominee.person.name}
            reason = reason or _check_periods(nominee, phases)
            if reason:
                errors.append(reason)
        if errors:
            raise ValidationError({"people": errors})
        overridden = []
        deadline = deadline_of(program)
        if deadline is not None and today > deadline:
            overridden.append(_("after the nomination deadline (%(date)s)") % {"date": deadline})
        held = Nomination.unscoped.filter(program=program, organ=organ, status__in=ACTIVE_STATUSES).count()
        if held + len(nominees) > quota.seats:
            overridden.append(_("beyond the quota of %(organ)s (%(seats)d seats, %(held)d nominated, %(new)d more)")
                              % {"organ": organ.name_zh, "seats": quota.seats, "held": held, "new": len(nominees)})
        if overridden and not override:
            message = _("Cannot nominate %(what)s.") % {"what": "; ".join(overridden)}
            if organizer:
                message += " " + _("As the working committee you may override this: tick “override” and give a "
                                   "reason.")
            raise ValidationError({"people": message})
        if overridden and not override_reason.strip():
            raise ValidationError({"override_reason": _("Give the reason for the override.")})
        credited = selectors.induction_credited([n.person.pk for n in nominees]) \
            if program.requirement == Program.Requirement.INDUCTION else set()
        created = []
        for nominee in nominees:
            nomination = Nomination(program=program, person=nominee.person, organ=organ, nominated_by=by,
                                    preferred_phase=nominee.preferred_phase or quota.preferred_phase,
                                    overridden=bool(overridden), already_credited=nominee.person.pk in credited)
            try:
                with transaction.atomic():
                    model_create(instance=nomination, by=by)
            except (IntegrityError, ValidationError) as error:  # a concurrent nomination of the same person
                raise ValidationError({"people": _("%(person)s is already nominated for this program.") % {
                    "person": nominee.person.name}}) from error
            for first, last in nominee.unavailable:
                model_create(instance=UnavailablePeriod(nomination=nomination, starts_on=first, ends_on=last), by=by)
            created.append(nomination)
        if overridden:
            audit_record(actor=by, action="update", instance=program, changes={
                "override": [", ".join(overridden), override_reason.strip()],
                "nominations": [None, [n.pk for n in created]]})
    return created


def nomination_unavailable_set(*, nomination: Nomination, periods: list[tuple[datetime.date, datetime.date]],
                               by) -> Nomination:
    """Replace the days the nominee cannot attend; refused if their preferred phase (or every phase) overlaps
    them, or if they hold a seat and the overlap would make the class impossible for them."""
    require(by, "enrollment.change_nomination", nomination)
    reason = _check_periods(NomineeInput(person=nomination.person, unavailable=periods,
                                         preferred_phase=nomination.preferred_phase),
                            list(nomination.program.phases.order_by("number")))
    if reason:
        raise ValidationError({"unavailable": reason})
    with transaction.atomic():
        for period in nomination.unavailable_periods.all():
            audit_record(actor=by, action="delete", instance=period, changes={
                "starts_on": str(period.starts_on), "ends_on": str(period.ends_on)})
        nomination.unavailable_periods.all().delete()
        for first, last in periods:
            model_create(instance=UnavailablePeriod(nomination=nomination, starts_on=first, ends_on=last), by=by)
    return nomination


# --- Seats: confirming, waitlist, withdrawal, substitution ------------------------------------------

def _set_status(nomination: Nomination, status: str, *, by, reason: str | None = None, position=None,
                decided: bool = False) -> None:
    data = {"status": status, "waitlist_position": position}
    if reason is not None:
        data["reason"] = reason
    if decided:
        data.update(decided_by=by, decided_at=timezone.now())
    model_update(instance=nomination, data=data, by=by)


def _confirmed_count(program: Program) -> int:
    return Nomination.unscoped.filter(program=program, status=Status.CONFIRMED).count()


def _next_waitlist_position(program: Program) -> int:
    last = Nomination.unscoped.filter(program=program, status=Status.WAITLISTED).aggregate(
        last=Max("waitlist_position"))["last"]
    return (last or 0) + 1


def _seat_or_waitlist(nomination: Nomination, program: Program, *, by, capacity: int) -> str:
    """Under the program's lock: confirm when a seat is free, else put on the end of the waitlist."""
    if _confirmed_count(program) < capacity:
        _set_status(nomination, Status.CONFIRMED, by=by, decided=True)
        participant_account_ensure(person=nomination.person, by=by)
        on_confirmed(nomination)
        return Status.CONFIRMED
    if nomination.status != Status.WAITLISTED:
        _set_status(nomination, Status.WAITLISTED, by=by, position=_next_waitlist_position(program), decided=True)
    return Status.WAITLISTED


def nominations_confirm(*, nominations: list[Nomination], by) -> dict[str, int]:
    """Confirm nominations (in the order given): each takes a free seat, or goes to the end of the waitlist when
    the program is full. Returns how many were confirmed and waitlisted. All are checked first (all or nothing)."""
    if not nominations:
        raise ValidationError({"nominations": _("Choose at least one nomination.")})
    for nomination in nominations:
        require(by, "enrollment.decide_nomination", nomination)
    outcome = {Status.CONFIRMED: 0, Status.WAITLISTED: 0}
    with transaction.atomic():
        programs = {}
        for nomination in nominations:
            program = programs.get(nomination.program_id)
            if program is None:
                program = programs[nomination.program_id] = _lock_program(nomination.program)
                program.capacity = selectors.program_capacity(program)
            nomination.refresh_from_db()
            if nomination.status not in (Status.NOMINATED, Status.WAITLISTED):
                raise ValidationError({"nominations": _("%(person)s: this nomination is %(status)s already.") % {
                    "person": nomination.person.name, "status": nomination.get_status_display()}})
            if nomination.status == Status.WAITLISTED:
                # A waitlisted nomination is confirmed only in its turn: by promotion when a seat frees.
                waitlist_promote(program=program, by=by, _locked=True)
                continue
            outcome[_seat_or_waitlist(nomination, program, by=by, capacity=program.capacity)] += 1
    return outcome


def nomination_confirm(*, nomination: Nomination, by) -> str:
    """Confirm one nomination: "confirmed" (a seat) or "waitlisted" (the program is full)."""
    nominations_confirm(nominations=[nomination], by=by)
    nomination.refresh_from_db()
    return nomination.status


def nominations_reject(*, nominations: list[Nomination], by, reason: str) -> int:
    """Reject nominations (or take people off the waitlist) with a reason; all or nothing."""
    if not nominations:
        raise ValidationError({"nominations": _("Choose at least one nomination.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the rejection.")})
    for nomination in nominations:
        require(by, "enrollment.decide_nomination", nomination)
    with transaction.atomic():
        for nomination in nominations:
            _lock_program(nomination.program)
            nomination.refresh_from_db()
            _set_status(nomination, Status.REJECTED, by=by, reason=reason.strip(), decided=True)
    return len(nominations)


def waitlist_promote(*, program: Program, by, _locked: bool = False) -> list[Nomination]:
    """Give free seats to the waitlist, in its order (automatic whenever a seat frees; organizers may ask for it
    after raising a phase's capacity)."""
    if not _locked:
        require(by, "enrollment.manage_enrollment", program)
    promoted = []
    with transaction.atomic():
        program = program if _locked else _lock_program(program)
        free = selectors.program_capacity(program) - _confirmed_count(program)
        if free <= 0:
            return promoted
        for nomination in Nomination.unscoped.filter(program=program, status=Status.WAITLISTED).select_related(
                "person", "program").order_by("waitlist_position", "id")[:free]:
            _set_status(nomination, Status.CONFIRMED, by=by, decided=True)
            participant_account_ensure(person=nomination.person, by=by)
            on_confirmed(nomination, promoted=True)
            promoted.append(nomination)
    return promoted


def nomination_withdraw(*, nomination: Nomination, by, reason: str) -> list[Nomination]:
    """Withdraw a nomination (退出) with a reason, until the class starts. A seat it held goes to the first of the
    waitlist; returns who was promoted."""
    require(by, "enrollment.change_nomination", nomination)
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the withdrawal.")})
    with transaction.atomic():
        program = _lock_program(nomination.program)
        nomination.refresh_from_db()
        held_seat = nomination.status == Status.CONFIRMED
        _set_status(nomination, Status.WITHDRAWN, by=by, reason=reason.strip())
        return waitlist_promote(program=program, by=by, _locked=True) if held_seat else []


def nomination_substitute(*, nomination: Nomination, person: Person, by, reason: str,
                          unavailable: list[tuple[datetime.date, datetime.date]] | None = None) -> Nomination:
    """Replace a nominee by another person of the same organ (换人), with a reason, until the class starts. The
    substitute takes the nomination's place as it is: its seat, its place on the waitlist, or its wait for the
    decision. The substitute must be one whom the organ could nominate (nominee_choices)."""
    require(by, "enrollment.change_nomination", nomination)
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the substitution.")})
    organ = nomination.organ
    program = nomination.program
    today = timezone.localdate()
    refusal = _refusal_for_person(person=person, organ=organ, program=program, by=by, today=today)
    nominee = NomineeInput(person=person, unavailable=unavailable or [], preferred_phase=nomination.preferred_phase)
    refusal = refusal or _check_periods(nominee, list(program.phases.order_by("number")))
    if refusal:
        raise ValidationError({"person": refusal})
    with transaction.atomic():
        program = _lock_program(program)
        nomination.refresh_from_db()
        status, position = nomination.status, nomination.waitlist_position
        _set_status(nomination, Status.SUBSTITUTED, by=by, reason=reason.strip())
        credited = selectors.induction_credited([person.pk]) \
            if program.requirement == Program.Requirement.INDUCTION else set()
        substitute = Nomination(
            program=program, person=person, organ=organ, status=status, waitlist_position=position,
            preferred_phase=nomination.preferred_phase, nominated_by=by, replaces=nomination,
            decided_by=nomination.decided_by, decided_at=nomination.decided_at,
            already_credited=person.pk in credited)
        try:
            with transaction.atomic():
                model_create(instance=substitute, by=by)
        except (IntegrityError, ValidationError) as error:
            raise ValidationError({"person": _("%(person)s is already nominated for this program.") % {
                "person": person.name}}) from error
        for first, last in nominee.unavailable:
            model_create(instance=UnavailablePeriod(nomination=substitute, starts_on=first, ends_on=last), by=by)
        if status == Status.CONFIRMED:
            participant_account_ensure(person=person, by=by)
            on_confirmed(substitute)
    return substitute


def on_confirmed(nomination: Nomination, *, promoted: bool = False) -> None:
    """Inside every confirmation (bulk, promotion, substitution): the participant's message ("confirmed", or
    "promoted from the waitlist") as a draft in the outbox, composed by the platform (enrollment/messaging.py).
    The admission notice follows when an organizer prepares the notices (a job: PDFs are not made here)."""
    from dangjian.enrollment.messaging import on_confirmed as compose_confirmation

    compose_confirmation(nomination, promoted=promoted)


# --- Participant accounts ---------------------------------------------------------------------------

def participant_username(person: Person) -> str:
    return f"xy{person.pk:06d}"  # 学员: stable, says nothing personal


def participant_account_ensure(*, person: Person, by):
    """The participant's account, linked to their Person: created on confirmation (no usable password: the
    first sign-in is through an activation link), or an existing account of that person given the participant
    role."""
    User = get_user_model()
    user = User.objects.filter(person=person).first()
    if user is None:
        user = User(username=participant_username(person), full_name=person.name, person=person)
        user.set_unusable_password()
        user.save()
        user.grant_role(Role.PARTICIPANT)
        audit_record(actor=by, action="create", instance=user, changes={
            "username": user.username, "person": str(person.pk), "roles": [Role.PARTICIPANT]})
    elif Role.PARTICIPANT not in user.roles:
        user.grant_role(Role.PARTICIPANT)
        audit_record(actor=by, action="update", instance=user, changes={"roles": [None, Role.PARTICIPANT]})
    return user


def activation_issue(*, nomination: Nomination, by) -> str:
    """A new one-time activation link for a confirmed participant (earlier unused links stop working). Returns
    the token; only its digest is kept. The outbox puts the link in the admission notice."""
    require(by, "enrollment.issue_activation", nomination)
    user = participant_account_ensure(person=nomination.person, by=by)
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        ActivationLink.objects.filter(user=user, used_at__isnull=True).update(expires_at=now)
        link = ActivationLink.objects.create(
            user=user, digest=ActivationLink.digest_of(token), created_by=by,
            expires_at=now + datetime.timedelta(days=settings.ENROLLMENT_ACTIVATION_DAYS))
        audit_record(actor=by, action="create", instance=link, changes={
            "user": user.username, "expires_at": str(link.expires_at)})
    return token


def activation_find(token: str) -> ActivationLink | None:
    """The usable link of this token (None: unknown, used or expired — one answer for all three)."""
    link = ActivationLink.objects.filter(digest=ActivationLink.digest_of(token or "")).select_related("user").first()
    return link if link is not None and link.usable() and link.user.is_active else None


def activation_use(*, token: str, password: str):
    """Set the participant's password with a usable link, once; returns the user to sign in."""
    with transaction.atomic():
        link = ActivationLink.objects.select_for_update().filter(
            digest=ActivationLink.digest_of(token or "")).select_related("user").first()
        if link is None or not link.usable() or not link.user.is_active:
            raise ValidationError(_("This activation link is not valid: it was used already or has expired. Ask "
                                    "your unit administrator for a new one."))
        user = link.user
        user.set_password(password)
        user.save(update_fields=["password"])
        link.used_at = timezone.now()
        link.save(update_fields=["used_at"])
        audit_record(actor=user, action="update", instance=user, changes={"password": ["—", "activated"]})
    return user


# --- The participant's calendar subscription --------------------------------------------------------

def calendar_feed_rotate(*, by) -> str:
    """A new private calendar address for the participant `by` (the earlier one stops working). Returns the
    token; only its digest is kept."""
    require(by, "enrollment.manage_own_calendar")
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        replaced = CalendarFeed.objects.filter(user=by).delete()[0] > 0
        feed = CalendarFeed.objects.create(user=by, digest=CalendarFeed.digest_of(token))
        audit_record(actor=by, action="update" if replaced else "create", instance=feed,
                     changes={"calendar_feed": ["—", "rotated" if replaced else "created"]})
    return token


def calendar_feed_revoke(*, by) -> bool:
    """End the participant's calendar address; False when they had none."""
    require(by, "enrollment.manage_own_calendar")
    with transaction.atomic():
        feed = CalendarFeed.objects.filter(user=by).first()
        if feed is None:
            return False
        audit_record(actor=by, action="delete", instance=feed, changes={"calendar_feed": ["active", "revoked"]})
        feed.delete()
    return True


def calendar_feed_user(token: str):
    """The active participant whose calendar address this is (None for an unknown or revoked token)."""
    feed = CalendarFeed.objects.filter(digest=CalendarFeed.digest_of(token or "")).select_related("user").first()
    if feed is None or not feed.user.is_active or not feed.user.has_perm("enrollment.manage_own_calendar"):
        return None
    return feed.user


# --- Placement in phases and groups -----------------------------------------------------------------

def allocation_settings_update(*, program: Program, by, group_size_min: int, group_size_max: int | None,
                               max_per_organ_per_phase: int | None) -> ProgramEnrollment:
    """The bounds the allocation keeps: the size of a group, and how many people of one organ may attend the same
    phase (so that an organ's secretary and deputy are not away together)."""
    require(by, "enrollment.place_participants", program)
    data = {"group_size_min": group_size_min, "group_size_max": group_size_max,
            "max_per_organ_per_phase": max_per_organ_per_phase}
    current = ProgramEnrollment.objects.filter(program=program).first()
    if current is None:
        return model_create(instance=ProgramEnrollment(program=program, **data), by=by)
    return model_update(instance=current, data=data, by=by)


def _unavailable_clash(nomination: Nomination, phase: Phase):
    return next((period for period in nomination.unavailable_periods.all()
                 if period.overlaps(phase.starts_on, phase.ends_on)), None)


@transaction.atomic
def placement_set(*, nomination: Nomination, phase: Phase, group: Group | None, by,
                  locked: bool | None = None) -> Placement:
    """Place a confirmed participant by hand in a phase (and a group of it). Refused for a nomination that is not
    confirmed and for a phase overlapping the dates the participant cannot attend. `locked` None keeps the lock
    as it is; a new placement is unlocked unless told."""
    current = Placement.unscoped.filter(nomination=nomination).first()
    require(by, "enrollment.place_participants", current or nomination.program)
    if nomination.status != Status.CONFIRMED:
        raise ValidationError({"nomination": _("%(person)s is not a confirmed participant: only confirmed "
                                               "participants are placed.") % {"person": nomination.person.name}})
    clash = _unavailable_clash(nomination, phase)
    if clash is not None:
        raise ValidationError({"phase": _("%(person)s cannot attend phase %(number)s: it overlaps the dates they "
                                          "cannot attend (%(start)s – %(end)s).") % {
            "person": nomination.person.name, "number": phase.number, "start": clash.starts_on,
            "end": clash.ends_on}})
    if current is None:
        return model_create(instance=Placement(nomination=nomination, phase=phase, group=group,
                                               locked=bool(locked)), by=by)
    data = {"phase": phase, "group": group}
    if locked is not None:
        data["locked"] = locked
    return model_update(instance=current, data=data, by=by)


def placement_lock(*, placement: Placement, locked: bool, by) -> Placement:
    """Lock a placement (the allocation keeps it where it is) or unlock it."""
    require(by, "enrollment.place_participants", placement)
    return model_update(instance=placement, data={"locked": locked}, by=by)


def placement_remove(*, placement: Placement, by) -> None:
    """Take a participant out of their phase and group (the allocation may place them again)."""
    require(by, "enrollment.place_participants", placement)
    model_delete(instance=placement, by=by)


# --- Allocation runs: apply or discard a proposal ----------------------------------------------------

def _placement_audit(by, action: str, placement: Placement, changes: dict) -> AuditEntry:
    return AuditEntry(actor=by if getattr(by, "pk", None) else None, actor_name=getattr(by, "username", "") or "",
                      action=action, model="enrollment.placement", object_pk=str(placement.pk),
                      object_repr=f"#{placement.nomination_id}", changes=changes, origin=current_origin.get())


def _locked_run(run: AllocationRun) -> AllocationRun:
    return AllocationRun.objects.select_for_update().select_related("program").get(pk=run.pk)


@transaction.atomic
def allocation_apply(*, run: AllocationRun, by) -> dict[str, int]:
    """Write a run's proposal as the program's placements, all or nothing, each change audited. Refused unless the
    run is a proposal with a solution, and when the placements (or who is confirmed) changed since the run
    started: its proposal answered another question. Participants it leaves unplaced lose an unlocked placement.
    Returns the counts of placements created, moved and removed."""
    program = _lock_program(run.program)  # and asked of the program as it is now, not as the run loaded it
    require(by, "enrollment.place_participants", program)
    run = _locked_run(run)
    if run.state != AllocationState.PROPOSED or run.solver_status not in (SolverStatus.OPTIMAL,
                                                                          SolverStatus.FEASIBLE):
        raise ActionRefused(_("Only a proposal with a solution can be applied; this run is “%(state)s”.") % {
            "state": run.get_state_display()})
    if selectors.placement_baseline(program) != run.baseline:
        raise ActionRefused(_("The placements or the confirmed participants changed since this run started: run "
                              "the allocation again."))
    groups = {group.pk: group.phase_id for group in Group.objects.filter(phase__program=program)}
    phases = set(program.phases.values_list("pk", flat=True))
    if any(phase not in phases or (group is not None and groups.get(group) != phase)
           for phase, group in run.proposal.values()):
        raise ActionRefused(_("The phases or groups changed since this run started: run the allocation again."))
    existing = {placement.nomination_id: placement for placement in Placement.unscoped.filter(
        nomination__program=program)}
    created, moved, audits = [], [], []
    for key, (phase, group) in run.proposal.items():
        placement = existing.get(int(key))
        if placement is None:
            created.append(Placement(nomination_id=int(key), phase_id=phase, group_id=group))
        elif (placement.phase_id, placement.group_id) != (phase, group):
            audits.append(_placement_audit(by, AuditEntry.Action.UPDATE, placement, {
                "phase": [placement.phase_id, phase], "group": [placement.group_id, group]}))
            placement.phase_id, placement.group_id, placement.updated_at = phase, group, timezone.now()
            moved.append(placement)
    removed = [existing[int(key)] for key in run.unplaced if int(key) in existing and not existing[int(key)].locked]
    Placement.unscoped.bulk_create(created)
    Placement.unscoped.bulk_update(moved, ["phase", "group", "updated_at"])
    audits += [_placement_audit(by, AuditEntry.Action.CREATE, placement, {
        "nomination": placement.nomination_id, "phase": placement.phase_id, "group": placement.group_id})
        for placement in created]
    audits += [_placement_audit(by, AuditEntry.Action.DELETE, placement, {
        "phase": placement.phase_id, "group": placement.group_id}) for placement in removed]
    Placement.unscoped.filter(pk__in=[placement.pk for placement in removed]).delete()
    AuditEntry.objects.bulk_create(audits)
    counts = {"created": len(created), "moved": len(moved), "removed": len(removed)}
    _decide(run, AllocationState.APPLIED, by=by, counts=counts)
    return counts


@transaction.atomic
def allocation_discard(*, run: AllocationRun, by) -> None:
    """Set a proposal aside: nothing is placed."""
    run = _locked_run(run)
    require(by, "enrollment.place_participants", run.program)
    if run.state != AllocationState.PROPOSED:
        raise ActionRefused(_("Only a proposal can be discarded; this run is “%(state)s”.") % {
            "state": run.get_state_display()})
    _decide(run, AllocationState.DISCARDED, by=by)


def _decide(run: AllocationRun, state: str, *, by, counts: dict | None = None) -> None:
    before = run.state
    run.state, run.decided_by, run.decided_at = state, by, timezone.now()
    run.save(update_fields=["state", "decided_by", "decided_at"])
    audit_record(actor=by, action=AuditEntry.Action.UPDATE, instance=run,
                 changes={"state": [before, state], **({"counts": counts} if counts else {})})
