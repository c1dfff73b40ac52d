from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from dangjian.accounts.roles import Role
from dangjian.accounts.rules import is_approver, is_college_staff, is_organizer, is_unit_admin
from dangjian.enrollment import selectors as enrollment
from dangjian.organizations import selectors
from dangjian.organizations.models import Organ, PartyOrganization, Person
from dangjian.training import selectors as training

TODO_LIMIT = 10  # rows per to-do list; the heading gives the whole count


def _todo(queryset) -> dict:
    """A to-do list: its first rows and the whole count (two queries, whatever the data)."""
    return {"rows": list(queryset[:TODO_LIMIT]), "count": queryset.count()}


def todos(user) -> dict:
    """Each role's to-dos, from the scoped selectors: the organizer's returned plans (with the reason),
    the approver's plans awaiting decision, the college's coming phases, the unit administrator's programs
    open for enrollment and the quotas their organs have not filled yet."""
    found = {}
    if is_organizer(user):
        found["returned_plans"] = _todo(training.returned_plans(user=user))
    if is_approver(user):
        found["plans_awaiting"] = _todo(training.plans_awaiting_decision(user=user))
    if is_college_staff(user):
        found["coming_phases"] = _todo(training.coming_phases(user=user))
    if is_unit_admin(user):
        found["enrollment_programs"] = _todo(training.programs_open_for_enrollment(user=user))
        found["open_nominations"] = _todo(enrollment.open_quotas(user=user))
    return found


@login_required
def home(request):
    """The start page: the role's to-dos first; registry figures and the 换届 warnings for registry staff; a
    welcome for others. A participant (and nothing else) has their own start page, /my/."""
    user = request.user
    if user.roles == {Role.PARTICIPANT}:
        return redirect("my_home")  # a participant's start page is their own (phone first)
    context = {"todos": todos(user)}
    if user.has_perm("organizations.view_registry"):
        since = selectors.newly_appointed_since_default()
        warnings, warning_count = selectors.term_warnings_first(user=user, count=10)
        context.update({
            "organ_count": Organ.objects.visible_to(user).count(),
            "party_org_count": PartyOrganization.objects.visible_to(user).count(),
            "person_count": Person.objects.visible_to(user).count(),
            "secretary_count": selectors.current_secretary_count(user=user),
            "new_secretary_count": selectors.people_list(user=user, newly_appointed_since=since).count(),
            "new_since": since,
            "term_warnings": warnings,
            "term_warning_count": warning_count,
        })
    return render(request, "web/home.html", context)
