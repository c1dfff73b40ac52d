"""The registry API: organs, party organizations, people and posts (list, detail, create, update, delete)."""

import datetime
import re

import pytest
import rules
from django.test import Client
from rules.permissions import permissions as rule_permissions

from dangjian.accounts.models import ApiToken
from dangjian.accounts.rules import is_organizer
from dangjian.core.models import AuditEntry
from dangjian.organizations.models import Organ, PartyOrganization, Person, Post
from tests.api.helpers import ApiClient, field_errors
from tests.factories import (
    OrganFactory,
    PartyOrganizationFactory,
    PersonFactory,
    PostFactory,
    UserFactory,
    make_id_number,
)


@pytest.fixture
def as_organizer(api_as, organizer):
    return api_as(organizer)


@pytest.fixture
def as_unit_admin(api_as, unit_admin):
    return api_as(unit_admin)


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def bad_checksum(id_number: str) -> str:
    return id_number[:17] + ("0" if id_number[17] != "0" else "1")


# Organs ---------------------------------------------------------------------------------------------

class TestOrgans:
    def test_list_is_paginated_with_count(self, as_organizer):
        organs = [OrganFactory(sort_order=5 - number) for number in range(5)]  # the official order, not the code's
        response = as_organizer.get("organs", {"page": 2, "page_size": 2})
        assert response.json()["count"] == 5
        assert response.json()["page"] == 2 and response.json()["page_size"] == 2
        assert ids(response) == [organ.pk for organ in reversed(organs)][2:4]
        assert response.json()["items"][0]["sort_order"] == 3

    def test_place_in_the_official_list_is_set_and_checked(self, as_organizer, organ):
        response = as_organizer.post("organs", {"code": "first", "name_zh": "中共南阳市纪委", "sector": "party",
                                                "sort_order": 1})
        assert response.status_code == 201 and response.json()["sort_order"] == 1
        assert ids(as_organizer.get("organs"))[0] == response.json()["id"]
        assert "sort_order" in field_errors(as_organizer.patch(f"organs/{organ.pk}", {"sort_order": 0}))
        assert as_organizer.patch(f"organs/{organ.pk}", {"sort_order": None}).json()["sort_order"] is None

    def test_page_past_the_end_is_empty(self, as_organizer, organ):
        assert ids(as_organizer.get("organs", {"page": 9})) == []

    def test_page_size_is_limited(self, as_organizer):
        response = as_organizer.get("organs", {"page_size": 1000})
        assert response.status_code == 422
        assert "page_size" in field_errors(response)

    def test_filters(self, as_organizer):
        court = OrganFactory(sector=Organ.Sector.JUDICIAL, name_zh="南阳市中级人民法院")
        bureau = OrganFactory(sector=Organ.Sector.GOVERNMENT, name_zh="南阳市财政局")
        assert ids(as_organizer.get("organs", {"sector": "judicial"})) == [court.pk]
        assert ids(as_organizer.get("organs", {"q": "财政"})) == [bureau.pk]
        assert ids(as_organizer.get("organs", {"q": bureau.code})) == [bureau.pk]
        assert "sector" in field_errors(as_organizer.get("organs", {"sector": "nonsense"}))

    def test_detail(self, as_organizer, organ):
        response = as_organizer.get(f"organs/{organ.pk}")
        assert response.status_code == 200
        assert response.json() == {
            "id": organ.pk, "code": organ.code, "name_zh": organ.name_zh, "name_en": organ.name_en,
            "sector": "government", "parent_id": None, "sort_order": None,
        }

    def test_unknown_id_is_a_404_problem(self, as_organizer, db):
        response = as_organizer.get("organs/999999")
        assert response.status_code == 404
        assert response["Content-Type"] == "application/problem+json"

    def test_create_is_audited(self, as_organizer, organ):
        response = as_organizer.post("organs", {
            "code": "nyfgw", "name_zh": "南阳市发展和改革委员会", "sector": "government", "parent_id": organ.pk,
        })
        assert response.status_code == 201, response.content
        created = Organ.unscoped.get(code="nyfgw")
        assert response.json()["id"] == created.pk and created.parent == organ
        assert AuditEntry.objects.filter(action="create", model="organizations.organ",
                                         object_pk=str(created.pk)).exists()

    def test_create_with_a_taken_code_names_the_field(self, as_organizer, organ):
        response = as_organizer.post("organs", {"code": organ.code, "name_zh": "另一个单位", "sector": "party"})
        assert response.status_code == 422
        assert response["Content-Type"] == "application/problem+json"
        assert list(field_errors(response)) == ["code"]

    def test_create_with_missing_and_misspelt_fields_names_them(self, as_organizer, db):
        response = as_organizer.post("organs", {"code": "x", "sector": "party", "parent": 1})
        assert response.status_code == 422
        assert set(field_errors(response)) == {"name_zh", "parent"}

    def test_update_is_partial(self, as_organizer, organ):
        response = as_organizer.patch(f"organs/{organ.pk}", {"name_en": "Finance Bureau"})
        assert response.status_code == 200, response.content
        organ.refresh_from_db()
        assert organ.name_en == "Finance Bureau" and organ.code == response.json()["code"]
        entry = AuditEntry.objects.get(action="update")
        assert set(entry.changes) == {"name_en"}

    def test_update_without_changes_writes_no_audit_entry(self, as_organizer, organ):
        assert as_organizer.patch(f"organs/{organ.pk}", {"name_zh": organ.name_zh}).status_code == 200
        assert not AuditEntry.objects.exists()

    def test_own_parent_is_refused_naming_parent_id(self, as_organizer, organ):
        response = as_organizer.patch(f"organs/{organ.pk}", {"parent_id": organ.pk})
        assert response.status_code == 422
        assert list(field_errors(response)) == ["parent_id"]

    def test_null_is_refused_where_the_field_has_no_empty_value(self, as_organizer, organ):
        response = as_organizer.patch(f"organs/{organ.pk}", {"name_en": None})
        assert response.status_code == 422
        assert list(field_errors(response)) == ["name_en"]

    def test_delete(self, as_organizer):
        organ = OrganFactory()
        assert as_organizer.delete(f"organs/{organ.pk}").status_code == 204
        assert not Organ.unscoped.filter(pk=organ.pk).exists()
        assert AuditEntry.objects.filter(action="delete", object_pk=str(organ.pk)).exists()

    def test_delete_of_an_organ_with_people_is_a_conflict(self, as_organizer, organ):
        PersonFactory(organ=organ)
        response = as_organizer.delete(f"organs/{organ.pk}")
        assert response.status_code == 409
        assert response.json()["detail"]
        assert Organ.unscoped.filter(pk=organ.pk).exists()
        assert not AuditEntry.objects.exists()

    def test_unit_admin_sees_only_their_organ_and_cannot_write(self, as_unit_admin, organ, other_organ):
        assert ids(as_unit_admin.get("organs")) == [organ.pk]
        assert as_unit_admin.get(f"organs/{other_organ.pk}").status_code == 404
        assert as_unit_admin.patch(f"organs/{organ.pk}", {"name_en": "x"}).status_code == 403
        assert as_unit_admin.post("organs", {"code": "x", "name_zh": "x", "sector": "party"}).status_code == 403


