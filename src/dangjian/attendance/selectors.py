"""Reads of attendance: the roster of a session with its marks, and each participant's hours attended and on
leave, in a constant number of queries."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import FilteredRelation, Q
from django.utils import timezone

from dangjian.attendance.enums import Mark, WithdrawalStatus
from dangjian.attendance.models import Attendance
from dangjian.attendance.scoping import roster_filter
from dangjian.enrollment.enums import NominationStatus
from dangjian.enrollment.models import Nomination, Placement
from dangjian.training.models import Session


@dataclass(frozen=True)
class RosterRow:
    nomination: Nomination
    placement: Placement
    attendance: Attendance | None

    @property
    def person(self):
        return self.nomination.person


def roster_placements(session):
    """Every placement of a session's roster: confirmed participants placed in its phase (a group session: in
    its group) and not withdrawn before it started, by group and name."""
    placements = Placement.unscoped.filter(phase_id=session.phase_id,
                                           nomination__status=NominationStatus.CONFIRMED)
    # A confirmed withdrawal (退学) takes the participant off the rosters of the sessions that start after it (one
    # join: the query count stays the same).
    placements = placements.filter(Q(nomination__withdrawal__isnull=True)
                                   | ~Q(nomination__withdrawal__status=WithdrawalStatus.CONFIRMED)
                                   | Q(nomination__withdrawal__decided_at__gt=session.starts_at))
    if session.group_id:
        placements = placements.filter(group_id=session.group_id)
    return placements.select_related("nomination__person", "nomination__organ", "group").order_by(
        "group__number", "nomination__person__name_sort", "nomination_id")


@dataclass(frozen=True)
class RosterEntry:
    """A participant's own row of a session's roster: their nomination (with its person and placement) and their
    mark of the session (None when not marked)."""

    nomination: Nomination
    attendance: Attendance | None


def roster_entry(*, user, session) -> RosterEntry | None:
    """The user's own row of a session's roster (a participant checking in), or None: one query — their placement
    on roster_placements (whatever decides the roster decides this row) with the nomination, its person and the
    stored mark of the session — remembered on the user object for the request (the permission asks it, then the
    check-in uses it)."""
    person_id = getattr(user, "person_id", None)
    if not person_id:
        return None
    known = user.__dict__.setdefault("_roster_entries", {})
    if (session.pk, person_id) not in known:
        # At most one row (one active nomination per person and program; one mark per participant and session).
        placement = next(iter(roster_placements(session).filter(nomination__person_id=person_id).annotate(
            session_mark=FilteredRelation("nomination__attendances",
                                          condition=Q(nomination__attendances__session_id=session.pk)))
            .select_related("session_mark").order_by()[:1]), None)
        nomination = placement.nomination if placement is not None else None
        entry = None
        if nomination is not None:
            attendance = getattr(placement, "session_mark", None)  # not set when there is no mark
            if attendance is not None:
                attendance.nomination, attendance.session = nomination, session
            entry = RosterEntry(nomination=nomination, attendance=attendance)
        known[(session.pk, person_id)] = entry
    return known[(session.pk, person_id)]


def roster_nomination(*, user, session) -> Nomination | None:
    """The user's own nomination on a session's roster, or None (roster_entry: one query, remembered)."""
    entry = roster_entry(user=user, session=session)
    return entry.nomination if entry is not None else None


def session_roster(session, *, user=None) -> list[RosterRow]:
    """The roster of a session with each participant's mark (None when not marked): two queries. Given a user,
    the rows that user may see (attendance.scoping.roster_filter)."""
    placements = roster_placements(session)
    if user is not None:
        placements = placements.filter(roster_filter(user, session))
    placements = list(placements)
    marks = {attendance.nomination_id: attendance for attendance in Attendance.unscoped.filter(
        session_id=session.pk, nomination_id__in=[placement.nomination_id for placement in placements])}
    return [RosterRow(nomination=placement.nomination, placement=placement,
                      attendance=marks.get(placement.nomination_id)) for placement in placements]


ATTENDED_MARKS = frozenset({Mark.PRESENT, Mark.LATE})


@dataclass(frozen=True)
class ParticipantHours:
    """A participant's class in 学时, from the sessions of their roster (their phase; group sessions of their
    group) and their marks. Sessions of 0 hours (travel) count for nothing; an unmarked session is neither
    attended nor on leave."""

    class_hours: Decimal
    attended_hours: Decimal
    leave_hours: Decimal
    absent_hours: Decimal
    unmarked_hours: Decimal
    class_days: int
    days_attended: int  # days on which at least half of that day's hours were attended

    @property
    def attendance_share(self) -> Decimal | None:
        return self.attended_hours / self.class_hours if self.class_hours else None

    @property
    def leave_share(self) -> Decimal | None:
        return self.leave_hours / self.class_hours if self.class_hours else None


def participant_hours(placements) -> dict[int, ParticipantHours]:
    """{nomination id: ParticipantHours} for the given placements (of one program or several): two queries
    whatever their number — the sessions of their phases, and their marks."""
    placements = list(placements)
    if not placements:
        return {}
    sessions = list(Session.unscoped.filter(phase_id__in={p.phase_id for p in placements}).values_list(
        "pk", "phase_id", "group_id", "starts_at", "hours"))
    marks = {(nomination_id, session_id): mark for nomination_id, session_id, mark in Attendance.unscoped.filter(
        nomination_id__in=[p.nomination_id for p in placements]).values_list("nomination_id", "session_id", "mark")}
    days = {pk: timezone.localtime(starts_at).date() for pk, _phase, _group, starts_at, _hours in sessions}
    result = {}
    for placement in placements:
        totals = {"class": Decimal(0), "attended": Decimal(0), "leave": Decimal(0), "absent": Decimal(0),
                  "unmarked": Decimal(0)}
        per_day: dict = {}
        for pk, phase_id, group_id, _starts_at, hours in sessions:
            if phase_id != placement.phase_id or (group_id and group_id != placement.group_id) or not hours:
                continue
            mark = marks.get((placement.nomination_id, pk))
            kind = ("attended" if mark in ATTENDED_MARKS else "leave" if mark == Mark.ON_LEAVE
                    else "absent" if mark == Mark.ABSENT else "unmarked")
            totals["class"] += hours
            totals[kind] += hours
            day = per_day.setdefault(days[pk], [Decimal(0), Decimal(0)])
            day[0] += hours
            if kind == "attended":
                day[1] += hours
        result[placement.nomination_id] = ParticipantHours(
            class_hours=totals["class"], attended_hours=totals["attended"], leave_hours=totals["leave"],
            absent_hours=totals["absent"], unmarked_hours=totals["unmarked"], class_days=len(per_day),
            days_attended=sum(1 for total, attended in per_day.values() if attended * 2 >= total))
    return result
