"""Role predicates (django-rules). Object-level predicates live in each data app's rules.py."""

import rules

from dangjian.accounts.roles import Role


def _role_predicate(role: str):
    @rules.predicate(name=f"is_{role}")
    def has(user) -> bool:
        return bool(getattr(user, "is_authenticated", False)) and role in user.roles

    return has


is_organizer = _role_predicate(Role.ORGANIZER)
is_approver = _role_predicate(Role.APPROVER)
is_unit_admin = _role_predicate(Role.UNIT_ADMIN)
is_college_staff = _role_predicate(Role.COLLEGE_STAFF)
is_instructor = _role_predicate(Role.INSTRUCTOR)
is_participant = _role_predicate(Role.PARTICIPANT)
is_editor = _role_predicate(Role.EDITOR)
is_reviewer = _role_predicate(Role.REVIEWER)

rules.add_perm("core.view_auditentry", is_organizer)
rules.add_perm("accounts.manage_users", is_organizer)
# The Django admin asks for model permissions: organizers manage users and their roles there.
for action in ("view", "add", "change"):
    rules.add_perm(f"accounts.{action}_user", is_organizer)
rules.add_perm("accounts.view_apitoken", is_organizer)
rules.add_perm("accounts.delete_apitoken", is_organizer)
rules.add_perm("auth.view_group", is_organizer)
