"""Messages of the ledger, composed as drafts into the outbox (outbox.services.messages_compose); an organizer
previews and sends them there.

induction due: from the city compliance view, one draft per unit administrator of every organ with people due or
overdue for induction training (ledger.selectors.due_for_induction), with the counts and a link to the organ's
compliance page, where the names are. One message per organ, not per person: the organ nominates its people,
and a province has thousands of them. Composed in the platform's name (`by=None`) after the organizer's
permission: the drafts concern every organ.
"""

import datetime

from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse

from dangjian.core.rules import require
from dangjian.ledger import selectors
from dangjian.ledger.enums import ComplianceStatus
from dangjian.organizations.models import Organ, organ_order
from dangjian.outbox.enums import MessageKind
from dangjian.outbox.services import Composed, absolute_url, messages_compose, organ_admin_recipients
from dangjian.training.models import Program


def _open_induction_program() -> Program | None:
    """The induction program open for enrollment now, if any (the message says that it is)."""
    return (Program.unscoped.filter(status=Program.Status.ENROLLMENT_OPEN, requirement=Program.Requirement.INDUCTION)
            .order_by("-year", "-id").first())


@transaction.atomic
def induction_due_remind(*, by, on: datetime.date | None = None) -> Composed:
    """Draft a reminder to the unit administrators of every organ with people due or overdue for induction
    training on `on` (default today): the counts, and the link to the organ's compliance page."""
    require(by, "ledger.remind_induction_due")
    counts = {row["organ_id"]: row for row in selectors.due_for_induction(on=on).order_by().values("organ_id")
              .annotate(due=Count("id"), overdue=Count("id", filter=Q(induction_status=ComplianceStatus.OVERDUE)))}
    organs = list(Organ.unscoped.filter(pk__in=list(counts)).order_by(*organ_order()))
    program = _open_induction_program()
    contexts = {organ.pk: {"due_count": counts[organ.pk]["due"], "overdue_count": counts[organ.pk]["overdue"],
                           "program": program, "link": absolute_url(reverse("ledger_organ", args=[organ.pk]))}
                for organ in organs}
    recipients, unreachable = organ_admin_recipients(organs, contexts)
    outcome = Composed(kind=MessageKind.INDUCTION_DUE, unreachable=unreachable)
    if recipients:
        outcome.count = len(messages_compose(kind=MessageKind.INDUCTION_DUE, by=None, recipients=recipients,
                                             program=program))
    return outcome
