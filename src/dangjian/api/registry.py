"""REST API v1 for the registry: organs, party organizations, people and posts.

Every operation first requires `organizations.view_registry` (roles without registry work get 403).
Then, as on the staff pages: load through a scoped selector (another organ's record is 404), check
the permission on the object, call one service (which checks again, validates with full_clean and
writes the audit trail). Foreign keys come in as `<name>_id` and are looked up among the records the
user may see, so a unit administrator cannot attach anything to another organ's records.

Personal data (ID number, mobile phone) goes out masked unless the request asks `?reveal=true` and
the user may reveal it; each reveal goes through `services.person_reveal`, which audits it. With a
browser session a reveal is a POST (`/people/{id}/reveal`, with the CSRF token): a GET with the session
cookie could be made by another site. With a bearer token `?reveal=true` on a GET is fine.
"""

import datetime
from functools import wraps
from typing import Annotated, Literal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Choices, QuerySet
from django.http import HttpResponse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import AfterValidator, create_model

from dangjian.api.auth import require_deliberate_reveal
from dangjian.api.errors import ProblemDetails
from dangjian.api.inputs import Filters, Input
from dangjian.api.pagination import PageQuery, page_schema, paginate
from dangjian.core.masking import mask_id_number, mask_mobile
from dangjian.core.services import require_perm
from dangjian.organizations import selectors, services
from dangjian.organizations.models import Organ, PartyOrganization, Person, Post

# Helpers ----------------------------------------------------------------------------------------

def _no_null_characters(value: str) -> str:
    # PostgreSQL cannot store NUL in text; Django's form fields refuse it the same way.
    if "\x00" in value:
        raise ValueError(_("Null characters are not allowed."))
    return value


Text = Annotated[str, AfterValidator(_no_null_characters)]

# A record id: the range of the database's bigint keys (a larger number would not reach a query).
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]


def choice_type(choices: type[Choices], *, blank: bool = False):
    """A Literal of a TextChoices' values (plus "" when the field may be blank), so OpenAPI lists them."""
    return Literal[(*choices.values, *([""] if blank else []))]  # type: ignore[valid-type]


def _registry_access(view_func):
    """Applied to every operation of the registry routers: no registry role, no registry data (403)."""

    @wraps(view_func)
    def wrapper(request, *args, **kwargs):
        require_perm(request.user, "organizations.view_registry")
        return view_func(request, *args, **kwargs)

    return wrapper


# The service errors name model fields; the API's input names foreign keys `<name>_id`.
INPUT_NAMES = {
    "organ": "organ_id",
    "parent": "parent_id",
    "person": "person_id",
    "party_organization": "party_organization_id",
}


def _call(service, /, **kwargs):
    """Call a service; a ValidationError comes back naming the fields as the client sent them."""
    try:
        return service(**kwargs)
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            raise
        raise ValidationError(
            {INPUT_NAMES.get(field, field): errors for field, errors in error.error_dict.items()}
        ) from error


def model_fields_of(data: dict, foreign_keys: dict[str, tuple[str, QuerySet]]) -> dict:
    """`data` with each `<name>_id` replaced by its object, found among those the user may use.

    An id that does not exist and an id of another organ's record get the same answer (422 naming
    the field), so the API does not tell which records exist outside the user's organs.
    """
    fields, errors = {}, {}
    for key, value in data.items():
        if key not in foreign_keys:
            fields[key] = value
            continue
        name, queryset = foreign_keys[key]
        if value is None:
            fields[name] = None
            continue
        found = queryset.filter(pk=value).first()
        if found is None:
            errors[key] = _("There is no %(record)s with id %(id)s among those you may use.") % {
                "record": queryset.model._meta.verbose_name, "id": value,
            }
        else:
            fields[name] = found
    if errors:
        raise ValidationError(errors)
    return fields


class Conflict(Exception):
    """A write the current state of the data refuses (409); api/urls.py renders it as a problem."""

    def __init__(self, title: str, detail: str = ""):
        super().__init__(title)
        self.title = title
        self.detail = detail


def _delete(delete, **kwargs):
    """Call a delete service; a record others still refer to is a conflict (409), not bad input."""
    try:
        delete(**kwargs)
    except ValidationError as error:
        raise Conflict(_("This record cannot be deleted."), " ".join(error.messages)) from error
    return Status(204, None)


# Declared for the reader; ProblemDetailsAPI documents every error status of every operation.
Problem = ProblemDetails
ERRORS = {401: Problem, 403: Problem, 404: Problem, 422: Problem}


