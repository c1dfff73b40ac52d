"""URLs of the enrollment pages (报名): the program's enrollment, nominating, and the participant's own page."""

from django.urls import path

from dangjian.web.views import enrollment

urlpatterns = [
    path("enrollment/programs/<int:pk>/", enrollment.enrollment_overview, name="enrollment_overview"),
    path("enrollment/programs/<int:pk>/settings/", enrollment.enrollment_settings, name="enrollment_settings"),
    path("enrollment/programs/<int:pk>/organs/<int:organ_pk>/nominate/", enrollment.nominate_page,
         name="nominate_page"),
    path("enrollment/programs/<int:pk>/organs/<int:organ_pk>/nominees/", enrollment.nominee_options,
         name="nominee_picker"),
    path("enrollment/programs/<int:pk>/decide/", enrollment.nominations_decide, name="nominations_decide"),
    path("enrollment/programs/<int:pk>/promote/", enrollment.waitlist_promote, name="waitlist_promote"),
    path("enrollment/programs/<int:pk>/announce/", enrollment.nomination_opened_compose,
         name="nomination_opened_compose"),
    path("enrollment/programs/<int:pk>/remind/", enrollment.deadline_reminder_compose,
         name="deadline_reminder_compose"),
    path("enrollment/programs/<int:pk>/admission-notices/", enrollment.admission_notices_prepare,
         name="admission_notices_prepare"),
    path("enrollment/nominations/<int:pk>/admission-notice.pdf", enrollment.admission_notice_pdf,
         name="admission_notice_pdf"),
    path("enrollment/nominations/<int:pk>/withdraw/", enrollment.nomination_withdraw, name="nomination_withdraw"),
    path("enrollment/nominations/<int:pk>/substitute/", enrollment.nomination_substitute,
         name="nomination_substitute"),
    path("enrollment/nominations/<int:pk>/unavailable/", enrollment.nomination_unavailable,
         name="nomination_unavailable"),
    path("enrollment/nominations/<int:pk>/activation/", enrollment.activation_issue, name="activation_issue"),
    # The participant (学员)
    path("my/", enrollment.my_home, name="my_home"),
    path("my/enrollment/", enrollment.my_enrollment, name="my_enrollment"),
    path("my/calendar/", enrollment.my_calendar_rotate, name="my_calendar_rotate"),
    path("my/calendar/revoke/", enrollment.my_calendar_revoke, name="my_calendar_revoke"),
    path("my/calendar/<str:token>.ics", enrollment.my_calendar_feed, name="my_calendar_feed"),
    path("activate/<str:token>/", enrollment.participant_activate, name="participant_activate"),
]
