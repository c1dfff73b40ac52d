"""REST API v1 for the training-hours ledger (学时档案): training records, their Excel import, requirements
(versions of rules) and exemptions, a person's archive with the status under each rule, compliance per organ
and per person, the annual statistics (党员培训情况).

Scoped like the pages: every operation first requires `ledger.view_ledger` (organizers and unit administrators;
other roles 403); records and people are loaded through scoped selectors (another organ's: 404); then the
action's permission on the object (403, or 409 for a record whose state refuses it: a record of this platform,
a rule in effect), then one service. A filter naming a person or organ outside the scope matches nothing.
"""

import datetime
from decimal import Decimal
from typing import Annotated

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile

from dangjian.api.inputs import Filters, Input
from dangjian.api.jobs import JobOut
from dangjian.api.pagination import PageQuery, page_schema, paginate
from dangjian.api.registry import ERRORS, Conflict, Id, Problem, Text, choice_type, model_fields_of
from dangjian.api.spreadsheets import SpreadsheetProblem, import_started
from dangjian.api.training_library import partial
from dangjian.core.services import require_perm
from dangjian.ledger import compliance, forecast, messaging, selectors, services
from dangjian.ledger import spreadsheets as ledger_xlsx
from dangjian.ledger.enums import Audience, ComplianceStatus, RecordSource, RequirementKind, TrainingKind
from dangjian.ledger.models import Requirement
from dangjian.ledger.tasks import records_import_start
from dangjian.organizations import selectors as registry
from dangjian.organizations.models import Organ, Person

router = Router(tags=["ledger"])
WRITE_ERRORS = {**ERRORS, 409: Problem}


def _ledger_access(view_func):
    from functools import wraps

    @wraps(view_func)
    def wrapper(request, *args, **kwargs):
        require_perm(request.user, "ledger.view_ledger")
        return view_func(request, *args, **kwargs)

    return wrapper


router.add_decorator(_ledger_access)
Hours = Annotated[Decimal, Field(ge=Decimal("0.5"), le=600, max_digits=5, decimal_places=1)]
Year = Annotated[int, Field(ge=2000, le=2100)]


def _call(service, /, **kwargs):
    try:
        return service(**kwargs)
    except ValidationError as error:
        if hasattr(error, "error_dict") and "person" in error.error_dict:
            raise ValidationError({"person_id": error.error_dict["person"]}) from error
        raise


# --- Records ------------------------------------------------------------------------------------------------

class RecordOut(Schema):
    id: int
    person_id: int
    program_id: int | None
    phase_id: int | None
    title: str
    institution: str
    kind: choice_type(TrainingKind)
    starts_on: datetime.date
    ends_on: datetime.date
    hours: Decimal
    days: int
    year: int
    counts_as_induction: bool
    certificate_number: str
    source: choice_type(RecordSource)
    note: str


class RecordIn(Input):
    person_id: Id
    title: Text = Field(..., max_length=200)
    institution: Text = Field("", max_length=120)
    kind: choice_type(TrainingKind) = TrainingKind.CONCENTRATED
    starts_on: datetime.date
    ends_on: datetime.date
    hours: Hours
    counts_as_induction: bool = False
    certificate_number: Text = Field("", max_length=60)
    note: Text = Field("", max_length=200)


class RecordFields(Input):
    title: Text = Field(..., max_length=200)
    institution: Text = Field("", max_length=120)
    kind: choice_type(TrainingKind) = TrainingKind.CONCENTRATED
    starts_on: datetime.date
    ends_on: datetime.date
    hours: Hours
    counts_as_induction: bool = False
    certificate_number: Text = Field("", max_length=60)
    note: Text = Field("", max_length=200)


# PATCH: every field optional, none nullable (the model has no empty value for them)
RecordPatch = partial(RecordFields, "RecordPatch")


class RecordFilters(Filters):
    person: Id | None = None
    year: Year | None = None
    source: choice_type(RecordSource) | None = None
    kind: choice_type(TrainingKind) | None = None


@router.post("/records/import", response={202: JobOut, 422: SpreadsheetProblem, **ERRORS},
             summary="Import training records from Excel (a background job)")
