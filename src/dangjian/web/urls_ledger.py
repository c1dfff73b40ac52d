"""Pages of the training-hours ledger (学时档案) and compliance."""

from django.urls import path

from dangjian.web.views import ledger

urlpatterns = [
    path("ledger/", ledger.ledger_home, name="ledger_home"),
    path("ledger/compliance/", ledger.city_compliance, name="ledger_city"),
    path("ledger/compliance/remind/", ledger.induction_due_remind, name="ledger_induction_remind"),
    path("ledger/compliance/export.xlsx", ledger.city_compliance_export, name="ledger_city_export"),
    path("ledger/compliance/organs/<int:pk>/", ledger.organ_compliance, name="ledger_organ"),
    path("ledger/compliance/organs/<int:pk>/export.xlsx", ledger.organ_compliance_export,
         name="ledger_organ_export"),
    path("ledger/people/<int:pk>/", ledger.person_archive, name="ledger_person"),
    path("ledger/people/<int:pk>/archive.xlsx", ledger.person_archive_xlsx, name="ledger_person_xlsx"),
    path("ledger/people/<int:pk>/archive.pdf", ledger.person_archive_pdf, name="ledger_person_pdf"),
    path("ledger/people/<int:pk>/records/new/", ledger.record_create, name="ledger_record_create"),
    path("ledger/people/<int:pk>/exemptions/new/", ledger.exemption_create, name="ledger_exemption_create"),
    path("ledger/records/<int:pk>/edit/", ledger.record_edit, name="ledger_record_edit"),
    path("ledger/records/<int:pk>/delete/", ledger.record_delete, name="ledger_record_delete"),
    path("ledger/exemptions/<int:pk>/delete/", ledger.exemption_delete, name="ledger_exemption_delete"),
    path("ledger/import/", ledger.records_import, name="ledger_import"),
    path("ledger/import/template.xlsx", ledger.records_template, name="ledger_import_template"),
    path("ledger/requirements/", ledger.requirement_list, name="ledger_requirement_list"),
    path("ledger/requirements/new/", ledger.requirement_create, name="ledger_requirement_create"),
    path("ledger/requirements/<int:pk>/edit/", ledger.requirement_edit, name="ledger_requirement_edit"),
    path("ledger/requirements/<int:pk>/supersede/", ledger.requirement_supersede, name="ledger_requirement_supersede"),
    path("ledger/requirements/<int:pk>/delete/", ledger.requirement_delete, name="ledger_requirement_delete"),
    path("ledger/statistics/", ledger.statistics, name="ledger_statistics"),
    path("ledger/forecast/", ledger.forecast_page, name="ledger_forecast"),
    path("ledger/statistics/export.xlsx", ledger.statistics_export, name="ledger_statistics_export"),
]
