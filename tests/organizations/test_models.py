import datetime
import io

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError

from dangjian.organizations.models import PartyOrganization, Post
from tests.factories import OrganFactory, PartyOrganizationFactory, PersonFactory, PostFactory, make_id_number

pytestmark = pytest.mark.django_db


def test_person_takes_birth_date_and_gender_from_id_number(organ):
    person = PersonFactory.build(organ=organ, gender="", birth_date=None,
                                 id_number=make_id_number(datetime.date(1979, 3, 8), "female"))
    person.full_clean()
    assert person.birth_date == datetime.date(1979, 3, 8)
    assert person.gender == "female"


def test_person_birth_date_or_gender_contradicting_id_number_is_refused(organ):
    id_number = make_id_number(datetime.date(1979, 3, 8), "female")
    with pytest.raises(ValidationError) as error:
        PersonFactory.build(organ=organ, id_number=id_number, birth_date=datetime.date(1980, 1, 1),
                            gender="male").full_clean()
    assert set(error.value.message_dict) == {"birth_date", "gender"}


def test_person_id_number_is_unique(organ):
    person = PersonFactory(organ=organ)
    with pytest.raises(ValidationError) as error:
        PersonFactory.build(organ=organ, id_number=person.id_number).full_clean()
    assert "id_number" in error.value.message_dict


def test_term_length_defaults_come_from_the_rules_setting(settings):
    committee = PartyOrganizationFactory.build(org_type="committee", term_years=None)
    branch = PartyOrganizationFactory.build(org_type="branch", term_years=None)
    assert committee.effective_term_years == 5
    assert branch.effective_term_years == 3
    settings.DANGJIAN_RULES = {**settings.DANGJIAN_RULES, "term_years": {**settings.DANGJIAN_RULES["term_years"],
                                                                         "branch": 4}}
    assert branch.effective_term_years == 4
    assert PartyOrganizationFactory.build(org_type="branch", term_years=2).effective_term_years == 2


@time_machine.travel(datetime.date(2026, 11, 29))
@pytest.mark.parametrize(
    ("started", "status"),
    [
        (datetime.date(2023, 6, 1), "overdue"),  # ended 2026-06-01
        (datetime.date(2024, 2, 1), "due"),  # ends 2027-02-01, within six months
        (datetime.date(2025, 1, 1), "ok"),  # ends 2028
        (None, "unknown"),
    ],
)
def test_term_status(started, status):
    org = PartyOrganizationFactory.build(org_type="branch", term_started_on=started)
    assert org.term_status() == status


def test_party_organization_tree_rules(organ):
    committee = PartyOrganizationFactory(organ=organ, org_type="committee")
    branch = PartyOrganizationFactory(organ=organ, org_type="branch", parent=committee)
    with pytest.raises(ValidationError) as error:
        PartyOrganizationFactory.build(organ=organ, org_type="general_branch", parent=branch).full_clean()
    assert "parent" in error.value.message_dict
    other = PartyOrganizationFactory(organ=OrganFactory(), org_type="committee")
    with pytest.raises(ValidationError):
        PartyOrganizationFactory.build(organ=organ, org_type="branch", parent=other).full_clean()
    committee.parent = branch
    with pytest.raises(ValidationError):
        committee.full_clean()


def test_party_organization_name_unique_within_organ(organ):
    PartyOrganizationFactory(organ=organ, name="机关第一党支部")
    PartyOrganizationFactory(organ=OrganFactory(), name="机关第一党支部")  # another organ: fine
    with pytest.raises(ValidationError):
        PartyOrganizationFactory.build(organ=organ, name="机关第一党支部").full_clean()


