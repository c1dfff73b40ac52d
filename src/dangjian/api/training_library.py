"""REST API v1 for the training library: venues and their classrooms, red-education sites, travel
times, instructors and the course catalog; and the helpers the training API shares.

Every operation first requires `training.view_library` (organizers and college staff; other roles
get 403). Writes go through services.library_create / library_update / library_delete, which require
`training.change_library` (organizers). Foreign keys come in as `<name>_id`, many-to-many fields as
lists of ids (`staff`, `sites`, `instructors`); an unknown id is a 422 naming the field. A delete
that other records still refer to is a 409.
"""

import datetime
from decimal import Decimal
from functools import wraps
from typing import Annotated

import rules
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import AfterValidator, create_model

from dangjian.accounts.roles import Role
from dangjian.api.inputs import Filters, Input
from dangjian.api.pagination import PageQuery, page_schema, paginate
from dangjian.api.registry import ERRORS, Conflict, Id, Problem, Text, choice_type, model_fields_of, no_default
from dangjian.core.masking import mask_mobile
from dangjian.core.services import require_perm
from dangjian.organizations.models import Person
from dangjian.training import selectors, services
from dangjian.training.models import Classroom, Course, Instructor, Site, TeachingForm, TravelTime, Venue

# Shared helpers (also used by api/training.py) ---------------------------------------------------

WRITE_ERRORS = {**ERRORS, 409: Problem}


def _local(value: datetime.datetime) -> datetime.datetime:
    """Times without an offset are in the project's time zone; every time goes out in it."""
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return timezone.localtime(value)


LocalDateTime = Annotated[datetime.datetime, AfterValidator(_local)]


# Hours credited: half hours and the like, exact (the model keeps one decimal place).
Hours = Annotated[Decimal, Field(ge=0, le=24, max_digits=4, decimal_places=1)]


def gate(perm: str):
    """A router decorator: every operation first requires `perm` (a role-level question), else 403."""

    def decorator(view_func):
        @wraps(view_func)
        def wrapper(request, *args, **kwargs):
            require_perm(request.user, perm)
            return view_func(request, *args, **kwargs)

        return wrapper

    return decorator


# The services' errors name model fields; the API's input names foreign keys `<name>_id`.
INPUT_NAMES = {
    name: f"{name}_id"
    for name in ("parent", "venue", "person", "user", "organizer", "program", "phase", "course", "classroom",
                 "group", "head_teacher", "leader", "deputy_leader", "from_venue", "from_site", "to_venue",
                 "to_site", "party_organization")
}


def call(service, /, **kwargs):
    """Call a service; a ValidationError comes back naming the fields as the client sent them."""
    try:
        return service(**kwargs)
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            raise
        raise ValidationError(
            {INPUT_NAMES.get(field, field): errors for field, errors in error.error_dict.items()}
        ) from error


def delete(service, **kwargs):
    """Call a delete service; a refusal (records still refer to it, or its state forbids it) is a 409."""
    try:
        service(**kwargs)
    except ValidationError as error:
        raise Conflict(_("This record cannot be deleted."), " ".join(error.messages)) from error
    return Status(204, None)


def related_lists(data: dict, lists: dict[str, QuerySet]) -> tuple[dict, dict]:
    """Split `data` into plain fields and many-to-many lists; each list of ids becomes its objects, in
    the order given. An unknown or repeated id is a 422 naming the field; nothing is written."""
    fields, found, errors = {}, {}, {}
    for key, value in data.items():
        if key not in lists:
            fields[key] = value
            continue
        if value is None:
            errors[key] = _("Give a list, empty for none.")
            continue
        if len(set(value)) != len(value):
            errors[key] = _("Each id may be given only once.")
            continue
        objects = lists[key].in_bulk(value)
        missing = [str(pk) for pk in value if pk not in objects]
        if missing:
            errors[key] = _("There is no %(record)s with id %(id)s among those you may use.") % {
                "record": lists[key].model._meta.verbose_name, "id": ", ".join(missing)}
            continue
        found[key] = [objects[pk] for pk in value]
    if errors:
        raise ValidationError(errors)
    return fields, found


class Ref(Schema):
    id: int
    name: str


# Schemas ------------------------------------------------------------------------------------------


class VenueRef(Schema):
    id: int
    code: str
    name_zh: str
    name_en: str