# Party organizations --------------------------------------------------------------------------------

class TestPartyOrganizations:
    def test_list_and_filters(self, as_organizer, organ, other_organ):
        committee = PartyOrganizationFactory(organ=organ, org_type=PartyOrganization.Type.COMMITTEE)
        branch = PartyOrganizationFactory(organ=organ, parent=committee)
        elsewhere = PartyOrganizationFactory(organ=other_organ)
        assert set(ids(as_organizer.get("party-organizations"))) == {committee.pk, branch.pk, elsewhere.pk}
        assert set(ids(as_organizer.get("party-organizations", {"organ": organ.pk}))) == {committee.pk, branch.pk}
        assert ids(as_organizer.get("party-organizations", {"type": "committee"})) == [committee.pk]
        assert ids(as_organizer.get("party-organizations", {"organ": organ.pk, "type": "branch"})) == [branch.pk]
        assert ids(as_organizer.get("party-organizations", {"organ": 999999})) == []

    def test_detail(self, as_organizer, organ):
        branch = PartyOrganizationFactory(organ=organ, term_started_on=datetime.date(2024, 3, 1))
        body = as_organizer.get(f"party-organizations/{branch.pk}").json()
        assert body["organ"] == {"id": organ.pk, "code": organ.code, "name_zh": organ.name_zh}
        assert body["effective_term_years"] == 3
        assert body["term_ends_on"] == "2027-03-01"
        assert body["term_status"] in {"ok", "due", "overdue"}

    def test_create_under_a_parent(self, as_unit_admin, organ):
        committee = PartyOrganizationFactory(organ=organ, org_type=PartyOrganization.Type.COMMITTEE)
        response = as_unit_admin.post("party-organizations", {
            "organ_id": organ.pk, "name": "机关第一党支部", "org_type": "branch", "parent_id": committee.pk,
            "founded_on": "2015-07-01", "member_count": 15,
        })
        assert response.status_code == 201, response.content
        created = PartyOrganization.unscoped.get(pk=response.json()["id"])
        assert created.parent == committee and created.member_count == 15
        assert AuditEntry.objects.filter(action="create", object_pk=str(created.pk)).exists()

    def test_wrong_parent_type_names_parent_id(self, as_organizer, organ):
        branch = PartyOrganizationFactory(organ=organ)
        response = as_organizer.post("party-organizations", {
            "organ_id": organ.pk, "name": "机关党委", "org_type": "committee", "parent_id": branch.pk,
        })
        assert response.status_code == 422
        assert list(field_errors(response)) == ["parent_id"]
        assert not PartyOrganization.unscoped.filter(name="机关党委").exists()

    def test_duplicate_name_in_organ_is_refused(self, as_organizer, organ):
        branch = PartyOrganizationFactory(organ=organ)
        response = as_organizer.post("party-organizations",
                                     {"organ_id": organ.pk, "name": branch.name, "org_type": "branch"})
        assert response.status_code == 422
        assert response.json()["errors"]

    def test_bad_date_names_the_field(self, as_organizer, organ):
        response = as_organizer.post("party-organizations", {
            "organ_id": organ.pk, "name": "x", "org_type": "branch", "founded_on": "2015-02-30",
        })
        assert response.status_code == 422
        assert list(field_errors(response)) == ["founded_on"]

    def test_update(self, as_organizer, organ):
        branch = PartyOrganizationFactory(organ=organ)
        response = as_organizer.patch(f"party-organizations/{branch.pk}",
                                      {"term_started_on": "2025-04-01", "term_years": None})
        assert response.status_code == 200, response.content
        branch.refresh_from_db()
        assert branch.term_started_on == datetime.date(2025, 4, 1)
        assert response.json()["term_ends_on"] == "2028-04-01"

    def test_delete_and_conflict(self, as_organizer, organ):
        empty = PartyOrganizationFactory(organ=organ)
        assert as_organizer.delete(f"party-organizations/{empty.pk}").status_code == 204
        with_posts = PostFactory(person=PersonFactory(organ=organ)).party_organization
        assert as_organizer.delete(f"party-organizations/{with_posts.pk}").status_code == 409
        assert PartyOrganization.unscoped.filter(pk=with_posts.pk).exists()


