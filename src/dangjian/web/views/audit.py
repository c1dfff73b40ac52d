from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from dangjian.core.audit import change_rows, model_label
from dangjian.core.models import AuditEntry
from dangjian.web.views.base import paginate, require


@login_required
def audit_list(request):
    """The audit trail, newest first, filterable by action, record type and user (organizers only). Field
    names and stored codes are shown as the models' labels in the interface language (core.audit.change_rows)."""
    require(request.user, "core.view_auditentry")
    entries = AuditEntry.objects.all()
    action = request.GET.get("action", "")
    model = request.GET.get("model", "")
    actor = request.GET.get("actor", "").strip()
    if action:
        entries = entries.filter(action=action)
    if model:
        entries = entries.filter(model=model)
    if actor:
        entries = entries.filter(actor_name=actor)
    models = AuditEntry.objects.order_by("model").values_list("model", flat=True).distinct()
    page = paginate(request, entries, per_page=50)
    for entry in page:
        entry.change_rows = change_rows(entry)
        entry.model_label = model_label(entry.model)
    return render(request, "web/audit_list.html", {
        "page": page,
        "actions": AuditEntry.Action.choices, "models": [(value, model_label(value)) for value in models],
        "action": action, "model": model, "actor": actor,
    })
