"""URLs of attendance (考勤): the roll call of a session."""

from django.urls import path

from dangjian.web.views import attendance

urlpatterns = [
    path("attendance/sessions/<int:pk>/", attendance.roll_call, name="roll_call"),
]