# People ----------------------------------------------------------------------------------------------

class TestPeople:
    def test_list_masks_personal_data(self, as_organizer, organ):
        person = PersonFactory(organ=organ, mobile="13812345678")
        item = as_organizer.get("people").json()["items"][0]
        assert item["id"] == person.pk
        assert item["id_number"] == person.id_number[:6] + "********" + person.id_number[-4:]
        assert item["mobile"] == "138****5678"
        assert item["revealed"] is False
        assert not AuditEntry.objects.exists()

    def test_two_character_name_search(self, as_organizer, organ):
        wang_wei = PersonFactory(organ=organ, name="王伟")
        wang_weidong = PersonFactory(organ=organ, name="王伟东")
        PersonFactory(organ=organ, name="张伟")
        PersonFactory(organ=organ, name="王丽")
        assert ids(as_organizer.get("people", {"q": "王伟"})) == [wang_wei.pk, wang_weidong.pk]
        assert ids(as_organizer.get("people", {"q": " 王伟 "})) == [wang_wei.pk, wang_weidong.pk]
        assert as_organizer.get("people?q=%E7%8E%8B%E4%BC%9F").json()["count"] == 2  # percent-encoded

    def test_id_number_search_by_region_or_in_full_only(self, as_organizer, organ):
        person = PersonFactory(organ=organ)
        assert ids(as_organizer.get("people", {"q": person.id_number})) == [person.pk]
        assert ids(as_organizer.get("people", {"q": person.id_number[:6]})) == [person.pk]
        response = as_organizer.get("people", {"q": person.id_number[:12]})
        assert response.status_code == 422 and "q" in field_errors(response)

    def test_filter_by_organ(self, as_organizer, organ, other_organ):
        mine = PersonFactory(organ=organ)
        PersonFactory(organ=other_organ)
        assert ids(as_organizer.get("people", {"organ": organ.pk})) == [mine.pk]

    def test_filter_by_current_role(self, as_organizer, organ):
        secretary = PostFactory(person=PersonFactory(organ=organ), role=Post.Role.SECRETARY).person
        member = PostFactory(person=PersonFactory(organ=organ), role=Post.Role.COMMITTEE_MEMBER).person
        PostFactory(person=PersonFactory(organ=organ), role=Post.Role.SECRETARY,
                    started_on=datetime.date(2015, 1, 1), ended_on=datetime.date(2018, 1, 1))
        assert ids(as_organizer.get("people", {"role": "secretary"})) == [secretary.pk]
        assert ids(as_organizer.get("people", {"role": "committee_member"})) == [member.pk]
        assert "role" in field_errors(as_organizer.get("people", {"role": "chairman"}))

    def test_newly_appointed_since(self, as_organizer, organ):
        PostFactory(person=PersonFactory(organ=organ), started_on=datetime.date(2020, 6, 1))
        new = PostFactory(person=PersonFactory(organ=organ), started_on=datetime.date(2025, 3, 1)).person
        response = as_organizer.get("people", {"newly_appointed_since": "2025-01-01"})
        assert ids(response) == [new.pk]
        assert response.json()["items"][0]["first_secretary_on"] == "2025-03-01"

    def test_bad_date_filter_names_the_field(self, as_organizer, db):
        response = as_organizer.get("people", {"newly_appointed_since": "2025-13-01"})
        assert response.status_code == 422
        assert response["Content-Type"] == "application/problem+json"
        assert list(field_errors(response)) == ["newly_appointed_since"]

    def test_sort(self, as_organizer, organ):
        a = PersonFactory(organ=organ, name="安然")
        b = PersonFactory(organ=organ, name="白雪")
        expected_by_name = [p.pk for p in sorted([a, b], key=lambda p: p.name)]
        assert ids(as_organizer.get("people", {"sort": "name"})) == expected_by_name
        assert ids(as_organizer.get("people", {"sort": "-name"})) == expected_by_name[::-1]
        assert "sort" in field_errors(as_organizer.get("people", {"sort": "salary"}))

    def test_detail_has_current_posts(self, as_organizer, organ):
        post = PostFactory(person=PersonFactory(organ=organ))
        PostFactory(person=post.person, role=Post.Role.COMMITTEE_MEMBER,
                    started_on=datetime.date(2010, 1, 1), ended_on=datetime.date(2012, 1, 1))
        body = as_organizer.get(f"people/{post.person.pk}").json()
        assert [p["id"] for p in body["current_posts"]] == [post.pk]
        assert body["current_posts"][0]["party_organization_name"] == post.party_organization.name
        assert body["first_secretary_on"] == "2022-06-01"
        assert "*" in body["id_number"] and body["revealed"] is False

    def test_reveal_on_detail_is_audited(self, api_as, unit_admin, organ):
        person = PersonFactory(organ=organ, mobile="13812345678")
        body = api_as(unit_admin, token=True).get(f"people/{person.pk}", {"reveal": "true"}).json()
        assert body["id_number"] == person.id_number and body["mobile"] == "13812345678"
        assert body["revealed"] is True
        entry = AuditEntry.objects.get(action="reveal")
        assert entry.actor == unit_admin and entry.object_pk == str(person.pk)
        assert entry.model == "organizations.person"

    def test_reveal_on_list_reveals_and_audits_each_row_shown(self, api_as, organizer, organ):
        people = sorted([PersonFactory(organ=organ) for _ in range(3)], key=lambda p: (p.name, p.pk))
        response = api_as(organizer, token=True).get("people", {"reveal": "true", "page_size": 2})
        items = response.json()["items"]
        assert [item["id_number"] for item in items] == [p.id_number for p in people[:2]]
        revealed = set(AuditEntry.objects.filter(action="reveal").values_list("object_pk", flat=True))
        assert revealed == {str(p.pk) for p in people[:2]}

    def test_reveal_without_permission_is_403_and_reveals_nothing(self, api_as, unit_admin, organ):
        person = PersonFactory(organ=organ)
        original = rule_permissions["organizations.reveal_person"]
        rules.set_perm("organizations.reveal_person", is_organizer)
        try:
            client = api_as(unit_admin, token=True)
            detail = client.get(f"people/{person.pk}", {"reveal": "true"})
            listing = client.get("people", {"reveal": "true"})
            plain = client.get(f"people/{person.pk}")
        finally:
            rules.set_perm("organizations.reveal_person", original)
        assert detail.status_code == 403 and listing.status_code == 403
        assert detail["Content-Type"] == "application/problem+json"
        assert person.id_number not in detail.content.decode() + listing.content.decode()
        assert plain.status_code == 200 and "*" in plain.json()["id_number"]
        assert not AuditEntry.objects.filter(action="reveal").exists()

    def test_create_takes_birth_date_and_gender_from_the_id_number(self, as_unit_admin, organ):
        id_number = make_id_number(birth=datetime.date(1985, 10, 2), gender="female")
        response = as_unit_admin.post("people", {
            "name": "王伟", "id_number": id_number, "organ_id": organ.pk, "mobile": "13912345678",
            "education": "master", "rank_level": "section_deputy",
        })
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["birth_date"] == "1985-10-02" and body["gender"] == "female"
        assert body["id_number"] != id_number and body["mobile"] == "139****5678"
        person = Person.unscoped.get(pk=body["id"])
        assert person.id_number == id_number and person.ethnicity == "汉族"
        entry = AuditEntry.objects.get(action="create")
        assert id_number not in str(entry.changes)

    def test_id_number_checksum_failure_names_id_number(self, as_organizer, organ):
        response = as_organizer.post("people", {
            "name": "王伟", "id_number": bad_checksum(make_id_number()), "organ_id": organ.pk,
        })
        assert response.status_code == 422
        assert list(field_errors(response)) == ["id_number"]
        assert not Person.unscoped.exists()

    def test_duplicate_id_number_names_id_number(self, as_organizer, organ):
        existing = PersonFactory(organ=organ)
        response = as_organizer.post("people", {"name": "李娜", "id_number": existing.id_number,
                                                "organ_id": organ.pk})
        assert response.status_code == 422
        assert list(field_errors(response)) == ["id_number"]

    def test_gender_against_the_id_number_names_gender(self, as_organizer, organ):
        response = as_organizer.post("people", {
            "name": "李娜", "id_number": make_id_number(gender="male"), "organ_id": organ.pk, "gender": "female",
        })
        assert response.status_code == 422
        assert list(field_errors(response)) == ["gender"]

    def test_bad_mobile_and_bad_choice_name_their_fields(self, as_organizer, organ):
        response = as_organizer.post("people", {
            "name": "李娜", "id_number": make_id_number(), "organ_id": organ.pk, "mobile": "12345",
        })
        assert list(field_errors(response)) == ["mobile"]
        response = as_organizer.post("people", {
            "name": "李娜", "id_number": make_id_number(), "organ_id": organ.pk, "education": "phd",
        })
        assert list(field_errors(response)) == ["education"]

    def test_update(self, as_organizer, organ, other_organ):
        person = PersonFactory(organ=organ)
        response = as_organizer.patch(f"people/{person.pk}", {"position": "处长", "organ_id": other_organ.pk})
        assert response.status_code == 200, response.content
        assert response.json()["organ"]["id"] == other_organ.pk
        person.refresh_from_db()
        assert person.position == "处长" and person.organ == other_organ
        assert set(AuditEntry.objects.get(action="update").changes) == {"position", "organ"}

    def test_update_with_a_bad_id_number_changes_nothing(self, as_organizer, organ):
        person = PersonFactory(organ=organ)
        response = as_organizer.patch(f"people/{person.pk}", {"id_number": bad_checksum(person.id_number),
                                                                "position": "处长"})
        assert list(field_errors(response)) == ["id_number"]
        person.refresh_from_db()
        assert person.position == "科长"

    def test_delete_takes_the_posts_along(self, as_organizer, organ):
        post = PostFactory(person=PersonFactory(organ=organ))
        assert as_organizer.delete(f"people/{post.person.pk}").status_code == 204
        assert not Post.unscoped.filter(pk=post.pk).exists()

    def test_unit_admin_and_another_organs_person(self, as_unit_admin, organ, other_organ):
        stranger = PersonFactory(organ=other_organ)
        assert as_unit_admin.get(f"people/{stranger.pk}").status_code == 404
        assert as_unit_admin.get(f"people/{stranger.pk}", {"reveal": "true"}).status_code == 404
        assert as_unit_admin.patch(f"people/{stranger.pk}", {"position": "x"}).status_code == 404
        assert as_unit_admin.delete(f"people/{stranger.pk}").status_code == 404
        assert not AuditEntry.objects.exists()

    def test_unit_admin_cannot_create_a_person_in_another_organ(self, as_unit_admin, organ, other_organ):
        response = as_unit_admin.post("people", {"name": "王伟", "id_number": make_id_number(),
                                                 "organ_id": other_organ.pk})
        assert response.status_code == 422
        assert list(field_errors(response)) == ["organ_id"]
        assert not Person.unscoped.exists()


