"""Every registry endpoint x every role, with the status each must answer and the outcome read back from the
database: a write that is done changed its record; a refused one changed no row at all.

The unit administrator is scoped to `organ`, and every target record is in `organ`: so the matrix
shows what each role may do inside its scope. Records of other organs are covered at the end
(404 to read or change them, 422 to attach to them).
"""

import datetime
import io

import openpyxl
import pytest

from dangjian.core.models import AuditEntry
from dangjian.organizations.models import Organ, PartyOrganization, Person, Post
from tests.conftest import ROLES
from tests.denials import assert_no_traceback_logged
from tests.factories import PartyOrganizationFactory, PersonFactory, PostFactory, make_id_number
from tests.state import db_state, state_diff

RESOURCES = ["organs", "party-organizations", "people", "posts"]
ACTIONS = ["list", "detail", "create", "update", "delete"]

OK = {"list": 200, "detail": 200, "create": 201, "update": 200, "delete": 204}
FORBIDDEN = dict.fromkeys(ACTIONS, 403)
UNAUTHENTICATED = dict.fromkeys(ACTIONS, 401)
READ_ONLY = {"list": 200, "detail": 200, "create": 403, "update": 403, "delete": 403}

EXPECTED = {
    "organizer": dict.fromkeys(RESOURCES, OK),
    # The list of organs is the working committee's: a unit administrator reads their own organ only.
    "unit_admin": {"organs": READ_ONLY, "party-organizations": OK, "people": OK, "posts": OK},
    **{role: dict.fromkeys(RESOURCES, FORBIDDEN) for role in ROLES if role not in {"organizer", "unit_admin"}},
    "anonymous": dict.fromkeys(RESOURCES, UNAUTHENTICATED),
}

MODELS = {"organs": Organ, "party-organizations": PartyOrganization, "people": Person, "posts": Post}


def _target(resource: str, organ):
    """A record of `organ` that can be deleted (nothing protected refers to it)."""
    if resource == "organs":
        return organ
    if resource == "party-organizations":
        return PartyOrganizationFactory(organ=organ)
    if resource == "people":
        return PersonFactory(organ=organ)
    return PostFactory(person=PersonFactory(organ=organ), role=Post.Role.COMMITTEE_MEMBER)


def _create_payload(resource: str, organ) -> dict:
    if resource == "organs":
        return {"code": "new-organ", "name_zh": "新建单位", "sector": "government"}
    if resource == "party-organizations":
        return {"organ_id": organ.pk, "name": "新建党支部", "org_type": "branch"}
    if resource == "people":
        return {"name": "王伟", "id_number": make_id_number(), "organ_id": organ.pk}
    person = PersonFactory(organ=organ)
    branch = PartyOrganizationFactory(organ=organ)
    return {"person_id": person.pk, "party_organization_id": branch.pk, "role": "secretary",
            "started_on": "2024-01-01"}


UPDATES = {
    "organs": {"name_en": "Renamed Bureau"},
    "party-organizations": {"member_count": 30},
    "people": {"position": "处长"},
    "posts": {"ended_on": "2025-12-31"},
}


def test_matrix_covers_every_role(users_by_role):
    assert set(EXPECTED) == set(users_by_role)


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("resource", RESOURCES)
@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
def test_permission_matrix(api_as, users_by_role, organ, role, resource, action, caplog):
    target = _target(resource, organ)
    model = MODELS[resource]
    payload = _create_payload(resource, organ) if action == "create" else None
    count_before = model._default_manager.count()
    audit_before = AuditEntry.objects.count()
    client = api_as(users_by_role[role])  # logging in writes the user's last_login: before the snapshot
    state_before = db_state() if action not in ("list", "detail") else None

    if action == "list":
        response = client.get(resource)
    elif action == "detail":
        response = client.get(f"{resource}/{target.pk}")
    elif action == "create":
        response = client.post(resource, payload)
    elif action == "update":
        response = client.patch(f"{resource}/{target.pk}", UPDATES[resource])
    else:
        response = client.delete(f"{resource}/{target.pk}")

    expected = EXPECTED[role][resource][action]
    assert response.status_code == expected, response.content
    assert_no_traceback_logged(caplog)
    if expected >= 400:
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["status"] == expected
        if state_before is not None:  # a refused write changes nothing and audits nothing
            assert state_diff(state_before, db_state()) == {}
    elif action == "list":
        assert [item["id"] for item in response.json()["items"]] == [target.pk]
    elif action == "detail":
        assert response.json()["id"] == target.pk
    elif action == "create":
        created = model._default_manager.latest("pk")
        assert response.json()["id"] == created.pk and model._default_manager.count() == count_before + 1
        assert AuditEntry.objects.filter(action="create", object_pk=str(created.pk)).exists()
    elif action == "update":
        assert response.json()["id"] == target.pk
        target.refresh_from_db()
        for field, value in UPDATES[resource].items():
            assert str(getattr(target, field)) == str(value), field
        assert AuditEntry.objects.count() == audit_before + 1
    else:
        assert not model._default_manager.filter(pk=target.pk).exists()
        assert AuditEntry.objects.count() == audit_before + 1


# Outside the unit administrator's scope --------------------------------------------------------

