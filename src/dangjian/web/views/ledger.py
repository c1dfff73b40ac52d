"""Staff pages of the ledger (学时档案): a person's archive (with Excel and PDF), entering and importing records,
requirements and exemptions, the compliance views of the city (organizers) and of an organ (unit
administrators: their own people), and the annual statistics (党员培训情况)."""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.core.audit import audit_record
from dangjian.jobs.models import BackgroundJob
from dangjian.jobs.selectors import recent_jobs
from dangjian.ledger import compliance, documents, forecast, messaging, selectors, services
from dangjian.ledger import spreadsheets as ledger_xlsx
from dangjian.ledger.enums import ComplianceStatus
from dangjian.ledger.tasks import records_import_start
from dangjian.organizations import selectors as registry
from dangjian.organizations.models import Organ
from dangjian.web.forms_ledger import (
    ComplianceFilterForm,
    ExemptionForm,
    RecordForm,
    RequirementForm,
    SupersedeForm,
    UploadForm,
)
from dangjian.web.views.base import (
    add_service_errors,
    delete_then_redirect,
    form_page,
    paginate,
    permission_required,
    private_no_store,
    refused,
    require,
)

DEFAULT_RULE = "induction"


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=ledger_xlsx.XLSX)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return private_no_store(response)


def _filters(request) -> tuple[ComplianceFilterForm, dict]:
    today = timezone.localdate()
    form = ComplianceFilterForm(request.GET or None, initial={"requirement": DEFAULT_RULE, "year": today.year})
    data = form.cleaned_data if form.is_valid() else {}
    code = data.get("requirement") or DEFAULT_RULE
    year = data.get("year") or today.year
    requirement = selectors.requirement_for_view(code, datetime.date(year, 12, 31) if year < today.year else today)
    return form, {"requirement": requirement, "year": year, "sector": data.get("sector", ""),
                  "status": data.get("status", ""), "code": code}


def _year_arg(requirement, year: int) -> int | None:
    return year if requirement and requirement.kind == "hours" else (year if year < timezone.localdate().year
                                                                    else None)


# --- Compliance -------------------------------------------------------------------------------------------

@permission_required("ledger.view_ledger")
def ledger_home(request):
    """Organizers: the city's view. Unit administrators: their organ's (the first of theirs)."""
    if request.user.has_perm("ledger.view_city_compliance"):
        return redirect("ledger_city")
    organ = Organ.objects.visible_to(request.user).order_by(*compliance_organ_order()).first()
    if organ is None:
        return render(request, "web/ledger/no_organ.html", {"active": "ledger"})
    return redirect("ledger_organ", organ.pk)


def compliance_organ_order():
    from dangjian.organizations.models import organ_order

    return organ_order()


@permission_required("ledger.view_city_compliance")
def city_compliance(request):
    """Every organ's counts under a rule: one pass over the people gives the table (paged), its totals and the
    chart per sector."""
    form, f = _filters(request)
    requirement, year = f["requirement"], f["year"]
    rows, sectors = [], {}
    if requirement is not None:
        rows = selectors.compliance_by_organ(user=request.user, requirement=requirement,
                                             year=_year_arg(requirement, year))
        sectors = selectors.sector_counts(rows)
        if f["sector"]:
            rows = [row for row in rows if row.organ.sector == f["sector"]]
    totals = {status: sum(row.counts[status] for row in rows) for status in selectors.COUNTED}
    page = paginate(request, rows)
    drill = f"?requirement={requirement.code}&year={year}" if requirement else ""
    for row in page:
        url = reverse("ledger_organ", args=[row.organ.pk]) + drill
        row.url = url
        row.cells = [(row.counts[status], f"{url}&status={status}") for status in selectors.COUNTED]
    chart = {
        "categories": [str(Organ.Sector(sector).label) for sector in sectors],
        "series": [{"name": str(ComplianceStatus(status).label), "code": status,
                    "data": [counts[status] for counts in sectors.values()]} for status in selectors.COUNTED],
    }
    return render(request, "web/ledger/city.html", {
        "form": form, "requirement": requirement, "year": year, "page": page, "totals": totals, "chart": chart,
        "statuses": [ComplianceStatus(s) for s in selectors.COUNTED], "query": request.GET.urlencode(),
        "active": "ledger", "can_remind": request.user.has_perm("ledger.remind_induction_due"),
    })


