"""QR check-in (扫码签到): a signed code per session that changes every few seconds on the head teacher's screen;
a signed-in participant scans it and checks themselves in.

A code is "<session id>.<window>" signed with django.core.signing (its own salt, so no other signed value of the
platform is a code): the window is the number of ATTENDANCE_CHECKIN_STEP_SECONDS steps since the epoch when the
code was made. A code is accepted in its own window and the next one (the screen has just changed, the phone was
slow); an older one is a replay, e.g. a photo of the screen sent to someone who is not in the room. Codes work
only while check-in is open: from ATTENDANCE_CHECKIN_OPENS_MINUTES before the session starts until it ends.

The mark goes through attendance.services.write_marks (source "qr") with a client id derived from the session
and the participant, so checking in twice writes once. Present up to ATTENDANCE_CHECKIN_GRACE_MINUTES after the
start, late after that. A participant already marked present or late (by the head teacher, or an earlier scan)
keeps that mark; an earlier "absent" or "on leave" is replaced (they came after all), and a mark the head teacher
made after the check-in (an offline roll call synced later) stands: write_marks orders marks by when they were
made.
"""

import datetime
import uuid
from dataclasses import dataclass

import segno
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from dangjian.attendance import selectors
from dangjian.attendance.enums import Mark, MarkSource
from dangjian.attendance.models import Attendance
from dangjian.attendance.services import MarkInput, write_marks
from dangjian.core.rules import require
from dangjian.training.models import Session

SALT = "dangjian.attendance.checkin"
CLIENT_ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://dangjian/attendance/qr-check-in")
ATTENDED = frozenset({Mark.PRESENT, Mark.LATE})


class CheckInRefused(ValidationError):
    """A code that cannot be used: `reason` is "invalid", "expired" or "replayed"; the message says what to do.
    A ValidationError on the field "code" (the API answers 422 naming it)."""

    def __init__(self, reason: str, message: str):
        super().__init__({"code": [ValidationError(message, code=reason)]})
        self.reason = reason


@dataclass(frozen=True)
class CheckIn:
    attendance: Attendance
    created: bool  # False: the participant was already marked present or late (checking in again is harmless)


def step_seconds() -> int:
    """How often the code changes (ATTENDANCE_CHECKIN_STEP_SECONDS)."""
    return max(1, settings.ATTENDANCE_CHECKIN_STEP_SECONDS)


def _now(now: datetime.datetime | None) -> datetime.datetime:
    return now or timezone.now()


def window_of(moment: datetime.datetime) -> int:
    return int(moment.timestamp()) // step_seconds()


def opens_at(session) -> datetime.datetime:
    return session.starts_at - datetime.timedelta(minutes=settings.ATTENDANCE_CHECKIN_OPENS_MINUTES)


def is_open(session, *, now: datetime.datetime | None = None) -> bool:
    """Check-in is open: from ATTENDANCE_CHECKIN_OPENS_MINUTES before the start until the session ends."""
    return opens_at(session) <= _now(now) <= session.ends_at


def seconds_to_next_code(*, now: datetime.datetime | None = None) -> int:
    """Seconds until the code on the screen changes (the screen asks for the next one then)."""
    step = step_seconds()
    return step - int(_now(now).timestamp()) % step or step


def make_code(session, *, now: datetime.datetime | None = None) -> str:
    """The code of `session` for the window of `now` (what the head teacher's screen shows)."""
    return signing.Signer(salt=SALT).sign(f"{session.pk}.{window_of(_now(now))}")


def qr_code_svg(url: str) -> str:
    """The QR code of a check-in address as inline SVG that scales to its box (no size: a viewBox)."""
    return segno.make(url, error="m", micro=False).svg_inline(scale=1, border=4, omitsize=True, dark="#000000",
                                                              light="#ffffff", title=_("Check-in code"))


def open_hours(session) -> str:
    """When check-in is open, in words: "2022-10-10 08:00–11:30"."""
    start, end = timezone.localtime(opens_at(session)), timezone.localtime(session.ends_at)
    day = formats.date_format(start, "Y-m-d")
    if start.date() == end.date():
        return f"{day} {start:%H:%M}–{end:%H:%M}"
    return f"{day} {start:%H:%M} – {formats.date_format(end, 'Y-m-d')} {end:%H:%M}"


