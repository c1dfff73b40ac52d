"""URLs of the training documents and exports (placeholders until the document views land)."""

from django.http import Http404
from django.urls import path


def _placeholder(request, *args, **kwargs):
    raise Http404


urlpatterns = [
    path("training/programs/<int:pk>/plan.pdf", _placeholder, name="program_plan_pdf"),
    path("training/phases/<int:pk>/timetable.pdf", _placeholder, name="phase_timetable_pdf"),
    path("training/phases/<int:pk>/timetable.xlsx", _placeholder, name="phase_timetable_xlsx"),
    path("training/phases/<int:pk>/timetable.ics", _placeholder, name="phase_timetable_ics"),
    path("training/my-sessions.ics", _placeholder, name="my_sessions_ics"),
]
