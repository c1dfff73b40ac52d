"""The archive of a person as a PDF (A4), rendered by WeasyPrint from an HTML template like the training
documents (training/documents.py: the same fonts and page furniture)."""

from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.ledger.enums import TrainingKind
from dangjian.training.documents import css_string, format_day, html_to_pdf, render_document


def archive_html(*, person, years, statuses, records, exemptions, **_context) -> str:
    title = _("Training archive of %(name)s") % {"name": person.name}
    return render_document("ledger/documents/archive.html", {
        "document_title": title, "person": person, "years": years, "statuses": statuses, "records": records,
        "exemptions": exemptions, "kinds": list(TrainingKind),
        "footer_title": css_string(title),
        "footer_printed": css_string(_("Printed on %(day)s") % {"day": format_day(timezone.localdate())}),
    })


def archive_pdf(**context) -> bytes:
    return html_to_pdf(archive_html(**context))
