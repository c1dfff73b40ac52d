"""Reads of leave (请假) and withdrawal (退学): a participant's leave against the program's limit, the leave requests
and withdrawals of a program, a participant's own requests, and the class attendance overview — each in a constant
number of queries whatever the number of participants.

Leave counted against the limit: the hours of the sessions marked "on leave" (attendance.selectors.participant_hours
— an approved leave marks its sessions so; the head teacher may also mark a session "on leave" in the roll call), the
same figure completion.selectors.program_results reads. The limit: completion.selectors.leave_limit_hours of the
program's rules and the participant's class hours; the limit itself is still within.
"""

from dataclasses import dataclass, replace
from decimal import Decimal

from django.conf import settings
from django.db.models import Case, IntegerField, Prefetch, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.attendance.enums import LeaveStatus, Mark, WithdrawalStatus
from dangjian.attendance.models import Attendance, LeaveRequest, Withdrawal
from dangjian.attendance.selectors import participant_hours
from dangjian.enrollment.enums import NominationStatus
from dangjian.enrollment.models import Nomination, Placement
from dangjian.enrollment.scoping import nomination_filter
from dangjian.training.models import Session
from dangjian.training.scoping import manages_venue_of

# Statuses that hold a session: a session may be in one such request of a participant only.
HOLDING_STATUSES = (LeaveStatus.PENDING, LeaveStatus.APPROVED)


def warning_share() -> Decimal:
    """Warn when leave reaches this share of the limit (settings.DANGJIAN_RULES["leave_warning_share"], 3/4)."""
    return Decimal(str(settings.DANGJIAN_RULES.get("leave_warning_share", "0.75")))


def hours_text(value: Decimal) -> str:
    return f"{Decimal(value).normalize():f}"


@dataclass(frozen=True)
class LeaveStanding:
    """A participant's leave against the limit of their class, in 学时."""

    class_hours: Decimal
    leave_hours: Decimal
    limit_hours: Decimal

    @property
    def over(self) -> bool:
        return self.leave_hours > self.limit_hours

    @property
    def warning(self) -> bool:
        """Near the limit (at least the warning share of it) but not past it."""
        return not self.over and self.leave_hours > 0 and self.leave_hours >= self.limit_hours * warning_share()

    @property
    def state(self) -> str:
        return "over" if self.over else "warning" if self.warning else "within"

    @property
    def label(self) -> str:
        return _("Leave %(leave)s / limit %(limit)s hours") % {
            "leave": hours_text(self.leave_hours), "limit": hours_text(self.limit_hours)}

    @property
    def advice(self) -> str:
        """The warning in words ("" when well within)."""
        if self.over:
            return _("Past the limit of %(limit)s hours: the participant is flagged for withdrawal (退学).") % {
                "limit": hours_text(self.limit_hours)}
        if self.warning:
            return _("Close to the limit of %(limit)s hours: more leave than that means withdrawal (退学).") % {
                "limit": hours_text(self.limit_hours)}
        return ""

    def plus(self, hours: Decimal) -> "LeaveStanding":
        return replace(self, leave_hours=self.leave_hours + hours)


def standings(program, placements, *, hours: dict | None = None) -> dict[int, LeaveStanding]:
    """{nomination id: LeaveStanding} of the given placements of one program (three queries at most: the
    program's rules, the sessions, the marks; `hours`, participant_hours already read, spares the last two)."""
    from dangjian.completion.selectors import leave_limit_hours, rules_of

    rules = rules_of(program)
    hours = participant_hours(placements) if hours is None else hours
    return {nomination_id: LeaveStanding(class_hours=figures.class_hours, leave_hours=figures.leave_hours,
                                         limit_hours=leave_limit_hours(rules, figures.class_hours))
            for nomination_id, figures in hours.items()}


def placement_of(nomination) -> Placement | None:
    try:
        return nomination.placement
    except Placement.DoesNotExist:
        return None


def standing_of(nomination) -> LeaveStanding | None:
    """One participant's standing (None when not placed)."""
    placement = placement_of(nomination)
    return None if placement is None else standings(nomination.program, [placement]).get(nomination.pk)


def roster_sessions(placement):
    """The sessions of a participant's class: their phase's, of group sessions their group's, in time order."""
    return (Session.unscoped.filter(phase_id=placement.phase_id)
            .filter(Q(group__isnull=True) | Q(group_id=placement.group_id))
            .order_by("starts_at", "id"))