@permission_required("ledger.remind_induction_due")
@require_POST
def induction_due_remind(request):
    """Drafts to the unit administrators of the organs with people due for induction training."""
    composed = messaging.induction_due_remind(by=request.user)
    url = reverse("outbox_list") + "?" + composed.outbox_query
    messages.success(request, format_html(
        '{} <a href="{}">{}</a>', _("%(count)d reminders of induction training were written as drafts.")
        % {"count": composed.count}, url, _("Preview and send them in the outbox")))
    if composed.unreachable:
        messages.warning(request, _("No unit administrator with an e-mail address or mobile number: %(organs)s.")
                         % {"organs": "、".join(composed.unreachable)})
    return redirect(reverse("ledger_city") + ("?" + request.POST["back"] if request.POST.get("back") else ""))


@permission_required("ledger.view_city_compliance")
def city_compliance_export(request):
    _form, f = _filters(request)
    requirement, year = f["requirement"], f["year"]
    rows = selectors.compliance_by_organ(user=request.user, requirement=requirement,
                                         year=_year_arg(requirement, year), sector=f["sector"]) if requirement else []
    labels = [str(ComplianceStatus(s).label) for s in selectors.COUNTED]
    content = ledger_xlsx.table_workbook(
        title=f"{requirement.title if requirement else ''} {year}", sheet=_("Compliance"),
        headers=[_("Organ"), _("Sector"), *labels, _("Total")], widths=[34, 14, 10, 10, 10, 10, 10],
        rows=([row.organ.name, str(row.organ.get_sector_display()), *(row.counts[s] for s in selectors.COUNTED),
               row.total] for row in rows))
    audit_record(actor=request.user, action="export", model="ledger.requirement",
                 object_repr=_("Compliance by organ: %(rule)s") % {"rule": requirement}, changes={"year": year})
    return _xlsx(content, f"培训达标情况-{ledger_xlsx.stamp()}.xlsx")


def _people_rows(page, requirement, year):
    on = timezone.localdate()
    for person in page:
        person.why = compliance.explain(person, requirement, on=on, year=year)
        person.status_label = ComplianceStatus(person.compliance_status).label
    return page


@permission_required("ledger.view_ledger")
def organ_compliance(request, pk):
    organ = registry.organ_get(user=request.user, pk=pk)
    require(request.user, "ledger.view_organ_compliance", organ)
    form, f = _filters(request)
    requirement, year = f["requirement"], f["year"]
    page, counts = None, {}
    if requirement is not None:
        year_arg = _year_arg(requirement, year)
        people = selectors.compliance_people(user=request.user, requirement=requirement, year=year_arg,
                                             organ_id=organ.pk, status=f["status"])
        page = _people_rows(paginate(request, people), requirement, year_arg or year)
        counts = selectors.compliance_counts(user=request.user, requirement=requirement, year=year_arg,
                                              organ_id=organ.pk)
    return render(request, "web/ledger/organ.html", {
        "organ": organ, "form": form, "requirement": requirement, "year": year, "page": page, "counts": counts,
        "statuses": [ComplianceStatus(s) for s in selectors.COUNTED], "query": request.GET.urlencode(),
        "other_organs": Organ.objects.visible_to(request.user).exclude(pk=organ.pk)
        .order_by(*compliance_organ_order())[:20] if not request.user.has_perm("ledger.view_city_compliance") else [],
        "can_city": request.user.has_perm("ledger.view_city_compliance"),
        "active": "ledger",
    })


