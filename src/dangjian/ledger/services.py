"""Writes of the ledger. Each service requires its permission first (ledger/rules.py), checks a picked person
against its selector, validates (full_clean), writes in a transaction and audits (core.services)."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dangjian.core.audit import audit_record, snapshot
from dangjian.core.rules import require
from dangjian.core.services import model_create, model_delete, model_update
from dangjian.ledger import selectors
from dangjian.ledger.enums import RecordSource
from dangjian.ledger.models import Exemption, Requirement, TrainingRecord

RECORD_FIELDS = ("title", "institution", "kind", "starts_on", "ends_on", "hours", "counts_as_induction",
                 "certificate_number", "note")


def _person_in_scope(*, by, person) -> None:
    if not selectors.record_person_choices(user=by).filter(pk=person.pk).exists():
        raise ValidationError({"person": _("This person is not among the people of your organs.")})


def record_create(*, person, by, source: str = RecordSource.ENTERED, **fields) -> TrainingRecord:
    """Enter one training record of `person` (a unit administrator for the people of their organs; organizers
    for anybody). A class closed on this platform credits its participants through record_credit_phase."""
    require(by, "ledger.add_record", person)
    _person_in_scope(by=by, person=person)
    unknown = set(fields) - set(RECORD_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {unknown}")
    record = TrainingRecord(person=person, source=source, recorded_by=by, **fields)
    return model_create(instance=record, by=by)


def record_update(*, record: TrainingRecord, by, **fields) -> TrainingRecord:
    require(by, "ledger.change_record", record)
    unknown = set(fields) - set(RECORD_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {unknown}")
    starts_on, ends_on = fields.get("starts_on", record.starts_on), fields.get("ends_on", record.ends_on)
    if starts_on and ends_on and ends_on >= starts_on:  # else clean() names the field
        # year and days follow the dates: written with them (the audit's snapshot leaves derived fields out)
        fields["year"], fields["days"] = TrainingRecord.derived(starts_on=starts_on, ends_on=ends_on,
                                                                kind=fields.get("kind", record.kind))
    return model_update(instance=record, data=fields, by=by)


def record_delete(*, record: TrainingRecord, by) -> None:
    require(by, "ledger.delete_record", record)
    model_delete(instance=record, by=by)


@transaction.atomic
def record_credit_phase(*, phase, people, hours, by, counts_as_induction: bool | None = None) -> list[TrainingRecord]:
    """The seam for the delivery issue: when a class closes, each participant who completed it is credited
    with one record of source "platform" naming the program and phase (once per person and phase). A program
    whose requirement is induction credits the induction duty. Closing a class (completion.closing.class_close)
    calls it once per participant who completed, with that participant's hours; the caller has checked its own
    permission (training.close_program)."""
    program = phase.program
    if counts_as_induction is None:
        counts_as_induction = program.requirement == "induction"
    records = []
    for person in people:
        record = TrainingRecord(
            person=person, program=program, phase=phase, title=program.title,
            institution=program.venue.name if program.venue_id else "", kind=TrainingRecord.Kind.CONCENTRATED,
            starts_on=phase.starts_on, ends_on=phase.ends_on, hours=hours, counts_as_induction=counts_as_induction,
            source=RecordSource.PLATFORM, recorded_by=by)
        records.append(model_create(instance=record, by=by))
    return records


@transaction.atomic
def record_uncredit_program(*, program, by, reason: str) -> int:
    """Take back the hours a class of this platform credited: delete the program's records of source "platform",
    each audited with who, when and why (`reason`, under "comments"). Called when a closed class is reopened
    (completion.closing), which has checked its own permission (training.reopen_class); closing it again credits
    anew, once. Returns how many records were deleted."""
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the hours credited are taken back.")})
    records = list(TrainingRecord.unscoped.select_for_update()
                   .filter(program=program, source=RecordSource.PLATFORM).order_by("pk"))
    for record in records:
        audit_record(actor=by, action="delete", instance=record,
                     changes={**snapshot(record), "comments": reason.strip()})
    TrainingRecord.unscoped.filter(pk__in=[record.pk for record in records]).delete()
    return len(records)


# --- Requirements ------------------------------------------------------------------------------------------

REQUIREMENT_FIELDS = ("code", "title_zh", "title_en", "kind", "audience", "include_deputies",
                      "include_committee_members", "rank_levels", "deadline_months", "min_hours", "min_days",
                      "counted_kind", "min_concentrated", "period_years", "period_anchor_year", "source",
                      "effective_from", "effective_until")
# What may be corrected in a version that has taken effect: its words, and its end.
REQUIREMENT_WORDS = ("title_zh", "title_en", "source", "effective_until")


def requirement_create(*, by, **fields) -> Requirement:
    require(by, "ledger.add_requirement")
    return model_create(instance=Requirement(**fields), by=by)


def requirement_update(*, requirement: Requirement, by, **fields) -> Requirement:
    """Correct a version. Once it has taken effect (it has judged people) only its words and its end change;
    a change of the rule itself is a new version from a date (requirement_supersede)."""
    require(by, "ledger.change_requirement", requirement)
    from django.utils import timezone

    if requirement.effective_from <= timezone.localdate():
        frozen = {name for name, value in fields.items()
                  if name not in REQUIREMENT_WORDS and getattr(requirement, name) != value}
        if frozen:
            raise ValidationError({name: _("This rule has taken effect: change it with a new version from a date.")
                                   for name in frozen})
    return model_update(instance=requirement, data=fields, by=by)


@transaction.atomic
def requirement_supersede(*, requirement: Requirement, effective_from: datetime.date, by, **changes) -> Requirement:
    """A change of rule: the version in effect ends the day before `effective_from`, and a new version with the
    same code and the changes takes effect from it. What the earlier version judged stays judged by it."""
    require(by, "ledger.change_requirement", requirement)
    if effective_from <= requirement.effective_from:
        raise ValidationError({"effective_from": _("The new version must take effect after %(date)s.")
                               % {"date": requirement.effective_from}})
    if requirement.effective_until and effective_from > requirement.effective_until + datetime.timedelta(days=1):
        raise ValidationError({"effective_from": _("This version already ended on %(date)s.")
                               % {"date": requirement.effective_until}})
    fields = {name: getattr(requirement, name) for name in REQUIREMENT_FIELDS}
    unknown = set(changes) - set(REQUIREMENT_FIELDS) - {"code", "kind"}
    if unknown:
        raise TypeError(f"unknown fields: {unknown}")
    fields.update(changes, code=requirement.code, kind=requirement.kind, effective_from=effective_from,
                  effective_until=requirement.effective_until)
    model_update(instance=requirement, data={"effective_until": effective_from - datetime.timedelta(days=1)}, by=by)
    return model_create(instance=Requirement(**fields), by=by)


def requirement_delete(*, requirement: Requirement, by) -> None:
    require(by, "ledger.delete_requirement", requirement)
    model_delete(instance=requirement, by=by)


# --- Exemptions --------------------------------------------------------------------------------------------

def exemption_create(*, person, by, requirement_code: str, reason: str, starts_on, ends_on) -> Exemption:
    require(by, "ledger.manage_exemptions")
    _person_in_scope(by=by, person=person)
    return model_create(instance=Exemption(person=person, requirement_code=requirement_code, reason=reason,
                                           starts_on=starts_on, ends_on=ends_on, recorded_by=by), by=by)


def exemption_update(*, exemption: Exemption, by, **fields) -> Exemption:
    require(by, "ledger.manage_exemptions")
    return model_update(instance=exemption, data=fields, by=by)


def exemption_delete(*, exemption: Exemption, by) -> None:
    require(by, "ledger.manage_exemptions")
    model_delete(instance=exemption, by=by)