def _read(code: str) -> tuple[int, int]:
    """(session id, window) of a genuine code; CheckInRefused("invalid") for anything else."""
    try:
        session_id, window = signing.Signer(salt=SALT).unsign(code).split(".")
        return int(session_id), int(window)
    except (signing.BadSignature, ValueError):
        raise CheckInRefused("invalid", _("This is not a check-in code of this platform. Scan the code on the "
                                          "head teacher's screen again.")) from None


def _session_of(code: str) -> tuple[Session, int]:
    session_id, window = _read(code)
    try:
        session = Session.unscoped.select_related("phase__program").get(pk=session_id)
    except Session.DoesNotExist:
        raise CheckInRefused("invalid", _("This code names a session that no longer exists.")) from None
    return session, window


def _check_time(session, window: int, now: datetime.datetime) -> None:
    if not is_open(session, now=now):
        raise CheckInRefused("expired", _("This code has expired: check-in for “%(session)s” is open %(hours)s.")
                             % {"session": session.title, "hours": open_hours(session)})
    current = window_of(now)
    if window > current:
        raise CheckInRefused("invalid", _("This code is not valid yet. Scan the code on the screen again."))
    if window < current - 1:
        raise CheckInRefused("replayed", _("This code is no longer current: the code on the screen changes every "
                                           "%(seconds)d seconds, and a photo of an old one does not count. Scan "
                                           "the code on the screen again.") % {"seconds": step_seconds()})


@dataclass(frozen=True)
class Preview:
    """What a scan shows before the participant confirms: the session, the mark they would get, their present
    mark (None when not marked)."""

    session: Session
    mark: str
    existing: Attendance | None


def _mark_for(session, now: datetime.datetime) -> str:
    grace = datetime.timedelta(minutes=settings.ATTENDANCE_CHECKIN_GRACE_MINUTES)
    return Mark.PRESENT if now <= session.starts_at + grace else Mark.LATE


def _checked(code: str, by, now: datetime.datetime) -> tuple[Session, selectors.RosterEntry]:
    """The session of a usable code and the participant's row of its roster (their nomination and stored mark).
    Raises PermissionDenied (not a participant), ActionRefused (class closed, not on the roster) or
    CheckInRefused (the code). Two queries: the session with its phase and program, and the participant's
    row, which the permission reads (attendance.selectors.roster_entry, remembered for the request)."""
    session, window = _session_of(code)
    require(by, "attendance.check_in", session)
    _check_time(session, window, now)
    return session, selectors.roster_entry(user=by, session=session)


def check_in_preview(*, code: str, by, now: datetime.datetime | None = None) -> Preview:
    """Check a scanned code for `by` without writing anything (the page before "Check in")."""
    now = _now(now)
    session, entry = _checked(code, by, now)
    return Preview(session=session, mark=_mark_for(session, now), existing=entry.attendance)


def client_id_for(session, nomination) -> uuid.UUID:
    """The same for every check-in of a participant to a session: a second one is a retry, written once."""
    return uuid.uuid5(CLIENT_ID_NAMESPACE, f"{session.pk}:{nomination.pk}:qr")


def check_in(*, code: str, by, now: datetime.datetime | None = None) -> CheckIn:
    """Check the signed-in participant `by` in to the session of `code`: present, or late after the grace period.
    Refused (nothing written): an invalid code, one outside the session's time (expired), an old one (replayed),
    a session not on the participant's roster, a closed class."""
    now = _now(now)
    session, entry = _checked(code, by, now)
    nomination, stored = entry.nomination, entry.attendance
    if stored is not None and stored.mark in ATTENDED:
        return CheckIn(attendance=stored, created=False)
    mark = MarkInput(nomination_id=nomination.pk, mark=_mark_for(session, now), made_at=now,
                     client_id=client_id_for(session, nomination))
    try:
        # The roster row and the stored mark are those the permission read: write_marks reads neither again.
        written = write_marks(session=session, marks=[mark], by=by, source=MarkSource.QR, roster=[entry])
    except IntegrityError:  # the same participant's second scan, at the same moment: the first one wrote it
        written = []
    if written:
        return CheckIn(attendance=written[0], created=True)
    return CheckIn(attendance=Attendance.unscoped.get(session=session, nomination=nomination), created=False)
