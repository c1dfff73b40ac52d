"""URLs of evaluation (培训评估): the participant's cards and questionnaire, a program's forms and response rates."""

from django.urls import path

from dangjian.web.views import evaluation

urlpatterns = [
    path("my/evaluation/", evaluation.my_evaluation, name="my_evaluation"),
    path("my/evaluation/sessions/<int:pk>/", evaluation.session_card, name="my_session_card"),
    path("my/evaluation/programs/<int:pk>/", evaluation.program_questionnaire, name="my_program_questionnaire"),
    path("evaluation/programs/<int:pk>/", evaluation.program_evaluation, name="program_evaluation"),
    path("evaluation/programs/<int:pk>/copy/", evaluation.form_copy, name="evaluation_form_copy"),
    path("evaluation/forms/<int:pk>/edit/", evaluation.form_edit, name="evaluation_form_edit"),
    path("evaluation/sessions/<int:pk>/non-respondents/", evaluation.non_respondents,
         name="evaluation_non_respondents"),
]

urlpatterns += [
    path("evaluation/programs/<int:pk>/analysis/", evaluation.program_analysis, name="evaluation_analysis"),
    path("evaluation/programs/<int:pk>/analysis/<str:by>/<str:key>/", evaluation.analysis_answers,
         name="evaluation_analysis_answers"),
    path("evaluation/programs/<int:pk>/report.<str:extension>", evaluation.analysis_report,
         name="evaluation_report"),
    path("evaluation/courses/<int:pk>/", evaluation.course_history, name="evaluation_course_history"),
    path("evaluation/instructors/<int:pk>/", evaluation.instructor_history, name="evaluation_instructor_history"),
]
