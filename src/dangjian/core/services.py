"""Generic audited writes that the data apps' services build on.

Each function validates with full_clean (model rules + constraints), writes inside a transaction
and records the change in the audit trail, so a caller cannot forget one of the three.
"""

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from dangjian.core.audit import audit_record, diff, masked, snapshot
from dangjian.core.rules import require


def require_perm(user, perm: str, obj=None) -> None:
    """PermissionDenied unless `user` holds `perm` on `obj`; for an action (core.rules.add_action) that
    the record's state forbids, ActionRefused with the reason."""
    require(user, perm, obj)


def model_create(*, instance: models.Model, by, lookups: bool = True, savepoint: bool = True) -> models.Model:
    """Validate, insert and audit `instance`, in one transaction.

    `lookups=False`: full_clean without its database lookups (that each foreign key's record exists, that no
    stored record has the same unique values) — for a caller that has just read the related records and whose
    uniqueness the database's own constraints guard (a violation raises IntegrityError, nothing written). The
    field values and the model's clean() are still checked. `savepoint=False`: inside the caller's atomic block,
    without a savepoint of its own — for a caller that lets every error end its block (as write_marks does)."""
    with transaction.atomic(savepoint=savepoint):
        if lookups:
            instance.full_clean()
        else:
            instance.full_clean(exclude=[field.name for field in instance._meta.concrete_fields if field.is_relation],
                                validate_unique=False, validate_constraints=False)
        instance.save()
        audit_record(actor=by, action="create", instance=instance, changes=snapshot(instance))
    return instance


@transaction.atomic
def model_update(*, instance: models.Model, data: dict, by) -> models.Model:
    """Apply `data` (field name -> value) to `instance`; only a real change is saved and audited."""
    # The "before" comes from the database: a bound ModelForm may already have changed `instance`.
    # Compared unmasked: a new mobile that differs only in the masked digits is still a change.
    before = snapshot(type(instance)._default_manager.get(pk=instance.pk), mask=False)
    in_memory = snapshot(instance, mask=False)
    for name, value in data.items():
        setattr(instance, name, value)
    instance.full_clean()
    after = snapshot(instance, mask=False)
    # Save only what this call sets (the data, and what clean() derives from it): other values of a stale
    # instance (e.g. a status another request changed meanwhile) are not written back.
    ours = set(data) | {name.removesuffix("_id") for name in data} | {
        name for name, value in after.items() if in_memory.get(name) != value}
    changes = {name: change for name, change in diff(before, after).items() if name in ours}
    if changes:
        touched = [*changes, *(["updated_at"] if any(f.name == "updated_at" for f in instance._meta.fields) else [])]
        instance.save(update_fields=touched)
        audit_record(actor=by, action="update", instance=instance, changes={
            name: [masked(name, old), masked(name, new)] for name, (old, new) in changes.items()})
    return instance


@transaction.atomic
def model_delete(*, instance: models.Model, by) -> None:
    audit_record(actor=by, action="delete", instance=instance, changes=snapshot(instance))
    instance.delete()


def model_delete_protected(*, instance: models.Model, by) -> None:
    """Delete and audit; a record other records still refer to (PROTECT) is refused with a message."""
    try:
        with transaction.atomic():
            model_delete(instance=instance, by=by)
    except ProtectedError as error:
        raise ValidationError(
            _("%(record)s cannot be deleted while other records refer to it (%(count)d).")
            % {"record": instance, "count": len(error.protected_objects)}
        ) from error
