import datetime
import itertools

import pytest
import time_machine
from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError

from dangjian.core import conf
from dangjian.organizations import selectors
from dangjian.organizations.models import Organ, PartyOrganization, Post
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
    assert list(selectors.term_warnings(user=organizer)) == [overdue, due]


def test_party_organization_tree_order_and_depth(organizer, organ):
    committee = PartyOrganizationFactory(organ=organ, org_type="committee", name="机关党委")
    second = PartyOrganizationFactory(organ=organ, parent=committee, name="第二党支部")
    first = PartyOrganizationFactory(organ=organ, parent=committee, name="第一党支部")
    tree = selectors.party_organization_tree(user=organizer, organ=organ)
    assert [(org, depth) for org, depth in tree] == [(committee, 0), (first, 1), (second, 1)]


# Term warnings in SQL give the answers of the Python rule (PartyOrganization.term_ends_on) -------------------

TERM_STARTS = [
    datetime.date(2020, 2, 29), datetime.date(2021, 2, 28), datetime.date(2021, 3, 1), datetime.date(2022, 8, 31),
    datetime.date(2022, 12, 31), datetime.date(2023, 1, 1), datetime.date(2023, 6, 15), datetime.date(2024, 2, 29),
    datetime.date(2024, 8, 28), datetime.date(2024, 8, 29), datetime.date(2025, 2, 28), datetime.date(2025, 12, 1),
]


def _python_term_warnings(orgs, today):
    """The rule as it was computed before (in Python, over every party organization)."""
    horizon = today + relativedelta(months=conf.rule("term_warning_months"))
    due = [org for org in orgs if org.org_type != "temporary_branch" and org.term_ends_on
           and org.term_ends_on <= horizon]
    return sorted(due, key=lambda org: (org.term_ends_on, org.pk))


@pytest.mark.parametrize("today", [
    datetime.date(2026, 11, 29),
    datetime.date(2026, 8, 28),  # the horizon is 2027-02-28 (not a leap year): terms begun on a 29 Feb end then
    datetime.date(2026, 8, 27),
    datetime.date(2027, 8, 29),  # horizon 2028-02-29
    datetime.date(2025, 2, 28),
])
def test_term_warnings_in_sql_match_the_python_rule(organizer, organ, today):
    orgs = []
    types = ["committee", "general_branch", "branch"]
    for number, (start, term_years, org_type) in enumerate(
            itertools.product(TERM_STARTS, [None, 0, 1, 2, 5], types)):
        orgs.append(PartyOrganizationFactory(organ=organ, org_type=org_type, term_started_on=start,
                                             term_years=term_years, name=f"党组织{number}"))
    orgs.append(PartyOrganizationFactory(organ=organ, org_type="branch", term_started_on=None))
    orgs.append(PartyOrganizationFactory(organ=organ, org_type="temporary_branch",
                                         term_started_on=datetime.date(2015, 1, 1)))
    expected = _python_term_warnings(orgs, today)
    with time_machine.travel(today):
        found = list(selectors.term_warnings(user=organizer))
    assert len(expected) > 20 and len(found) < len(orgs) - 20  # both answers are non-trivial
    assert set(found) == set(expected)
    assert [org.term_ends_on for org in found] == [org.term_ends_on for org in expected]


def test_term_warnings_first_with_the_count_in_one_query(organizer, organ, django_assert_num_queries):
    orgs = [PartyOrganizationFactory(organ=organ, term_started_on=datetime.date(2015, 1, day)) for day in (3, 1, 2)]
    assert organizer.roles  # loaded once per request, before
    with django_assert_num_queries(1):
        first, total = selectors.term_warnings_first(user=organizer, count=2)
    assert (first, total) == ([orgs[1], orgs[2]], 3)
    assert selectors.term_warnings_first(user=UserFactory(roles=["approver"]), count=2) == ([], 0)


def test_term_warnings_follow_the_configured_term_lengths(organizer, organ, settings):
    org = PartyOrganizationFactory(organ=organ, org_type="branch", term_started_on=datetime.date(2022, 1, 10))
    with time_machine.travel(datetime.date(2026, 11, 29)):
        assert list(selectors.term_warnings(user=organizer)) == [org]  # 3 years: ended in January 2025
        settings.DANGJIAN_RULES = {**settings.DANGJIAN_RULES,
                                   "term_years": {**settings.DANGJIAN_RULES["term_years"], "branch": 6}}
        PartyOrganization.refresh_term_ends()  # what `dangjian refresh_term_ends` does after such a change
        assert list(selectors.term_warnings(user=organizer)) == []