@permission_required("ledger.view_ledger")
def organ_compliance_export(request, pk):
    organ = registry.organ_get(user=request.user, pk=pk)
    require(request.user, "ledger.view_organ_compliance", organ)
    _form, f = _filters(request)
    requirement, year = f["requirement"], f["year"]
    year_arg = _year_arg(requirement, year) if requirement else None
    people = selectors.compliance_people(user=request.user, requirement=requirement, year=year_arg,
                                         organ_id=organ.pk, status=f["status"]) if requirement else []
    on = timezone.localdate()

    def rows():
        for person in people.iterator(chunk_size=1000) if requirement else []:
            yield [person.name, person.position, str(ComplianceStatus(person.compliance_status).label),
                   person.compliance_deadline, person.credited_hours,
                   compliance.explain(person, requirement, on=on, year=year_arg or year)]

    content = ledger_xlsx.table_workbook(
        title=f"{organ.name} {requirement.title if requirement else ''} {year}", sheet=_("Compliance"),
        headers=[_("Name"), _("Position"), _("Status"), _("Deadline"), _("Hours"), _("Why")],
        widths=[12, 18, 10, 12, 8, 80], rows=rows())
    audit_record(actor=request.user, action="export", instance=organ,
                 object_repr=_("Compliance of %(organ)s: %(rule)s") % {"organ": organ, "rule": requirement},
                 changes={"year": year})
    return _xlsx(content, f"{organ.name_zh}-培训达标情况-{ledger_xlsx.stamp()}.xlsx")


# --- A person's archive -----------------------------------------------------------------------------------

def _archive_context(request, person):
    today = timezone.localdate()
    return {
        "person": person,
        "years": selectors.archive_years(person=person),
        "statuses": selectors.person_compliance(person=person, on=today),
        "records": selectors.record_list(user=request.user, person_id=person.pk),
        "exemptions": selectors.exemption_list(user=request.user, person_id=person.pk),
        "kinds": ledger_xlsx.TrainingKind,
        "today": today,
    }


@permission_required("ledger.view_ledger")
def person_archive(request, pk):
    person = registry.person_get(user=request.user, pk=pk)
    require(request.user, "ledger.view_archive", person)
    context = _archive_context(request, person)
    context.update({
        "can_add": request.user.has_perm("ledger.add_record", person),
        "can_exempt": request.user.has_perm("ledger.manage_exemptions"),
        "active": "ledger",
    })
    return render(request, "web/ledger/archive.html", context)


@permission_required("ledger.view_ledger")
def person_archive_xlsx(request, pk):
    person = registry.person_get(user=request.user, pk=pk)
    require(request.user, "ledger.view_archive", person)
    context = _archive_context(request, person)
    content = ledger_xlsx.archive_workbook(**context)
    audit_record(actor=request.user, action="export", instance=person, changes={"archive": "xlsx"})
    return _xlsx(content, f"{person.name}-学时档案-{ledger_xlsx.stamp()}.xlsx")


@permission_required("ledger.view_ledger")
def person_archive_pdf(request, pk):
    person = registry.person_get(user=request.user, pk=pk)
    require(request.user, "ledger.view_archive", person)
    content = documents.archive_pdf(**_archive_context(request, person))
    audit_record(actor=request.user, action="export", instance=person, changes={"archive": "pdf"})
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, f"{person.name}-学时档案.pdf")
    return private_no_store(response)


# --- Records ----------------------------------------------------------------------------------------------

@permission_required("ledger.view_ledger")
def record_create(request, pk):
    person = registry.person_get(user=request.user, pk=pk)
    require(request.user, "ledger.add_record", person)
    form = RecordForm(request.POST or None)
    archive = reverse("ledger_person", args=[person.pk])
    return form_page(
        request, form=form, save=lambda: services.record_create(person=person, by=request.user, **form.cleaned_data),
        next_url=lambda record: archive, success=_("The training record was saved."),
        context={"title": _("New training record of %(name)s") % {"name": person}, "cancel_url": archive,
                 "active": "ledger"})


@permission_required("ledger.view_ledger")
def record_edit(request, pk):
    record = selectors.record_get(user=request.user, pk=pk)
    archive = reverse("ledger_person", args=[record.person_id])
    if (answer := refused(request, "ledger.change_record", record, archive)) is not None:
        return answer
    form = RecordForm(request.POST or None, instance=record)
    return form_page(
        request, form=form, save=lambda: services.record_update(record=record, by=request.user, **form.cleaned_data),
        next_url=lambda saved: archive, success=_("The training record was saved."),
        context={"title": _("Edit training record"), "cancel_url": archive,
                 "delete_url": reverse("ledger_record_delete", args=[record.pk]), "active": "ledger"})


