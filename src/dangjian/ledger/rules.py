"""Who may do what with the ledger, and when (core.rules.add_action): role AND organ scope AND the record's state.

Objects: a Person (their archive, a new record for them), a TrainingRecord or an Exemption (scope: the person's
organ), an Organ (its compliance view), a Requirement. Services `require` these; pages, templates and the API
ask the same ones.
"""

import rules
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.accounts.rules import is_organizer, is_unit_admin
from dangjian.core.rules import add_action
from dangjian.ledger.enums import RecordSource
from dangjian.organizations.scoping import user_can_reach_organ


def _organ_id(obj):
    from dangjian.organizations.models import Organ

    if isinstance(obj, Organ):
        return obj.pk
    person = getattr(obj, "person", None)
    return person.organ_id if person is not None else getattr(obj, "organ_id", None)


@rules.predicate
def in_users_organs(user, obj) -> bool:
    """The record's person (or the organ) is one of the user's organs; a list-level question passes."""
    return obj is None or user_can_reach_organ(user, _organ_id(obj))


@rules.predicate
def entered_here(user, record) -> bool:
    """Records of this platform come from a class's closing and are corrected there (the delivery issue)."""
    return record is None or record.source != RecordSource.PLATFORM


@rules.predicate
def not_yet_in_effect(user, requirement) -> bool:
    """A version that has taken effect has judged people: it is ended, or followed by a new version, never
    deleted or rewritten."""
    return requirement is None or requirement.effective_from > timezone.localdate()


ledger_staff = is_organizer | is_unit_admin
scoped_staff = is_organizer | (is_unit_admin & in_users_organs)

rules.add_perm("ledger.view_ledger", ledger_staff)
rules.add_perm("ledger.view_archive", scoped_staff)  # a person's archive and its exports
rules.add_perm("ledger.add_record", scoped_staff)  # obj: the person
add_action("ledger.change_record", who=scoped_staff, when=entered_here,
           refusal=lambda record: _("A record of this platform comes from its class and is corrected there."))
add_action("ledger.delete_record", who=scoped_staff, when=entered_here,
           refusal=lambda record: _("A record of this platform comes from its class and is corrected there."))
rules.add_perm("ledger.import_records", ledger_staff)  # rows of the user's own organs only (the import checks)
# Requirements: everyone of the staff reads them; organizers keep them.
rules.add_perm("ledger.view_requirements", ledger_staff)
rules.add_perm("ledger.add_requirement", is_organizer)
# Changing a rule in effect is a new version from a date (requirement_supersede); the version's words (title,
# source) may be corrected.
rules.add_perm("ledger.change_requirement", is_organizer)
add_action("ledger.delete_requirement", who=is_organizer, when=not_yet_in_effect,
           refusal=lambda requirement: _("A rule that has taken effect is not deleted: end it, or add a new "
                                         "version from a date."))
rules.add_perm("ledger.manage_exemptions", is_organizer)
# Compliance: the city (every organ, the chart per sector, the annual statistics) for organizers; an organ's
# people for its unit administrators.
rules.add_perm("ledger.view_city_compliance", is_organizer)
rules.add_perm("ledger.view_organ_compliance", scoped_staff)  # obj: the organ
rules.add_perm("ledger.view_statistics", ledger_staff)
# The demand forecast (how many new secretaries need induction, and the phases that follows): organizers.
rules.add_perm("ledger.view_forecast", is_organizer)  # scoped to the user's organs by the selectors
# Remind the unit administrators of organs with people due for induction training (drafts in the outbox).
rules.add_perm("ledger.remind_induction_due", is_organizer)
