"""The certificates' pages (web/urls_certificates.py) and API (api/certificates.py): the permission matrix of every
role (and anonymous) — a refused request changes no row (tests/state.py) —, a certificate outside the scope is a
404, and the OpenAPI paths are all in the matrix.

organizer                             -> list, issue (job), ZIP, PDF, revoke, reissue
college staff of the venue            -> list, ZIP, PDF
unit administrator                    -> list, ZIP, PDF of their own organs' people
participant                           -> their own PDF, their own list (API /certificates/mine)
others                                -> 403; anonymous: the login page (pages) or 401 (API)
everyone, anonymous too               -> the public verification (page and API)
"""

import pytest
from django.core.cache import cache
from django.urls import reverse

from dangjian.certificates import documents
from dangjian.certificates.models import Certificate
from dangjian.core.models import AuditEntry
from tests.certificates.world import build
from tests.conftest import ROLES
from tests.denials import assert_no_traceback_logged
from tests.factories import UserFactory
from tests.shared_world import world_per_module
from tests.state import db_state, state_diff

pytestmark = pytest.mark.django_db

ALL_ROLES = [*ROLES, "anonymous"]
VIEWERS = {"organizer", "college_staff", "unit_admin"}
PDF_READERS = VIEWERS | {"participant"}

_built_once, users_by_role, records = world_per_module(build)


@pytest.fixture(autouse=True)
def _quick_pdfs(monkeypatch):
    """The layout is tested in test_certificates.py; here a stand-in PDF is enough."""
    monkeypatch.setattr(documents, "certificates_pdfs", lambda batch: [b"%PDF-1.4 " + c.serial.encode()
                                                                       for c in batch])
    monkeypatch.setattr(documents, "certificate_pdf", lambda c: b"%PDF-1.4 " + c.serial.encode())
    cache.clear()


# --- Pages ---------------------------------------------------------------------------------------------------

PAGES = [  # (url name, method, target, who may)
    ("program_certificates", "get", "program", VIEWERS),
    ("certificates_issue", "post", "program", {"organizer"}),
    ("certificates_zip", "get", "program", VIEWERS),
    ("certificate_pdf", "get", "certificate", PDF_READERS),
    ("certificate_revoke", "post", "certificate", {"organizer"}),
    ("certificate_reissue", "post", "certificate", {"organizer"}),
]


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize(("name", "method", "target", "allowed"), PAGES, ids=[p[0] for p in PAGES])
def test_page_permission_matrix(client, users_by_role, records, role, name, method, target, allowed, caplog):
    user = users_by_role[role]
    if user is not None:
        client.force_login(user)
    url = reverse(name, args=[getattr(records, target).pk])
    before = db_state()
    response = client.post(url, {"reason": "姓名有误"}) if method == "post" else client.get(url)
    assert_no_traceback_logged(caplog)
    if role not in allowed:
        if role == "anonymous":
            assert response.status_code == 302 and response["Location"].startswith(reverse("login") + "?next=")
        else:
            assert response.status_code == 403
        assert state_diff(before, db_state()) == {}
        return
    certificate = Certificate.unscoped.get(pk=records.certificate.pk)
    if name == "certificates_issue":
        assert response.status_code == 302 and "/jobs/" in response["Location"]
    elif name == "certificate_revoke":
        assert response.status_code == 302 and certificate.status == "revoked"
    elif name == "certificate_reissue":
        assert response.status_code == 302 and certificate.status == "revoked"
        assert Certificate.unscoped.get(replaces=certificate).status == "valid"
    else:
        assert response.status_code == 200
        if name == "certificate_pdf":
            assert response.content.startswith(b"%PDF") and "no-store" in response["Cache-Control"]
            entry = AuditEntry.objects.latest("id")
            assert (entry.actor, entry.action, entry.model) == (user, "export", "certificates.certificate")
        elif name == "program_certificates":
            body = response.content.decode()
            assert records.certificate.serial in body
            # A unit administrator sees their own organs' people only.
            assert (records.other_certificate.serial in body) == (role != "unit_admin")
            assert ("certificate_revoke" in body or "/revoke/" in body) == (role == "organizer")


PUBLIC_PAGES = {"certificate_verify", "certificate_verify_form"}  # test_the_verification_page_is_public
# Read by tests/web/test_page_permissions.py: the pages whose permissions this file tests.
COVERED_URL_NAMES = {name for name, *_rest in PAGES} | PUBLIC_PAGES


def test_every_url_of_the_certificate_pages_is_in_this_matrix():
    from dangjian.web.urls_certificates import urlpatterns

    assert {p.name for p in urlpatterns} - PUBLIC_PAGES == {name for name, *_rest in PAGES}