def records_import(request, response: HttpResponse, file: File[UploadedFile]):
    """A filled-in template (sheet 学时: GET /api/v1/ledger/records/template), imported by a background job as the
    registry's workbooks are: the answer is 202 with the job (its URL also in `Location`); poll
    GET /api/v1/jobs/{id} until `status` is `done` (the result's `counts` say how many records were created,
    source "imported") or `failed` (nothing was imported; the result's `errors` name the sheet, the row as Excel
    shows it and the column of each problem, at most IMPORT_MAX_REPORTED_ERRORS of them, with `error_count` and
    `omitted` for how many there were in all). A file over IMPORT_MAX_UPLOAD_MB is refused at once (422)."""
    return import_started(request, response, lambda: records_import_start(
        file=file, by=request.user, filename=file.name or ""))


@router.get("/records/template", summary="Download the import template",
            openapi_extra={"responses": {"200": {"description": "An Excel workbook", "content": {
                ledger_xlsx.XLSX: {"schema": {"type": "string", "format": "binary"}}}}}})
def records_template(request):
    from django.utils.http import content_disposition_header

    require_perm(request.user, "ledger.import_records")
    response = HttpResponse(ledger_xlsx.records_template(), content_type=ledger_xlsx.XLSX)
    response["Content-Disposition"] = content_disposition_header(True, "学时记录导入模板.xlsx")
    return response


@router.get("/records", response={200: page_schema(RecordOut), **ERRORS}, summary="List training records")
def record_list(request, filters: Query[RecordFilters], page: Query[PageQuery]):
    return paginate(selectors.record_list(user=request.user, person_id=filters.person, year=filters.year,
                                          source=filters.source or "", kind=filters.kind or ""), page)


@router.get("/records/{record_id}", response={200: RecordOut, **ERRORS}, summary="Get a training record")
def record_detail(request, record_id: Id):
    return selectors.record_get(user=request.user, pk=record_id)


@router.post("/records", response={201: RecordOut, **WRITE_ERRORS}, summary="Enter a training record")
def record_create(request, payload: RecordIn):
    fields = model_fields_of(payload.model_dump(), {
        "person_id": ("person", selectors.record_person_choices(user=request.user))})
    person = fields.pop("person")
    require_perm(request.user, "ledger.add_record", person)
    return Status(201, _call(services.record_create, person=person, by=request.user, **fields))


@router.patch("/records/{record_id}", response={200: RecordOut, **WRITE_ERRORS}, summary="Change a training record")
def record_update(request, record_id: Id, payload: RecordPatch):
    record = selectors.record_get(user=request.user, pk=record_id)
    require_perm(request.user, "ledger.change_record", record)
    return services.record_update(record=record, by=request.user, **payload.model_dump(exclude_unset=True))


@router.delete("/records/{record_id}", response={204: None, **WRITE_ERRORS}, summary="Delete a training record")
def record_delete(request, record_id: Id):
    record = selectors.record_get(user=request.user, pk=record_id)
    require_perm(request.user, "ledger.delete_record", record)
    services.record_delete(record=record, by=request.user)
    return Status(204, None)


# --- Requirements -------------------------------------------------------------------------------------------

class RequirementOut(Schema):
    id: int
    code: str
    title_zh: str
    title_en: str
    kind: choice_type(RequirementKind)
    audience: choice_type(Audience)
    include_deputies: bool
    include_committee_members: bool
    rank_levels: list[str]
    deadline_months: int | None
    min_hours: Decimal | None
    min_days: int | None
    counted_kind: choice_type(TrainingKind, blank=True)
    min_concentrated: int
    period_years: int
    period_anchor_year: int | None
    source: str
    effective_from: datetime.date
    effective_until: datetime.date | None


class RequirementIn(Input):
    code: Text = Field(..., max_length=40, pattern=r"^[-a-zA-Z0-9_]+$")
    title_zh: Text = Field(..., max_length=120)
    title_en: Text = Field("", max_length=200)
    kind: choice_type(RequirementKind)
    audience: choice_type(Audience) = Audience.POST_HOLDERS
    include_deputies: bool = False
    include_committee_members: bool = False
    rank_levels: list[choice_type(Person.RankLevel)] = []
    deadline_months: int | None = Field(None, ge=1, le=60)
    min_hours: Hours | None = None
    min_days: int | None = Field(None, ge=1, le=366)
    counted_kind: choice_type(TrainingKind, blank=True) = ""
    min_concentrated: int = Field(0, ge=0, le=50)
    period_years: int = Field(1, ge=1, le=10)
    period_anchor_year: Year | None = None
    source: Text = Field(..., min_length=1)
    effective_from: datetime.date
    effective_until: datetime.date | None = None


