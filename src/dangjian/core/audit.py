"""The audit trail: every reveal of personal data and every write to registry data.

Services call `audit_record`; the origin (client address, or "cli") comes from a context
variable that AuditOriginMiddleware sets for each request.
"""

import contextvars
import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.db import models
from django.db.models.fields.files import FieldFile

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
