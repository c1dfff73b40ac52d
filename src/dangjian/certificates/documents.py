"""The certificate (结业证书) as an A4 PDF (WeasyPrint; the system's Noto CJK fonts embedded as subsets, as
training/documents.py does): the graduate's name, the program, the dates, the hours credited, the organizer, the
serial number, the issue date and a QR code (segno, inline SVG) that opens the public verification page.

Many certificates are laid out as one document, one page each, and cut into one PDF per certificate with pypdf:
the fonts are loaded and subset once per batch, which is what makes 1,000 certificates quick (bench/certificates.py).
"""

import io

import segno
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from dangjian.outbox.services import absolute_url
from dangjian.training.documents import format_day, format_hours, html_to_pdf, render_document, safe_filename

# One fixed mask pattern: segno then skips scoring all eight (most of its time); any mask decodes the same.
QR_MASK = 4


def qr_svg(payload: str) -> str:
    """The QR code of `payload` as inline SVG (as enrollment.notices.qr_svg draws it, with the mask fixed)."""
    return segno.make(payload, error="m", micro=False, mask=QR_MASK, boost_error=False).svg_inline(
        scale=3, border=2, dark="#111111")


def verification_url(serial: str) -> str:
    """The public verification page of a serial, as an absolute link (the platform's address,
    settings.WAGTAILADMIN_BASE_URL, as printed notices use)."""
    return absolute_url(reverse("certificate_verify", args=[serial]))


def certificate_filename(certificate) -> str:
    return safe_filename(f"{_('Certificate')}-{certificate.program_title}-{certificate.person_name}-"
                         f"{certificate.serial}") + ".pdf"


def certificate_page(certificate) -> dict:
    """What one certificate prints (no query: the certificate keeps what it prints)."""
    url = verification_url(certificate.serial)
    return {
        "certificate": certificate,
        "name": certificate.person_name,
        "body": _("attended %(program)s organized by %(organizer)s from %(start)s to %(end)s, completed the "
                  "required study with %(hours)s training hours credited, and has graduated.") % {
            "program": _("“%(title)s”") % {"title": certificate.program_title},
            "organizer": certificate.organizer_name,
            "start": format_day(certificate.starts_on), "end": format_day(certificate.ends_on),
            "hours": format_hours(certificate.hours)},
        "issued_on": format_day(timezone.localdate(certificate.issued_at)),
        "url": url,
        "qr": mark_safe(qr_svg(url)),
    }


def certificates_html(certificates) -> str:
    return render_document("certificates/certificate.html", {
        "pages": [certificate_page(certificate) for certificate in certificates],
        "document_title": _("Certificate of completion"),
    })


def certificates_pdfs(certificates) -> list[bytes]:
    """One PDF per certificate, in the order given: laid out together, then cut page by page."""
    from pypdf import PdfReader, PdfWriter

    certificates = list(certificates)
    if not certificates:
        return []
    document = html_to_pdf(certificates_html(certificates))
    reader = PdfReader(io.BytesIO(document))
    if len(reader.pages) != len(certificates):  # each certificate is exactly one page (the layout's promise)
        raise RuntimeError(f"{len(certificates)} certificates were laid out on {len(reader.pages)} pages")
    pdfs = []
    for page in reader.pages:
        writer = PdfWriter()
        writer.add_page(page)
        writer.add_metadata({"/Title": _("Certificate of completion")})
        out = io.BytesIO()
        writer.write(out)
        pdfs.append(out.getvalue())
    return pdfs


def certificate_pdf(certificate) -> bytes:
    """One certificate as an A4 PDF."""
    return html_to_pdf(certificates_html([certificate]))