# Posts ------------------------------------------------------------------------------------------------

class TestPosts:
    def test_list_and_filters(self, as_organizer, organ):
        branch = PartyOrganizationFactory(organ=organ)
        person = PersonFactory(organ=organ)
        secretary = PostFactory(person=person, party_organization=branch, started_on=datetime.date(2023, 1, 1))
        old = PostFactory(person=person, party_organization=branch, role=Post.Role.COMMITTEE_MEMBER,
                          started_on=datetime.date(2015, 1, 1), ended_on=datetime.date(2018, 1, 1))
        other = PostFactory(person=PersonFactory(organ=organ), role=Post.Role.DEPUTY_SECRETARY)
        assert ids(as_organizer.get("posts")) == [secretary.pk, other.pk, old.pk]  # latest start first
        assert ids(as_organizer.get("posts", {"person": person.pk})) == [secretary.pk, old.pk]
        assert ids(as_organizer.get("posts", {"party_organization": branch.pk})) == [secretary.pk, old.pk]
        assert ids(as_organizer.get("posts", {"role": "deputy_secretary"})) == [other.pk]
        assert ids(as_organizer.get("posts", {"current": "true"})) == [secretary.pk, other.pk]
        assert ids(as_organizer.get("posts", {"current": "false"})) == [old.pk]
        assert ids(as_organizer.get("posts", {"person": person.pk, "current": "false"})) == [old.pk]

    def test_detail(self, as_organizer, organ):
        post = PostFactory(person=PersonFactory(organ=organ, name="王伟"))
        body = as_organizer.get(f"posts/{post.pk}").json()
        assert body["person_name"] == "王伟" and body["is_current"] is True
        assert body["party_organization_id"] == post.party_organization_id

    def test_create(self, as_unit_admin, organ):
        person = PersonFactory(organ=organ)
        branch = PartyOrganizationFactory(organ=organ)
        response = as_unit_admin.post("posts", {
            "person_id": person.pk, "party_organization_id": branch.pk, "role": "committee_member",
            "portfolio": "publicity", "started_on": "2024-03-01", "method": "elected",
        })
        assert response.status_code == 201, response.content
        post = Post.unscoped.get(pk=response.json()["id"])
        assert post.person == person and post.portfolio == "publicity"
        assert AuditEntry.objects.filter(action="create", model="organizations.post").exists()

    def test_overlapping_secretary_names_started_on(self, as_organizer, organ):
        current = PostFactory(person=PersonFactory(organ=organ))
        response = as_organizer.post("posts", {
            "person_id": PersonFactory(organ=organ).pk, "party_organization_id": current.party_organization_id,
            "role": "secretary", "started_on": "2024-01-01", "ended_on": "2024-12-31",
        })
        assert response.status_code == 422
        assert list(field_errors(response)) == ["started_on"]
        assert Post.unscoped.count() == 1

    def test_second_open_secretary_is_refused_naming_started_on(self, as_organizer, organ):
        current = PostFactory(person=PersonFactory(organ=organ))
        response = as_organizer.post("posts", {
            "person_id": PersonFactory(organ=organ).pk, "party_organization_id": current.party_organization_id,
            "role": "secretary", "started_on": "2024-01-01",
        })
        assert response.status_code == 422
        assert "started_on" in field_errors(response)

    def test_portfolio_and_period_errors_name_their_fields(self, as_organizer, organ):
        person = PersonFactory(organ=organ)
        branch = PartyOrganizationFactory(organ=organ)
        base = {"person_id": person.pk, "party_organization_id": branch.pk, "started_on": "2024-01-01"}
        response = as_organizer.post("posts", {**base, "role": "secretary", "portfolio": "publicity"})
        assert list(field_errors(response)) == ["portfolio"]
        response = as_organizer.post("posts", {**base, "role": "secretary", "ended_on": "2023-01-01"})
        assert "ended_on" in field_errors(response)
        response = as_organizer.post("posts", {**base, "role": "secretary", "started_on": "1 March 2024"})
        assert list(field_errors(response)) == ["started_on"]
        assert not Post.unscoped.exists()

    def test_end_a_post(self, as_organizer, organ):
        post = PostFactory(person=PersonFactory(organ=organ))
        response = as_organizer.patch(f"posts/{post.pk}", {"ended_on": "2024-12-31"})
        assert response.status_code == 200, response.content
        assert response.json()["is_current"] is False
        post.refresh_from_db()
        assert post.ended_on == datetime.date(2024, 12, 31)
        assert AuditEntry.objects.get(action="update").changes["ended_on"] == [None, "2024-12-31"]

    def test_delete(self, as_organizer, organ):
        post = PostFactory(person=PersonFactory(organ=organ))
        assert as_organizer.delete(f"posts/{post.pk}").status_code == 204
        assert not Post.unscoped.exists()

    def test_unit_admin_cannot_give_a_post_to_another_organs_person(self, as_unit_admin, organ, other_organ):
        response = as_unit_admin.post("posts", {
            "person_id": PersonFactory(organ=other_organ).pk,
            "party_organization_id": PartyOrganizationFactory(organ=organ).pk,
            "role": "secretary", "started_on": "2024-01-01",
        })
        assert response.status_code == 422
        assert list(field_errors(response)) == ["person_id"]