def test_term_warnings_are_scoped(unit_admin, organ, other_organ):
    mine = PartyOrganizationFactory(organ=organ, term_started_on=datetime.date(2015, 1, 1))
    PartyOrganizationFactory(organ=other_organ, term_started_on=datetime.date(2015, 1, 1))
    assert list(selectors.term_warnings(user=unit_admin)) == [mine]
    assert list(selectors.term_warnings(user=UserFactory(roles=["approver"]))) == []


# Official order of organs, pinyin order of names --------------------------------------------------------------

def test_organs_follow_the_official_order_then_pinyin(organizer):
    third = OrganFactory(code="aaa", name_zh="南阳市教育局", sort_order=3)
    first = OrganFactory(code="zzz", name_zh="中共南阳市纪委", sort_order=1)
    unnumbered_b = OrganFactory(code="b", name_zh="南阳市财政局")  # cai before ...
    unnumbered_a = OrganFactory(code="a", name_zh="南阳市审计局")  # ... shen
    assert list(selectors.organ_list(user=organizer)) == [first, third, unnumbered_b, unnumbered_a]
    assert list(Organ.unscoped.all()) == [first, third, unnumbered_b, unnumbered_a]


def test_people_sort_by_pinyin_with_surnames_read_as_surnames(organizer, organ):
    names = ["王伟", "汪洋", "曾静", "张伟", "李娜", "陈强", "王伟东", "安然", "Ann Lee"]
    people = {name: PersonFactory(organ=organ, name=name) for name in names}
    by_name = [person.name for person in selectors.people_list(user=organizer, sort="name")]
    # an, Ann, chen, li, wang1 (汪), wang2 (王伟 before 王伟东), zeng (曾 as a surname, not ceng), zhang
    assert by_name == ["安然", "Ann Lee", "陈强", "李娜", "汪洋", "王伟", "王伟东", "曾静", "张伟"]
    assert [p.name for p in selectors.people_list(user=organizer, sort="-name")] == by_name[::-1]
    people["王伟"].name = "白雪"  # a renamed person moves: the key follows the name on save
    people["王伟"].save(update_fields=["name"])
    assert [p.name for p in selectors.people_list(user=organizer, sort="name")][:3] == ["安然", "Ann Lee", "白雪"]


def test_party_organizations_sort_numerals_by_value(organizer, organ):
    other = OrganFactory(sort_order=1)
    names = ["机关第十党支部", "机关第二党支部", "机关党委", "机关第一党支部", "机关第三党支部", "机关第十一党支部"]
    for name in names:
        PartyOrganizationFactory(organ=organ, name=name)
    first_organ = PartyOrganizationFactory(organ=other, name="机关党总支")
    listed = list(selectors.party_organization_list(user=organizer))
    assert listed[0] == first_organ  # the organ's place in the official list comes first
    assert [org.name for org in listed[1:]] == [
        "机关党委", "机关第一党支部", "机关第二党支部", "机关第三党支部", "机关第十党支部", "机关第十一党支部"]


def test_people_sort_by_organ_follows_the_official_order(organizer):
    later, earlier = OrganFactory(sort_order=2, code="a"), OrganFactory(sort_order=1, code="b")
    li = PersonFactory(organ=later, name="李娜")
    zhao, an = PersonFactory(organ=earlier, name="赵敏"), PersonFactory(organ=earlier, name="安然")
    assert list(selectors.people_list(user=organizer, sort="organ")) == [an, zhao, li]
    assert list(selectors.people_list(user=organizer, sort="-organ")) == [li, an, zhao]


def test_people_sort_by_first_secretary_post_puts_people_without_one_last(organizer, organ):
    early, late, never = (PersonFactory(organ=organ, name=name) for name in ("赵敏", "李娜", "安然"))
    PostFactory(person=early, started_on=datetime.date(2019, 1, 1))
    PostFactory(person=late, started_on=datetime.date(2023, 1, 1))
    PostFactory(person=never, role=Post.Role.COMMITTEE_MEMBER)
    assert list(selectors.people_list(user=organizer, sort="appointed")) == [early, late, never]
    assert list(selectors.people_list(user=organizer, sort="-appointed")) == [late, early, never]
    assert selectors.people_list(user=organizer).get(pk=early.pk).first_secretary_on == datetime.date(2019, 1, 1)


# Search: prefixes through an index; ID numbers only by what the masked lists show, or in full ----------------

