"""The audit trail: every reveal of personal data and every write to registry data.

Services call `audit_record`; the origin (client address, or "cli") comes from a context
variable that AuditOriginMiddleware sets for each request.
"""

import contextvars
import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models.fields.files import FieldFile
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.core.client_ip import client_ip
from dangjian.core.masking import mask_id_number, mask_mobile
from dangjian.core.models import AuditEntry

current_origin: contextvars.ContextVar[str] = contextvars.ContextVar("audit_origin", default="system")

# Fields whose values the audit trail keeps masked: it must not become a copy of the personal data.
MASKED_FIELDS = {"id_number": mask_id_number, "mobile": mask_mobile}


class AuditOriginMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_origin.set(client_address(request))
        try:
            return self.get_response(request)
        finally:
            current_origin.reset(token)


def client_address(request) -> str:
    # X-Forwarded-For counts only as written by the proxies of DANGJIAN_TRUSTED_PROXIES (docs/deploy.md).
    return (client_ip(request) or "")[:100]


def _plain(value):
    if isinstance(value, FieldFile):
        return value.name or ""
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")  # 550 and 550.00 are the same amount
    if isinstance(value, datetime.date | datetime.datetime):
        return str(value)
    return value


def masked(name: str, value):
    """`value` of field `name` as the audit trail may keep it."""
    return MASKED_FIELDS[name](value or "") if name in MASKED_FIELDS else value


def snapshot(instance: models.Model, fields: Iterable[str] | None = None, *, mask: bool = True) -> dict:
    """Field values of a model instance, as JSON-friendly data keyed by field name (personal data masked,
    unless `mask` is False: for comparing values, never for storing them)."""
    # Not the timestamps, nor values derived on save (sort keys: editable=False).
    names = fields or [f.name for f in instance._meta.concrete_fields
                       if f.editable and f.name not in {"created_at", "updated_at"}]
    result = {}
    for name in names:
        field = instance._meta.get_field(name)
        value = _plain(getattr(instance, field.attname))
        result[name] = masked(name, value) if mask else value
    return result


def diff(before: dict, after: dict) -> dict:
    return {name: [before.get(name), value] for name, value in after.items() if before.get(name) != value}


def audit_record(
    *, actor, action: str, instance: models.Model | None = None, model: str = "", changes: dict | None = None,
    object_repr: str = "",
) -> AuditEntry:
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=getattr(actor, "username", "") or "",
        action=action,
        model=model or (instance._meta.label_lower if instance is not None else ""),
        object_pk=str(instance.pk) if instance is not None and instance.pk is not None else "",
        object_repr=(object_repr or (str(instance) if instance is not None else ""))[:200],
        changes=changes or {},
        origin=current_origin.get(),
    )


# Display ----------------------------------------------------------------------------------------------------
# The trail keeps field names and stored codes (what was written, whatever the language); the audit pages
# render them at display time in the interface language: the model's verbose names and choice labels.

# Keys of `changes` that are not fields of the record's model, and the services that write them.
CHANGE_LABELS = {
    "comments": gettext_lazy("comments or reason"),  # training workflow: a return's comments, a reopen's reason
    "fields": gettext_lazy("personal data shown"),  # organizations.services.person_reveal
    "kind": gettext_lazy("data"),  # spreadsheets: import and export
    "counts": gettext_lazy("records"),
    "file": gettext_lazy("file"),
    "reveal": gettext_lazy("full personal data"),
    "program": gettext_lazy("program"),  # portal drafts written from a program
    "draft": gettext_lazy("draft"),
    "sites": gettext_lazy("sites visited"),  # training timetable: the stops of a session, in order
}
# Record kinds named by spreadsheet imports and exports (`kind`, the keys of `counts`).
KIND_MODELS = {"organs": "organizations.Organ", "party-organizations": "organizations.PartyOrganization",
               "party_organizations": "organizations.PartyOrganization", "people": "organizations.Person",
               "posts": "organizations.Post"}
# What a portal draft written from a program is (portal.drafts).
DRAFT_LABELS = {"notice": gettext_lazy("enrollment notice"), "report": gettext_lazy("news report")}
NOTHING = "—"


def model_label(model: str) -> str:
    """The record type of an entry ("organizations.person") as its model's name in the interface language."""
    try:
        return str(capfirst(apps.get_model(model)._meta.verbose_name))
    except (LookupError, ValueError):
        return model


def _kind_label(kind: str) -> str:
    return model_label(KIND_MODELS[kind]) if kind in KIND_MODELS else kind


def _field(model, name: str):
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _display(field, value) -> str:
    """One stored value as the interface shows it: a choice's label, yes or no, a local time; a related
    record by its id (the trail stores ids, and the record may be gone)."""
    if value is None or value == "" or value == []:
        return NOTHING
    if isinstance(value, list):
        return "、".join(_display(field, item) for item in value)
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if field is not None:
        if field.choices:
            return str(dict(field.flatchoices).get(value, value))
        if field.is_relation:
            return f"#{value}"
        if isinstance(field, models.DateTimeField) and isinstance(value, str):
            try:
                moment = datetime.datetime.fromisoformat(value)
            except ValueError:
                return value
            return formats.date_format(timezone.localtime(moment) if timezone.is_aware(moment) else moment,
                                       "Y-m-d H:i")
    return str(value)


def change_rows(entry: AuditEntry) -> list[str]:
    """The entry's changes as lines in the interface language, e.g. "状态：已批准 → 报名中"."""
    try:
        model = apps.get_model(entry.model) if entry.model else None
    except (LookupError, ValueError):
        model = None
    rows = []
    for name, value in (entry.changes or {}).items():
        field = _field(model, name)
        label = field.verbose_name if field is not None else CHANGE_LABELS.get(name, name)
        if name == "fields" and isinstance(value, list):  # a reveal: which fields were shown
            text = "、".join(str(_field(model, item).verbose_name) if _field(model, item) else item
                            for item in value)
        elif name == "kind":
            text = _kind_label(str(value))
        elif name == "draft":
            text = str(DRAFT_LABELS.get(value, value))
        elif name == "counts" and isinstance(value, dict):
            text = "、".join(f"{_kind_label(kind)} {count}" for kind, count in value.items())
        elif entry.action == AuditEntry.Action.UPDATE and isinstance(value, list) and len(value) == 2:
            text = f"{_display(field, value[0])} → {_display(field, value[1])}"
        else:
            text = _display(field, value)
        rows.append(_("%(label)s: %(value)s") % {"label": capfirst(label), "value": text})
    return rows