def no_default(schema: dict) -> None:
    schema.pop("default", None)


def _partial(schema: type[Input]) -> type[Input]:
    """The PATCH form of an input schema: no field required, only the fields sent are changed.

    A field keeps its type, so `null` is refused where the model has no empty value for it.
    """
    fields = {
        name: (
            Annotated[info.annotation, *info.metadata] if info.metadata else info.annotation,
            Field(None, description=info.description, json_schema_extra=no_default),
        )
        for name, info in schema.model_fields.items()
    }
    return create_model(schema.__name__.removesuffix("In") + "Patch", __base__=Input, **fields)


def _changes(payload: Schema) -> dict:
    return payload.model_dump(exclude_unset=True)


# Schemas ----------------------------------------------------------------------------------------


class OrganRef(Schema):
    id: int
    code: str
    name_zh: str


class OrganOut(Schema):
    id: int
    code: str
    name_zh: str
    name_en: str
    sector: choice_type(Organ.Sector)
    parent_id: int | None
    sort_order: int | None = Field(..., description="Place in the official list of organs (lists follow it).")


class OrganIn(Input):
    code: Text
    name_zh: Text
    name_en: Text = ""
    sector: choice_type(Organ.Sector)
    parent_id: Id | None = Field(None, description="Id of the parent organ.")
    sort_order: int | None = Field(None, ge=1, le=2**31 - 1, description=(
        "Place in the official list of organs (1 comes first); empty: after the numbered organs, by name."))


OrganPatch = _partial(OrganIn)


class OrganFilters(Filters):
    sector: choice_type(Organ.Sector) | None = None
    q: Text = Field("", description="Part of the Chinese or English name, or of the code.")


class PartyOrganizationOut(Schema):
    id: int
    organ: OrganRef
    name: str
    org_type: choice_type(PartyOrganization.Type)
    parent_id: int | None
    founded_on: datetime.date | None
    term_started_on: datetime.date | None
    term_years: int | None
    effective_term_years: int
    term_ends_on: datetime.date | None
    term_status: Literal["overdue", "due", "ok", "unknown"]
    member_count: int

    @staticmethod
    def resolve_term_status(obj) -> str:
        return obj.term_status()


class PartyOrganizationIn(Input):
    organ_id: Id
    name: Text
    org_type: choice_type(PartyOrganization.Type)
    parent_id: Id | None = Field(None, description="Id of the parent party organization.")
    founded_on: datetime.date | None = None
    term_started_on: datetime.date | None = None
    term_years: int | None = Field(
        None, ge=0, le=32767, description="Empty for the default of the organization type."
    )
    member_count: int = Field(0, ge=0, le=2**31 - 1)


PartyOrganizationPatch = _partial(PartyOrganizationIn)


class PartyOrganizationFilters(Filters):
    organ: Id | None = Field(None, description="Organ id.")
    type: choice_type(PartyOrganization.Type) | None = None


class PostBrief(Schema):
    id: int
    party_organization_id: int
    party_organization_name: str
    role: choice_type(Post.Role)
    portfolio: choice_type(Post.Portfolio, blank=True)
    started_on: datetime.date
    ended_on: datetime.date | None

    @staticmethod
    def resolve_party_organization_name(obj) -> str:
        return obj.party_organization.name


class PersonOut(Schema):
    id: int
    name: str
    gender: choice_type(Person.Gender, blank=True)
    birth_date: datetime.date | None
    ethnicity: str
    party_joined_on: datetime.date | None
    id_number: str = Field(..., description="Masked unless revealed (`?reveal=true`, audited).")
    mobile: str = Field(..., description="Masked unless revealed (`?reveal=true`, audited).")
    revealed: bool = Field(..., description="True when id_number and mobile are shown in full.")
    education: choice_type(Person.Education, blank=True)
    position: str
    rank_level: choice_type(Person.RankLevel, blank=True)
    organ: OrganRef
    first_secretary_on: datetime.date | None = Field(..., description="Start of the first secretary post.")
    current_posts: list[PostBrief]

    # Masked unless the handler put the revealed values on the object: forgetting fails closed.
    @staticmethod
    def resolve_id_number(obj) -> str:
        revealed = getattr(obj, "revealed", None)
        return revealed["id_number"] if revealed else mask_id_number(obj.id_number)

    @staticmethod
    def resolve_mobile(obj) -> str:
        revealed = getattr(obj, "revealed", None)
        return revealed["mobile"] if revealed else mask_mobile(obj.mobile)

    @staticmethod
    def resolve_revealed(obj) -> bool:
        return bool(getattr(obj, "revealed", None))