@permission_required("ledger.view_ledger")
@require_POST
def record_delete(request, pk):
    record = selectors.record_get(user=request.user, pk=pk)
    archive = reverse("ledger_person", args=[record.person_id])
    if (answer := refused(request, "ledger.delete_record", record, archive)) is not None:
        return answer
    return delete_then_redirect(request, obj=record, delete=lambda: services.record_delete(record=record,
                                                                                           by=request.user),
                                next_url=archive, back_url=archive)


@permission_required("ledger.import_records")
def records_import(request):
    """The import form; a usable file is stored and imported by a background job (ledger/tasks.py), whose page
    follows its progress and shows the row-by-row report. A form without a usable file answers at once."""
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = records_import_start(file=upload, by=request.user, filename=upload.name or "")
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("job_detail", job.pk)
    return render(request, "web/ledger/import.html", {
        "form": form, "columns": ledger_xlsx.RECORD_SHEET.columns, "active": "ledger",
        "recent_imports": recent_jobs(user=request.user, kind=BackgroundJob.Kind.LEDGER_IMPORT),
    }, status=400 if form.errors else 200)


@permission_required("ledger.import_records")
def records_template(request):
    return _xlsx(ledger_xlsx.records_template(), "学时记录导入模板.xlsx")


# --- Requirements -----------------------------------------------------------------------------------------

@permission_required("ledger.view_requirements")
def requirement_list(request):
    today = timezone.localdate()
    requirements = list(selectors.requirement_list())
    for requirement in requirements:
        requirement.current = requirement.in_effect(today)
        requirement.can_delete = request.user.has_perm("ledger.delete_requirement", requirement)
    return render(request, "web/ledger/requirements.html", {
        "requirements": requirements, "can_change": request.user.has_perm("ledger.change_requirement"),
        "active": "ledger"})


@permission_required("ledger.add_requirement")
def requirement_create(request):
    form = RequirementForm(request.POST or None)
    back = reverse("ledger_requirement_list")
    return form_page(request, form=form, save=lambda: services.requirement_create(by=request.user,
                                                                                 **form.cleaned_data),
                     success=_("The rule was saved."),
                     context={"title": _("New training requirement"), "cancel_url": back, "active": "ledger"})


@permission_required("ledger.change_requirement")
def requirement_edit(request, pk):
    requirement = selectors.requirement_get(pk=pk)
    form = RequirementForm(request.POST or None, instance=requirement)
    back = reverse("ledger_requirement_list")

    def save():
        changed = {name: form.cleaned_data[name] for name in form.changed_data if not form.fields[name].disabled}
        return services.requirement_update(requirement=requirement, by=request.user, **changed)

    return form_page(request, form=form, save=save, success=_("The rule was saved."),
                     context={"title": _("Edit %(rule)s") % {"rule": requirement}, "cancel_url": back,
                              "intro": _("This rule has taken effect: its title, source and end may be corrected. "
                                         "To change the rule, add a new version from a date.")
                              if requirement.effective_from <= timezone.localdate() else "",
                              "active": "ledger"})


@permission_required("ledger.change_requirement")
def requirement_supersede(request, pk):
    requirement = selectors.requirement_get(pk=pk)
    form = SupersedeForm(request.POST or None, instance=None,
                         initial={name: getattr(requirement, name) for name in SupersedeForm._meta.fields
                                  if name != "effective_from"})
    back = reverse("ledger_requirement_list")

    def save():
        data = dict(form.cleaned_data)
        return services.requirement_supersede(requirement=requirement, by=request.user, **data)

    return form_page(request, form=form, save=save, success=_("The new version was saved."),
                     context={"title": _("Change %(rule)s from a date") % {"rule": requirement},
                              "intro": _("The version in effect ends the day before the new one takes effect; what "
                                         "it judged stays judged by it."),
                              "cancel_url": back, "active": "ledger"})


@permission_required("ledger.change_requirement")
@require_POST
def requirement_delete(request, pk):
    requirement = selectors.requirement_get(pk=pk)
    back = reverse("ledger_requirement_list")
    if (answer := refused(request, "ledger.delete_requirement", requirement, back)) is not None:
        return answer
    return delete_then_redirect(request, obj=requirement,
                                delete=lambda: services.requirement_delete(requirement=requirement, by=request.user),
                                next_url=back, back_url=back)