class RequirementRule(Input):
    """The fields of a version that say what it asks (and its words)."""

    title_zh: Text = Field(..., max_length=120)
    title_en: Text = Field("", max_length=200)
    source: Text = Field(..., min_length=1)
    effective_until: datetime.date | None = None
    audience: choice_type(Audience) = Audience.POST_HOLDERS
    include_deputies: bool = False
    include_committee_members: bool = False
    rank_levels: list[choice_type(Person.RankLevel)] = []
    deadline_months: int | None = Field(None, ge=1, le=60)
    min_hours: Hours | None = None
    min_days: int | None = Field(None, ge=1, le=366)
    counted_kind: choice_type(TrainingKind, blank=True) = ""
    min_concentrated: int = Field(0, ge=0, le=50)
    period_years: int = Field(1, ge=1, le=10)
    period_anchor_year: Year | None = None


RequirementPatch = partial(RequirementRule, "RequirementPatch")


class SupersedeIn(RequirementPatch):
    effective_from: datetime.date = Field(..., description="The version in effect ends the day before.")


@router.get("/requirements", response={200: list[RequirementOut], **ERRORS}, summary="List training requirements")
def requirement_list(request):
    require_perm(request.user, "ledger.view_requirements")
    return list(selectors.requirement_list())


@router.post("/requirements", response={201: RequirementOut, **WRITE_ERRORS}, summary="Add a training requirement")
def requirement_create(request, payload: RequirementIn):
    require_perm(request.user, "ledger.add_requirement")
    return Status(201, services.requirement_create(by=request.user, **payload.model_dump()))


@router.patch("/requirements/{requirement_id}", response={200: RequirementOut, **WRITE_ERRORS},
              summary="Correct a training requirement")
def requirement_update(request, requirement_id: Id, payload: RequirementPatch):
    """Once a version is in effect only its words (title, source) and its end change (else 422 naming the
    field); a change of the rule is a new version: POST …/supersede."""
    require_perm(request.user, "ledger.change_requirement")
    requirement = selectors.requirement_get(pk=requirement_id)
    return services.requirement_update(requirement=requirement, by=request.user,
                                       **payload.model_dump(exclude_unset=True))


@router.post("/requirements/{requirement_id}/supersede", response={201: RequirementOut, **WRITE_ERRORS},
             summary="Change a rule from a date (a new version)")
def requirement_supersede(request, requirement_id: Id, payload: SupersedeIn):
    require_perm(request.user, "ledger.change_requirement")
    requirement = selectors.requirement_get(pk=requirement_id)
    changes = payload.model_dump(exclude_unset=True)
    effective_from = changes.pop("effective_from")
    return Status(201, services.requirement_supersede(requirement=requirement, effective_from=effective_from,
                                                      by=request.user, **changes))


@router.delete("/requirements/{requirement_id}", response={204: None, **WRITE_ERRORS},
               summary="Delete a version not yet in effect")
def requirement_delete(request, requirement_id: Id):
    require_perm(request.user, "ledger.add_requirement")
    requirement = selectors.requirement_get(pk=requirement_id)
    require_perm(request.user, "ledger.delete_requirement", requirement)
    services.requirement_delete(requirement=requirement, by=request.user)
    return Status(204, None)


# --- Exemptions ---------------------------------------------------------------------------------------------

class ExemptionOut(Schema):
    id: int
    person_id: int
    requirement_code: str
    reason: str
    starts_on: datetime.date
    ends_on: datetime.date


class ExemptionIn(Input):
    person_id: Id
    requirement_code: Text = Field(..., max_length=40)
    reason: Text = Field(..., min_length=1, max_length=200)
    starts_on: datetime.date
    ends_on: datetime.date


class ExemptionFilters(Filters):
    person: Id | None = None
    requirement: Text = ""