# Input limits ---------------------------------------------------------------------------------------

HUGE = str(10**20)  # beyond the database's integer range


@pytest.mark.parametrize(("path", "params", "field"), [
    (f"people/{HUGE}", {}, "person_id"),
    ("people", {"organ": HUGE}, "organ"),
    ("posts", {"person": HUGE}, "person"),
    ("party-organizations", {"organ": "0"}, "organ"),
    ("organs", {"page": HUGE}, "page"),
])
def test_out_of_range_numbers_in_the_url_name_the_field(as_organizer, path, params, field):
    response = as_organizer.get(path, params)
    assert response.status_code == 422
    assert list(field_errors(response)) == [field]


def test_out_of_range_numbers_in_the_body_name_the_field(as_organizer, organ):
    response = as_organizer.post("party-organizations", {
        "organ_id": organ.pk, "name": "x", "org_type": "branch", "parent_id": 10**20, "term_years": 10**6,
    })
    assert response.status_code == 422
    assert set(field_errors(response)) == {"parent_id", "term_years"}
    branch = PartyOrganizationFactory(organ=organ)
    response = as_organizer.patch(f"party-organizations/{branch.pk}", {"organ_id": 10**20, "member_count": -1})
    assert set(field_errors(response)) == {"organ_id", "member_count"}


