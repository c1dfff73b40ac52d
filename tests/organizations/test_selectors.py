import datetime

import pytest
import time_machine

from dangjian.organizations import selectors
from tests.factories import OrganFactory, PartyOrganizationFactory, PersonFactory, PostFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_two_character_chinese_name_search(organizer, organ):
    wang_wei = PersonFactory(organ=organ, name="王伟")
    PersonFactory(organ=organ, name="王伟明")  # contains the term as well
    PersonFactory(organ=organ, name="李娜")
    found = list(selectors.people_list(user=organizer, q="王伟"))
    assert wang_wei in found and len(found) == 2
    assert [p.name for p in selectors.people_list(user=organizer, q="李娜")] == ["李娜"]


def test_people_are_scoped_to_the_unit_admins_organs(unit_admin, organ, other_organ, organizer):
    mine = PersonFactory(organ=organ)
    theirs = PersonFactory(organ=other_organ)
    assert list(selectors.people_list(user=unit_admin)) == [mine]
    assert set(selectors.people_list(user=organizer)) == {mine, theirs}
    assert list(selectors.people_list(user=UserFactory(roles=["approver"]))) == []
    assert list(selectors.people_list(user=UserFactory(roles=[]))) == []


def test_newly_appointed_is_derived_from_the_first_secretary_post(organizer, organ):
    branch_a = PartyOrganizationFactory(organ=organ)
    branch_b = PartyOrganizationFactory(organ=organ)
    veteran = PersonFactory(organ=organ)
    PostFactory(person=veteran, party_organization=branch_a, started_on=datetime.date(2016, 1, 1),
                ended_on=datetime.date(2021, 12, 31))
    PostFactory(person=veteran, party_organization=branch_b, started_on=datetime.date(2022, 5, 1))
    newcomer = PersonFactory(organ=organ)
    PostFactory(person=newcomer, party_organization=branch_a, started_on=datetime.date(2022, 3, 1))
    deputy = PersonFactory(organ=organ)
    PostFactory(person=deputy, party_organization=branch_b, role="deputy_secretary",
                started_on=datetime.date(2022, 6, 1))
    since = datetime.date(2022, 1, 1)
    # The veteran took a new secretary post in 2022 but was first a secretary in 2016: not new.
    assert list(selectors.people_list(user=organizer, newly_appointed_since=since)) == [newcomer]


@time_machine.travel(datetime.date(2026, 11, 29))
def test_newly_appointed_default_window_comes_from_the_rules(settings):
    assert selectors.newly_appointed_since_default() == datetime.date(2025, 11, 29)
    settings.DANGJIAN_RULES = {**settings.DANGJIAN_RULES, "newly_appointed_months": 6}
    assert selectors.newly_appointed_since_default() == datetime.date(2026, 5, 29)


def test_filter_by_current_role_and_organ(organizer, organ):
    secretary = PostFactory(person=PersonFactory(organ=organ)).person
    PostFactory(person=PersonFactory(organ=organ), started_on=datetime.date(2010, 1, 1),
                ended_on=datetime.date(2012, 1, 1))  # a former secretary
    PersonFactory(organ=OrganFactory())
    assert list(selectors.people_list(user=organizer, role="secretary", organ_id=organ.pk)) == [secretary]


def test_sorting(organizer, organ):
    b = PersonFactory(organ=organ, name="B")
    a = PersonFactory(organ=organ, name="A")
    assert list(selectors.people_list(user=organizer, sort="name")) == [a, b]
    assert list(selectors.people_list(user=organizer, sort="-name")) == [b, a]
    assert list(selectors.people_list(user=organizer, sort="nonsense")) == [a, b]


@time_machine.travel(datetime.date(2026, 11, 29))
def test_term_warnings_due_and_overdue_only(organizer, organ):
    overdue = PartyOrganizationFactory(organ=organ, org_type="branch", term_started_on=datetime.date(2023, 6, 1))
    due = PartyOrganizationFactory(organ=organ, org_type="branch", term_started_on=datetime.date(2024, 3, 1))
    PartyOrganizationFactory(organ=organ, org_type="branch", term_started_on=datetime.date(2025, 6, 1))
    PartyOrganizationFactory(organ=organ, org_type="committee", term_started_on=datetime.date(2023, 6, 1))
    assert selectors.term_warnings(user=organizer) == [overdue, due]


def test_party_organization_tree_order_and_depth(organizer, organ):
    committee = PartyOrganizationFactory(organ=organ, org_type="committee", name="机关党委")
    second = PartyOrganizationFactory(organ=organ, parent=committee, name="第二党支部")
    first = PartyOrganizationFactory(organ=organ, parent=committee, name="第一党支部")
    tree = selectors.party_organization_tree(user=organizer, organ=organ)
    assert [(org, depth) for org, depth in tree] == [(committee, 0), (first, 1), (second, 1)]
