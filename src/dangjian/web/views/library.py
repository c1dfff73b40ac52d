"""Staff pages of the training library: venues and their classrooms, red-education sites, travel times,
instructors and the course catalog. Organizers keep the library; college staff read it; others get 403.

Each view checks the permission, loads its records, then calls one service (library_create,
library_update, library_delete).
"""


from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.training import selectors, services
from dangjian.training.models import Classroom, Course, Instructor, Site, TeachingForm, TravelTime, Venue
from dangjian.web.forms_training import (
    ClassroomForm,
    CourseForm,
    InstructorForm,
    SiteForm,
    TravelTimeForm,
    VenueForm,
)
from dangjian.web.views.base import (
    add_service_errors,
    delete_then_redirect,
    form_page,
    paginate,
    permission_required,
    require,
)

ACTIVE = "training_library"  # the menu entry these pages belong to


library_required = permission_required("training.view_library")


@library_required
def library_index(request):
    return render(request, "web/training/library_index.html", {
        "active": ACTIVE,
        "venue_count": Venue.objects.count(),
        "site_count": Site.objects.count(),
        "travel_time_count": TravelTime.objects.count(),
        "instructor_count": Instructor.objects.count(),
        "course_count": Course.objects.count(),
    })


# Venues and classrooms ---------------------------------------------------------------------------

@library_required
def venue_list(request):
    q = request.GET.get("q", "").strip()
    venues = selectors.venue_list()
    if q:
        venues = venues.filter(name_zh__icontains=q)
    return render(request, "web/training/venue_list.html", {
        "active": ACTIVE, "page": paginate(request, venues, per_page=50), "q": q,
    })


def _venue_get(pk) -> Venue:
    return get_object_or_404(Venue.objects.select_related("parent"), pk=pk)


def _venue_page(request, venue: Venue, classroom_form=None, status: int = 200):
    can_change = request.user.has_perm("training.change_library")
    return render(request, "web/training/venue_detail.html", {
        "active": ACTIVE,
        "venue": venue,
        "classrooms": venue.classrooms.order_by("name"),
        "departments": venue.departments.annotate(classroom_total=Count("classrooms")).order_by("code"),
        "staff": venue.staff.order_by("username"),
        "can_change": can_change,
        "classroom_form": classroom_form or (ClassroomForm(prefix="classroom") if can_change else None),
    }, status=status)


@library_required
def venue_detail(request, pk):
    return _venue_page(request, _venue_get(pk))


def _venue_url(venue: Venue) -> str:
    return reverse("venue_detail", args=[venue.pk])


@library_required
def venue_create(request):
    require(request.user, "training.change_library")
    form = VenueForm(request.POST or None)
    return form_page(
        request, form=form,
        save=lambda: services.library_create(model=Venue, by=request.user, m2m=form.m2m_data(),
                                             **form.service_data()),
        context={"active": ACTIVE, "title": _("New venue"), "cancel_url": reverse("venue_list")},
        success=_("The venue was saved."), next_url=_venue_url,
    )


@library_required
def venue_edit(request, pk):
    require(request.user, "training.change_library")
    venue = _venue_get(pk)
    form = VenueForm(request.POST or None, instance=venue)
    return form_page(
        request, form=form,
        save=lambda: services.library_update(instance=venue, by=request.user, m2m=form.m2m_data(),
                                             **form.service_data()),
        context={"active": ACTIVE, "title": _("Edit %(name)s") % {"name": venue}, "cancel_url": _venue_url(venue)},
        success=_("The venue was saved."), next_url=_venue_url,
    )


@library_required
@require_POST
def venue_delete(request, pk):
    require(request.user, "training.change_library")
    venue = _venue_get(pk)
    return delete_then_redirect(request, obj=venue,
                                delete=lambda: services.library_delete(instance=venue, by=request.user),
                                next_url=reverse("venue_list"), back_url=_venue_url(venue))


@library_required
@require_POST
def classroom_create(request, pk):
    """Add a classroom from the venue page; a refused one is shown there with its errors."""
    require(request.user, "training.change_library")
    venue = _venue_get(pk)
    form = ClassroomForm(request.POST, prefix="classroom")
    if form.is_valid():
        try:
            services.library_create(model=Classroom, by=request.user, venue=venue, **form.service_data())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The classroom was saved."))
            return redirect(_venue_url(venue))
    return _venue_page(request, venue, classroom_form=form, status=400)


