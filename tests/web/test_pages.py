"""Client tests of the staff pages: every page renders, filters and forms behave, scoping holds."""

import datetime
import re
from types import SimpleNamespace

import pytest
from django.urls import reverse

from dangjian.core.models import AuditEntry
from dangjian.organizations.models import Organ, PartyOrganization, Person, Post
from tests.factories import (
    OrganFactory,
    PartyOrganizationFactory,
    PersonFactory,
    PostFactory,
    UserFactory,
    make_id_number,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()


def _days_ago(days: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=days)


@pytest.fixture
def registry(organ, other_organ):
    """Two organs, each with a party committee and a branch under it, people and posts.

    organ:        王伟 (secretary of branch, recently appointed), 张伟 (committee member), 王芳 (no post)
    other_organ:  赵敏 (secretary of the other organ's branch since 2015)
    """
    # Terms started recently, so that no general election is due whatever day the tests run.
    committee = PartyOrganizationFactory(organ=organ, name="机关党委", org_type=PartyOrganization.Type.COMMITTEE,
                                         term_started_on=_days_ago(400))
    branch = PartyOrganizationFactory(organ=organ, name="第一党支部", parent=committee,
                                      term_started_on=_days_ago(300))
    wang_wei = PersonFactory(organ=organ, name="王伟", id_number=make_id_number(datetime.date(1978, 3, 4)),
                             mobile="13812345678", position="办公室主任")
    zhang_wei = PersonFactory(organ=organ, name="张伟", id_number=make_id_number(datetime.date(1985, 7, 9)))
    wang_fang = PersonFactory(organ=organ, name="王芳",
                              id_number=make_id_number(datetime.date(1990, 1, 2), gender="female"))
    wang_wei_post = PostFactory(person=wang_wei, party_organization=branch, started_on=_days_ago(30),
                                approval_reference="宛直工〔2025〕12号")
    PostFactory(person=zhang_wei, party_organization=committee, role=Post.Role.COMMITTEE_MEMBER,
                portfolio=Post.Portfolio.PUBLICITY, started_on=datetime.date(2021, 3, 1))
    other_branch = PartyOrganizationFactory(organ=other_organ, name="机关第二党支部", term_started_on=_days_ago(200))
    zhao_min = PersonFactory(organ=other_organ, name="赵敏", id_number=make_id_number(datetime.date(1970, 11, 30)))
    PostFactory(person=zhao_min, party_organization=other_branch, started_on=datetime.date(2015, 1, 5))
    return SimpleNamespace(
        organ=organ, other_organ=other_organ, committee=committee, branch=branch, other_branch=other_branch,
        wang_wei=wang_wei, zhang_wei=zhang_wei, wang_fang=wang_fang, zhao_min=zhao_min, wang_wei_post=wang_wei_post,
    )


@pytest.fixture
def organizer_client(client, organizer):
    client.force_login(organizer)
    return client


@pytest.fixture
def unit_admin_client(client, unit_admin):
    client.force_login(unit_admin)
    return client


def listed(response) -> list:
    """The objects on the list page's current page, in page order."""
    return list(response.context["page"])


def person_form_data(organ: Organ, **changes) -> dict:
    data = {
        "name": "李娜", "gender": "", "id_number": make_id_number(datetime.date(1988, 8, 8), gender="female"),
        "birth_date": "", "ethnicity": "汉族", "party_joined_on": "", "mobile": "13912345678",
        "education": "bachelor", "position": "科员", "rank_level": "staff", "organ": organ.pk,
    }
    data.update(changes)
    return data


def with_bad_check_digit(id_number: str) -> str:
    wrong = next(char for char in "0123456789X" if char != id_number[-1])
    return id_number[:-1] + wrong


# Every page renders for an organizer ---------------------------------------------------------

def test_home_shows_registry_figures_and_term_warnings(organizer_client, registry):
    response = organizer_client.get(reverse("home"))
    assert response.status_code == 200
    assert response.context["person_count"] == 4
    assert response.context["organ_count"] == 2
    assert response.context["secretary_count"] == 2
    assert response.context["new_secretary_count"] == 1  # 王伟, appointed 30 days ago
    assert response.context["term_warning_count"] == 0

    overdue = PartyOrganizationFactory(organ=registry.organ, name="第三党支部", term_started_on=_days_ago(4 * 365))
    due = PartyOrganizationFactory(organ=registry.other_organ, name="第四党支部",
                                   term_started_on=_days_ago(3 * 365 - 30))
    response = organizer_client.get(reverse("home"))
    assert list(response.context["term_warnings"]) == [overdue, due]
    assert response.context["term_warning_count"] == 2
    content = response.content.decode()
    assert "第三党支部" in content and "第四党支部" in content


def test_organ_list_and_detail_with_tree(organizer_client, registry):
    response = organizer_client.get(reverse("organ_list"))
    assert response.status_code == 200
    counts = {organ.pk: (organ.party_org_count, organ.people_count) for organ in listed(response)}
    assert counts == {registry.organ.pk: (2, 3), registry.other_organ.pk: (1, 1)}

    response = organizer_client.get(reverse("organ_detail", args=[registry.organ.pk]))
    assert response.status_code == 200
    assert response.context["tree"] == [(registry.committee, 0), (registry.branch, 1)]
    content = response.content.decode()
    assert "机关党委" in content and "第一党支部" in content and "王伟" in content
    assert "机关第二党支部" not in content


def test_organ_list_filters_by_search_and_sector(organizer_client, registry):
    party_organ = OrganFactory(name_zh="中共南阳市委组织部", sector=Organ.Sector.PARTY)
    response = organizer_client.get(reverse("organ_list"), {"q": "组织部"})
    assert listed(response) == [party_organ]
    response = organizer_client.get(reverse("organ_list"), {"sector": "party"})
    assert listed(response) == [party_organ]


def test_organ_create_edit_delete(organizer_client, registry):
    response = organizer_client.get(reverse("organ_create"))
    assert response.status_code == 200
    response = organizer_client.post(reverse("organ_create"), {
        "code": "audit-bureau", "name_zh": "南阳市审计局", "name_en": "Audit Bureau", "sector": "government",
    })
    organ = Organ.unscoped.get(code="audit-bureau")
    assert response.status_code == 302 and response["Location"] == organ.get_absolute_url()
    assert AuditEntry.objects.filter(action="create", model="organizations.organ", object_pk=str(organ.pk)).exists()

    assert organizer_client.get(reverse("organ_edit", args=[organ.pk])).status_code == 200
    response = organizer_client.post(reverse("organ_edit", args=[organ.pk]), {
        "code": "audit-bureau", "name_zh": "南阳市审计局", "name_en": "Municipal Audit Bureau", "sector": "government",
    })
    assert response.status_code == 302
    organ.refresh_from_db()
    assert organ.name_en == "Municipal Audit Bureau"

    response = organizer_client.post(reverse("organ_delete", args=[organ.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("organ_list")
    assert not Organ.unscoped.filter(pk=organ.pk).exists()


def test_organ_create_rejects_a_duplicate_name_on_the_field(organizer_client, registry):
    response = organizer_client.post(reverse("organ_create"), {
        "code": "dup", "name_zh": registry.organ.name_zh, "sector": "government",
    })
    assert response.status_code == 400
    assert "name_zh" in response.context["form"].errors
    assert not Organ.unscoped.filter(code="dup").exists()


def test_organ_with_people_is_not_deleted(organizer_client, registry):
    response = organizer_client.post(reverse("organ_delete", args=[registry.organ.pk]), follow=True)
    assert Organ.unscoped.filter(pk=registry.organ.pk).exists()
    assert response.redirect_chain[-1][0] == registry.organ.get_absolute_url()
    assert len(list(response.context["messages"])) == 1


def test_party_organization_list_with_type_and_warning_filters(organizer_client, registry):
    response = organizer_client.get(reverse("party_organization_list"))
    assert response.status_code == 200
    assert set(listed(response)) == {registry.committee, registry.branch, registry.other_branch}
    content = response.content.decode()
    assert "王伟" in content and "赵敏" in content  # current secretaries

    response = organizer_client.get(reverse("party_organization_list"), {"type": "committee"})
    assert listed(response) == [registry.committee]

    overdue = PartyOrganizationFactory(organ=registry.organ, name="第三党支部",
                                       term_started_on=TODAY - datetime.timedelta(days=4 * 365))
    response = organizer_client.get(reverse("party_organization_list"), {"warnings": "1"})
    assert response.status_code == 200
    assert overdue in listed(response)
    assert listed(response) == [overdue]


def test_warning_list_shows_the_current_secretary(organizer_client, registry):
    registry.branch.term_started_on = TODAY - datetime.timedelta(days=4 * 365)
    registry.branch.save()
    response = organizer_client.get(reverse("party_organization_list"), {"warnings": "1"})
    assert registry.branch in listed(response)
    assert "王伟" in response.content.decode()


def test_party_organization_detail_lists_posts_and_children(organizer_client, registry):
    response = organizer_client.get(reverse("party_organization_detail", args=[registry.committee.pk]))
    assert response.status_code == 200
    assert list(response.context["children"]) == [registry.branch]
    content = response.content.decode()
    assert "张伟" in content and "第一党支部" in content

    response = organizer_client.get(reverse("party_organization_detail", args=[registry.branch.pk]))
    assert "王伟" in response.content.decode() and "宛直工〔2025〕12号" in response.content.decode()


def test_party_organization_create_edit_delete(organizer_client, registry):
    url = reverse("party_organization_create")
    response = organizer_client.get(url, {"organ": registry.organ.pk})
    assert response.status_code == 200
    assert response.context["form"].initial["organ"] == registry.organ
    response = organizer_client.post(url, {
        "organ": registry.organ.pk, "name": "第二党支部", "org_type": "branch", "parent": registry.committee.pk,
        "founded_on": "2012-07-01", "term_started_on": "2024-05-01", "term_years": "", "member_count": "9",
    })
    org = PartyOrganization.unscoped.get(organ=registry.organ, name="第二党支部")
    assert response.status_code == 302 and response["Location"] == org.get_absolute_url()

    assert organizer_client.get(reverse("party_organization_edit", args=[org.pk])).status_code == 200
    response = organizer_client.post(reverse("party_organization_edit", args=[org.pk]), {
        "organ": registry.organ.pk, "name": "第二党支部", "org_type": "branch", "parent": registry.committee.pk,
        "founded_on": "2012-07-01", "term_started_on": "2024-05-01", "term_years": "", "member_count": "11",
    })
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.member_count == 11

    response = organizer_client.post(reverse("party_organization_delete", args=[org.pk]))
    assert response.status_code == 302 and response["Location"] == registry.organ.get_absolute_url()
    assert not PartyOrganization.unscoped.filter(pk=org.pk).exists()


def test_party_organization_parent_of_wrong_type_is_an_error_on_parent(organizer_client, registry):
    response = organizer_client.post(reverse("party_organization_create"), {
        "organ": registry.organ.pk, "name": "新党委", "org_type": "committee", "parent": registry.branch.pk,
        "member_count": "3",
    })
    assert response.status_code == 400
    assert "parent" in response.context["form"].errors
    assert not PartyOrganization.unscoped.filter(name="新党委").exists()


# People list: search, filters, sort, pagination -------------------------------------------------

def test_people_list_renders_masked_personal_data(organizer_client, registry):
    response = organizer_client.get(reverse("person_list"))
    assert response.status_code == 200
    assert len(listed(response)) == 4
    content = response.content.decode()
    assert registry.wang_wei.id_number not in content and "13812345678" not in content
    assert "138****5678" in content
    assert registry.wang_wei.id_number[:6] + "********" + registry.wang_wei.id_number[-4:] in content


def test_search_by_a_two_character_chinese_name(organizer_client, registry):
    response = organizer_client.get(reverse("person_list"), {"q": "王伟"})
    assert listed(response) == [registry.wang_wei]
    table = re.search(r'<table class="table" id="people">.*?</table>', response.content.decode(), re.S).group(0)
    assert "王伟" in table and "王芳" not in table and "张伟" not in table and "赵敏" not in table


def test_search_finds_by_position(organizer_client, registry):
    response = organizer_client.get(reverse("person_list"), {"q": "办公室"})
    assert listed(response) == [registry.wang_wei]


def test_filter_people_by_organ(organizer_client, registry):
    response = organizer_client.get(reverse("person_list"), {"organ": registry.other_organ.pk})
    assert listed(response) == [registry.zhao_min]


def test_filter_people_by_current_role(organizer_client, registry):
    response = organizer_client.get(reverse("person_list"), {"role": "secretary"})
    assert set(listed(response)) == {registry.wang_wei, registry.zhao_min}
    response = organizer_client.get(reverse("person_list"), {"role": "committee_member"})
    assert listed(response) == [registry.zhang_wei]


def test_filter_people_newly_appointed_since(organizer_client, registry):
    since = _days_ago(365).isoformat()
    response = organizer_client.get(reverse("person_list"), {"new_since": since})
    assert listed(response) == [registry.wang_wei]
    response = organizer_client.get(reverse("person_list"), {"new_since": "2014-01-01"})
    assert set(listed(response)) == {registry.wang_wei, registry.zhao_min}


def test_people_filters_combine(organizer_client, registry):
    response = organizer_client.get(reverse("person_list"), {"q": "王", "role": "secretary",
                                                             "organ": registry.organ.pk})
    assert listed(response) == [registry.wang_wei]


@pytest.fixture
def sortable_people(organizer):
    """Three people in three organs, each first a secretary on a different date. By pinyin 丙 (bing) comes before
    甲 (jia) and 乙 (yi), by code point 丙 before 乙 before 甲; the organs' official order is not their codes'."""
    people = []
    for organ_code, place, name, birth, appointed in [
        ("b-organ", 1, "乙", datetime.date(1981, 1, 1), datetime.date(2020, 5, 1)),
        ("c-organ", 3, "甲", datetime.date(1975, 1, 1), datetime.date(2022, 5, 1)),
        ("a-organ", 2, "丙", datetime.date(1990, 1, 1), datetime.date(2018, 5, 1)),
    ]:
        organ = OrganFactory(code=organ_code, sort_order=place)
        person = PersonFactory(organ=organ, name=name, id_number=make_id_number(birth))
        PostFactory(person=person, started_on=appointed)
        people.append(person)
    return people


PINYIN_ORDER = ["丙", "甲", "乙"]


@pytest.mark.parametrize("column, key", [
    ("name", lambda p: PINYIN_ORDER.index(p.name)),
    ("organ", lambda p: p.organ.sort_order),
    ("appointed", lambda p: p.posts.get().started_on),
    ("birth", lambda p: p.birth_date),
])
@pytest.mark.parametrize("descending", [False, True], ids=["asc", "desc"])
def test_sort_people_by_each_column(client, organizer, sortable_people, column, key, descending):
    client.force_login(organizer)
    sort = f"-{column}" if descending else column
    response = client.get(reverse("person_list"), {"sort": sort})
    assert response.status_code == 200
    expected = sorted(sortable_people, key=key, reverse=descending)
    assert listed(response) == expected
    assert response.context["sort"] == sort


def test_sort_links_toggle_direction(organizer_client, sortable_people):
    content = organizer_client.get(reverse("person_list"), {"sort": "name"}).content.decode()
    assert "?sort=-name" in content and "?sort=organ" in content
    content = organizer_client.get(reverse("person_list"), {"sort": "-name"}).content.decode()
    assert "?sort=name" in content


def test_unknown_sort_falls_back_to_name(organizer_client, sortable_people):
    response = organizer_client.get(reverse("person_list"), {"sort": "id_number"})
    assert response.status_code == 200
    assert listed(response) == sorted(sortable_people, key=lambda p: PINYIN_ORDER.index(p.name))


def test_people_list_pagination(organizer_client, registry, settings):
    settings.PAGE_SIZE = 3
    everyone = sorted(Person.unscoped.all(), key=lambda p: (p.name_sort, p.pk))
    first = organizer_client.get(reverse("person_list"))
    second = organizer_client.get(reverse("person_list"), {"page": 2})
    assert listed(first) == everyone[:3] and listed(second) == everyone[3:]
    assert first.context["page"].paginator.num_pages == 2
    assert "page=2" in first.content.decode()
    # Out-of-range and junk page numbers land on a real page, not an error.
    assert listed(organizer_client.get(reverse("person_list"), {"page": 99})) == everyone[3:]
    assert listed(organizer_client.get(reverse("person_list"), {"page": "x"})) == everyone[:3]


def test_pagination_keeps_the_filters(organizer_client, registry, settings):
    settings.PAGE_SIZE = 1
    response = organizer_client.get(reverse("person_list"), {"role": "secretary"})
    content = response.content.decode()
    assert "role=secretary" in content and "page=2" in content


# Person detail, forms, posts, reveal ------------------------------------------------------------

def test_person_detail_shows_post_history(organizer_client, registry):
    PostFactory(person=registry.wang_wei, party_organization=registry.committee,
                role=Post.Role.COMMITTEE_MEMBER, portfolio=Post.Portfolio.ORGANIZATION,
                started_on=datetime.date(2016, 3, 1), ended_on=datetime.date(2021, 2, 28))
    response = organizer_client.get(reverse("person_detail", args=[registry.wang_wei.pk]))
    assert response.status_code == 200
    posts = list(response.context["posts"])
    assert [post.started_on for post in posts] == [registry.wang_wei_post.started_on, datetime.date(2016, 3, 1)]
    content = response.content.decode()
    assert "机关党委" in content and "第一党支部" in content and "2021-02-28" in content
    assert registry.wang_wei.id_number not in content


def test_person_create(organizer_client, registry):
    assert organizer_client.get(reverse("person_create"), {"organ": registry.organ.pk}).status_code == 200
    data = person_form_data(registry.organ)
    response = organizer_client.post(reverse("person_create"), data)
    person = Person.unscoped.get(id_number=data["id_number"])
    assert response.status_code == 302 and response["Location"] == person.get_absolute_url()
    assert person.birth_date == datetime.date(1988, 8, 8) and person.gender == "female"
    entry = AuditEntry.objects.get(action="create", model="organizations.person")
    assert data["id_number"] not in str(entry.changes)


@pytest.mark.parametrize("change, field", [
    ("bad_check_digit", "id_number"),
    ("birth_date_mismatch", "birth_date"),
    ("bad_mobile", "mobile"),
    ("short_id", "id_number"),
    ("gender_mismatch", "gender"),
])
def test_person_form_errors_name_the_field(organizer_client, registry, change, field):
    data = person_form_data(registry.organ)
    data.update({
        "bad_check_digit": {"id_number": with_bad_check_digit(data["id_number"])},
        "birth_date_mismatch": {"birth_date": "1988-08-09"},
        "bad_mobile": {"mobile": "1381234"},
        "short_id": {"id_number": "41130219880808"},
        "gender_mismatch": {"gender": "male"},
    }[change])
    response = organizer_client.post(reverse("person_create"), data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == [field], errors
    assert 'class="field-error"' in response.content.decode()
    assert not Person.unscoped.filter(name="李娜").exists()
    assert not AuditEntry.objects.exists()


def test_person_edit(organizer_client, registry):
    person = registry.wang_fang
    assert organizer_client.get(reverse("person_edit", args=[person.pk])).status_code == 200
    data = person_form_data(registry.organ, name="王芳", id_number=person.id_number,
                            birth_date=person.birth_date.isoformat(), position="副科长", mobile="")
    response = organizer_client.post(reverse("person_edit", args=[person.pk]), data)
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.position == "副科长"
    assert AuditEntry.objects.filter(action="update", object_pk=str(person.pk)).exists()


def test_person_edit_with_bad_mobile_changes_nothing(organizer_client, registry):
    person = registry.wang_wei
    data = person_form_data(registry.organ, name="王伟", id_number=person.id_number, mobile="23812345678",
                            position="改了")
    response = organizer_client.post(reverse("person_edit", args=[person.pk]), data)
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["mobile"]
    person.refresh_from_db()
    assert person.position == "办公室主任" and person.mobile == "13812345678"


def test_person_delete(organizer_client, registry):
    response = organizer_client.post(reverse("person_delete", args=[registry.wang_fang.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("person_list")
    assert not Person.unscoped.filter(pk=registry.wang_fang.pk).exists()


def _post_data(org: PartyOrganization, **changes) -> dict:
    data = {"party_organization": org.pk, "role": "secretary", "portfolio": "", "started_on": "2023-01-01",
            "ended_on": "", "method": "elected", "approval_reference": ""}
    data.update(changes)
    return data


def test_post_create_edit_delete(organizer_client, registry):
    person = registry.wang_fang
    assert organizer_client.get(reverse("post_create", args=[person.pk])).status_code == 200
    response = organizer_client.post(reverse("post_create", args=[person.pk]), _post_data(
        registry.committee, role="committee_member", portfolio="discipline", started_on="2021-03-01"))
    assert response.status_code == 302 and response["Location"] == person.get_absolute_url()
    post = Post.unscoped.get(person=person)

    assert organizer_client.get(reverse("post_edit", args=[post.pk])).status_code == 200
    response = organizer_client.post(reverse("post_edit", args=[post.pk]), _post_data(
        registry.committee, role="committee_member", portfolio="discipline", started_on="2021-03-01",
        ended_on="2024-12-31"))
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.ended_on == datetime.date(2024, 12, 31)

    response = organizer_client.post(reverse("post_delete", args=[post.pk]))
    assert response.status_code == 302 and response["Location"] == person.get_absolute_url()
    assert not Post.unscoped.filter(pk=post.pk).exists()


@pytest.mark.parametrize("ended_on", ["", "2023-12-31"], ids=["open", "dated"])
def test_post_create_with_an_overlapping_secretary_is_refused_on_started_on(organizer_client, registry, ended_on):
    posts_before = Post.unscoped.count()
    audit_before = AuditEntry.objects.count()
    started_on = _days_ago(10).isoformat() if not ended_on else _days_ago(20).isoformat()
    ended = "" if not ended_on else _days_ago(5).isoformat()
    response = organizer_client.post(reverse("post_create", args=[registry.wang_fang.pk]), _post_data(
        registry.branch, started_on=started_on, ended_on=ended))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "started_on" in errors, errors
    assert "王伟" in " ".join(errors["started_on"])
    assert Post.unscoped.count() == posts_before
    assert AuditEntry.objects.count() == audit_before


def test_post_with_end_before_start_is_refused(organizer_client, registry):
    response = organizer_client.post(reverse("post_create", args=[registry.wang_fang.pk]), _post_data(
        registry.committee, role="deputy_secretary", started_on="2023-01-01", ended_on="2022-01-01"))
    assert response.status_code == 400
    assert "ended_on" in response.context["form"].errors
    assert not Post.unscoped.filter(person=registry.wang_fang).exists()


def test_reveal_shows_the_full_id_number_and_is_audited(organizer_client, organizer, registry):
    person = registry.wang_wei
    response = organizer_client.post(reverse("person_reveal", args=[person.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert person.id_number in content and "13812345678" in content
    entry = AuditEntry.objects.get(action="reveal")
    assert entry.actor == organizer and entry.object_pk == str(person.pk)
    assert entry.model == "organizations.person"
    assert person.id_number not in str(entry.changes)


def test_reveal_with_htmx_returns_only_the_fragment(organizer_client, registry):
    person = registry.wang_wei
    response = organizer_client.post(reverse("person_reveal", args=[person.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    content = response.content.decode()
    assert content.lstrip().startswith('<section class="card" id="personal-data">')
    assert "<html" not in content and person.id_number in content


def test_reveal_by_get_is_not_allowed(organizer_client, registry):
    response = organizer_client.get(reverse("person_reveal", args=[registry.wang_wei.pk]))
    assert response.status_code == 405
    assert not AuditEntry.objects.filter(action="reveal").exists()


def test_audit_trail_lists_and_filters_by_action(organizer_client, organizer, registry):
    organizer_client.post(reverse("person_reveal", args=[registry.wang_wei.pk]))
    organizer_client.post(reverse("person_delete", args=[registry.wang_fang.pk]))
    response = organizer_client.get(reverse("audit_list"))
    assert response.status_code == 200
    assert [entry.action for entry in listed(response)] == ["delete", "reveal"]
    content = response.content.decode()
    assert "王伟" in content and "王芳" in content and organizer.username in content

    response = organizer_client.get(reverse("audit_list"), {"action": "reveal"})
    assert [(entry.action, entry.object_repr) for entry in listed(response)] == [("reveal", "王伟")]
    response = organizer_client.get(reverse("audit_list"), {"actor": "nobody"})
    assert listed(response) == []


# Unit administrator: only their organ -------------------------------------------------------------

def test_unit_admin_lists_show_only_their_organ(unit_admin_client, registry):
    response = unit_admin_client.get(reverse("organ_list"))
    assert listed(response) == [registry.organ]
    response = unit_admin_client.get(reverse("party_organization_list"))
    assert set(listed(response)) == {registry.committee, registry.branch}
    response = unit_admin_client.get(reverse("person_list"))
    assert set(listed(response)) == {registry.wang_wei, registry.zhang_wei, registry.wang_fang}
    assert "赵敏" not in response.content.decode()
    response = unit_admin_client.get(reverse("home"))
    assert response.context["person_count"] == 3 and response.context["organ_count"] == 1
    # The organ filter offers only their own organ.
    assert list(response_form_organs(unit_admin_client)) == [registry.organ]


def response_form_organs(client):
    return client.get(reverse("person_list")).context["form"].fields["organ"].queryset


def test_unit_admin_cannot_filter_their_way_into_another_organ(unit_admin_client, registry):
    response = unit_admin_client.get(reverse("person_list"), {"organ": registry.other_organ.pk})
    assert registry.zhao_min not in listed(response)
    response = unit_admin_client.get(reverse("person_list"), {"q": "赵敏"})
    assert listed(response) == []


@pytest.mark.parametrize("name, target", [
    ("person_detail", "zhao_min"),
    ("person_edit", "zhao_min"),
    ("post_create", "zhao_min"),
    ("party_organization_detail", "other_branch"),
    ("party_organization_edit", "other_branch"),
    ("organ_detail", "other_organ"),
])
def test_unit_admin_gets_404_for_another_organs_records(unit_admin_client, registry, name, target):
    response = unit_admin_client.get(reverse(name, args=[getattr(registry, target).pk]))
    assert response.status_code == 404


def test_unit_admin_cannot_reveal_or_delete_in_another_organ(unit_admin_client, registry):
    assert unit_admin_client.post(reverse("person_reveal", args=[registry.zhao_min.pk])).status_code == 404
    assert unit_admin_client.post(reverse("person_delete", args=[registry.zhao_min.pk])).status_code == 404
    assert Person.unscoped.filter(pk=registry.zhao_min.pk).exists()
    assert not AuditEntry.objects.exists()


def test_unit_admin_works_in_their_own_organ(unit_admin_client, registry):
    assert unit_admin_client.get(reverse("organ_detail", args=[registry.organ.pk])).status_code == 200
    assert unit_admin_client.get(reverse("person_detail", args=[registry.wang_wei.pk])).status_code == 200
    response = unit_admin_client.post(reverse("person_create"), person_form_data(registry.organ))
    assert response.status_code == 302
    assert Person.unscoped.get(name="李娜").organ == registry.organ
    response = unit_admin_client.post(reverse("person_reveal", args=[registry.wang_wei.pk]))
    assert registry.wang_wei.id_number in response.content.decode()


def test_unit_admin_cannot_create_a_person_in_another_organ(unit_admin_client, registry):
    response = unit_admin_client.post(reverse("person_create"), person_form_data(registry.other_organ))
    assert response.status_code == 400
    assert response.context["form"].has_error("organ", code="invalid_choice")
    assert not Person.unscoped.filter(name="李娜").exists()


def test_unit_admin_cannot_move_a_person_to_another_organ(unit_admin_client, registry):
    person = registry.wang_fang
    data = person_form_data(registry.other_organ, name="王芳", id_number=person.id_number)
    response = unit_admin_client.post(reverse("person_edit", args=[person.pk]), data)
    assert response.status_code == 400
    assert response.context["form"].has_error("organ", code="invalid_choice")
    person.refresh_from_db()
    assert person.organ == registry.organ


def test_unit_admin_cannot_give_a_post_in_another_organs_party_organization(unit_admin_client, registry):
    response = unit_admin_client.post(reverse("post_create", args=[registry.wang_fang.pk]), _post_data(
        registry.other_branch, role="committee_member"))
    assert response.status_code == 400
    assert response.context["form"].has_error("party_organization", code="invalid_choice")
    assert not Post.unscoped.filter(person=registry.wang_fang).exists()


@pytest.mark.parametrize("method, name", [
    ("get", "organ_create"), ("post", "organ_create"), ("get", "organ_edit"), ("post", "organ_edit"),
    ("post", "organ_delete"),
])
def test_unit_admin_cannot_change_organs(unit_admin_client, registry, method, name):
    args = [] if name == "organ_create" else [registry.organ.pk]
    data = {"code": "x", "name_zh": "改名", "sector": "party"}
    response = getattr(unit_admin_client, method)(reverse(name, args=args), data if method == "post" else None)
    assert response.status_code == 403
    registry.organ.refresh_from_db()
    assert registry.organ.name_zh != "改名" and Organ.unscoped.count() == 2


def test_unit_admin_cannot_see_the_audit_trail(unit_admin_client, registry):
    assert unit_admin_client.get(reverse("audit_list")).status_code == 403


def test_unit_admin_does_not_see_organ_admin_buttons(unit_admin_client, registry):
    content = unit_admin_client.get(reverse("organ_list")).content.decode()
    assert reverse("organ_create") not in content
    content = unit_admin_client.get(reverse("organ_detail", args=[registry.organ.pk])).content.decode()
    assert reverse("organ_edit", args=[registry.organ.pk]) not in content
    assert reverse("audit_list") not in content


def test_other_roles_see_a_welcome_without_the_registry_menu(client, registry):
    user = UserFactory(roles=["instructor"])
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "organ_count" not in response.context
    content = response.content.decode()
    assert reverse("person_list") not in content and reverse("organ_list") not in content


# Language, security headers ---------------------------------------------------------------------

def test_pages_are_chinese_by_default_even_for_an_english_browser(organizer_client, registry):
    response = organizer_client.get(reverse("person_list"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    content = response.content.decode()
    assert '<html lang="zh-hans">' in content
    assert response["Content-Language"] == "zh-hans"
    # Needs the compiled catalog (`make messages`, part of `make test`).
    assert ">人员</h1>" in content and "搜索" in content
    assert ">People</h1>" not in content


def test_main_menu_is_all_chinese(organizer_client):
    content = organizer_client.get(reverse("home")).content.decode()
    menu = re.search(r'<nav class="mainnav".*?</nav>', content, re.S).group(0)
    labels = re.findall(r">([^<]+)</a>", menu)
    assert len(labels) >= 5
    assert [label for label in labels if not re.search(r"[\u4e00-\u9fff]", label)] == []


def test_login_page_is_chinese_by_default(client):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    content = response.content.decode()
    assert '<html lang="zh-hans">' in content and "登录" in content


def test_switching_to_english(organizer_client, registry):
    response = organizer_client.post("/i18n/setlang/", {"language": "en", "next": reverse("person_list")})
    assert response.status_code == 302 and response["Location"] == reverse("person_list")
    response = organizer_client.get(reverse("person_list"))
    content = response.content.decode()
    assert '<html lang="en">' in content
    assert ">People</h1>" in content and "Search" in content and "人员" not in content
    # English organ names are used when the language is English.
    response = organizer_client.get(reverse("organ_detail", args=[registry.organ.pk]))
    assert '<html lang="en">' in response.content.decode()

    organizer_client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert '<html lang="zh-hans">' in organizer_client.get(reverse("home")).content.decode()


def test_unsupported_language_cookie_falls_back_to_chinese(organizer_client, settings):
    organizer_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    assert '<html lang="zh-hans">' in organizer_client.get(reverse("home")).content.decode()


@pytest.mark.parametrize("name", ["home", "person_list", "login"])
def test_content_security_policy_has_no_unsafe_inline(client, organizer, name):
    if name != "login":
        client.force_login(organizer)
    response = client.get(reverse(name))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert response["X-Frame-Options"] == "DENY"


def test_templates_have_no_inline_script_or_style(organizer_client, registry):
    for url in [reverse("home"), reverse("person_list"), reverse("person_detail", args=[registry.wang_wei.pk]),
                reverse("organ_detail", args=[registry.organ.pk]), reverse("person_create")]:
        content = organizer_client.get(url).content.decode()
        assert "<style" not in content, url
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", content), url
        assert not re.search(r"\sstyle=\"", content), url
        assert not re.search(r"\son[a-z]+=\"", content), url


# Searchable pickers (web/widgets.py PickerSelect, web/views/pickers.py) -------------------------------------

def _options(html: str) -> list[str]:
    return re.findall(r'<option value="(\d+)"', html)


def test_picker_answers_the_matching_options_in_the_users_scope(organizer_client, unit_admin, registry):
    from django.test import Client

    unit_admin_client = Client()
    unit_admin_client.force_login(unit_admin)
    response = organizer_client.get(reverse("organ_picker"), {"q": registry.other_organ.name_zh})
    assert response.status_code == 200
    assert _options(response.content.decode()) == [str(registry.other_organ.pk)]
    html = organizer_client.get(reverse("party_organization_picker"), {"q": "第二"}).content.decode()
    assert _options(html) == [str(registry.other_branch.pk)]
    assert f"{registry.other_organ.name_zh} · 机关第二党支部" in html  # the form's label
    html = unit_admin_client.get(reverse("party_organization_picker"), {"q": "党"}).content.decode()
    assert set(_options(html)) == {str(registry.committee.pk), str(registry.branch.pk)}
    assert _options(unit_admin_client.get(reverse("organ_picker"), {"q": registry.other_organ.name_zh})
                    .content.decode()) == []


def test_form_lists_a_few_organs_and_accepts_any_the_user_may_pick(organizer_client, registry):
    from dangjian.web.widgets import PICKER_INITIAL_OPTIONS

    many = [OrganFactory(sort_order=number) for number in range(1, PICKER_INITIAL_OPTIONS + 6)]
    html = organizer_client.get(reverse("person_create")).content.decode()
    select = re.search(r'<select name="organ".*?</select>', html, re.S).group(0)
    assert len(_options(select)) == PICKER_INITIAL_OPTIONS  # in the official order, with a hint for the others
    assert _options(select)[0] == str(many[0].pk) and 'disabled' in select
    assert 'data-picker-url="/pickers/organs/"' in html and 'aria-controls="id_organ"' in html
    unlisted = many[-1]
    response = organizer_client.post(reverse("person_create"), person_form_data(unlisted))
    assert response.status_code == 302
    assert Person.unscoped.get(name="李娜").organ == unlisted
    # Opened again (an error, or editing), the current choice is listed first.
    html = organizer_client.get(reverse("person_edit", args=[Person.unscoped.get(name="李娜").pk])).content.decode()
    select = re.search(r'<select name="organ".*?</select>', html, re.S).group(0)
    assert re.search(rf'<option value="{unlisted.pk}" selected>', select)


def test_people_filter_keeps_an_organ_beyond_the_first_options(organizer_client, registry):
    from dangjian.web.widgets import PICKER_INITIAL_OPTIONS

    for number in range(1, PICKER_INITIAL_OPTIONS + 3):
        OrganFactory(sort_order=number)
    response = organizer_client.get(reverse("person_list"), {"organ": registry.other_organ.pk})
    assert listed(response) == [registry.zhao_min]
    assert re.search(rf'<option value="{registry.other_organ.pk}" selected>', response.content.decode())


def test_people_search_by_part_of_an_id_number_is_refused_on_the_field(organizer_client, registry):
    number = registry.wang_wei.id_number
    response = organizer_client.get(reverse("person_list"), {"q": number[:10]})
    assert response.status_code == 200
    assert "q" in response.context["form"].errors
    assert response.context["page"].paginator.count == 4  # the search is not applied; the other filters are
    assert listed(organizer_client.get(reverse("person_list"), {"q": number})) == [registry.wang_wei]
    assert registry.wang_wei in listed(organizer_client.get(reverse("person_list"), {"q": number[:6]}))
