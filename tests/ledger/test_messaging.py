"""The reminder of induction training due (from the city compliance view): one draft per unit administrator of
each organ with people due or overdue, with the counts and the link to the organ's compliance page."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from dangjian.ledger.messaging import induction_due_remind
from dangjian.outbox.models import Message
from tests.factories import OrganFactory, PersonFactory, PostFactory, TrainingRecordFactory, UserFactory

pytestmark = pytest.mark.django_db
ON = datetime.date(2027, 1, 15)


def _secretary(organ, started_on):
    return PostFactory(person=PersonFactory(organ=organ), party_organization__organ=organ,
                       started_on=started_on).person


def test_one_draft_per_unit_admin_of_each_organ_with_people_due(organizer):
    due_organ, quiet_organ, unreachable_organ = OrganFactory(), OrganFactory(), OrganFactory()
    _secretary(due_organ, datetime.date(2026, 10, 1))  # due by 2027-04-01
    _secretary(due_organ, datetime.date(2026, 3, 1))  # overdue since 2026-09-01
    credited = _secretary(quiet_organ, datetime.date(2026, 10, 1))
    TrainingRecordFactory(person=credited, counts_as_induction=True)
    _secretary(unreachable_organ, datetime.date(2026, 10, 1))
    admin = UserFactory(roles=["unit_admin"], organs=[due_organ], email="admin@example.org")
    UserFactory(roles=["unit_admin"], organs=[quiet_organ], email="quiet@example.org")
    UserFactory(roles=["unit_admin"], organs=[unreachable_organ])  # no address

    composed = induction_due_remind(by=organizer, on=ON)
    assert composed.count == 1 and composed.unreachable == [unreachable_organ.name_zh]
    message = Message.unscoped.get(kind="induction_due")
    assert message.user == admin and message.organ == due_organ and message.created_by is None
    assert "有 2 名新任党组织书记" in message.body and "其中 1 人已超过规定期限" in message.body
    assert reverse("ledger_organ", args=[due_organ.pk]) in message.body
    assert message.subject == f"【任职培训提醒】{due_organ.name_zh}有2人应参加任职培训"


def test_only_organizers_remind(unit_admin):
    with pytest.raises(PermissionDenied):
        induction_due_remind(by=unit_admin, on=ON)
    assert not Message.unscoped.exists()
