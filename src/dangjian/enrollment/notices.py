"""The admission notice (入学通知) of a confirmed participant: an A4 PDF in the sober style of the training plan
(training/documents.py, WeasyPrint, the system's Noto CJK fonts embedded as subsets): who is admitted to which
program and phase, when and where to report, what to bring (`ProgramEnrollment.admission_notes`), the phase's
timetable, the first sign-in link as a QR code with its expiry, and whom to call.

The link is an activation link when the notice is prepared for the outbox (`services.admission_notices_prepare`:
each notice gets a fresh one). A notice downloaded from a page carries no activation link (a GET issues no
token): its QR code leads to the participant's own page, where a signed-in participant reads it.
"""

import datetime
from dataclasses import dataclass

import segno
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from dangjian.enrollment import selectors
from dangjian.enrollment.models import Nomination
from dangjian.outbox.services import absolute_url
from dangjian.training.documents import (
    _css_string,
    _html_to_pdf,
    _paragraphs,
    _render,
    _total_hours,
    format_date_range,
    format_day,
    format_hours,
    phase_label,
    safe_filename,
    section_label,
    timetable_days,
)
from dangjian.training.models import Phase
from dangjian.training.selectors import phase_sessions


def activation_url(token: str) -> str:
    return absolute_url(reverse("participant_activate", args=[token]))


def notice_phase(nomination: Nomination) -> Phase | None:
    """The phase the notice announces: the participant's phase when the program has one for them (their preferred
    phase, or the only phase); None while several phases are possible (allocation to phases is a later step)."""
    phases = selectors.my_phases(nomination=nomination)
    return phases[0] if len(phases) == 1 else None


def qr_svg(payload: str) -> str:
    """The QR code of `payload` as inline SVG (WeasyPrint draws it; no image file, no URL to fetch)."""
    return segno.make(payload, error="m", micro=False).svg_inline(scale=3, border=2, dark="#111111")


@dataclass
class NoticeLink:
    """The sign-in link printed on a notice: an activation link (with its expiry) or the participant's page."""

    url: str
    expires_on: datetime.date | None = None

    @classmethod
    def activation(cls, token: str) -> "NoticeLink":
        expires = timezone.localdate() + datetime.timedelta(days=settings.ENROLLMENT_ACTIVATION_DAYS)
        return cls(url=activation_url(token), expires_on=expires)

    @classmethod
    def own_page(cls) -> "NoticeLink":
        return cls(url=absolute_url(reverse("my_enrollment")))


def admission_notice_filename(nomination: Nomination) -> str:
    return safe_filename(f"{_('Admission notice')}-{nomination.program.title}-{nomination.person.name}") + ".pdf"


def notice_headings() -> dict[str, str]:
    """The notice's sections, numbered 一、二、… (1. 2. … in English); the timetable follows as its attachment."""
    titles = [("time", _("Time")), ("place", _("Place")), ("arrival", _("Arrival and what to bring")),
              ("account", _("Your account on the platform")), ("contacts", _("Contacts"))]
    headings = {key: f"{section_label(n)}{title}" for n, (key, title) in enumerate(titles, start=1)}
    headings["timetable"] = _("Attachment: %(title)s") % {"title": _("Timetable")}  # after the notice, 附件
    return headings


def admission_notice_context(*, nomination: Nomination, link: NoticeLink) -> dict:
    """What the notice prints (in a fixed number of queries)."""
    program = nomination.program
    phase = notice_phase(nomination)
    days = timetable_days(list(phase_sessions(phase=phase))) if phase is not None else []
    venue = program.venue
    venue_place = "".join(x for x in (venue.province, venue.city, venue.county) if x) if venue else ""
    notes = selectors.enrollment_settings(program).admission_notes
    return {
        "program": program,
        "nomination": nomination,
        "person": nomination.person,
        "organ": nomination.organ,
        "phase": phase,
        "phase_label": phase_label(phase.number) if phase else "",
        "dates": format_date_range(phase.starts_on, phase.ends_on) if phase else "",
        "report_day": format_day(phase.starts_on) if phase else "",
        "phases": [{"label": phase_label(p.number), "dates": format_date_range(p.starts_on, p.ends_on)}
                   for p in sorted(program.phases.all(), key=lambda p: p.number)] if phase is None else [],
        "venue": venue,
        "venue_place": venue_place,
        "classroom": phase.classroom if phase and phase.classroom_id else None,
        "notes": _paragraphs(notes),
        "days": days,
        "total_hours": format_hours(_total_hours(days)),
        "compact": True,
        "link": link,
        "link_expires": format_day(link.expires_on) if link.expires_on else "",
        "qr": mark_safe(qr_svg(link.url)),
        "headings": notice_headings(),
        "document_title": _("Admission notice: %(program)s") % {"program": program.title},
        "footer_title": _css_string(program.title),
        "issued_on": format_day(timezone.localdate()),
    }


def admission_notice_html(*, nomination: Nomination, link: NoticeLink) -> str:
    return _render("enrollment/admission_notice.html", admission_notice_context(nomination=nomination, link=link))


def admission_notice_pdf(*, nomination: Nomination, link: NoticeLink) -> bytes:
    """The admission notice of a confirmed participant as an A4 PDF."""
    return _html_to_pdf(admission_notice_html(nomination=nomination, link=link))
