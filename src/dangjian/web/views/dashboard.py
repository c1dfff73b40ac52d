from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from dangjian.organizations import selectors
from dangjian.organizations.models import Organ, PartyOrganization, Person, Post


@login_required
def home(request):
    """Overview: registry figures and the 换届 warnings, for registry staff; a welcome for others."""
    user = request.user
    context = {}
    if user.has_perm("organizations.view_registry"):
        since = selectors.newly_appointed_since_default()
        warnings, warning_count = selectors.term_warnings_first(user=user, count=10)
        context.update({
            "organ_count": Organ.objects.visible_to(user).count(),
            "party_org_count": PartyOrganization.objects.visible_to(user).count(),
            "person_count": Person.objects.visible_to(user).count(),
            "secretary_count": Post.objects.visible_to(user).current().filter(role=Post.Role.SECRETARY)
            .exclude(party_organization__org_type=PartyOrganization.Type.TEMPORARY_BRANCH).count(),
            "new_secretary_count": selectors.people_list(user=user, newly_appointed_since=since).count(),
            "new_since": since,
            "term_warnings": warnings,
            "term_warning_count": warning_count,
        })
    return render(request, "web/home.html", context)
