"""URLs of the timetable builder (placeholders until the timetable pages land)."""

from django.http import Http404
from django.urls import path


def _placeholder(request, *args, **kwargs):
    raise Http404


urlpatterns = [
    path("training/phases/<int:pk>/timetable/", _placeholder, name="phase_timetable"),
    path("training/my-sessions/", _placeholder, name="my_sessions"),
]