def test_a_party_organization_has_at_most_one_secretary_at_a_time(organ):
    branch = PartyOrganizationFactory(organ=organ)
    PostFactory(person=PersonFactory(organ=organ), party_organization=branch, started_on=datetime.date(2022, 1, 1),
                ended_on=datetime.date(2023, 12, 31))
    overlapping = PostFactory.build(person=PersonFactory(organ=organ), party_organization=branch,
                                    started_on=datetime.date(2023, 6, 1))
    with pytest.raises(ValidationError) as error:
        overlapping.full_clean()
    assert "started_on" in error.value.message_dict
    # Taking over the day after the predecessor's post ended is fine.
    PostFactory.build(person=PersonFactory(organ=organ), party_organization=branch,
                      started_on=datetime.date(2024, 1, 1)).full_clean()


def test_database_refuses_two_open_secretary_posts_even_without_validation(organ):
    branch = PartyOrganizationFactory(organ=organ)
    PostFactory(person=PersonFactory(organ=organ), party_organization=branch)
    with pytest.raises(IntegrityError):
        Post.unscoped.create(person=PersonFactory(organ=organ), party_organization=branch, role="secretary",
                            started_on=datetime.date(2024, 1, 1))


def test_identical_posts_of_one_person_may_not_overlap(organ):
    person = PersonFactory(organ=organ)
    committee = PartyOrganizationFactory(organ=organ, org_type=PartyOrganization.Type.COMMITTEE)
    PostFactory(person=person, party_organization=committee, role="committee_member",
                started_on=datetime.date(2021, 1, 1))
    with pytest.raises(ValidationError):
        PostFactory.build(person=person, party_organization=committee, role="committee_member",
                          started_on=datetime.date(2022, 1, 1)).full_clean()
    # Two deputy secretaries at once in one committee is normal.
    PostFactory(person=PersonFactory(organ=organ), party_organization=committee, role="deputy_secretary")
    PostFactory.build(person=PersonFactory(organ=organ), party_organization=committee,
                      role="deputy_secretary").full_clean()


def test_post_dates_and_portfolio_rules(organ):
    post = PostFactory.build(person=PersonFactory(organ=organ), started_on=datetime.date(2022, 5, 1),
                             ended_on=datetime.date(2022, 4, 1))
    post.party_organization = PartyOrganizationFactory(organ=organ)
    with pytest.raises(ValidationError) as error:
        post.full_clean()
    assert "ended_on" in error.value.message_dict
    post.ended_on = None
    post.portfolio = "publicity"
    with pytest.raises(ValidationError) as error:
        post.full_clean()
    assert "portfolio" in error.value.message_dict


def test_organ_parent_cycle_is_refused():
    a = OrganFactory()
    b = OrganFactory(parent=a)
    a.parent = b
    with pytest.raises(ValidationError) as error:
        a.full_clean()
    assert "parent" in error.value.message_dict


def test_duplicate_party_organization_name_is_reported_on_the_name_field(organ):
    PartyOrganizationFactory(organ=organ, name="机关第一党支部")
    with pytest.raises(ValidationError) as error:
        PartyOrganizationFactory.build(organ=organ, name="机关第一党支部").full_clean()
    assert "name" in error.value.message_dict


# The stored first secretary post (Person.first_secretary_on) follows every write of posts -------------------

def _first(person):
    return type(person).unscoped.get(pk=person.pk).first_secretary_on


def test_first_secretary_post_follows_posts_written_and_deleted(organ):
    person = PersonFactory(organ=organ)
    assert _first(person) is None
    member = PostFactory(person=person, role=Post.Role.COMMITTEE_MEMBER, started_on=datetime.date(2015, 1, 1))
    assert _first(person) is None  # not a secretary post
    later = PostFactory(person=person, started_on=datetime.date(2021, 3, 1))
    assert _first(person) == datetime.date(2021, 3, 1)
    earlier = PostFactory(person=person, started_on=datetime.date(2018, 5, 1), ended_on=datetime.date(2019, 1, 1))
    assert _first(person) == datetime.date(2018, 5, 1)
    earlier.started_on = datetime.date(2017, 5, 1)
    earlier.save(update_fields=["started_on"])
    assert _first(person) == datetime.date(2017, 5, 1)
    earlier.delete()
    assert _first(person) == datetime.date(2021, 3, 1)
    member.role = Post.Role.SECRETARY
    member.save()
    assert _first(person) == datetime.date(2015, 1, 1)
    later.delete()
    member.delete()
    assert _first(person) is None


