"""URLs of the allocation pages (分期分组): a program's placement into phases and groups, the solver's runs."""

from django.urls import path

from dangjian.web.views import allocation

urlpatterns = [
    # Allocation to phases and groups (分期分组)
    path("enrollment/programs/<int:pk>/allocation/", allocation.allocation_page, name="allocation_page"),
    path("enrollment/programs/<int:pk>/allocation/phases/<int:phase_pk>/board/", allocation.allocation_board,
         name="allocation_board"),
    path("enrollment/programs/<int:pk>/allocation/runs/", allocation.allocation_start, name="allocation_start"),
    path("enrollment/allocation/<int:pk>/", allocation.allocation_run, name="allocation_run"),
    path("enrollment/allocation/<int:pk>/status/", allocation.allocation_run_status, name="allocation_run_status"),
    path("enrollment/allocation/<int:pk>/apply/", allocation.allocation_apply, name="allocation_apply"),
    path("enrollment/allocation/<int:pk>/discard/", allocation.allocation_discard, name="allocation_discard"),
    path("enrollment/participants/<int:pk>/placement/", allocation.allocation_placement,
         name="allocation_placement"),
    path("enrollment/participants/<int:pk>/placement/remove/", allocation.allocation_placement_remove,
         name="allocation_placement_remove"),
]
