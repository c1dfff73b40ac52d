"""The permission matrix of the staff pages: every page URL x every role, with the expected status and, for
every POST, the outcome read again from the database.

anonymous        -> 302 to the login page
organizer        -> 200 (302 after a POST that deletes)
unit_admin       -> 200 on their organ's records, 404 on another organ's, 403 on changing organs and the audit trail
any other role   -> 200 on home, 403 on every registry page

A POST that is done changes its record (deleted, or the reveal audited); any other answer changes nothing at all.
"""

import datetime
from types import SimpleNamespace

import pytest
from django.urls import reverse

from dangjian.core.models import AuditEntry
from tests.conftest import ROLES
from tests.denials import assert_matrix_answer
from tests.factories import OrganFactory, PartyOrganizationFactory, PersonFactory, PostFactory
from tests.shared_world import world_per_module
from tests.state import db_state, state_diff

pytestmark = pytest.mark.django_db

ALL_ROLES = [*ROLES, "anonymous"]
REGISTRY_STAFF = {"organizer", "unit_admin"}

# (url name, method, which record of the `records` fixture the URL takes, "kind=<kind>", or None)
PAGES = [
    ("home", "get", None),
    ("organ_list", "get", None),
    ("organ_create", "get", None),
    ("organ_detail", "get", "organ"),
    ("organ_detail", "get", "other_organ"),
    ("organ_edit", "get", "organ"),
    ("organ_edit", "get", "other_organ"),
    ("organ_delete", "post", "spare_organ"),
    ("organ_delete", "post", "other_spare_organ"),
    ("party_organization_list", "get", None),
    ("party_organization_create", "get", None),
    ("party_organization_detail", "get", "party_org"),
    ("party_organization_detail", "get", "other_party_org"),
    ("party_organization_edit", "get", "party_org"),
    ("party_organization_edit", "get", "other_party_org"),
    ("party_organization_delete", "post", "spare_party_org"),
    ("party_organization_delete", "post", "other_spare_party_org"),
    ("person_list", "get", None),
    ("person_create", "get", None),
    ("person_detail", "get", "person"),
    ("person_detail", "get", "other_person"),
    ("person_edit", "get", "person"),
    ("person_edit", "get", "other_person"),
    ("person_delete", "post", "person"),
    ("person_delete", "post", "other_person"),
    ("person_reveal", "post", "person"),
    ("person_reveal", "post", "other_person"),
    ("post_create", "get", "person"),
    ("post_create", "get", "other_person"),
    ("post_edit", "get", "post"),
    ("post_edit", "get", "other_post"),
    ("post_delete", "post", "post"),
    ("post_delete", "post", "other_post"),
    ("audit_list", "get", None),
    # Searchable pickers: the options matching a search (web/views/pickers.py)
    ("organ_picker", "get", None),
    ("party_organization_picker", "get", None),
    # Excel templates, import and export (web/views/spreadsheets.py)
    ("spreadsheets", "get", None),
    ("spreadsheet_template", "get", "kind=people"),
    ("spreadsheet_export", "get", "kind=people"),
]

ORGAN_ADMINISTRATION = {"organ_create", "organ_edit", "organ_delete", "audit_list"}
# POSTs that answer with a page instead of a redirect.
POST_RENDERS = {"person_reveal"}


def _exists(record) -> bool:
    return type(record)._base_manager.filter(pk=record.pk).exists()


def _reveals(person) -> int:
    return AuditEntry.objects.filter(action="reveal", model="organizations.person", object_pk=str(person.pk)).count()


# What each POST changes, read from the database: it must differ after the request when the POST is done.
EFFECTS = {
    "organ_delete": _exists,
    "party_organization_delete": _exists,
    "person_delete": _exists,
    "post_delete": _exists,
    "person_reveal": _reveals,
}


def expected_status(role: str, name: str, method: str, target: str | None) -> int:
    if role == "anonymous":
        return 302
    if role not in REGISTRY_STAFF:
        if name == "home":
            return 302 if role == "participant" else 200  # a participant's start page is /my/
        return 403
    if role == "unit_admin":
        if target and target.startswith("other_"):
            return 404
        if name in ORGAN_ADMINISTRATION:
            return 403
    return 302 if method == "post" and name not in POST_RENDERS else 200


