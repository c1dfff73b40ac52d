"""The training library: venues, classrooms, red-education sites, travel times, instructors, courses.
Organizers keep it (training.change_library); a record used in a timetable is not deleted."""

from django.db import transaction

from dangjian.core.audit import audit_record
from dangjian.core.rules import require
from dangjian.core.services import model_create, model_delete_protected, model_update


def library_create(*, model, by, m2m: dict | None = None, **fields):
    """Create a library record (any model of the library); `m2m` sets many-to-many fields after saving."""
    require(by, "training.change_library")
    with transaction.atomic():
        instance = model_create(instance=model(**fields), by=by)
        for name, values in (m2m or {}).items():
            getattr(instance, name).set(values)
    return instance


def library_update(*, instance, by, m2m: dict | None = None, **fields):
    require(by, "training.change_library")
    with transaction.atomic():
        model_update(instance=instance, data=fields, by=by)
        for name, values in (m2m or {}).items():
            before = sorted(getattr(instance, name).values_list("pk", flat=True))
            getattr(instance, name).set(values)
            after = sorted(getattr(instance, name).values_list("pk", flat=True))
            if before != after:
                audit_record(actor=by, action="update", instance=instance, changes={name: [before, after]})
    return instance


def library_delete(*, instance, by) -> None:
    """Library records used in a timetable stay (training.delete_library_record says so)."""
    require(by, "training.delete_library_record", instance)
    model_delete_protected(instance=instance, by=by)