def held_session_ids(nomination_ids, *, exclude_leave=None) -> dict[int, set[int]]:
    """{nomination id: ids of sessions in a pending or approved leave} (one query)."""
    rows = LeaveRequest.sessions.through.objects.filter(
        leaverequest__nomination_id__in=list(nomination_ids), leaverequest__status__in=HOLDING_STATUSES)
    if exclude_leave is not None:
        rows = rows.exclude(leaverequest_id=exclude_leave.pk)
    held: dict[int, set[int]] = {}
    for nomination_id, session_id in rows.values_list("leaverequest__nomination_id", "session_id"):
        held.setdefault(nomination_id, set()).add(session_id)
    return held


def leave_session_choices(*, nomination, future_only: bool, today=None):
    """The sessions a leave may be filed for: the participant's class sessions with hours, not yet in a pending or
    approved leave; for the participant themselves, only those of today and later."""
    placement = placement_of(nomination)
    if placement is None:
        return Session.unscoped.none()
    sessions = roster_sessions(placement).exclude(hours=0).exclude(
        pk__in=held_session_ids([nomination.pk]).get(nomination.pk, set()))
    if future_only:
        today = today or timezone.localdate()
        sessions = sessions.filter(starts_at__date__gte=today)
    return sessions


def _with_sessions(queryset):
    return queryset.prefetch_related(Prefetch("sessions", queryset=Session.unscoped.order_by("starts_at", "id")))


def leave_rows(queryset):
    """Leave requests as listed: the participant, the filer and decider, the sessions, pending first."""
    return _with_sessions(queryset.select_related(
        "nomination__person", "nomination__organ", "nomination__program", "nomination__withdrawal", "filed_by",
        "decided_by")).annotate(
        pending_first=Case(When(status=LeaveStatus.PENDING, then=Value(0)), default=Value(1),
                           output_field=IntegerField())).order_by("pending_first", "-filed_at", "-id")


def program_leave_requests(*, program, user, status: str = ""):
    """A program's leave requests the user may see (unit administrators: their own organs' people), pending
    first."""
    requests = LeaveRequest.objects.visible_to(user).filter(nomination__program=program)
    if status:
        requests = requests.filter(status=status)
    return leave_rows(requests)


def leave_get(*, user, pk: int) -> LeaveRequest:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(_with_sessions(LeaveRequest.objects.visible_to(user).select_related(
        "nomination__person", "nomination__organ", "nomination__program", "nomination__program__venue",
        "nomination__placement", "nomination__withdrawal", "filed_by", "decided_by")), pk=pk)


def withdrawal_get(*, user, pk: int) -> Withdrawal:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(Withdrawal.objects.visible_to(user).select_related(
        "nomination__person", "nomination__organ", "nomination__program", "nomination__program__venue",
        "decided_by"), pk=pk)


def program_withdrawals(*, program, user):
    """A program's withdrawals the user may see, those awaiting the organizer first."""
    return (Withdrawal.objects.visible_to(user).filter(nomination__program=program)
            .select_related("nomination__person", "nomination__organ", "nomination__program", "decided_by")
            .annotate(flagged_first=Case(When(status=WithdrawalStatus.FLAGGED, then=Value(0)), default=Value(1),
                                         output_field=IntegerField()))
            .order_by("flagged_first", "-flagged_at", "-id"))


def request_hours(leave) -> Decimal:
    """The hours of a leave request's sessions (prefetched)."""
    return sum((session.hours for session in leave.sessions.all()), Decimal(0))


def with_outlook(program, leaves: list) -> list:
    """Each leave request of one program given `standing` (the participant's leave now) and, while pending,
    `standing_after` (their leave if it is approved: the hours of its sessions not yet marked on leave). Four
    queries whatever the number of requests."""
    nominations = {leave.nomination_id for leave in leaves}
    if not nominations:
        return leaves
    placements = list(Placement.unscoped.filter(nomination_id__in=nominations))
    by_participant = standings(program, placements)
    on_leave = set(Attendance.unscoped.filter(nomination_id__in=nominations, mark=Mark.ON_LEAVE)
                   .values_list("nomination_id", "session_id"))
    for leave in leaves:
        leave.standing = by_participant.get(leave.nomination_id)
        leave.hours = request_hours(leave)
        leave.standing_after = None
        if leave.standing is not None and leave.status == LeaveStatus.PENDING:
            extra = sum((session.hours for session in leave.sessions.all()
                         if (leave.nomination_id, session.pk) not in on_leave), Decimal(0))
            leave.standing_after = leave.standing.plus(extra)
    return leaves


