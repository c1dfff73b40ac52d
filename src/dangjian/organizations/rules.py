"""Who may do what with registry data (django-rules permissions)."""

import rules

from dangjian.accounts.rules import is_organizer, is_unit_admin
from dangjian.organizations.scoping import user_can_reach_organ


def _organ_id(obj):
    """The organ an object belongs to (Organ, PartyOrganization, Person or Post)."""
    from dangjian.organizations.models import Organ, Post

    if isinstance(obj, Organ):
        return obj.pk
    if isinstance(obj, Post):
        return obj.person.organ_id
    return getattr(obj, "organ_id", None)


@rules.predicate
def in_users_organs(user, obj) -> bool:
    """True for an object of one of the user's organs; with no object, true (list-level check)."""
    if obj is None:
        return True
    return user_can_reach_organ(user, _organ_id(obj))


registry_staff = is_organizer | is_unit_admin
scoped_registry_staff = is_organizer | (is_unit_admin & in_users_organs)

rules.add_perm("organizations.view_registry", registry_staff)
rules.add_perm("organizations.view_organ", scoped_registry_staff)
rules.add_perm("organizations.add_organ", is_organizer)
rules.add_perm("organizations.change_organ", is_organizer)
rules.add_perm("organizations.delete_organ", is_organizer)
for model in ("partyorganization", "person", "post"):
    rules.add_perm(f"organizations.view_{model}", scoped_registry_staff)
    rules.add_perm(f"organizations.add_{model}", scoped_registry_staff)
    rules.add_perm(f"organizations.change_{model}", scoped_registry_staff)
    rules.add_perm(f"organizations.delete_{model}", scoped_registry_staff)
# Revealing a full ID number or mobile phone: the same staff, and each reveal is audited.
rules.add_perm("organizations.reveal_person", scoped_registry_staff)
rules.add_perm("organizations.import_registry", registry_staff)
rules.add_perm("organizations.import_organs", is_organizer)