class VenueOut(Schema):
    id: int
    code: str
    name_zh: str
    name_en: str
    kind: choice_type(Venue.Kind)
    parent_id: int | None
    province: str
    city: str
    county: str
    address: str
    note: str
    classroom_total: int
    staff: list[int] = Field(..., description="Ids of the college staff who manage the programs held here.")

    @staticmethod
    def resolve_classroom_total(obj) -> int:
        total = getattr(obj, "classroom_total", None)
        return obj.classrooms.count() if total is None else total

    @staticmethod
    def resolve_staff(obj) -> list[int]:
        return [user.pk for user in obj.staff.all()]


class VenueIn(Input):
    code: Text
    name_zh: Text
    name_en: Text = ""
    kind: choice_type(Venue.Kind) = Venue.Kind.COLLEGE.value
    parent_id: Id | None = Field(None, description="Id of the college this department belongs to.")
    province: Text = ""
    city: Text = ""
    county: Text = ""
    address: Text = ""
    note: Text = ""
    staff: list[Id] = Field([], description="Ids of users holding the college staff role.")


class ClassroomOut(Schema):
    id: int
    venue_id: int
    name: str
    name_en: str
    capacity: int


class ClassroomIn(Input):
    name: Text
    name_en: Text = ""
    capacity: int = Field(..., ge=1, le=5000)


class SiteOut(Schema):
    id: int
    code: str
    name_zh: str
    name_en: str
    county: str
    region: choice_type(Site.Region)
    theme: str
    typical_use: str


class SiteIn(Input):
    code: Text
    name_zh: Text
    name_en: Text = ""
    county: Text = ""
    region: choice_type(Site.Region) = Site.Region.OTHER.value
    theme: Text = ""
    typical_use: Text = ""


class SiteFilters(Filters):
    region: choice_type(Site.Region) | None = None
    q: Text = Field("", description="Part of the Chinese name.")


class TravelTimeOut(Schema):
    id: int
    from_venue_id: int | None
    from_site_id: int | None
    to_venue_id: int | None
    to_site_id: int | None
    origin: str
    destination: str
    minutes: int

    @staticmethod
    def resolve_origin(obj) -> str:
        return str(obj.origin)

    @staticmethod
    def resolve_destination(obj) -> str:
        return str(obj.destination)


class TravelTimeIn(Input):
    """Exactly one venue or site at each end; the time counts in both directions."""

    from_venue_id: Id | None = None
    from_site_id: Id | None = None
    to_venue_id: Id | None = None
    to_site_id: Id | None = None
    minutes: int = Field(..., ge=1, le=1440)


class TravelTimeFilters(Filters):
    venue: Id | None = Field(None, description="Venue id at either end.")
    site: Id | None = Field(None, description="Site id at either end.")


class InstructorOut(Schema):
    id: int
    name: str
    kind: choice_type(Instructor.Kind)
    title: str
    organization: str
    venue_id: int | None
    person_id: int | None
    user_id: int | None
    phone: str = Field(..., description="Masked unless the caller keeps the library (organizers).")
    bio: str

    @staticmethod
    def resolve_phone(obj, context) -> str:
        user = context["request"].user
        # The rule itself, not user.has_perm: no model-permission queries for a list.
        if user.is_superuser or rules.has_perm("training.change_library", user):
            return obj.phone
        return mask_mobile(obj.phone)


class InstructorIn(Input):
    name: Text
    kind: choice_type(Instructor.Kind) = Instructor.Kind.INTERNAL.value
    title: Text = ""
    organization: Text = ""
    venue_id: Id | None = Field(None, description="The college the instructor belongs to.")
    person_id: Id | None = Field(None, description="The instructor's record in the registry.")
    user_id: Id | None = Field(None, description="A login holding the instructor role: they see their sessions.")
    phone: Text = ""
    bio: Text = ""


class NameFilter(Filters):
    q: Text = Field("", description="Part of the name.")


class CourseOut(Schema):
    id: int
    code: str
    form: choice_type(TeachingForm)
    title_zh: str
    title_en: str
    default_hours: float
    sites: list[int]
    instructors: list[int]
    active: bool

    @staticmethod
    def resolve_sites(obj) -> list[int]:
        return [site.pk for site in obj.sites.all()]

    @staticmethod
    def resolve_instructors(obj) -> list[int]:
        return [instructor.pk for instructor in obj.instructors.all()]