def test_a_post_moved_to_another_person_refreshes_both(organ):
    first, second = PersonFactory(organ=organ), PersonFactory(organ=organ)
    post = PostFactory(person=first, started_on=datetime.date(2020, 1, 1))
    post = Post.unscoped.get(pk=post.pk)  # loaded, as the services load it
    post.person = second
    post.save()
    assert (_first(first), _first(second)) == (None, datetime.date(2020, 1, 1))


def test_temporary_branch_posts_do_not_count_and_a_type_change_refreshes(organ):
    person = PersonFactory(organ=organ)
    branch = PartyOrganizationFactory(organ=organ, org_type=PartyOrganization.Type.TEMPORARY_BRANCH)
    PostFactory(person=person, party_organization=branch, started_on=datetime.date(2022, 10, 8))
    assert _first(person) is None
    branch = PartyOrganization.unscoped.get(pk=branch.pk)
    branch.org_type = PartyOrganization.Type.BRANCH
    branch.save()
    assert _first(person) == datetime.date(2022, 10, 8)
    branch.org_type = PartyOrganization.Type.TEMPORARY_BRANCH
    branch.save(update_fields=["org_type"])
    assert _first(person) is None


def test_saving_a_stale_person_keeps_the_stored_first_secretary_post(organ):
    person = PersonFactory(organ=organ)
    stale = type(person).unscoped.get(pk=person.pk)
    PostFactory(person=person, started_on=datetime.date(2020, 1, 1))
    stale.position = "处长"
    stale.save()  # every field, the stale first_secretary_on (None) too: refreshed after
    assert _first(person) == datetime.date(2020, 1, 1)


def test_sort_keys_follow_names_on_every_save(organ):
    person = PersonFactory(organ=organ, name="王伟")
    assert person.name_sort == "wang2.wei3 王伟"
    person.name = "曾静"
    person.save(update_fields=["name"])  # the audited update saves only what changed: the key goes along
    assert type(person).unscoped.get(pk=person.pk).name_sort == "zeng1.jing4 曾静"
    org = PartyOrganizationFactory(organ=organ, name="第十二党支部")
    assert org.name_sort.startswith("di4.0012.")
    assert organ.name_sort == organ._meta.get_field("name_sort").key_for(organ.name_zh)


def test_the_stored_term_end_follows_every_write_and_the_rules(settings, organ):
    org = PartyOrganizationFactory(organ=organ, org_type="branch", term_started_on=datetime.date(2024, 2, 29))
    assert org.term_ends_on == datetime.date(2027, 2, 28)  # 29 February, three years on: the 28th
    org.term_years = 4
    org.save(update_fields=["term_years"])  # a partial save (core.services.model_update) still writes it
    org.refresh_from_db()
    assert org.term_ends_on == datetime.date(2028, 2, 29)
    bulk = PartyOrganization.unscoped.bulk_create([PartyOrganizationFactory.build(
        organ=organ, org_type="committee", term_started_on=datetime.date(2023, 5, 1), term_years=None)])
    assert PartyOrganization.unscoped.get(pk=bulk[0].pk).term_ends_on == datetime.date(2028, 5, 1)
    assert PartyOrganizationFactory(organ=organ, term_started_on=None).term_ends_on is None
    # The default lengths change: nothing moves until the command computes them again.
    settings.DANGJIAN_RULES = {**settings.DANGJIAN_RULES, "term_years": {**settings.DANGJIAN_RULES["term_years"],
                                                                         "committee": 4}}
    assert PartyOrganization.unscoped.get(pk=bulk[0].pk).term_ends_on == datetime.date(2028, 5, 1)
    call_command("refresh_term_ends", stdout=io.StringIO())
    assert PartyOrganization.unscoped.get(pk=bulk[0].pk).term_ends_on == datetime.date(2027, 5, 1)
    org.refresh_from_db()
    assert org.term_ends_on == datetime.date(2028, 2, 29)  # its own length: unchanged