@dataclass
class MyClass:
    """A participant's class as their leave page shows it."""

    nomination: Nomination
    standing: LeaveStanding | None
    choices: list
    requests: list
    withdrawal: Withdrawal | None


def my_leave(*, user, today=None) -> list[MyClass]:
    """A participant's confirmed, placed nominations (the latest program first, at most 10), each with their leave
    against the limit, the sessions they may still ask leave for (today and later) and their requests (the
    latest 50). A constant number of queries per class (a participant has one or two)."""
    if not user.person_id:
        return []
    nominations = list(Nomination.unscoped.filter(person_id=user.person_id, status=NominationStatus.CONFIRMED,
                                                  placement__isnull=False)
                       .select_related("program", "program__venue", "placement__phase", "placement__group",
                                       "withdrawal")
                       .order_by("-program__year", "-id")[:10])
    classes = []
    for nomination in nominations:
        requests = list(leave_rows(LeaveRequest.unscoped.filter(nomination=nomination))[:50])
        classes.append(MyClass(
            nomination=nomination, standing=standing_of(nomination),
            choices=list(leave_session_choices(nomination=nomination, future_only=True, today=today)),
            requests=with_outlook(nomination.program, requests) if requests else [],
            withdrawal=getattr(nomination, "withdrawal", None) if _has_withdrawal(nomination) else None))
    return classes


def _has_withdrawal(nomination) -> bool:
    try:
        nomination.withdrawal  # noqa: B018 (select_related)
    except Withdrawal.DoesNotExist:
        return False
    return True


@dataclass(frozen=True)
class OverviewRow:
    placement: Placement
    hours: object  # attendance.selectors.ParticipantHours
    standing: LeaveStanding
    withdrawal: Withdrawal | None
    pending: int  # leave requests awaiting a decision

    @property
    def nomination(self):
        return self.placement.nomination

    @property
    def person(self):
        return self.placement.nomination.person


def visible_participants(*, program, user):
    """The program's confirmed, placed participants (nominations) the user may see: those who run the class all,
    unit administrators their own organs' people."""
    nominations = Nomination.unscoped.filter(program=program, status=NominationStatus.CONFIRMED,
                                             placement__isnull=False)
    if not manages_venue_of(user, program):
        nominations = nominations.filter(nomination_filter(user))
    return nominations


def overview_placements(*, program, user):
    """The placements of a program's participants the user may see: those who run the class all, unit
    administrators their own organs' people (attendance.scoping.roster_filter, asked of the program)."""
    placements = Placement.unscoped.filter(phase__program=program, nomination__status=NominationStatus.CONFIRMED)
    if not manages_venue_of(user, program):
        placements = placements.filter(nomination_filter(user, path="nomination__"))
    return (placements.select_related("nomination__person", "nomination__organ", "phase", "group")
            .order_by("phase__number", "group__number", "nomination__person__name_sort", "nomination_id"))


def overview_rows(*, program, placements) -> list[OverviewRow]:
    """The rows of the class attendance overview for one page of placements: hours attended, on leave, absent and
    unmarked, leave against the limit, withdrawal, pending requests. Five queries whatever the page's size."""
    placements = list(placements)
    ids = [placement.nomination_id for placement in placements]
    hours = participant_hours(placements)
    by_participant = standings(program, placements, hours=hours) if placements else {}
    withdrawals = {w.nomination_id: w for w in Withdrawal.unscoped.filter(nomination_id__in=ids)} if ids else {}
    pending: dict[int, int] = {}
    if ids:
        for nomination_id in LeaveRequest.unscoped.filter(nomination_id__in=ids, status=LeaveStatus.PENDING) \
                .values_list("nomination_id", flat=True):
            pending[nomination_id] = pending.get(nomination_id, 0) + 1
    return [OverviewRow(placement=placement, hours=hours[placement.nomination_id],
                        standing=by_participant[placement.nomination_id],
                        withdrawal=withdrawals.get(placement.nomination_id),
                        pending=pending.get(placement.nomination_id, 0)) for placement in placements]
