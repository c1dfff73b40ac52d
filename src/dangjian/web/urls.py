from django.urls import include, path

from dangjian.web.views import audit, dashboard, jobs, outbox, pickers, registry, spreadsheets

urlpatterns = [
    path("", dashboard.home, name="home"),
    # Organs (单位)
    path("organs/", registry.organ_list, name="organ_list"),
    path("organs/new/", registry.organ_create, name="organ_create"),
    path("organs/<int:pk>/", registry.organ_detail, name="organ_detail"),
    path("organs/<int:pk>/edit/", registry.organ_edit, name="organ_edit"),
    path("organs/<int:pk>/delete/", registry.organ_delete, name="organ_delete"),
    # Party organizations (党组织)
    path("party-organizations/", registry.party_organization_list, name="party_organization_list"),
    path("party-organizations/new/", registry.party_organization_create, name="party_organization_create"),
    path("party-organizations/<int:pk>/", registry.party_organization_detail, name="party_organization_detail"),
    path("party-organizations/<int:pk>/edit/", registry.party_organization_edit, name="party_organization_edit"),
    path("party-organizations/<int:pk>/delete/", registry.party_organization_delete,
         name="party_organization_delete"),
    # People (人员) and posts (任职)
    path("people/", registry.person_list, name="person_list"),
    path("people/new/", registry.person_create, name="person_create"),
    path("people/<int:pk>/", registry.person_detail, name="person_detail"),
    path("people/<int:pk>/edit/", registry.person_edit, name="person_edit"),
    path("people/<int:pk>/delete/", registry.person_delete, name="person_delete"),
    path("people/<int:pk>/reveal/", registry.person_reveal, name="person_reveal"),
    path("people/<int:pk>/posts/new/", registry.post_create, name="post_create"),
    path("posts/<int:pk>/edit/", registry.post_edit, name="post_edit"),
    path("posts/<int:pk>/delete/", registry.post_delete, name="post_delete"),
    # Searchable pickers: the options matching a search (web/widgets.py)
    path("pickers/organs/", pickers.organ_options, name="organ_picker"),
    path("pickers/party-organizations/", pickers.party_organization_options, name="party_organization_picker"),
    # Spreadsheets: templates, import, export
    path("spreadsheets/", spreadsheets.index, name="spreadsheets"),
    path("spreadsheets/<str:kind>/template.xlsx", spreadsheets.template_download, name="spreadsheet_template"),
    path("spreadsheets/<str:kind>/import/", spreadsheets.import_upload, name="spreadsheet_import"),
    path("spreadsheets/<str:kind>/export.xlsx", spreadsheets.export_download, name="spreadsheet_export"),
    # Background jobs (a large import): the job's page and its status fragment, polled while it runs
    path("jobs/<int:pk>/", jobs.job_detail, name="job_detail"),
    path("jobs/<int:pk>/status/", jobs.job_status, name="job_status"),
    # Outbox: messages composed by the platform, previewed and sent in bulk (a background job)
    path("outbox/", outbox.outbox_list, name="outbox_list"),
    path("outbox/send/", outbox.outbox_send, name="outbox_send"),
    path("outbox/retry/", outbox.outbox_retry, name="outbox_retry"),
    path("outbox/<int:pk>/", outbox.outbox_message, name="outbox_message"),
    path("outbox/<int:pk>/attachment/", outbox.outbox_attachment, name="outbox_attachment"),
    path("outbox/<int:pk>/discard/", outbox.outbox_discard, name="outbox_discard"),
    # Audit trail
    path("audit/", audit.audit_list, name="audit_list"),
    # Training: library and programs, timetable builder, documents and exports
    path("", include("dangjian.web.urls_programs")),
    path("", include("dangjian.web.urls_timetable")),
    path("", include("dangjian.web.urls_documents")),
    # Training-hours ledger and compliance
    path("", include("dangjian.web.urls_ledger")),
    # Enrollment: quotas, nominations, waitlist; the participant's own page and account activation
    path("", include("dangjian.web.urls_enrollment")),
    path("", include("dangjian.web.urls_allocation")),
    # Attendance: the roll call of a session
    path("", include("dangjian.web.urls_attendance")),
    # QR check-in: the code screen of a session, and the page a participant's phone opens by scanning it
    path("", include("dangjian.web.urls_checkin")),
    # Leave (请假), withdrawals (退学) and the class attendance overview
    path("", include("dangjian.web.urls_leave")),
    # Completion: rules, results, assessment scores, reflections
    path("", include("dangjian.web.urls_completion")),
    # The closing pack of a class (closing and reopening are the program's workflow transitions)
    path("", include("dangjian.web.urls_closing")),
    # Evaluation: the participants' anonymous cards and questionnaires, the forms and response rates
    path("", include("dangjian.web.urls_evaluation")),
    # Certificates (结业证书): issue, revoke, reissue; the public verification page /verify/<serial>/
    path("", include("dangjian.web.urls_certificates")),
    # Follow-up (成果转化): implementation plans, the follow-up survey, the unit's confirmation, reminders
    path("", include("dangjian.web.urls_followup")),
]
