"""Which messages a user may see: organizers every message; unit administrators the messages to the people
(and about the organs) of their own organs; anyone else none (fails closed). Written once as a Q; the rules
ask the same of one message (outbox.rules)."""

from django.db.models import Q

from dangjian.organizations.scoping import NOTHING, organ_filter


def message_filter(user) -> Q:
    if not getattr(user, "is_authenticated", False):
        return NOTHING
    return organ_filter(user, "organ")
