"""URLs of completion (结业): a program's rules, results (and their export), assessment scores and reflections; the
participant's own reflection."""

from django.urls import path

from dangjian.web.views import completion

urlpatterns = [
    path("completion/programs/<int:pk>/rules/", completion.rules_edit, name="completion_rules"),
    path("completion/programs/<int:pk>/results/", completion.results, name="completion_results"),
    path("completion/programs/<int:pk>/results.xlsx", completion.results_xlsx, name="completion_results_xlsx"),
    path("completion/programs/<int:pk>/assessments/", completion.assessments, name="completion_assessments"),
    path("completion/programs/<int:pk>/reflections/", completion.reflections, name="completion_reflections"),
    path("my/programs/<int:pk>/reflection/", completion.my_reflection, name="my_reflection"),
]