def _classroom_get(pk) -> Classroom:
    return get_object_or_404(Classroom.objects.select_related("venue"), pk=pk)


@library_required
def classroom_edit(request, pk):
    require(request.user, "training.change_library")
    classroom = _classroom_get(pk)
    form = ClassroomForm(request.POST or None, instance=classroom)
    return form_page(
        request, form=form,
        save=lambda: services.library_update(instance=classroom, by=request.user, **form.service_data()),
        context={"active": ACTIVE, "title": _("Edit %(name)s") % {"name": classroom},
                 "cancel_url": _venue_url(classroom.venue)},
        success=_("The classroom was saved."), next_url=lambda obj: _venue_url(obj.venue),
    )


@library_required
@require_POST
def classroom_delete(request, pk):
    require(request.user, "training.change_library")
    classroom = _classroom_get(pk)
    url = _venue_url(classroom.venue)
    return delete_then_redirect(request, obj=classroom,
                                delete=lambda: services.library_delete(instance=classroom, by=request.user),
                                next_url=url, back_url=url)


# Red-education sites -----------------------------------------------------------------------------

@library_required
def site_list(request):
    region = request.GET.get("region", "")
    if region not in Site.Region.values:
        region = ""
    q = request.GET.get("q", "").strip()
    return render(request, "web/training/site_list.html", {
        "active": ACTIVE, "page": paginate(request, selectors.site_list(region=region, q=q), per_page=50),
        "region": region, "q": q, "regions": Site.Region.choices,
    })


@library_required
def site_create(request):
    require(request.user, "training.change_library")
    form = SiteForm(request.POST or None)
    return form_page(
        request, form=form,
        save=lambda: services.library_create(model=Site, by=request.user, **form.service_data()),
        context={"active": ACTIVE, "title": _("New red-education site"), "cancel_url": reverse("site_list")},
        success=_("The red-education site was saved."), next_url=lambda obj: reverse("site_list"),
    )


@library_required
def site_edit(request, pk):
    require(request.user, "training.change_library")
    site = get_object_or_404(Site, pk=pk)
    form = SiteForm(request.POST or None, instance=site)
    return form_page(
        request, form=form,
        save=lambda: services.library_update(instance=site, by=request.user, **form.service_data()),
        context={"active": ACTIVE, "title": _("Edit %(name)s") % {"name": site}, "cancel_url": reverse("site_list"),
                 "delete_url": reverse("site_delete", args=[site.pk])},
        success=_("The red-education site was saved."), next_url=lambda obj: reverse("site_list"),
    )


@library_required
@require_POST
def site_delete(request, pk):
    require(request.user, "training.change_library")
    site = get_object_or_404(Site, pk=pk)
    return delete_then_redirect(request, obj=site,
                                delete=lambda: services.library_delete(instance=site, by=request.user),
                                next_url=reverse("site_list"), back_url=reverse("site_edit", args=[site.pk]))


# Travel times ------------------------------------------------------------------------------------

def travel_time_list_query():
    return TravelTime.objects.select_related("from_venue", "from_site", "to_venue", "to_site").order_by("id")


@library_required
def travel_time_list(request):
    """The list, and (for organizers) a form to record a travel time between two places."""
    can_change = request.user.has_perm("training.change_library")
    form = None
    if request.method == "POST":
        require(request.user, "training.change_library")
        form = TravelTimeForm(request.POST)
        if form.is_valid():
            try:
                services.library_create(model=TravelTime, by=request.user, **form.service_data())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The travel time was saved."))
                return redirect("travel_time_list")
    elif can_change:
        form = TravelTimeForm()
    return render(request, "web/training/travel_time_list.html", {
        "active": ACTIVE, "page": paginate(request, travel_time_list_query(), per_page=100), "form": form,
        "can_change": can_change,
    }, status=400 if form is not None and form.errors else 200)


@library_required
@require_POST
def travel_time_delete(request, pk):
    require(request.user, "training.change_library")
    travel_time = get_object_or_404(travel_time_list_query(), pk=pk)
    url = reverse("travel_time_list")
    return delete_then_redirect(request, obj=travel_time,
                                delete=lambda: services.library_delete(instance=travel_time, by=request.user),
                                next_url=url, back_url=url)


