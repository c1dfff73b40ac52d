"""URLs of the enrollment pages (报名): the program's enrollment, nominating, and the participant's own page."""

from django.urls import path

from dangjian.web.views import allocation, enrollment

urlpatterns = [
    path("enrollment/programs/<int:pk>/", enrollment.enrollment_overview, name="enrollment_overview"),
    path("enrollment/programs/<int:pk>/settings/", enrollment.enrollment_settings, name="enrollment_settings"),
    path("enrollment/programs/<int:pk>/organs/<int:organ_pk>/nominate/", enrollment.nominate_page,
         name="nominate_page"),
    path("enrollment/programs/<int:pk>/decide/", enrollment.nominations_decide, name="nominations_decide"),
    path("enrollment/programs/<int:pk>/promote/", enrollment.waitlist_promote, name="waitlist_promote"),
    path("enrollment/nominations/<int:pk>/withdraw/", enrollment.nomination_withdraw, name="nomination_withdraw"),
    path("enrollment/nominations/<int:pk>/substitute/", enrollment.nomination_substitute,
         name="nomination_substitute"),
    path("enrollment/nominations/<int:pk>/unavailable/", enrollment.nomination_unavailable,
         name="nomination_unavailable"),
    path("enrollment/nominations/<int:pk>/activation/", enrollment.activation_issue, name="activation_issue"),
    # Allocation to phases and groups (分期分组)
    path("enrollment/programs/<int:pk>/allocation/", allocation.allocation_page, name="allocation_page"),
    path("enrollment/programs/<int:pk>/allocation/runs/", allocation.allocation_start, name="allocation_start"),
    path("enrollment/allocation/<int:pk>/", allocation.allocation_run, name="allocation_run"),
    path("enrollment/allocation/<int:pk>/status/", allocation.allocation_run_status, name="allocation_run_status"),
    path("enrollment/allocation/<int:pk>/apply/", allocation.allocation_apply, name="allocation_apply"),
    path("enrollment/allocation/<int:pk>/discard/", allocation.allocation_discard, name="allocation_discard"),
    # The participant (学员)
    path("my/enrollment/", enrollment.my_enrollment, name="my_enrollment"),
    path("activate/<str:token>/", enrollment.participant_activate, name="participant_activate"),
]
