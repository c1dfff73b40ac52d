"""URLs of the training programs pages: the library, programs with their workflow, phases and the class."""

from django.urls import path

from dangjian.web.views import library, portal_drafts, programs

urlpatterns = [
    # Library (培训资源库)
    path("training/library/", library.library_index, name="library_index"),
    path("training/venues/", library.venue_list, name="venue_list"),
    path("training/venues/new/", library.venue_create, name="venue_create"),
    path("training/venues/<int:pk>/", library.venue_detail, name="venue_detail"),
    path("training/venues/<int:pk>/edit/", library.venue_edit, name="venue_edit"),
    path("training/venues/<int:pk>/delete/", library.venue_delete, name="venue_delete"),
    path("training/venues/<int:pk>/classrooms/new/", library.classroom_create, name="classroom_create"),
    path("training/classrooms/<int:pk>/edit/", library.classroom_edit, name="classroom_edit"),
    path("training/classrooms/<int:pk>/delete/", library.classroom_delete, name="classroom_delete"),
    path("training/sites/", library.site_list, name="site_list"),
    path("training/sites/new/", library.site_create, name="site_create"),
    path("training/sites/<int:pk>/edit/", library.site_edit, name="site_edit"),
    path("training/sites/<int:pk>/delete/", library.site_delete, name="site_delete"),
    path("training/travel-times/", library.travel_time_list, name="travel_time_list"),
    path("training/travel-times/<int:pk>/delete/", library.travel_time_delete, name="travel_time_delete"),
    path("training/instructors/", library.instructor_list, name="instructor_list"),
    path("training/instructors/new/", library.instructor_create, name="instructor_create"),
    path("training/instructors/<int:pk>/edit/", library.instructor_edit, name="instructor_edit"),
    path("training/instructors/<int:pk>/delete/", library.instructor_delete, name="instructor_delete"),
    path("training/courses/", library.course_list, name="course_list"),
    path("training/courses/new/", library.course_create, name="course_create"),
    path("training/courses/<int:pk>/edit/", library.course_edit, name="course_edit"),
    path("training/courses/<int:pk>/delete/", library.course_delete, name="course_delete"),
    # Programs (培训班) and their workflow
    path("training/programs/", programs.program_list, name="program_list"),
    path("training/programs/new/", programs.program_create, name="program_create"),
    path("training/programs/<int:pk>/", programs.program_detail, name="program_detail"),
    path("training/programs/<int:pk>/edit/", programs.program_edit, name="program_edit"),
    path("training/programs/<int:pk>/delete/", programs.program_delete, name="program_delete"),
    path("training/programs/<int:pk>/submit/", programs.program_submit, name="program_submit"),
    path("training/programs/<int:pk>/approve/", programs.program_approve, name="program_approve"),
    path("training/programs/<int:pk>/return/", programs.program_return, name="program_return"),
    path("training/programs/<int:pk>/reopen/", programs.program_reopen, name="program_reopen"),
    path("training/programs/<int:pk>/open-enrollment/", programs.program_open_enrollment,
         name="program_open_enrollment"),
    path("training/programs/<int:pk>/start/", programs.program_start, name="program_start"),
    path("training/programs/<int:pk>/close/", programs.program_close, name="program_close"),
    path("training/programs/<int:pk>/archive/", programs.program_archive, name="program_archive"),
    path("training/reviews/<int:pk>/document/", programs.review_document, name="review_document"),
    # Portal drafts from the program's records (notice before, report after)
    path("training/programs/<int:pk>/draft-notice/", portal_drafts.program_notice_draft, name="program_notice_draft"),
    path("training/programs/<int:pk>/draft-report/", portal_drafts.program_report_draft, name="program_report_draft"),
    # Phases (期次) and the class: groups, class committee, temporary party branch
    path("training/programs/<int:pk>/phases/new/", programs.phase_create, name="phase_create"),
    path("training/phases/<int:pk>/", programs.phase_detail, name="phase_detail"),
    path("training/phases/<int:pk>/edit/", programs.phase_edit, name="phase_edit"),
    path("training/phases/<int:pk>/delete/", programs.phase_delete, name="phase_delete"),
    path("training/phases/<int:pk>/groups/new/", programs.group_create, name="group_create"),
    path("training/groups/<int:pk>/edit/", programs.group_edit, name="group_edit"),
    path("training/groups/<int:pk>/delete/", programs.group_delete, name="group_delete"),
    path("training/phases/<int:pk>/committee/new/", programs.committee_appoint, name="committee_appoint"),
    path("training/committee/<int:pk>/delete/", programs.committee_remove, name="committee_remove"),
    path("training/phases/<int:pk>/branch/new/", programs.branch_create, name="branch_create"),
    path("training/phases/<int:pk>/branch/posts/new/", programs.branch_appoint, name="branch_appoint"),
    path("training/branch-posts/<int:pk>/delete/", programs.branch_post_remove, name="branch_post_remove"),
]