@router.get("/exemptions", response={200: page_schema(ExemptionOut), **ERRORS}, summary="List exemptions")
def exemption_list(request, filters: Query[ExemptionFilters], page: Query[PageQuery]):
    return paginate(selectors.exemption_list(user=request.user, person_id=filters.person,
                                             code=filters.requirement), page)


@router.post("/exemptions", response={201: ExemptionOut, **WRITE_ERRORS}, summary="Exempt a person from a rule")
def exemption_create(request, payload: ExemptionIn):
    require_perm(request.user, "ledger.manage_exemptions")
    fields = model_fields_of(payload.model_dump(), {
        "person_id": ("person", selectors.record_person_choices(user=request.user))})
    return Status(201, _call(services.exemption_create, by=request.user, **fields))


@router.delete("/exemptions/{exemption_id}", response={204: None, **WRITE_ERRORS}, summary="Delete an exemption")
def exemption_delete(request, exemption_id: Id):
    require_perm(request.user, "ledger.manage_exemptions")
    exemption = selectors.exemption_get(user=request.user, pk=exemption_id)
    services.exemption_delete(exemption=exemption, by=request.user)
    return Status(204, None)


# --- Archive and compliance ---------------------------------------------------------------------------------

class StatusOut(Schema):
    requirement: str = Field(..., description="The rule's code.")
    title: str
    status: choice_type(ComplianceStatus)
    deadline: datetime.date | None
    hours: Decimal
    why: str


class YearOut(Schema):
    year: int
    hours: dict[str, Decimal]
    total: Decimal


class ArchiveOut(Schema):
    person_id: int
    name: str
    statuses: list[StatusOut]
    years: list[YearOut]


@router.get("/people/{person_id}/archive", response={200: ArchiveOut, **ERRORS},
            summary="A person's archive: status under each rule, hours per year and kind")
def person_archive(request, person_id: Id):
    person = registry.person_get(user=request.user, pk=person_id)
    require_perm(request.user, "ledger.view_archive", person)
    return {
        "person_id": person.pk, "name": person.name,
        "statuses": [{"requirement": s.requirement.code, "title": s.requirement.title, "status": s.status,
                      "deadline": s.deadline, "hours": s.hours, "why": s.why}
                     for s in selectors.person_compliance(person=person)],
        "years": [{"year": y.year, "hours": y.hours, "total": y.total} for y in selectors.archive_years(person=person)],
    }


class ComplianceQuery(Filters):
    requirement: Text = Field("induction", description="The rule's code.")
    year: Year | None = Field(None, description="Default: this year (a past year: its state at its end).")


class OrganCountsOut(Schema):
    organ_id: int
    organ: str
    sector: choice_type(Organ.Sector)
    due: int
    overdue: int
    satisfied: int
    exempt: int


def _requirement(code: str, year: int | None) -> tuple[Requirement, int | None, int]:
    today = timezone.localdate()
    year = year or today.year
    requirement = selectors.requirement_for_view(code, datetime.date(year, 12, 31) if year < today.year else today)
    if requirement is None:
        raise Conflict(_("No such rule."), _("No rule has the code “%(code)s”.") % {"code": code})
    year_arg = year if requirement.kind == RequirementKind.HOURS or year < today.year else None
    return requirement, year_arg, year


@router.get("/compliance/organs", response={200: list[OrganCountsOut], 409: Problem, **ERRORS},
            summary="Compliance per organ (the city's view)")
def compliance_by_organ(request, filters: Query[ComplianceQuery], sector: choice_type(Organ.Sector) | None = None):
    require_perm(request.user, "ledger.view_city_compliance")
    requirement, year_arg, _year = _requirement(filters.requirement, filters.year)
    return [{"organ_id": row.organ.pk, "organ": row.organ.name_zh, "sector": row.organ.sector, **row.counts}
            for row in selectors.compliance_by_organ(user=request.user, requirement=requirement, year=year_arg,
                                                     sector=sector or "")]


class PersonStatusOut(Schema):
    person_id: int
    name: str
    organ_id: int
    status: choice_type(ComplianceStatus)
    deadline: datetime.date | None
    appointed_on: datetime.date | None
    hours: Decimal
    why: str


class PeopleQuery(ComplianceQuery):
    organ: Id | None = None
    status: choice_type(ComplianceStatus) | None = None