# Instructors -------------------------------------------------------------------------------------

@library_required
def instructor_list(request):
    q = request.GET.get("q", "").strip()
    return render(request, "web/training/instructor_list.html", {
        "active": ACTIVE, "page": paginate(request, selectors.instructor_list(q=q), per_page=50), "q": q,
    })


def _people_search(request) -> str:
    return request.GET.get("people", "").strip()


@library_required
def instructor_create(request):
    require(request.user, "training.change_library")
    form = InstructorForm(request.POST or None, user=request.user, people_search=_people_search(request))
    return form_page(
        request, form=form,
        save=lambda: services.library_create(model=Instructor, by=request.user, **form.service_data()),
        context={"active": ACTIVE, "title": _("New instructor"), "cancel_url": reverse("instructor_list"),
                 "people_search": True},
        success=_("The instructor was saved."), next_url=lambda obj: reverse("instructor_list"),
    )


@library_required
def instructor_edit(request, pk):
    require(request.user, "training.change_library")
    instructor = get_object_or_404(Instructor.objects.select_related("person__organ", "user"), pk=pk)
    form = InstructorForm(request.POST or None, instance=instructor, user=request.user,
                          people_search=_people_search(request))
    return form_page(
        request, form=form,
        save=lambda: services.library_update(instance=instructor, by=request.user, **form.service_data()),
        context={"active": ACTIVE, "title": _("Edit %(name)s") % {"name": instructor},
                 "cancel_url": reverse("instructor_list"),
                 "delete_url": reverse("instructor_delete", args=[instructor.pk]), "people_search": True},
        success=_("The instructor was saved."), next_url=lambda obj: reverse("instructor_list"),
    )


@library_required
@require_POST
def instructor_delete(request, pk):
    require(request.user, "training.change_library")
    instructor = get_object_or_404(Instructor, pk=pk)
    return delete_then_redirect(request, obj=instructor,
                                delete=lambda: services.library_delete(instance=instructor, by=request.user),
                                next_url=reverse("instructor_list"),
                                back_url=reverse("instructor_edit", args=[instructor.pk]))


# Course catalog ----------------------------------------------------------------------------------

@library_required
def course_list(request):
    form = request.GET.get("form", "")
    if form not in TeachingForm.values:
        form = ""
    q = request.GET.get("q", "").strip()
    courses = selectors.course_list(form=form, q=q, active=None)  # sites, instructors prefetched (model order)
    return render(request, "web/training/course_list.html", {
        "active": ACTIVE, "page": paginate(request, courses, per_page=50), "form_filter": form, "q": q,
        "forms": TeachingForm.choices,
    })


@library_required
def course_create(request):
    require(request.user, "training.change_library")
    form = CourseForm(request.POST or None)
    return form_page(
        request, form=form,
        save=lambda: services.library_create(model=Course, by=request.user, m2m=form.m2m_data(),
                                             **form.service_data()),
        context={"active": ACTIVE, "title": _("New course"), "cancel_url": reverse("course_list")},
        success=_("The course was saved."), next_url=lambda obj: reverse("course_list"),
    )


@library_required
def course_edit(request, pk):
    require(request.user, "training.change_library")
    course = get_object_or_404(Course, pk=pk)
    form = CourseForm(request.POST or None, instance=course)
    return form_page(
        request, form=form,
        save=lambda: services.library_update(instance=course, by=request.user, m2m=form.m2m_data(),
                                             **form.service_data()),
        context={"active": ACTIVE, "title": _("Edit %(name)s") % {"name": course}, "cancel_url": reverse("course_list"),
                 "delete_url": reverse("course_delete", args=[course.pk])},
        success=_("The course was saved."), next_url=lambda obj: reverse("course_list"),
    )


@library_required
@require_POST
def course_delete(request, pk):
    require(request.user, "training.change_library")
    course = get_object_or_404(Course, pk=pk)
    return delete_then_redirect(request, obj=course,
                                delete=lambda: services.library_delete(instance=course, by=request.user),
                                next_url=reverse("course_list"), back_url=reverse("course_edit", args=[course.pk]))