class CourseIn(Input):
    code: Text
    form: choice_type(TeachingForm)
    title_zh: Text
    title_en: Text = ""
    default_hours: Hours = Decimal("0")
    sites: list[Id] = Field([], description="Ids of the red-education sites where it is taught.")
    instructors: list[Id] = Field([], description="Ids of the usual instructors.")
    active: bool = True


class CourseFilters(Filters):
    form: choice_type(TeachingForm) | None = None
    q: Text = Field("", description="Part of the Chinese title.")
    active: bool | None = Field(None, description="Only courses in use (true) or retired (false); all if absent.")


def partial(schema: type[Input], name: str) -> type[Input]:
    """The PATCH form of an input schema: no field required, only the fields sent are changed."""
    fields = {
        field: (
            Annotated[info.annotation, *info.metadata] if info.metadata else info.annotation,
            Field(None, description=info.description, json_schema_extra=no_default),
        )
        for field, info in schema.model_fields.items()
    }
    return create_model(name, __base__=Input, **fields)


VenuePatch = partial(VenueIn, "VenuePatch")
ClassroomPatch = partial(ClassroomIn, "ClassroomPatch")
SitePatch = partial(SiteIn, "SitePatch")
TravelTimePatch = partial(TravelTimeIn, "TravelTimePatch")
InstructorPatch = partial(InstructorIn, "InstructorPatch")
CoursePatch = partial(CourseIn, "CoursePatch")


def _changes(payload: Schema) -> dict:
    return payload.model_dump(exclude_unset=True)


# Routers ------------------------------------------------------------------------------------------

router = Router()
router.add_decorator(gate("training.view_library"))
venues = Router()
sites = Router()
travel_times = Router()
instructors = Router()
courses = Router()


def _create(model, user, payload: Schema, foreign_keys: dict, lists: dict, **extra):
    fields, m2m = related_lists(model_fields_of(payload.model_dump(), foreign_keys), lists)
    return Status(201, call(services.library_create, model=model, by=user, m2m=m2m, **fields, **extra))


def _update(instance, user, payload: Schema, foreign_keys: dict, lists: dict):
    fields, m2m = related_lists(model_fields_of(_changes(payload), foreign_keys), lists)
    return call(services.library_update, instance=instance, by=user, m2m=m2m, **fields)


# Venues (培训场所) and their classrooms.

def _venues() -> QuerySet[Venue]:
    return selectors.venue_list().prefetch_related(Prefetch("staff", queryset=get_user_model().objects.only("pk")))


VENUE_KEYS = {"parent_id": ("parent", Venue.objects.all())}


def _venue_staff() -> dict:
    users = get_user_model().objects.filter(is_active=True, groups__name=Role.COLLEGE_STAFF)
    return {"staff": users}


@venues.get("", response={200: page_schema(VenueOut), **ERRORS}, summary="List venues")
def venue_list(request, page: Query[PageQuery]):
    return paginate(_venues(), page)


@venues.get("/{venue_id}", response={200: VenueOut, **ERRORS}, summary="Get a venue")
def venue_detail(request, venue_id: Id):
    return get_object_or_404(_venues(), pk=venue_id)


@venues.post("", response={201: VenueOut, **ERRORS}, summary="Create a venue")
def venue_create(request, payload: VenueIn):
    require_perm(request.user, "training.change_library")
    return _create(Venue, request.user, payload, VENUE_KEYS, _venue_staff())


@venues.patch("/{venue_id}", response={200: VenueOut, **ERRORS}, summary="Change a venue")
def venue_update(request, venue_id: Id, payload: VenuePatch):
    venue = get_object_or_404(Venue, pk=venue_id)
    require_perm(request.user, "training.change_library")
    return _update(venue, request.user, payload, VENUE_KEYS, _venue_staff())


@venues.delete("/{venue_id}", response={204: None, **WRITE_ERRORS}, summary="Delete a venue")
def venue_delete(request, venue_id: Id):
    venue = get_object_or_404(Venue, pk=venue_id)
    return delete(services.library_delete, instance=venue, by=request.user)


@venues.get("/{venue_id}/classrooms", response={200: page_schema(ClassroomOut), **ERRORS},
            summary="List a venue's classrooms")
def classroom_list(request, venue_id: Id, page: Query[PageQuery]):
    venue = get_object_or_404(Venue, pk=venue_id)
    return paginate(venue.classrooms.order_by("name", "id"), page)