@pytest.mark.parametrize("role", ALL_ROLES)
def test_the_verification_page_is_public(client, users_by_role, records, role):
    if users_by_role[role] is not None:
        client.force_login(users_by_role[role])
    before = db_state()
    assert client.get(reverse("certificate_verify", args=[records.certificate.serial])).status_code == 200
    assert client.get(reverse("certificate_verify_form")).status_code == 200
    assert state_diff(before, db_state()) == {}


def test_outside_the_scope_is_a_404(client, records, users_by_role):
    client.force_login(UserFactory(roles=["college_staff"]))  # of another venue
    assert client.get(reverse("certificate_pdf", args=[records.certificate.pk])).status_code == 404
    assert client.get(reverse("program_certificates", args=[records.program.pk])).status_code == 404
    client.force_login(users_by_role["participant"])  # someone else's certificate
    assert client.get(reverse("certificate_pdf", args=[records.other_certificate.pk])).status_code == 404
    client.force_login(users_by_role["unit_admin"])  # another organ's person
    assert client.get(reverse("certificate_pdf", args=[records.other_certificate.pk])).status_code == 404


def test_the_program_page_links_the_certificates(client, records, users_by_role):
    client.force_login(users_by_role["organizer"])
    page = client.get(records.program.get_absolute_url()).content.decode()
    assert reverse("program_certificates", args=[records.program.pk]) in page


# --- API -----------------------------------------------------------------------------------------------------

ENDPOINTS = [  # (method, path, who may, status when allowed)
    ("get", "certificates/programs/{program}", VIEWERS, 200),
    ("post", "certificates/programs/{program}/issue", {"organizer"}, 202),
    ("get", "certificates/mine", {"participant"}, 200),
    ("get", "certificates/{certificate}/pdf", PDF_READERS, 200),
    ("post", "certificates/{certificate}/revoke", {"organizer"}, 200),
    ("post", "certificates/{certificate}/reissue", {"organizer"}, 201),
    ("get", "certificates/verify/{serial}", set(ALL_ROLES), 200),
]


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize(("method", "path", "allowed", "status"), ENDPOINTS, ids=[e[1] for e in ENDPOINTS])
def test_api_permission_matrix(api_as, users_by_role, records, role, method, path, allowed, status, caplog):
    client = api_as(users_by_role[role])
    url = path.format(program=records.program.pk, certificate=records.certificate.pk,
                      serial=records.certificate.serial)
    before = db_state()
    response = client.post(url, {"reason": "姓名有误"}) if method == "post" else client.get(url)
    assert_no_traceback_logged(caplog)
    if role not in allowed:
        assert response.status_code == (401 if role == "anonymous" else 403), response.content
        assert state_diff(before, db_state()) == {}
        return
    assert response.status_code == status, response.content
    if path.endswith("mine"):
        assert [c["serial"] for c in response.json()] == [records.certificate.serial]
    elif path.endswith("{program}"):
        serials = {c["serial"] for c in response.json()["items"]}
        assert (records.other_certificate.serial in serials) == (role != "unit_admin")
    elif "verify" in path:
        assert response.json()["name"] == "张*明" and response.json()["status"] == "valid"
        assert state_diff(before, db_state()) == {}
    elif path.endswith("reissue"):
        assert response.json()["replaces"] == records.certificate.serial


def test_the_openapi_paths_are_in_this_matrix(api_as):
    paths = api_as(None).get("openapi.json").json()["paths"]
    ours = {(method, path) for path, operations in paths.items() for method in operations
            if path.startswith("/api/v1/certificates")}
    assert ours == {("get", "/api/v1/certificates/programs/{program_id}"),
                    ("post", "/api/v1/certificates/programs/{program_id}/issue"),
                    ("get", "/api/v1/certificates/mine"), ("get", "/api/v1/certificates/{certificate_id}/pdf"),
                    ("post", "/api/v1/certificates/{certificate_id}/revoke"),
                    ("post", "/api/v1/certificates/{certificate_id}/reissue"),
                    ("get", "/api/v1/certificates/verify/{serial}")}


def test_api_revoke_needs_a_reason_and_refuses_a_revoked_one(api_as, users_by_role, records):
    client = api_as(users_by_role["organizer"])
    response = client.post(f"certificates/{records.certificate.pk}/revoke", {"reason": ""})
    assert response.status_code == 422 and "reason" in str(response.json())
    assert client.post(f"certificates/{records.certificate.pk}/revoke", {"reason": "x"}).status_code == 200
    assert client.post(f"certificates/{records.certificate.pk}/revoke", {"reason": "x"}).status_code == 409
