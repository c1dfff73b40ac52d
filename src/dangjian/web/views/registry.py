"""Staff pages of the registry: organs, party organizations, people and posts.

Each view loads its objects through a scoped selector, checks the permission, then calls one
service. A unit administrator reaching another organ's record gets 404 (it is not in their scope).
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.organizations import selectors, services
from dangjian.organizations.models import Organ, PartyOrganization, Person
from dangjian.web.forms import OrganForm, PartyOrganizationForm, PeopleFilterForm, PersonForm, PostForm
from dangjian.web.views.base import add_service_errors, paginate, private_no_store, require


def registry_staff_required(view):
    """Log in, and hold a registry role: others get 403 before any record is looked up (then a unit
    administrator reaching another organ's record gets 404 from the scoped lookup)."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        require(request.user, "organizations.view_registry")
        return view(request, *args, **kwargs)

    return wrapped


def _form_page(request, *, form, save, template: str, context: dict, success: str):
    """Validate `form`, call `save(cleaned_data)` (a service), redirect to the saved object's page."""
    if request.method == "POST" and form.is_valid():
        try:
            obj = save(form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, success)
            return redirect(obj)
    return render(request, template, {**context, "form": form}, status=400 if form.errors else 200)


def _delete(request, *, obj, delete, next_url: str, back_url: str):
    try:
        delete()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(back_url)
    messages.success(request, _("Deleted %(record)s.") % {"record": obj})
    return redirect(next_url)


# Organs ---------------------------------------------------------------------------------------

@registry_staff_required
def organ_list(request):
    require(request.user, "organizations.view_registry")
    sector = request.GET.get("sector", "")
    q = request.GET.get("q", "").strip()
    page = paginate(request, selectors.organ_list(user=request.user, sector=sector, q=q), per_page=100)
    return render(request, "web/organ_list.html", {
        "page": page, "sector": sector, "q": q, "sectors": Organ.Sector.choices,
    })


@registry_staff_required
def organ_detail(request, pk):
    organ = selectors.organ_get(user=request.user, pk=pk)
    require(request.user, "organizations.view_organ", organ)
    return render(request, "web/organ_detail.html", {
        "organ": organ,
        "tree": selectors.party_organization_tree(user=request.user, organ=organ),
        "people_count": organ.people.count(),
    })


@registry_staff_required
def organ_create(request):
    require(request.user, "organizations.add_organ")
    form = OrganForm(request.POST or None)
    return _form_page(
        request, form=form, template="web/form.html",
        save=lambda data: services.organ_create(by=request.user, **data),
        context={"title": _("New organ"), "back": "organ_list"}, success=_("The organ was saved."),
    )


@registry_staff_required
def organ_edit(request, pk):
    organ = selectors.organ_get(user=request.user, pk=pk)
    require(request.user, "organizations.change_organ", organ)
    form = OrganForm(request.POST or None, instance=organ)
    return _form_page(
        request, form=form, template="web/form.html",
        save=lambda data: services.organ_update(organ=organ, by=request.user, **data),
        context={"title": _("Edit %(name)s") % {"name": organ}, "object": organ},
        success=_("The organ was saved."),
    )


@registry_staff_required
@require_POST
def organ_delete(request, pk):
    organ = selectors.organ_get(user=request.user, pk=pk)
    require(request.user, "organizations.delete_organ", organ)
    return _delete(request, obj=organ, delete=lambda: services.organ_delete(organ=organ, by=request.user),
                   next_url="organ_list", back_url=organ.get_absolute_url())


# Party organizations --------------------------------------------------------------------------

@registry_staff_required
def party_organization_list(request):
    require(request.user, "organizations.view_registry")
    org_type = request.GET.get("type", "")
    only_warnings = request.GET.get("warnings") == "1"
    if only_warnings:
        orgs = selectors.term_warnings(user=request.user)
        page = paginate(request, orgs, per_page=100)
    else:
        page = paginate(request, selectors.party_organization_list(user=request.user, org_type=org_type),
                        per_page=50)
    return render(request, "web/party_organization_list.html", {
        "page": page, "org_type": org_type, "types": PartyOrganization.Type.choices,
        "only_warnings": only_warnings,
    })


@registry_staff_required
def party_organization_detail(request, pk):
    org = selectors.party_organization_get(user=request.user, pk=pk)
    require(request.user, "organizations.view_partyorganization", org)
    return render(request, "web/party_organization_detail.html", {
        "org": org,
        "posts": org.posts.select_related("person").order_by("ended_on", "role", "-started_on"),
        "children": PartyOrganization.objects.visible_to(request.user).filter(parent=org).order_by("name"),
    })


@registry_staff_required
def party_organization_create(request):
    require(request.user, "organizations.view_registry")
    initial = {}
    if organ_id := request.GET.get("organ"):
        initial["organ"] = get_object_or_404(Organ.objects.visible_to(request.user), pk=organ_id)
    form = PartyOrganizationForm(request.POST or None, user=request.user, initial=initial)
    return _form_page(
        request, form=form, template="web/form.html",
        save=lambda data: services.party_organization_create(by=request.user, **data),
        context={"title": _("New party organization"), "back": "party_organization_list"},
        success=_("The party organization was saved."),
    )


@registry_staff_required
def party_organization_edit(request, pk):
    org = selectors.party_organization_get(user=request.user, pk=pk)
    require(request.user, "organizations.change_partyorganization", org)
    form = PartyOrganizationForm(request.POST or None, user=request.user, instance=org)
    return _form_page(
        request, form=form, template="web/form.html",
        save=lambda data: services.party_organization_update(party_organization=org, by=request.user, **data),
        context={"title": _("Edit %(name)s") % {"name": org}, "object": org},
        success=_("The party organization was saved."),
    )


@registry_staff_required
@require_POST
def party_organization_delete(request, pk):
    org = selectors.party_organization_get(user=request.user, pk=pk)
    require(request.user, "organizations.delete_partyorganization", org)
    return _delete(request, obj=org,
                   delete=lambda: services.party_organization_delete(party_organization=org, by=request.user),
                   next_url=org.organ.get_absolute_url(), back_url=org.get_absolute_url())


# People and posts ------------------------------------------------------------------------------

PEOPLE_SORT_COLUMNS = ["name", "organ", "appointed", "birth"]


@registry_staff_required
def person_list(request):
    require(request.user, "organizations.view_registry")
    form = PeopleFilterForm(request.GET or None, user=request.user)
    # An invalid filter (a bad date) is reported on the form; the valid ones still apply.
    filters = form.cleaned_data if (form.is_valid() or form.is_bound) else {}
    sort = request.GET.get("sort", "name")
    people = selectors.people_list(
        user=request.user,
        q=filters.get("q", ""),
        organ_id=filters["organ"].pk if filters.get("organ") else None,
        role=filters.get("role", ""),
        newly_appointed_since=filters.get("new_since"),
        sort=sort,
    )
    page = paginate(request, people)
    return render(request, "web/person_list.html", {
        "page": page, "form": form, "sort": sort, "sort_columns": PEOPLE_SORT_COLUMNS,
        "default_new_since": selectors.newly_appointed_since_default(),
    })


def _person_context(request, person: Person, revealed: dict | None = None) -> dict:
    return {
        "person": person,
        "posts": selectors.person_posts(person=person),
        "revealed": revealed or {},
        "can_reveal": request.user.has_perm("organizations.reveal_person", person),
        "can_change": request.user.has_perm("organizations.change_person", person),
    }


@registry_staff_required
def person_detail(request, pk):
    person = selectors.person_get(user=request.user, pk=pk)
    require(request.user, "organizations.view_person", person)
    return render(request, "web/person_detail.html", _person_context(request, person))


@registry_staff_required
@require_POST
def person_reveal(request, pk):
    """Show the full ID number and mobile phone once; the reveal is written to the audit trail."""
    person = selectors.person_get(user=request.user, pk=pk)
    require(request.user, "organizations.reveal_person", person)
    revealed = services.person_reveal(person=person, by=request.user)
    context = _person_context(request, person, revealed)
    if request.htmx:
        return private_no_store(render(request, "web/_personal_data.html", context))
    return private_no_store(render(request, "web/person_detail.html", context))


@registry_staff_required
def person_create(request):
    require(request.user, "organizations.view_registry")
    initial = {}
    if organ_id := request.GET.get("organ"):
        initial["organ"] = get_object_or_404(Organ.objects.visible_to(request.user), pk=organ_id)
    form = PersonForm(request.POST or None, user=request.user, initial=initial)
    return _form_page(
        request, form=form, template="web/form.html",
        save=lambda data: services.person_create(by=request.user, **data),
        context={"title": _("New person"), "back": "person_list"}, success=_("The person was saved."),
    )


@registry_staff_required
def person_edit(request, pk):
    person = selectors.person_get(user=request.user, pk=pk)
    require(request.user, "organizations.change_person", person)
    form = PersonForm(request.POST or None, user=request.user, instance=person)
    return _form_page(
        request, form=form, template="web/form.html",
        save=lambda data: services.person_update(person=person, by=request.user, **data),
        context={"title": _("Edit %(name)s") % {"name": person}, "object": person},
        success=_("The person was saved."),
    )


@registry_staff_required
@require_POST
def person_delete(request, pk):
    person = selectors.person_get(user=request.user, pk=pk)
    require(request.user, "organizations.delete_person", person)
    return _delete(request, obj=person, delete=lambda: services.person_delete(person=person, by=request.user),
                   next_url="person_list", back_url=person.get_absolute_url())


@registry_staff_required
def post_create(request, pk):
    person = selectors.person_get(user=request.user, pk=pk)
    require(request.user, "organizations.add_post", person)
    form = PostForm(request.POST or None, user=request.user, person=person)
    return _form_page(
        request, form=form, template="web/form.html",
        save=lambda data: services.post_create(by=request.user, person=person, **data).person,
        context={"title": _("New post for %(name)s") % {"name": person}, "object": person},
        success=_("The post was saved."),
    )


@registry_staff_required
def post_edit(request, pk):
    post = selectors.post_get(user=request.user, pk=pk)
    require(request.user, "organizations.change_post", post.person)
    form = PostForm(request.POST or None, user=request.user, person=post.person, instance=post)
    return _form_page(
        request, form=form, template="web/form.html",
        save=lambda data: services.post_update(post=post, by=request.user, **data).person,
        context={"title": _("Edit post"), "object": post.person},
        success=_("The post was saved."),
    )


@registry_staff_required
@require_POST
def post_delete(request, pk):
    post = selectors.post_get(user=request.user, pk=pk)
    require(request.user, "organizations.delete_post", post.person)
    return _delete(request, obj=post, delete=lambda: services.post_delete(post=post, by=request.user),
                   next_url=post.person.get_absolute_url(), back_url=post.person.get_absolute_url())
