"""The server side of the searchable pickers (web/widgets.py, static/dangjian/picker.js): the <option>s of the
records matching what the user typed, among those the user may pick (the forms accept the same records)."""

from django.shortcuts import render

from dangjian.organizations import selectors
from dangjian.web.forms import party_organization_label
from dangjian.web.views.base import permission_required
from dangjian.web.widgets import PICKER_MORE


def picker_options(request, rows, more: bool, label=str):
    """The <option>s of a picker's search (static/dangjian/picker.js puts them in the select)."""
    return render(request, "web/widgets/_picker_options.html", {
        "options": [(row.pk, label(row)) for row in rows], "more": more, "more_label": PICKER_MORE,
    })


@permission_required("organizations.view_registry")
def organ_options(request):
    rows, more = selectors.organ_picker(user=request.user, q=request.GET.get("q", ""))
    return picker_options(request, rows, more)


@permission_required("organizations.view_registry")
def party_organization_options(request):
    rows, more = selectors.party_organization_picker(user=request.user, q=request.GET.get("q", ""))
    return picker_options(request, rows, more, label=party_organization_label)
