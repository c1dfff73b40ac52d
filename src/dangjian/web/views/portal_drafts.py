"""Portal drafts from a training program (issue 4, item 6): the program page's "Draft notice" and "Draft
report" buttons. Organizers only (403 for the other training roles, 404 outside their scope); the draft is
created by dangjian.portal.drafts and opened in the Wagtail editor, from where it goes through the review
workflow."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.portal import drafts
from dangjian.web.views.base import require
from dangjian.web.views.programs import program_get_for_view, training_required


def _draft_view(service, done_message):
    @training_required
    @require_POST
    def view(request, pk):
        program = program_get_for_view(request, pk)
        require(request.user, "training.draft_portal_items", program)
        try:
            page = service(program=program, by=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect(program)
        messages.success(request, done_message())
        return redirect(reverse("wagtailadmin_pages:edit", args=[page.pk]))

    return view


program_notice_draft = _draft_view(
    drafts.notice_draft, lambda: _("A draft notice was created from the plan; check it and submit it for review."))
program_report_draft = _draft_view(
    drafts.report_draft, lambda: _("A draft report was created from the records; check it and submit it for review."))
program_notice_draft.__name__ = program_notice_draft.__qualname__ = "program_notice_draft"
program_report_draft.__name__ = program_report_draft.__qualname__ = "program_report_draft"