def _other_organ_records(other_organ) -> dict:
    post = PostFactory(person=PersonFactory(organ=other_organ), role=Post.Role.COMMITTEE_MEMBER)
    return {"organs": other_organ, "party-organizations": post.party_organization, "people": post.person,
            "posts": post}


@pytest.mark.parametrize("resource", RESOURCES)
def test_unit_admin_gets_404_for_another_organs_records(api_as, unit_admin, other_organ, resource):
    target = _other_organ_records(other_organ)[resource]
    client = api_as(unit_admin)
    assert client.get(f"{resource}/{target.pk}").status_code == 404
    assert client.patch(f"{resource}/{target.pk}", UPDATES[resource]).status_code == 404
    assert client.delete(f"{resource}/{target.pk}").status_code == 404
    assert type(target)._default_manager.filter(pk=target.pk).exists()
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize("resource", RESOURCES)
def test_unit_admin_lists_only_their_organ(api_as, unit_admin, organ, other_organ, resource):
    mine = _target(resource, organ)
    _other_organ_records(other_organ)
    ids = [item["id"] for item in api_as(unit_admin).get(resource).json()["items"]]
    assert ids == [mine.pk]


@pytest.mark.parametrize(
    ("resource", "field"),
    [("party-organizations", "organ_id"), ("people", "organ_id"), ("posts", "person_id"),
     ("posts", "party_organization_id")],
)
def test_unit_admin_cannot_attach_to_another_organ(api_as, unit_admin, organ, other_organ, resource, field):
    payload = _create_payload(resource, organ)
    others = _other_organ_records(other_organ)
    payload[field] = {"organ_id": other_organ.pk, "person_id": others["people"].pk,
                      "party_organization_id": others["party-organizations"].pk}[field]
    model = MODELS[resource]
    before = model._default_manager.count()
    response = api_as(unit_admin).post(resource, payload)
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == [field]
    assert model._default_manager.count() == before


def test_unit_admin_cannot_move_a_person_to_another_organ(api_as, unit_admin, organ, other_organ):
    person = PersonFactory(organ=organ)
    response = api_as(unit_admin).patch(f"people/{person.pk}", {"organ_id": other_organ.pk})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "organ_id"
    person.refresh_from_db()
    assert person.organ == organ


def test_unit_admin_cannot_see_another_organ_through_filters(api_as, unit_admin, other_organ):
    records = _other_organ_records(other_organ)
    client = api_as(unit_admin)
    assert client.get("party-organizations", {"organ": other_organ.pk}).json()["count"] == 0
    assert client.get("people", {"organ": other_organ.pk}).json()["count"] == 0
    assert client.get("posts", {"person": records["people"].pk}).json()["count"] == 0


def test_organizer_may_attach_across_organs(api_as, organizer, organ, other_organ):
    """A temporary branch (e.g. of a training class) may hold people of several organs."""
    person = PersonFactory(organ=other_organ)
    branch = PartyOrganizationFactory(organ=organ, org_type=PartyOrganization.Type.TEMPORARY_BRANCH)
    response = api_as(organizer).post("posts", {
        "person_id": person.pk, "party_organization_id": branch.pk, "role": "committee_member",
        "started_on": str(datetime.date(2024, 1, 1)),
    })
    assert response.status_code == 201, response.content


# Personal data: revealing a person, exporting the registry -------------------------------------

PERSONAL_DATA_ENDPOINTS = {
    # name: (method, path, reveals personal data)
    "reveal person": ("post", "people/{pk}/reveal", True),
    "export masked": ("get", "spreadsheets/people/export", False),
    "export revealed": ("post", "spreadsheets/people/export?reveal=true", True),
    "export masked by POST": ("post", "spreadsheets/people/export", False),
    "template": ("get", "spreadsheets/people/template", False),
}
REGISTRY_STAFF = {"organizer", "unit_admin"}


@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
@pytest.mark.parametrize("name", PERSONAL_DATA_ENDPOINTS)
def test_personal_data_matrix(api_as, users_by_role, organ, role, name):
    """Registry staff reveal and export within their scope (each export and reveal audited, the full ID number
    only when revealed); every other role is refused and leaves no trace."""
    method, path, reveals = PERSONAL_DATA_ENDPOINTS[name]
    person = PersonFactory(organ=organ, mobile="13571234567")
    client = api_as(users_by_role[role])
    AuditEntry.objects.all().delete()
    state_before = db_state()

    response = client.call(method, path.format(pk=person.pk))

    expected = 401 if role == "anonymous" else 200 if role in REGISTRY_STAFF else 403
    assert response.status_code == expected, response.content
    if expected != 200:
        assert response["Content-Type"] == "application/problem+json"
        assert person.id_number.encode() not in response.content
        assert state_diff(state_before, db_state()) == {}
        return
    if name != "template":  # registry data: never kept by a cache
        assert "no-store" in response["Cache-Control"]
    if name == "reveal person":
        assert response.json()["id_number"] == person.id_number
    else:
        workbook = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
        cells = {str(cell) for sheet in workbook for row in sheet.iter_rows(values_only=True) for cell in row}
        assert (person.id_number in cells) == reveals
    actions = list(AuditEntry.objects.values_list("action", flat=True))
    if name == "template":
        assert actions == []
    elif name == "reveal person":
        assert actions == ["reveal"]
    else:
        assert actions == ["export"]
        assert AuditEntry.objects.get().changes.get("reveal", False) == reveals