class PersonIn(Input):
    name: Text
    id_number: Text = Field(..., description="18 characters, checked against the GB 11643 check digit.")
    organ_id: Id
    gender: choice_type(Person.Gender, blank=True) = Field("", description="Taken from the ID number when empty.")
    birth_date: datetime.date | None = Field(None, description="Taken from the ID number when empty.")
    ethnicity: Text = "汉族"
    party_joined_on: datetime.date | None = None
    mobile: Text = ""
    education: choice_type(Person.Education, blank=True) = ""
    position: Text = ""
    rank_level: choice_type(Person.RankLevel, blank=True) = ""


PersonPatch = _partial(PersonIn)


class PeopleFilters(Filters):
    q: Text = Field("", description="The beginning of the name (two characters are enough, 王伟 finds 王伟 and "
                                    "王伟东) or of the position; or an ID number: its first six digits, or all 18.")
    organ: Id | None = Field(None, description="Organ id.")
    role: choice_type(Post.Role) | None = Field(None, description="Role of a current post.")
    newly_appointed_since: datetime.date | None = Field(
        None, description="First secretary post started on or after this date."
    )
    sort: Literal[tuple(selectors.PEOPLE_SORTS)] = "name"  # type: ignore[valid-type]


class Reveal(Schema):
    reveal: bool = Field(False, description="Show ID number and mobile in full (needs permission; audited). "
                                            "Only with a bearer token: a browser session gets 403 and reveals "
                                            "by POST /people/{id}/reveal.")


class PostOut(Schema):
    id: int
    person_id: int
    person_name: str
    party_organization_id: int
    party_organization_name: str
    role: choice_type(Post.Role)
    portfolio: choice_type(Post.Portfolio, blank=True)
    started_on: datetime.date
    ended_on: datetime.date | None
    method: choice_type(Post.Method)
    approval_reference: str
    is_current: bool

    @staticmethod
    def resolve_person_name(obj) -> str:
        return obj.person.name

    @staticmethod
    def resolve_party_organization_name(obj) -> str:
        return obj.party_organization.name


class PostIn(Input):
    person_id: Id
    party_organization_id: Id
    role: choice_type(Post.Role)
    portfolio: choice_type(Post.Portfolio, blank=True) = Field("", description="Only for a committee member.")
    started_on: datetime.date
    ended_on: datetime.date | None = Field(None, description="Empty while the post runs.")
    method: choice_type(Post.Method) = Post.Method.ELECTED.value
    approval_reference: Text = ""


PostPatch = _partial(PostIn)


class PostFilters(Filters):
    person: Id | None = Field(None, description="Person id.")
    party_organization: Id | None = Field(None, description="Party organization id.")
    role: choice_type(Post.Role) | None = None
    current: bool | None = Field(None, description="true: running today; false: ended or not yet started.")


# Routers ----------------------------------------------------------------------------------------

router = Router()
router.add_decorator(_registry_access)
organs = Router(tags=["organs"])
party_organizations = Router(tags=["party organizations"])
people = Router(tags=["people"])
posts = Router(tags=["posts"])


# Organs (单位): the working committee's list; only organizers change it.

def _organ_foreign_keys(user) -> dict:
    return {"parent_id": ("parent", Organ.objects.visible_to(user))}


@organs.get("", response={200: page_schema(OrganOut), **ERRORS}, summary="List organs")
def organ_list(request, filters: Query[OrganFilters], page: Query[PageQuery]):
    return paginate(selectors.organ_list(user=request.user, sector=filters.sector or "", q=filters.q), page)


@organs.get("/{organ_id}", response={200: OrganOut, **ERRORS}, summary="Get an organ")
def organ_detail(request, organ_id: Id):
    organ = selectors.organ_get(user=request.user, pk=organ_id)
    require_perm(request.user, "organizations.view_organ", organ)
    return organ


@organs.post("", response={201: OrganOut, **ERRORS}, summary="Create an organ")
def organ_create(request, payload: OrganIn):
    require_perm(request.user, "organizations.add_organ")
    fields = model_fields_of(payload.model_dump(), _organ_foreign_keys(request.user))
    return Status(201, _call(services.organ_create, by=request.user, **fields))


