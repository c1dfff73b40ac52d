"""URLs of the follow-up (成果转化): the participant's plan and survey, the unit's confirmations, a program's
follow-up for the organizers."""

from django.urls import path

from dangjian.web.views import followup

urlpatterns = [
    path("my/followup/", followup.my_followup, name="my_followup"),
    path("my/followup/programs/<int:pk>/plan/", followup.my_plan, name="my_followup_plan"),
    path("my/followup/programs/<int:pk>/survey/", followup.my_survey, name="my_followup_survey"),
    path("followup/confirmations/", followup.confirmations, name="followup_confirmations"),
    path("followup/reports/<int:pk>/", followup.report_confirm, name="followup_report"),
    path("followup/programs/<int:pk>/", followup.program_followup, name="followup_program"),
    path("followup/programs/<int:pk>/reminders/", followup.program_reminders, name="followup_reminders"),
    path("followup/programs/<int:pk>/followup.xlsx", followup.program_followup_xlsx, name="followup_program_xlsx"),
]
