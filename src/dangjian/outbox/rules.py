"""Who may do what with messages of the outbox, and when (core.rules.add_action): one permission per action,
answering the role, the scope and the message's status together. Services `require` them; pages, templates and
the API ask the same ones.

- Organizers (the working committee) compose, read, send and retry every message.
- Unit administrators read the messages to the people of their own organs (read-only: sending is the working
  committee's, which answers for what goes out in its name), and compose messages to their own organs' people
  (a service of another app acting for them, e.g. a substitution's confirmation).
- Nobody else sees the outbox.
"""

import rules
from django.utils.translation import gettext as _

from dangjian.accounts.rules import is_organizer, is_unit_admin
from dangjian.core.rules import add_action
from dangjian.organizations.scoping import user_can_reach_organ
from dangjian.outbox.enums import MessageStatus


@rules.predicate
def concerns_users_organs(user, message) -> bool:
    """The message concerns one of the user's organs (list-level question, no message: true)."""
    if message is None:
        return True
    return user_can_reach_organ(user, message.organ_id)


def status_in(*statuses):
    names = "_".join(statuses)

    @rules.predicate(name=f"message_status_in_{names}")
    def predicate(user, message) -> bool:
        return message is None or message.status in statuses

    return predicate


reads_outbox = is_organizer | (is_unit_admin & concerns_users_organs)

rules.add_perm("outbox.view_outbox", is_organizer | is_unit_admin)
rules.add_perm("outbox.view_message", reads_outbox)
rules.add_perm("outbox.compose_message", reads_outbox)
add_action("outbox.send_message", who=is_organizer, when=status_in(MessageStatus.DRAFT),
           refusal=lambda message: _("This message is “%(status)s”: only a draft is sent; a failed message is "
                                     "retried.") % {"status": message.get_status_display()})
add_action("outbox.retry_message", who=is_organizer, when=status_in(MessageStatus.FAILED),
           refusal=lambda message: _("This message is “%(status)s”: only a failed message is retried.")
           % {"status": message.get_status_display()})
add_action("outbox.discard_message", who=is_organizer, when=status_in(MessageStatus.DRAFT),
           refusal=lambda message: _("This message is “%(status)s”: only a draft can be discarded.")
           % {"status": message.get_status_display()})
