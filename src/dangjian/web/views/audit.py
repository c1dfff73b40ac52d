from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from dangjian.core.models import AuditEntry
from dangjian.web.views.base import paginate, require


@login_required
def audit_list(request):
    """The audit trail, newest first, filterable by action, record type and user (organizers only)."""
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
    return render(request, "web/audit_list.html", {
        "page": paginate(request, entries, per_page=50),
        "actions": AuditEntry.Action.choices, "models": list(models),
        "action": action, "model": model, "actor": actor,
    })