def test_search_by_name_or_position_prefix(organizer, organ):
    wang = PersonFactory(organ=organ, name="王伟", position="办公室主任")
    PersonFactory(organ=organ, name="李王伟", position="科员")  # 王伟 inside the name: not a prefix
    chief = PersonFactory(organ=organ, name="赵敏", position="科长")
    assert list(selectors.people_list(user=organizer, q="王伟")) == [wang]
    assert list(selectors.people_list(user=organizer, q="王  伟")) == [wang]  # normalised like a stored name
    assert list(selectors.people_list(user=organizer, q="办公室")) == [wang]
    assert list(selectors.people_list(user=organizer, q="科长")) == [chief]


def test_search_by_id_number_region_or_in_full(organizer, organ):
    from tests.factories import make_id_number

    nanyang = PersonFactory(organ=organ, id_number=make_id_number(region="411302"))
    zhengzhou = PersonFactory(organ=organ, id_number=make_id_number(region="410102"))
    assert list(selectors.people_list(user=organizer, q=nanyang.id_number[:6])) == [nanyang]
    assert list(selectors.people_list(user=organizer, q="41")) == [zhengzhou, nanyang] or set(
        selectors.people_list(user=organizer, q="41")) == {nanyang, zhengzhou}
    assert list(selectors.people_list(user=organizer, q=zhengzhou.id_number)) == [zhengzhou]
    full_width = zhengzhou.id_number.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})
    assert list(selectors.people_list(user=organizer, q=full_width)) == [zhengzhou]
    for partial in (nanyang.id_number[:7], nanyang.id_number[:14], nanyang.id_number[:17]):
        with pytest.raises(ValidationError) as refused:
            selectors.people_list(user=organizer, q=partial)
        assert "q" in refused.value.message_dict


def test_people_search_does_not_cross_the_scope(unit_admin, organ, other_organ):
    PersonFactory(organ=other_organ, name="王伟")
    assert list(selectors.people_list(user=unit_admin, q="王伟")) == []


# Pickers ------------------------------------------------------------------------------------------------------

def test_organ_picker_searches_the_visible_organs_in_the_official_order(unit_admin, organizer, organ, other_organ):
    organ.sort_order, other_organ.sort_order = 2, 1
    organ.save()
    other_organ.save()
    rows, more = selectors.organ_picker(user=organizer, q="测试局")
    assert rows == [other_organ, organ] and not more
    assert selectors.organ_picker(user=unit_admin) == ([organ], False)
    assert selectors.organ_picker(user=organizer, q=organ.code) == ([organ], False)
    assert selectors.organ_picker(user=organizer, q="Test Bureau", limit=1) == ([other_organ], True)
    assert selectors.organ_picker(user=UserFactory(roles=["approver"])) == ([], False)


def test_party_organization_picker_searches_names_and_organ_names(unit_admin, organizer, organ, other_organ):
    mine = PartyOrganizationFactory(organ=organ, name="机关第一党支部")
    theirs = PartyOrganizationFactory(organ=other_organ, name="机关第二党支部")
    assert selectors.party_organization_picker(user=unit_admin) == ([mine], False)
    assert selectors.party_organization_picker(user=organizer, q="第二") == ([theirs], False)
    assert selectors.party_organization_picker(user=organizer, q=other_organ.name_zh) == ([theirs], False)
    assert isinstance(selectors.party_organization_picker(user=organizer)[0][0], PartyOrganization)


def test_current_secretary_count_leaves_out_ended_posts_temporary_branches_and_other_organs(
        organizer, unit_admin, organ, other_organ):
    today = datetime.date.today()
    branch = PartyOrganizationFactory(organ=organ)
    PostFactory(party_organization=branch, person=PersonFactory(organ=organ), started_on=today)
    PostFactory(party_organization=PartyOrganizationFactory(organ=organ), person=PersonFactory(organ=organ),
                started_on=today - datetime.timedelta(days=900), ended_on=today - datetime.timedelta(days=1))
    PostFactory(party_organization=PartyOrganizationFactory(organ=organ), person=PersonFactory(organ=organ),
                started_on=today + datetime.timedelta(days=1))  # not yet
    class_branch = PartyOrganizationFactory(organ=organ, org_type="temporary_branch", parent=branch)
    PostFactory(party_organization=class_branch, person=PersonFactory(organ=organ), started_on=today)
    PostFactory(party_organization=branch, person=PersonFactory(organ=organ), role="deputy_secretary",
                started_on=today)
    PostFactory(party_organization=PartyOrganizationFactory(organ=other_organ), person=PersonFactory(
        organ=other_organ), started_on=today)
    assert selectors.current_secretary_count(user=organizer) == 2
    assert selectors.current_secretary_count(user=unit_admin) == 1  # their own organ's