@organs.patch("/{organ_id}", response={200: OrganOut, **ERRORS}, summary="Change an organ")
def organ_update(request, organ_id: Id, payload: OrganPatch):
    organ = selectors.organ_get(user=request.user, pk=organ_id)
    require_perm(request.user, "organizations.change_organ", organ)
    fields = model_fields_of(_changes(payload), _organ_foreign_keys(request.user))
    return _call(services.organ_update, organ=organ, by=request.user, **fields)


@organs.delete("/{organ_id}", response={204: None, 409: Problem, **ERRORS}, summary="Delete an organ")
def organ_delete(request, organ_id: Id):
    organ = selectors.organ_get(user=request.user, pk=organ_id)
    require_perm(request.user, "organizations.delete_organ", organ)
    return _delete(services.organ_delete, organ=organ, by=request.user)


# Party organizations (党组织).

def _party_organization_foreign_keys(user) -> dict:
    return {
        "organ_id": ("organ", Organ.objects.visible_to(user)),
        "parent_id": ("parent", PartyOrganization.objects.visible_to(user)),
    }


@party_organizations.get("", response={200: page_schema(PartyOrganizationOut), **ERRORS},
                         summary="List party organizations")
def party_organization_list(request, filters: Query[PartyOrganizationFilters], page: Query[PageQuery]):
    organ = None
    if filters.organ is not None:
        organ = Organ.objects.visible_to(request.user).filter(pk=filters.organ).first()
        if organ is None:  # not one of the user's organs: nothing to list
            return paginate(PartyOrganization.unscoped.none(), page)
    orgs = selectors.party_organization_list(user=request.user, organ=organ, org_type=filters.type or "")
    return paginate(orgs, page)


@party_organizations.get("/{party_organization_id}", response={200: PartyOrganizationOut, **ERRORS},
                         summary="Get a party organization")
def party_organization_detail(request, party_organization_id: Id):
    org = selectors.party_organization_get(user=request.user, pk=party_organization_id)
    require_perm(request.user, "organizations.view_partyorganization", org)
    return org


@party_organizations.post("", response={201: PartyOrganizationOut, **ERRORS},
                          summary="Create a party organization")
def party_organization_create(request, payload: PartyOrganizationIn):
    fields = model_fields_of(payload.model_dump(), _party_organization_foreign_keys(request.user))
    return Status(201, _call(services.party_organization_create, by=request.user, **fields))


@party_organizations.patch("/{party_organization_id}", response={200: PartyOrganizationOut, **ERRORS},
                           summary="Change a party organization")
def party_organization_update(request, party_organization_id: Id, payload: PartyOrganizationPatch):
    org = selectors.party_organization_get(user=request.user, pk=party_organization_id)
    require_perm(request.user, "organizations.change_partyorganization", org)
    fields = model_fields_of(_changes(payload), _party_organization_foreign_keys(request.user))
    return _call(services.party_organization_update, party_organization=org, by=request.user, **fields)


@party_organizations.delete("/{party_organization_id}", response={204: None, 409: Problem, **ERRORS},
                            summary="Delete a party organization")
def party_organization_delete(request, party_organization_id: Id):
    org = selectors.party_organization_get(user=request.user, pk=party_organization_id)
    require_perm(request.user, "organizations.delete_partyorganization", org)
    return _delete(services.party_organization_delete, party_organization=org, by=request.user)


# People (人员).

def _person_foreign_keys(user) -> dict:
    return {"organ_id": ("organ", Organ.objects.visible_to(user))}


def _with_posts(person: Person) -> Person:
    """Give a single person what the list selector prefetches: the current posts."""
    all_posts = list(selectors.person_posts(person=person))
    person.current_posts = sorted((post for post in all_posts if post.is_current),
                                  key=lambda post: (post.role, post.started_on))
    return person


def _reveal(request, response: HttpResponse, shown: list[Person]) -> None:
    """Reveal the personal data of every person shown, or of none (403) if one is not allowed."""
    require_deliberate_reveal(request)
    for person in shown:
        require_perm(request.user, "organizations.reveal_person", person)
    with transaction.atomic():
        for person in shown:
            person.revealed = services.person_reveal(person=person, by=request.user)
    patch_cache_control(response, private=True, no_store=True)