def _cases():
    for name, method, target in PAGES:
        for role in ALL_ROLES:
            marks = []
            status = expected_status(role, name, method, target)
            case_id = f"{method.upper()} {name}{'(' + target + ')' if target else ''} as {role} -> {status}"
            yield pytest.param(role, name, method, target, status, id=case_id, marks=marks)


def _build_records(users_by_role, organ):
    """One record of each kind in the unit administrator's organ and in another organ; the spare organs and
    party organizations hold nothing, so that deleting them is allowed."""
    other_organ = OrganFactory()
    spare_organ = OrganFactory()
    users_by_role["unit_admin"].organs.add(spare_organ)
    result = {"organ": organ, "other_organ": other_organ, "spare_organ": spare_organ,
              "other_spare_organ": OrganFactory()}
    for prefix, owner in [("", organ), ("other_", other_organ)]:
        result[f"{prefix}spare_party_org"] = PartyOrganizationFactory(organ=owner)
        party_org = PartyOrganizationFactory(organ=owner)
        person = PersonFactory(organ=owner)
        # A second person holds the post, so that deleting `person` and deleting the post are separate.
        post = PostFactory(person=PersonFactory(organ=owner), party_organization=party_org,
                           started_on=datetime.date(2022, 6, 1))
        result.update({f"{prefix}party_org": party_org, f"{prefix}person": person, f"{prefix}post": post})
    return SimpleNamespace(**result)


_built_once, users_by_role, records = world_per_module(_build_records)


@pytest.mark.parametrize("role, name, method, target, status", list(_cases()))
def test_page_permission_matrix(client, users_by_role, records, role, name, method, target, status, caplog):
    user = users_by_role[role]
    if user is not None:
        client.force_login(user)
    if target is None:
        args = []
    elif target.startswith("kind="):
        args = [target.removeprefix("kind=")]
    else:
        args = [getattr(records, target).pk]
    url = reverse(name, args=args)
    effect = EFFECTS.get(name) if method == "post" else None
    record = getattr(records, target) if effect else None
    before, state_before = (effect(record), db_state()) if effect else (None, None)
    response = getattr(client, method)(url)
    assert_matrix_answer(response, status=status, role=role, caplog=caplog)
    if method == "post":
        assert effect is not None, f"{name}: say in EFFECTS what it changes"
        if status in (200, 302) and role != "anonymous":  # done
            assert effect(record) != before, f"{name} as {role} answered {status} but changed nothing"
        else:  # refused
            assert state_diff(state_before, db_state()) == {}


def _url_names(patterns) -> set[str]:
    names = set()
    for pattern in patterns:
        if hasattr(pattern, "url_patterns"):
            names |= _url_names(pattern.url_patterns)
        else:
            names.add(pattern.name)
    return names


def test_every_staff_url_is_in_the_matrix():
    """A new page must be in a permission matrix: PAGES here or PAGES of another tests/web/test_*permissions*.py,
    or COVERED_URL_NAMES of a test module of an app's own folder (tests/<app>/test_*.py; the import takes a file:
    its permissions are tested with it)."""
    import importlib
    import pathlib

    from dangjian.web.urls import urlpatterns

    covered = {name for name, _method, _target in PAGES}
    for path in pathlib.Path(__file__).parent.glob("test_*permissions*.py"):
        module = importlib.import_module(f"tests.web.{path.stem}")
        covered |= {page[0] for page in getattr(module, "PAGES", [])}
    tests = pathlib.Path(__file__).parent.parent
    for path in tests.glob("*/test_*.py"):
        if "COVERED_URL_NAMES" in path.read_text(encoding="utf-8"):
            module = importlib.import_module(f"tests.{path.parent.name}.{path.stem}")
            covered |= getattr(module, "COVERED_URL_NAMES", set())
    names = _url_names(urlpatterns) - {"spreadsheet_import"}
    assert names <= covered, sorted(names - covered)
