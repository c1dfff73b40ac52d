"""The demo's outbox: drafts an organizer can preview and send (nothing is sent while loading).

- A nomination-opened notice by e-mail to the unit administrator, one per organ they administer, for the program
  open for enrollment (the seed program while the demo has no open program).
- Induction reminders by SMS to the secretaries appointed in the last months (the people who show as "newly
  appointed"), with the deadline of the rule (settings.DANGJIAN_RULES["induction_deadline_months"]); they name the
  program only when one is open for enrollment.

Composed through dangjian.outbox.services (rendered from the kinds' templates, audited); loaded once: a demo that
already holds these drafts is left alone.
"""

from dateutil.relativedelta import relativedelta

from dangjian.accounts.models import User
from dangjian.core import conf
from dangjian.organizations.models import Organ, Person, Post
from dangjian.organizations.selectors import newly_appointed_since_default
from dangjian.outbox.enums import Channel, MessageKind
from dangjian.outbox.models import Message
from dangjian.outbox.services import Recipient, messages_compose
from dangjian.training.models import Program


def _program():
    return (Program.unscoped.filter(status=Program.Status.ENROLLMENT_OPEN).order_by("-year", "-id").first()
            or Program.unscoped.order_by("-year", "-id").first())


def load_outbox() -> dict:
    organizer = User.objects.get(username="organizer")
    if Message.unscoped.filter(created_by=organizer).exists():
        return {"created": 0, "messages": Message.unscoped.count()}
    program = _program()
    if program is None:
        return {"created": 0, "messages": 0}
    created = []
    admin = User.objects.get(username="unitadmin")
    if admin.email:
        for organ in Organ.unscoped.filter(administrators=admin).order_by("sort_order", "id"):
            created += messages_compose(kind=MessageKind.NOMINATION_OPENED, by=organizer, program=program,
                                        recipients=[Recipient(user=admin, organ=organ, channel=Channel.EMAIL)])
    months = conf.rule("induction_deadline_months")
    people = (Person.unscoped.filter(first_secretary_on__gte=newly_appointed_since_default())
              .exclude(mobile="").select_related("organ").order_by("first_secretary_on", "id"))
    posts = {post.person_id: post for post in Post.unscoped.filter(person__in=people, role=Post.Role.SECRETARY)
             .select_related("party_organization").order_by("started_on")}
    for person in people:
        post = posts.get(person.pk)
        if post is None:
            continue
        created += messages_compose(
            kind=MessageKind.INDUCTION_DUE, by=organizer, recipients=[Recipient(person=person)],
            program=program if program.status == Program.Status.ENROLLMENT_OPEN else None,
            context={"post": f"{post.party_organization.name}书记", "appointed_on": person.first_secretary_on,
                     "due_by": person.first_secretary_on + relativedelta(months=months), "months": months})
    return {"created": len(created), "messages": Message.unscoped.count()}