# --- Exemptions -------------------------------------------------------------------------------------------

@permission_required("ledger.manage_exemptions")
def exemption_create(request, pk):
    person = registry.person_get(user=request.user, pk=pk)
    form = ExemptionForm(request.POST or None)
    archive = reverse("ledger_person", args=[person.pk])
    return form_page(
        request, form=form, next_url=lambda exemption: archive, success=_("The exemption was saved."),
        save=lambda: services.exemption_create(person=person, by=request.user, **form.cleaned_data),
        context={"title": _("Exemption of %(name)s") % {"name": person}, "cancel_url": archive, "active": "ledger"})


@permission_required("ledger.manage_exemptions")
@require_POST
def exemption_delete(request, pk):
    exemption = selectors.exemption_get(user=request.user, pk=pk)
    archive = reverse("ledger_person", args=[exemption.person_id])
    return delete_then_redirect(request, obj=exemption,
                                delete=lambda: services.exemption_delete(exemption=exemption, by=request.user),
                                next_url=archive, back_url=archive)


# --- Annual statistics (党员培训情况) -----------------------------------------------------------------------

def _statistics_year(request) -> int:
    try:
        year = int(request.GET.get("year") or 0)
    except ValueError:
        year = 0
    return year if 2000 <= year <= 2100 else timezone.localdate().year


@permission_required("ledger.view_statistics")
def statistics(request):
    year = _statistics_year(request)
    rows = selectors.annual_statistics(user=request.user, year=year)
    page = paginate(request, rows[1:])
    return render(request, "web/ledger/statistics.html", {
        "year": year, "total": rows[0], "page": page, "years": range(timezone.localdate().year, 2018, -1),
        "active": "ledger"})


@permission_required("ledger.view_statistics")
def statistics_export(request):
    year = _statistics_year(request)
    rows = selectors.annual_statistics(user=request.user, year=year)
    headers = [_("Organ"), _("Person-times trained"), _("of which secretaries"), _("Induction trainings"),
               _("Online trainings"), _("Hours"), _("Secretaries and committee members"), _("of whom met the annual "
                                                                                          "hours")]
    content = ledger_xlsx.table_workbook(
        title=_("Training of party members %(year)s (党员培训情况)") % {"year": year}, sheet=str(year),
        headers=headers, widths=[34, 12, 12, 12, 12, 10, 14, 14],
        rows=([row.organ.name if row.organ else _("Total"), row.person_times, row.secretary_person_times,
               row.induction_person_times, row.online_person_times, row.hours, row.post_holders,
               row.post_holders_met] for row in rows))
    audit_record(actor=request.user, action="export", model="ledger.trainingrecord",
                 object_repr=_("Annual training statistics %(year)s") % {"year": year}, changes={"year": year})
    return _xlsx(content, f"党员培训情况-{year}.xlsx")


# --- Demand forecast ---------------------------------------------------------------------------------------

@permission_required("ledger.view_forecast")
def forecast_page(request):
    try:
        capacity = int(request.GET.get("capacity") or forecast.DEFAULT_CAPACITY)
    except ValueError:
        capacity = forecast.DEFAULT_CAPACITY
    capacity = min(max(capacity, 10), 500)
    result = forecast.induction_forecast(user=request.user, capacity=capacity)
    labels = {"already_due": _("Already due"), "from_elections": _("New at a 换届"),
              "between_elections": _("Between elections")}
    chart = {"categories": [quarter.label for quarter in result.quarters],
             "series": [{"name": str(label), "code": code,
                         "data": [round(getattr(quarter, code), 1) for quarter in result.quarters]}
                        for code, label in labels.items()]}
    return render(request, "web/ledger/forecast.html", {
        "forecast": result, "chart": chart, "capacity": capacity, "history_years": forecast.HISTORY_YEARS,
        "window_days": forecast.ELECTION_WINDOW_DAYS, "rate_percent": round(result.change_rate * 100),
        "active": "ledger"})
