"""URLs of QR check-in (扫码签到): the head teacher's code screen of a session, and the page a scan opens."""

from django.urls import path

from dangjian.web.views import checkin

urlpatterns = [
    path("attendance/sessions/<int:pk>/check-in-code/", checkin.check_in_code, name="check_in_code"),
    path("attendance/sessions/<int:pk>/check-in-code/current/", checkin.check_in_code_current,
         name="check_in_code_current"),
    path("attendance/check-in/<str:code>/", checkin.check_in_page, name="check_in"),
]
