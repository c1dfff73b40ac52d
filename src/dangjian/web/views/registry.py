"""Staff pages of the registry: organs, party organizations, people and posts.

Each view loads its objects through a scoped selector, checks the permission, then calls one
service. A unit administrator reaching another organ's record gets 404 (it is not in their scope).
"""


from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.organizations import selectors, services
from dangjian.organizations.models import Organ, PartyOrganization, Person
from dangjian.web.forms import OrganForm, PartyOrganizationForm, PeopleFilterForm, PersonForm, PostForm
from dangjian.web.views.base import (
    delete_then_redirect,
    form_page,
    paginate,
    permission_required,
    private_no_store,
    require,
)

registry_staff_required = permission_required("organizations.view_registry")


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
    return form_page(
        request, form=form, template="web/form.html",
        save=lambda: services.organ_create(by=request.user, **form.cleaned_data),
        context={"title": _("New organ"), "back": "organ_list"}, success=_("The organ was saved."),
    )


@registry_staff_required
def organ_edit(request, pk):
    organ = selectors.organ_get(user=request.user, pk=pk)
    require(request.user, "organizations.change_organ", organ)
    form = OrganForm(request.POST or None, instance=organ)
    return form_page(
        request, form=form, template="web/form.html",
        save=lambda: services.organ_update(organ=organ, by=request.user, **form.cleaned_data),
        context={"title": _("Edit %(name)s") % {"name": organ}, "object": organ},
        success=_("The organ was saved."),
    )


@registry_staff_required
@require_POST
def organ_delete(request, pk):
    organ = selectors.organ_get(user=request.user, pk=pk)
    require(request.user, "organizations.delete_organ", organ)
    return delete_then_redirect(request, obj=organ, delete=lambda: services.organ_delete(organ=organ, by=request.user),
                   next_url="organ_list", back_url=organ.get_absolute_url())


# Party organizations --------------------------------------------------------------------------

@registry_staff_required
def party_organization_list(request):
    require(request.user, "organizations.view_registry")
    org_type = request.GET.get("type", "")
    only_warnings = request.GET.get("warnings") == "1"
    if only_warnings:
        orgs = selectors.with_current_secretaries(selectors.term_warnings(user=request.user))
    else:
        orgs = selectors.party_organization_list(user=request.user, org_type=org_type)
    page = paginate(request, orgs, per_page=50)
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
        "children": PartyOrganization.objects.visible_to(request.user).filter(parent=org).order_by("name_sort"),
    })


@registry_staff_required
def party_organization_create(request):
    require(request.user, "organizations.view_registry")
    initial = {}
    if organ_id := request.GET.get("organ"):
        initial["organ"] = get_object_or_404(Organ.objects.visible_to(request.user), pk=organ_id)
    form = PartyOrganizationForm(request.POST or None, user=request.user, initial=initial)
    return form_page(
        request, form=form, template="web/form.html",
        save=lambda: services.party_organization_create(by=request.user, **form.cleaned_data),
        context={"title": _("New party organization"), "back": "party_organization_list"},
        success=_("The party organization was saved."),
    )


@registry_staff_required
def party_organization_edit(request, pk):
    org = selectors.party_organization_get(user=request.user, pk=pk)
    require(request.user, "organizations.change_partyorganization", org)
    form = PartyOrganizationForm(request.POST or None, user=request.user, instance=org)
    return form_page(
        request, form=form, template="web/form.html",
        save=lambda: services.party_organization_update(party_organization=org, by=request.user, **form.cleaned_data),
        context={"title": _("Edit %(name)s") % {"name": org}, "object": org},
        success=_("The party organization was saved."),
    )


@registry_staff_required
@require_POST
def party_organization_delete(request, pk):
    org = selectors.party_organization_get(user=request.user, pk=pk)
    require(request.user, "organizations.delete_partyorganization", org)
    return delete_then_redirect(request, obj=org,
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
    if "organ" in form.errors:  # an organ the user may not see: nobody matches (the form says why)
        people = people.none()
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
    return form_page(
        request, form=form, template="web/form.html",
        save=lambda: services.person_create(by=request.user, **form.cleaned_data),
        context={"title": _("New person"), "back": "person_list"}, success=_("The person was saved."),
    )


@registry_staff_required
def person_edit(request, pk):
    person = selectors.person_get(user=request.user, pk=pk)
    require(request.user, "organizations.change_person", person)
    form = PersonForm(request.POST or None, user=request.user, instance=person)
    return form_page(
        request, form=form, template="web/form.html",
        save=lambda: services.person_update(person=person, by=request.user, **form.cleaned_data),
        context={"title": _("Edit %(name)s") % {"name": person}, "object": person},
        success=_("The person was saved."),
    )


@registry_staff_required
@require_POST
def person_delete(request, pk):
    person = selectors.person_get(user=request.user, pk=pk)
    require(request.user, "organizations.delete_person", person)
    return delete_then_redirect(request, obj=person,
                                delete=lambda: services.person_delete(person=person, by=request.user),
                                next_url="person_list", back_url=person.get_absolute_url())


@registry_staff_required
def post_create(request, pk):
    person = selectors.person_get(user=request.user, pk=pk)
    require(request.user, "organizations.add_post", person)
    form = PostForm(request.POST or None, user=request.user, person=person)
    return form_page(
        request, form=form, template="web/form.html",
        save=lambda: services.post_create(by=request.user, person=person, **form.cleaned_data).person,
        context={"title": _("New post for %(name)s") % {"name": person}, "object": person},
        success=_("The post was saved."),
    )


@registry_staff_required
def post_edit(request, pk):
    post = selectors.post_get(user=request.user, pk=pk)
    require(request.user, "organizations.change_post", post.person)
    form = PostForm(request.POST or None, user=request.user, person=post.person, instance=post)
    return form_page(
        request, form=form, template="web/form.html",
        save=lambda: services.post_update(post=post, by=request.user, **form.cleaned_data).person,
        context={"title": _("Edit post"), "object": post.person},
        success=_("The post was saved."),
    )


@registry_staff_required
@require_POST
def post_delete(request, pk):
    post = selectors.post_get(user=request.user, pk=pk)
    require(request.user, "organizations.delete_post", post.person)
    return delete_then_redirect(request, obj=post, delete=lambda: services.post_delete(post=post, by=request.user),
                   next_url=post.person.get_absolute_url(), back_url=post.person.get_absolute_url())
