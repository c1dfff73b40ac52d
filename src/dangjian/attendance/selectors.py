"""Reads of attendance: the roster of a session with its marks, in a constant number of queries."""

from dataclasses import dataclass

from dangjian.attendance.models import Attendance
from dangjian.attendance.scoping import roster_filter
from dangjian.enrollment.enums import NominationStatus
from dangjian.enrollment.models import Nomination, Placement


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
    its group), by group and name."""
    placements = Placement.unscoped.filter(phase_id=session.phase_id,
                                           nomination__status=NominationStatus.CONFIRMED)
    if session.group_id:
        placements = placements.filter(group_id=session.group_id)
    return placements.select_related("nomination__person", "nomination__organ", "group").order_by(
        "group__number", "nomination__person__name_sort", "nomination_id")


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
