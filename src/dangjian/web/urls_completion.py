"""URLs of completion (结业): a program's rules, results (and their export), assessment scores and reflections; the
participant's own reflection."""

from django.urls import path

from dangjian.web.views import completion, reflections

urlpatterns = [
    path("completion/programs/<int:pk>/rules/", completion.rules_edit, name="completion_rules"),
    path("completion/programs/<int:pk>/results/", completion.results, name="completion_results"),
    path("completion/programs/<int:pk>/results.xlsx", completion.results_xlsx, name="completion_results_xlsx"),
    path("completion/programs/<int:pk>/assessments/", completion.assessments, name="completion_assessments"),
    path("completion/programs/<int:pk>/assessments/template.xlsx", reflections.assessments_template,
         name="completion_assessments_template"),
    path("completion/programs/<int:pk>/assessments/import/", reflections.assessments_import,
         name="completion_assessments_import"),
    path("completion/programs/<int:pk>/reflections/", reflections.reflection_list, name="completion_reflections"),
    path("completion/programs/<int:pk>/reflections/late/<int:nomination_id>/", reflections.reflection_allow_late,
         name="completion_reflection_allow_late"),
    path("completion/reflections/<int:pk>/", reflections.reflection_read, name="completion_reflection"),
    path("completion/reflections/<int:pk>/file/", reflections.reflection_file, name="completion_reflection_file"),
    path("completion/reflections/<int:pk>/portal-draft/", reflections.reflection_portal_draft,
         name="completion_reflection_portal_draft"),
    path("my/programs/<int:pk>/reflection/", completion.my_reflection, name="my_reflection"),
]
