"""URLs of attendance (考勤): the roll call of a session and its sign-in sheet; the offline roll call's service
worker."""

from django.urls import path

from dangjian.web.views import attendance

urlpatterns = [
    path("attendance/sessions/<int:pk>/", attendance.roll_call, name="roll_call"),
    path("attendance/sw.js", attendance.roll_call_service_worker, name="roll_call_service_worker"),
    path("attendance/sessions/<int:pk>/sign-in-sheet.pdf", attendance.sign_in_sheet, name="sign_in_sheet"),
]