@venues.get("/{venue_id}/classrooms/{classroom_id}", response={200: ClassroomOut, **ERRORS},
            summary="Get a classroom")
def classroom_detail(request, venue_id: Id, classroom_id: Id):
    return get_object_or_404(Classroom, venue_id=venue_id, pk=classroom_id)


@venues.post("/{venue_id}/classrooms", response={201: ClassroomOut, **ERRORS}, summary="Add a classroom")
def classroom_create(request, venue_id: Id, payload: ClassroomIn):
    venue = get_object_or_404(Venue, pk=venue_id)
    require_perm(request.user, "training.change_library")
    return _create(Classroom, request.user, payload, {}, {}, venue=venue)


@venues.patch("/{venue_id}/classrooms/{classroom_id}", response={200: ClassroomOut, **ERRORS},
              summary="Change a classroom")
def classroom_update(request, venue_id: Id, classroom_id: Id, payload: ClassroomPatch):
    classroom = get_object_or_404(Classroom, venue_id=venue_id, pk=classroom_id)
    require_perm(request.user, "training.change_library")
    return _update(classroom, request.user, payload, {}, {})


@venues.delete("/{venue_id}/classrooms/{classroom_id}", response={204: None, **WRITE_ERRORS},
               summary="Delete a classroom")
def classroom_delete(request, venue_id: Id, classroom_id: Id):
    classroom = get_object_or_404(Classroom, venue_id=venue_id, pk=classroom_id)
    return delete(services.library_delete, instance=classroom, by=request.user)


# Red-education sites (红色教育基地).

@sites.get("", response={200: page_schema(SiteOut), **ERRORS}, summary="List red-education sites")
def site_list(request, filters: Query[SiteFilters], page: Query[PageQuery]):
    return paginate(selectors.site_list(region=filters.region or "", q=filters.q), page)


@sites.get("/{site_id}", response={200: SiteOut, **ERRORS}, summary="Get a red-education site")
def site_detail(request, site_id: Id):
    return get_object_or_404(Site, pk=site_id)


@sites.post("", response={201: SiteOut, **ERRORS}, summary="Create a red-education site")
def site_create(request, payload: SiteIn):
    require_perm(request.user, "training.change_library")
    return _create(Site, request.user, payload, {}, {})


@sites.patch("/{site_id}", response={200: SiteOut, **ERRORS}, summary="Change a red-education site")
def site_update(request, site_id: Id, payload: SitePatch):
    site = get_object_or_404(Site, pk=site_id)
    require_perm(request.user, "training.change_library")
    return _update(site, request.user, payload, {}, {})


@sites.delete("/{site_id}", response={204: None, **WRITE_ERRORS}, summary="Delete a red-education site")
def site_delete(request, site_id: Id):
    site = get_object_or_404(Site, pk=site_id)
    return delete(services.library_delete, instance=site, by=request.user)


# Travel times (行程时间) between venues and sites.

def _travel_times() -> QuerySet[TravelTime]:
    return TravelTime.objects.select_related("from_venue", "from_site", "to_venue", "to_site").order_by("id")


TRAVEL_KEYS = {
    "from_venue_id": ("from_venue", Venue.objects.all()),
    "from_site_id": ("from_site", Site.objects.all()),
    "to_venue_id": ("to_venue", Venue.objects.all()),
    "to_site_id": ("to_site", Site.objects.all()),
}


@travel_times.get("", response={200: page_schema(TravelTimeOut), **ERRORS}, summary="List travel times")
def travel_time_list(request, filters: Query[TravelTimeFilters], page: Query[PageQuery]):
    qs = _travel_times()
    if filters.venue:
        qs = qs.filter(Q(from_venue_id=filters.venue) | Q(to_venue_id=filters.venue))
    if filters.site:
        qs = qs.filter(Q(from_site_id=filters.site) | Q(to_site_id=filters.site))
    return paginate(qs, page)


@travel_times.get("/{travel_time_id}", response={200: TravelTimeOut, **ERRORS}, summary="Get a travel time")
def travel_time_detail(request, travel_time_id: Id):
    return get_object_or_404(_travel_times(), pk=travel_time_id)


@travel_times.post("", response={201: TravelTimeOut, **ERRORS}, summary="Record a travel time")
def travel_time_create(request, payload: TravelTimeIn):
    require_perm(request.user, "training.change_library")
    return _create(TravelTime, request.user, payload, TRAVEL_KEYS, {})


