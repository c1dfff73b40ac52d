"""A closed class with stored results for the certificate tests: three participants placed in one phase, two who
completed (one of them the "participant" user, both from the unit administrator's organ) and one who did not, and
a third graduate from another organ. Certificates issued to the graduates by the organizer."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

from dangjian.certificates import services
from dangjian.completion.models import CompletionResult
from tests.factories import OrganFactory, PhaseFactory, ProgramFactory, place


def build(users_by_role, organ, *, issue: bool = True):
    program = ProgramFactory(status="closed", title="2022年新任党组织书记培训班")
    program.venue.staff.add(users_by_role["college_staff"])
    phase = PhaseFactory(program=program, number=1, starts_on=datetime.date(2022, 10, 10),
                         ends_on=datetime.date(2022, 10, 14))
    own = place(program, organ, phase, name="张三明")
    colleague = place(program, organ, phase, name="欧阳小明")
    other = place(program, OrganFactory(), phase, name="李四")
    failed = place(program, organ, phase, name="王五")
    participant = users_by_role["participant"]
    participant.person = own.person
    participant.save(update_fields=["person"])
    for nomination, completed in ((own, True), (colleague, True), (other, True), (failed, False)):
        CompletionResult.unscoped.create(nomination=nomination, program=program, completed=completed,
                                         credited_hours=Decimal("37.5") if completed else Decimal("0"),
                                         class_hours=Decimal("37.5"), attended_hours=Decimal("37.5"))
    certificates = services.certificates_issue(program=program, by=users_by_role["organizer"]).issued \
        if issue else []
    by_nomination = {c.nomination_id: c for c in certificates}
    return SimpleNamespace(program=program, phase=phase, own=own, colleague=colleague, other=other, failed=failed,
                           certificate=by_nomination.get(own.pk), other_certificate=by_nomination.get(other.pk))