def test_null_characters_are_refused_naming_the_field(as_organizer, organ):
    """PostgreSQL cannot store NUL; the web forms refuse it too."""
    response = as_organizer.get("people", {"q": "王\x00伟"})
    assert response.status_code == 422
    assert list(field_errors(response)) == ["q"]
    response = as_organizer.patch(f"organs/{organ.pk}", {"name_zh": "财政\x00局"})
    assert list(field_errors(response)) == ["name_zh"]


# Authentication and documentation -------------------------------------------------------------------

class TestAuthentication:
    def test_valid_token(self, organizer, organ):
        token = ApiToken.issue(user=organizer)
        response = ApiClient(token=token).get("organs")
        assert ids(response) == [organ.pk]
        assert ApiToken.objects.get().last_used_at is not None

    def test_token_writes_are_attributed_to_its_user(self, organizer, organ):
        response = ApiClient(token=ApiToken.issue(user=organizer)).patch(f"organs/{organ.pk}", {"name_en": "X"})
        assert response.status_code == 200
        assert AuditEntry.objects.get().actor == organizer

    @pytest.mark.parametrize("token", ["dj_not-a-token", ""])
    def test_invalid_token_is_401(self, organ, token):
        client = ApiClient()
        response = client.django.get("/api/v1/organs", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["status"] == 401

    def test_no_credentials_is_401(self, db):
        response = ApiClient().get("people")
        assert response.status_code == 401
        assert response.json()["detail"]

    def test_token_of_an_inactive_user_is_401(self, organizer, organ):
        token = ApiToken.issue(user=organizer)
        organizer.is_active = False
        organizer.save()
        assert ApiClient(token=token).get("organs").status_code == 401

    def test_token_of_a_user_without_registry_access_is_403(self, db):
        participant = UserFactory(roles=["participant"])
        response = ApiClient(token=ApiToken.issue(user=participant)).get("people")
        assert response.status_code == 403

    def test_session(self, api_as, organizer, organ):
        assert ids(api_as(organizer).get("organs")) == [organ.pk]

    def test_session_writes_need_the_csrf_token(self, organizer, organ):
        browser = Client(enforce_csrf_checks=True)
        browser.force_login(organizer)
        response = browser.patch(f"/api/v1/organs/{organ.pk}", {"name_en": "X"}, content_type="application/json")
        assert response.status_code == 403
        assert not AuditEntry.objects.exists()

    def test_token_writes_need_no_csrf_token(self, organizer, organ):
        client = Client(enforce_csrf_checks=True, headers={"Authorization": f"Bearer {ApiToken.issue(user=organizer)}"})
        response = client.patch(f"/api/v1/organs/{organ.pk}", {"name_en": "X"}, content_type="application/json")
        assert response.status_code == 200


class TestDocumentation:
    def test_openapi_document(self, db):
        response = ApiClient().get("openapi.json")
        assert response.status_code == 200
        document = response.json()
        for path in ["/api/v1/organs", "/api/v1/organs/{organ_id}", "/api/v1/party-organizations",
                     "/api/v1/party-organizations/{party_organization_id}", "/api/v1/people",
                     "/api/v1/people/{person_id}", "/api/v1/posts", "/api/v1/posts/{post_id}"]:
            assert path in document["paths"]
        assert set(document["paths"]["/api/v1/people/{person_id}"]) == {"get", "patch", "delete"}
        assert "BearerToken" in document["components"]["securitySchemes"]

    @pytest.mark.parametrize("logged_in", [True, False])
    def test_docs_page_loads_without_inline_script(self, api_as, organizer, logged_in):
        response = api_as(organizer if logged_in else None).get("docs")
        assert response.status_code == 200
        html = response.content.decode()
        scripts = re.findall(r"<script([^>]*)>", html)
        assert scripts
        assert all("src=" in attrs or 'type="application/json"' in attrs for attrs in scripts)
        csp = response["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
