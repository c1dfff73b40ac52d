"""Writes of attendance: the roll call of a session, all or nothing, audited.

A mark is (nomination, mark, note, client_id, made_at). The client id makes a retried request harmless: a mark
whose client id is already stored for the same participant and session is skipped; the same id for another
participant or session is refused. A participant marked again with a new id takes the new mark unless it was made
earlier than the stored one (`made_at`, the time on the device that took it: an offline phone syncing late does
not overwrite a later mark).

`roll_call_set` is the head teacher's roll call; `write_marks` is the one writer of marks, for the services that
check their own permission first (QR check-in, approved leave).
"""

import datetime
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.attendance.enums import Mark, MarkSource
from dangjian.attendance.models import Attendance
from dangjian.attendance.selectors import RosterEntry, roster_placements
from dangjian.core.rules import require
from dangjian.core.services import model_create, model_update

NOTE_MAX_LENGTH = Attendance._meta.get_field("note").max_length


@dataclass(frozen=True)
class MarkInput:
    nomination_id: int
    mark: str
    note: str = ""
    client_id: uuid.UUID | None = None
    made_at: datetime.datetime | None = None  # when the mark was made on the client; None: now


def _as_input(item) -> MarkInput:
    if isinstance(item, MarkInput):
        return item
    nomination, mark, note, client_id, *made_at = item
    return MarkInput(nomination_id=getattr(nomination, "pk", nomination), mark=mark, note=note or "",
                     client_id=client_id, made_at=made_at[0] if made_at else None)


def _check(marks: list[MarkInput], roster: dict) -> None:
    """Every mark names a participant of the roster ({nomination id: nomination}), once, with a known mark and a
    short enough note."""
    errors, seen = [], set()
    for number, item in enumerate(marks, start=1):
        nomination = roster.get(item.nomination_id)
        if nomination is None:
            errors.append(_("Row %(row)d: the participant is not on this session's roster.") % {"row": number})
            continue
        person = nomination.person
        if item.nomination_id in seen:
            errors.append(_("Row %(row)d: %(person)s is marked twice.") % {"row": number, "person": person})
        seen.add(item.nomination_id)
        if item.mark not in Mark.values:
            errors.append(_("Row %(row)d: %(person)s: “%(mark)s” is not a mark.")
                          % {"row": number, "person": person, "mark": item.mark})
        if len(item.note) > NOTE_MAX_LENGTH:
            errors.append(_("Row %(row)d: %(person)s: the note is longer than %(max)d characters.")
                          % {"row": number, "person": person, "max": NOTE_MAX_LENGTH})
    if errors:
        raise ValidationError(errors)


def roll_call_set(*, session, marks: Iterable, by, source: str = MarkSource.ROLL_CALL) -> list[Attendance]:
    """Record the marks of a session's roll call (or of its paper sign-in sheet: source "sheet"), all or
    nothing. `marks`: MarkInput or (nomination, mark, note, client_id[, made_at]) tuples; a missing client id gets
    a new one. Returns the marks written (retries and earlier-made marks skipped)."""
    require(by, "attendance.take_roll_call", session)
    return write_marks(session=session, marks=marks, by=by, source=source)


@transaction.atomic
def write_marks(*, session, marks: Iterable, by, source: str, roster: Iterable[RosterEntry] | None = None
                ) -> list[Attendance]:
    """Write marks of one session, all or nothing, audited (the caller has checked its permission).

    `roster`: the rows of the participants these marks name, with their stored marks, as the caller has just read
    them (attendance.selectors.roster_entry: QR check-in, whose permission reads the participant's row); without
    it, write_marks reads them. When none of them has a stored mark there is nothing to lock: the mark is
    inserted, and a concurrent write of the same participant's mark or client id fails the database's unique
    constraints (IntegrityError, nothing written)."""
    marks = [_as_input(item) for item in marks]
    # Only the rows these marks name: one participant's QR check-in reads and locks one row, not the roster.
    named = {item.nomination_id for item in marks}
    client_ids = [item.client_id for item in marks if item.client_id]
    if roster is None:
        nominations = {placement.nomination_id: placement.nomination
                       for placement in roster_placements(session).filter(nomination_id__in=named)}
        unmarked = False
    else:
        roster = [entry for entry in roster if entry.nomination.pk in named]
        nominations = {entry.nomination.pk: entry.nomination for entry in roster}
        unmarked = all(entry.attendance is None for entry in roster)
    _check(marks, nominations)
    stored, by_client = {}, {}
    if not unmarked:
        # One query: the stored marks of these participants (locked: the later-made mark wins) and the marks of
        # these client ids (a retry is skipped).
        for attendance in Attendance.unscoped.select_for_update().filter(
                Q(session=session, nomination_id__in=named) | Q(client_id__in=client_ids)):
            if attendance.session_id == session.pk and attendance.nomination_id in named:
                stored[attendance.nomination_id] = attendance
            if attendance.client_id in client_ids:
                by_client[attendance.client_id] = attendance
    written, now = [], timezone.now()
    confirmed_later = defaultdict(list)  # made_at -> ids of stored marks made again, unchanged, at that time
    for number, item in enumerate(marks, start=1):
        nomination = nominations[item.nomination_id]
        retried = by_client.get(item.client_id) if item.client_id else None
        if retried is not None:
            if (retried.session_id, retried.nomination_id) != (session.pk, item.nomination_id):
                raise ValidationError(_("Row %(row)d: %(person)s: this mark's client id belongs to another mark.")
                                      % {"row": number, "person": nomination.person})
            continue
        data = {"mark": item.mark, "note": item.note, "marked_by": by, "marked_at": now,
                "client_id": item.client_id or uuid.uuid4(), "made_at": min(item.made_at or now, now),
                "source": source}
        existing = stored.get(item.nomination_id)
        if existing is not None and data["made_at"] < existing.made_at:
            continue  # made before the stored mark: the later one stands
        if existing is None:
            # The roster was checked above and the database guards the rest (the session, participant and user
            # exist; one mark per participant and session; unique client ids): no lookups before the insert. An
            # error ends this atomic block: no savepoint of model_create's own.
            written.append(model_create(instance=Attendance(session=session, nomination=nomination, **data), by=by,
                                        lookups=False, savepoint=False))
        elif (existing.mark, existing.note) != (item.mark, item.note):
            written.append(model_update(instance=existing, data=data, by=by))
        elif data["made_at"] > existing.made_at:
            confirmed_later[data["made_at"]].append(existing.pk)
    # The same mark made again later stands from the later time: a conflicting mark made in between (another
    # device's, synced late) must not replace it. Only its time moves, nothing a person sees: not audited.
    for made_at, ids in confirmed_later.items():
        Attendance.unscoped.filter(pk__in=ids).update(made_at=made_at)
    return written


def roll_call_all_present(*, session, by) -> list[Attendance]:
    """Mark every participant of the roster who has no mark yet as present (then the exceptions are marked)."""
    require(by, "attendance.take_roll_call", session)
    marked = set(Attendance.unscoped.filter(session=session).values_list("nomination_id", flat=True))
    return roll_call_set(session=session, by=by, marks=[
        MarkInput(nomination_id=placement.nomination_id, mark=Mark.PRESENT)
        for placement in roster_placements(session) if placement.nomination_id not in marked])
