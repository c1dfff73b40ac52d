"""URLs of the timetable builder: a phase's grid, its sessions (htmx partials), copying, the catalog
picker, and an instructor's own sessions."""

from django.urls import path

from dangjian.web.views import timetable

urlpatterns = [
    path("training/phases/<int:pk>/timetable/", timetable.phase_timetable, name="phase_timetable"),
    path("training/phases/<int:pk>/timetable/sessions/new/", timetable.session_create, name="timetable_session_create"),
    path("training/phases/<int:pk>/timetable/catalog/", timetable.session_catalog, name="timetable_catalog"),
    path("training/phases/<int:pk>/timetable/copy/", timetable.phase_timetable_copy, name="phase_timetable_copy"),
    path("training/sessions/<int:pk>/edit/", timetable.session_edit, name="timetable_session_edit"),
    path("training/sessions/<int:pk>/move/", timetable.session_move, name="timetable_session_move"),
    path("training/sessions/<int:pk>/delete/", timetable.session_delete, name="timetable_session_delete"),
    path("training/my-sessions/", timetable.my_sessions, name="my_sessions"),
]