class RemindersOut(Schema):
    kind: str
    count: int = Field(..., description="Drafts written into the outbox (one per unit administrator).")
    unreachable: list[str] = Field(..., description="Organs without a unit administrator with an address.")


@router.post("/compliance/induction-reminders", response={201: RemindersOut, **WRITE_ERRORS},
             summary="Drafts to the unit administrators of the organs with people due for induction training")
def induction_reminders(request):
    """One draft per unit administrator of every organ with people due or overdue (the counts and a link to the
    organ's compliance page); preview and send them in the outbox. Organizers only."""
    require_perm(request.user, "ledger.remind_induction_due")
    composed = messaging.induction_due_remind(by=request.user)
    return Status(201, {"kind": composed.kind, "count": composed.count, "unreachable": composed.unreachable})


@router.get("/compliance/people", response={200: page_schema(PersonStatusOut), 409: Problem, **ERRORS},
            summary="People under a rule, with status and reason (an organ's view)")
def compliance_people(request, filters: Query[PeopleQuery], page: Query[PageQuery]):
    requirement, year_arg, year = _requirement(filters.requirement, filters.year)
    people: QuerySet = selectors.compliance_people(user=request.user, requirement=requirement, year=year_arg,
                                                   organ_id=filters.organ, status=filters.status or "")
    result = paginate(people, page)
    on = timezone.localdate()
    result["items"] = [{
        "person_id": p.pk, "name": p.name, "organ_id": p.organ_id, "status": p.compliance_status,
        "deadline": p.compliance_deadline, "appointed_on": p.appointed_on, "hours": p.credited_hours,
        "why": compliance.explain(p, requirement, on=on, year=year_arg or year)} for p in result["items"]]
    return result


class StatisticsOut(Schema):
    organ_id: int | None = Field(..., description="null: the total row.")
    organ: str
    person_times: int
    secretary_person_times: int
    induction_person_times: int
    online_person_times: int
    hours: Decimal
    post_holders: int
    post_holders_met: int


@router.get("/statistics", response={200: list[StatisticsOut], **ERRORS},
            summary="Annual training statistics (党员培训情况), the total first")
def statistics(request, year: Year):
    require_perm(request.user, "ledger.view_statistics")
    return [{"organ_id": row.organ.pk if row.organ else None, "organ": row.organ.name_zh if row.organ else "",
             **{name: getattr(row, name) for name in ("person_times", "secretary_person_times",
                                                      "induction_person_times", "online_person_times", "hours",
                                                      "post_holders", "post_holders_met")}}
            for row in selectors.annual_statistics(user=request.user, year=year)]


class QuarterOut(Schema):
    quarter: str
    starts_on: datetime.date
    already_due: int
    terms_ending: int
    new_at_elections: float
    between_elections: float
    expected: int
    phases: int


class ForecastOut(Schema):
    quarters: list[QuarterOut]
    change_rate: float = Field(..., description="Share of 换届 that brought a new secretary (observed).")
    elections_observed: int
    changes_observed: int
    capacity: int
    total: int
    phases: int


class ForecastQuery(Filters):
    capacity: int = Field(forecast.DEFAULT_CAPACITY, ge=10, le=500, description="Seats per phase.")


@router.get("/forecast", response={200: ForecastOut, **ERRORS}, summary="Induction demand forecast (organizers)")
def induction_forecast(request, filters: Query[ForecastQuery]):
    """The next four quarters: secretaries already due, new ones expected at the 换届 of the terms ending and
    between elections, and the phases of `capacity` seats that follow (docs/ledger.md)."""
    require_perm(request.user, "ledger.view_forecast")
    capacity = filters.capacity
    result = forecast.induction_forecast(user=request.user, capacity=capacity)
    return {
        "quarters": [{"quarter": q.label, "starts_on": q.starts_on, "already_due": q.already_due,
                      "terms_ending": q.elections, "new_at_elections": round(q.from_elections, 2),
                      "between_elections": round(q.between_elections, 2), "expected": q.expected, "phases": q.phases}
                     for q in result.quarters],
        "change_rate": round(result.change_rate, 3), "elections_observed": result.elections_observed,
        "changes_observed": result.changes_observed, "capacity": capacity, "total": result.total,
        "phases": result.phases,
    }