@people.get("", response={200: page_schema(PersonOut), **ERRORS}, summary="List people")
def person_list(request, response: HttpResponse, filters: Query[PeopleFilters], options: Query[Reveal],
                page: Query[PageQuery]):
    if options.reveal:
        require_deliberate_reveal(request)
    found = selectors.people_list(
        user=request.user, q=filters.q, organ_id=filters.organ, role=filters.role or "",
        newly_appointed_since=filters.newly_appointed_since, sort=filters.sort,
    )
    result = paginate(found, page)
    if options.reveal:
        _reveal(request, response, result["items"])
    return result


@people.get("/{person_id}", response={200: PersonOut, **ERRORS}, summary="Get a person")
def person_detail(request, response: HttpResponse, person_id: Id, options: Query[Reveal]):
    person = selectors.person_get(user=request.user, pk=person_id)
    require_perm(request.user, "organizations.view_person", person)
    if options.reveal:
        _reveal(request, response, [person])
    return _with_posts(person)


@people.post("/{person_id}/reveal", response={200: PersonOut, **ERRORS},
             summary="Get a person with the ID number and mobile phone in full")
def person_reveal(request, response: HttpResponse, person_id: Id):
    """Needs the right to reveal personal data; audited. The way to reveal with a browser session (CSRF token)."""
    person = selectors.person_get(user=request.user, pk=person_id)
    require_perm(request.user, "organizations.view_person", person)
    _reveal(request, response, [person])
    return _with_posts(person)


@people.post("", response={201: PersonOut, **ERRORS}, summary="Create a person")
def person_create(request, payload: PersonIn):
    fields = model_fields_of(payload.model_dump(), _person_foreign_keys(request.user))
    return Status(201, _with_posts(_call(services.person_create, by=request.user, **fields)))


@people.patch("/{person_id}", response={200: PersonOut, **ERRORS}, summary="Change a person")
def person_update(request, person_id: Id, payload: PersonPatch):
    person = selectors.person_get(user=request.user, pk=person_id)
    require_perm(request.user, "organizations.change_person", person)
    fields = model_fields_of(_changes(payload), _person_foreign_keys(request.user))
    return _with_posts(_call(services.person_update, person=person, by=request.user, **fields))


@people.delete("/{person_id}", response={204: None, 409: Problem, **ERRORS}, summary="Delete a person")
def person_delete(request, person_id: Id):
    person = selectors.person_get(user=request.user, pk=person_id)
    require_perm(request.user, "organizations.delete_person", person)
    return _delete(services.person_delete, person=person, by=request.user)


# Posts (任职).

def _post_foreign_keys(user) -> dict:
    return {
        "person_id": ("person", Person.objects.visible_to(user)),
        "party_organization_id": ("party_organization", PartyOrganization.objects.visible_to(user)),
    }


@posts.get("", response={200: page_schema(PostOut), **ERRORS}, summary="List posts")
def post_list(request, filters: Query[PostFilters], page: Query[PageQuery]):
    found = selectors.post_list(
        user=request.user, person_id=filters.person, party_organization_id=filters.party_organization,
        role=filters.role or "", current=filters.current,
    )
    return paginate(found, page)


@posts.get("/{post_id}", response={200: PostOut, **ERRORS}, summary="Get a post")
def post_detail(request, post_id: Id):
    post = selectors.post_get(user=request.user, pk=post_id)
    require_perm(request.user, "organizations.view_post", post.person)
    return post


@posts.post("", response={201: PostOut, **ERRORS}, summary="Create a post")
def post_create(request, payload: PostIn):
    fields = model_fields_of(payload.model_dump(), _post_foreign_keys(request.user))
    return Status(201, _call(services.post_create, by=request.user, **fields))


@posts.patch("/{post_id}", response={200: PostOut, **ERRORS}, summary="Change or end a post")
def post_update(request, post_id: Id, payload: PostPatch):
    post = selectors.post_get(user=request.user, pk=post_id)
    require_perm(request.user, "organizations.change_post", post.person)
    fields = model_fields_of(_changes(payload), _post_foreign_keys(request.user))
    return _call(services.post_update, post=post, by=request.user, **fields)


@posts.delete("/{post_id}", response={204: None, **ERRORS}, summary="Delete a post")
def post_delete(request, post_id: Id):
    post = selectors.post_get(user=request.user, pk=post_id)
    require_perm(request.user, "organizations.delete_post", post.person)
    services.post_delete(post=post, by=request.user)
    return Status(204, None)


router.add_router("/organs", organs)
router.add_router("/party-organizations", party_organizations)
router.add_router("/people", people)
router.add_router("/posts", posts)
