"""URLs of the training documents and exports (web/views/documents.py)."""

from django.urls import path

from dangjian.web.views import documents

urlpatterns = [
    path("training/programs/<int:pk>/plan.pdf", documents.program_plan_pdf, name="program_plan_pdf"),
    path("training/phases/<int:pk>/timetable.pdf", documents.phase_timetable_pdf, name="phase_timetable_pdf"),
    path("training/phases/<int:pk>/timetable.xlsx", documents.phase_timetable_xlsx, name="phase_timetable_xlsx"),
    path("training/phases/<int:pk>/timetable.ics", documents.phase_timetable_ics, name="phase_timetable_ics"),
    path("training/my-sessions.ics", documents.my_sessions_ics, name="my_sessions_ics"),
]