@travel_times.patch("/{travel_time_id}", response={200: TravelTimeOut, **ERRORS}, summary="Change a travel time")
def travel_time_update(request, travel_time_id: Id, payload: TravelTimePatch):
    travel_time = get_object_or_404(_travel_times(), pk=travel_time_id)
    require_perm(request.user, "training.change_library")
    return _update(travel_time, request.user, payload, TRAVEL_KEYS, {})


@travel_times.delete("/{travel_time_id}", response={204: None, **WRITE_ERRORS}, summary="Delete a travel time")
def travel_time_delete(request, travel_time_id: Id):
    travel_time = get_object_or_404(TravelTime, pk=travel_time_id)
    return delete(services.library_delete, instance=travel_time, by=request.user)


# Instructors (授课教师).

def _instructor_keys(user) -> dict:
    logins = get_user_model().objects.filter(is_active=True, groups__name=Role.INSTRUCTOR)
    return {
        "venue_id": ("venue", Venue.objects.all()),
        "person_id": ("person", Person.objects.visible_to(user)),
        "user_id": ("user", logins),
    }


@instructors.get("", response={200: page_schema(InstructorOut), **ERRORS}, summary="List instructors")
def instructor_list(request, filters: Query[NameFilter], page: Query[PageQuery]):
    return paginate(selectors.instructor_list(q=filters.q), page)


@instructors.get("/{instructor_id}", response={200: InstructorOut, **ERRORS}, summary="Get an instructor")
def instructor_detail(request, instructor_id: Id):
    return get_object_or_404(selectors.instructor_list(), pk=instructor_id)


@instructors.post("", response={201: InstructorOut, **ERRORS}, summary="Create an instructor")
def instructor_create(request, payload: InstructorIn):
    require_perm(request.user, "training.change_library")
    return _create(Instructor, request.user, payload, _instructor_keys(request.user), {})


@instructors.patch("/{instructor_id}", response={200: InstructorOut, **ERRORS}, summary="Change an instructor")
def instructor_update(request, instructor_id: Id, payload: InstructorPatch):
    instructor = get_object_or_404(Instructor, pk=instructor_id)
    require_perm(request.user, "training.change_library")
    return _update(instructor, request.user, payload, _instructor_keys(request.user), {})


@instructors.delete("/{instructor_id}", response={204: None, **WRITE_ERRORS}, summary="Delete an instructor")
def instructor_delete(request, instructor_id: Id):
    instructor = get_object_or_404(Instructor, pk=instructor_id)
    return delete(services.library_delete, instance=instructor, by=request.user)


# Course catalog (课程库).

COURSE_LISTS = {"sites": Site.objects.all(), "instructors": Instructor.objects.all()}


@courses.get("", response={200: page_schema(CourseOut), **ERRORS}, summary="List the course catalog")
def course_list(request, filters: Query[CourseFilters], page: Query[PageQuery]):
    return paginate(selectors.course_list(form=filters.form or "", q=filters.q, active=filters.active), page)


@courses.get("/{course_id}", response={200: CourseOut, **ERRORS}, summary="Get a course")
def course_detail(request, course_id: Id):
    return get_object_or_404(selectors.course_list(active=None), pk=course_id)


@courses.post("", response={201: CourseOut, **ERRORS}, summary="Create a course")
def course_create(request, payload: CourseIn):
    require_perm(request.user, "training.change_library")
    return _create(Course, request.user, payload, {}, COURSE_LISTS)


@courses.patch("/{course_id}", response={200: CourseOut, **ERRORS}, summary="Change a course")
def course_update(request, course_id: Id, payload: CoursePatch):
    course = get_object_or_404(Course, pk=course_id)
    require_perm(request.user, "training.change_library")
    return _update(course, request.user, payload, {}, COURSE_LISTS)


@courses.delete("/{course_id}", response={204: None, **WRITE_ERRORS}, summary="Delete a course")
def course_delete(request, course_id: Id):
    course = get_object_or_404(Course, pk=course_id)
    return delete(services.library_delete, instance=course, by=request.user)


router.add_router("/venues", venues, tags=["training library"])
router.add_router("/sites", sites, tags=["training library"])
router.add_router("/travel-times", travel_times, tags=["training library"])
router.add_router("/instructors", instructors, tags=["training library"])
router.add_router("/courses", courses, tags=["training library"])
