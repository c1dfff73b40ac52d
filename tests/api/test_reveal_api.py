"""Revealing personal data through the API: by GET only with a bearer token; a browser session POSTs.

A session cookie goes along with any request the browser makes, also one another site triggers (a link, an
image); a bearer token is sent only by a caller that holds it. A session's reveal therefore needs a POST with
the CSRF token. Revealed answers are private and not stored by any cache.
"""

import io

import openpyxl
import pytest
from django.test import Client

from dangjian.accounts.models import ApiToken
from dangjian.core.models import AuditEntry
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

BASE = "/api/v1/"
MOBILE = "13571234567"


@pytest.fixture
def person(organ):
    return PersonFactory(organ=organ, mobile=MOBILE)


@pytest.fixture
def session(organizer) -> Client:
    client = Client()
    client.force_login(organizer)
    return client


@pytest.fixture
def csrf_session(organizer) -> Client:
    """A session that must send the CSRF token, as a browser does."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(organizer)
    client.get("/")  # the staff home page sets the CSRF cookie
    return client


@pytest.fixture
def token(organizer) -> Client:
    return Client(headers={"Authorization": f"Bearer {ApiToken.issue(user=organizer, name='test')}"})


def assert_not_cached(response) -> None:
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


@pytest.mark.parametrize("path", ["people/{pk}", "people"])
def test_a_session_get_asking_to_reveal_is_refused_and_not_audited(session, person, path):
    response = session.get(BASE + path.format(pk=person.pk), {"reveal": "true"})
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert "POST" in response.json()["title"]
    assert person.id_number not in response.content.decode() and MOBILE not in response.content.decode()
    assert not AuditEntry.objects.exists()


def test_a_session_get_without_reveal_is_masked_and_fine(session, person):
    response = session.get(f"{BASE}people/{person.pk}")
    assert response.status_code == 200 and response.json()["revealed"] is False
    assert not AuditEntry.objects.exists()


def test_a_session_reveals_by_post_with_the_csrf_token(csrf_session, person):
    url = f"{BASE}people/{person.pk}/reveal"
    assert csrf_session.post(url).status_code == 403  # no CSRF token
    assert not AuditEntry.objects.exists()
    response = csrf_session.post(url, headers={"X-CSRFToken": csrf_session.cookies["csrftoken"].value})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["id_number"], body["mobile"], body["revealed"]) == (person.id_number, MOBILE, True)
    assert_not_cached(response)
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.object_pk) == ("reveal", str(person.pk))


def test_reveal_by_post_needs_the_permission_and_scope(api_as, unit_admin, other_organ):
    stranger = PersonFactory(organ=other_organ)
    response = api_as(unit_admin).post(f"people/{stranger.pk}/reveal", {})
    assert response.status_code == 404
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize("path", ["people/{pk}", "people"])
def test_a_token_may_reveal_by_get(token, person, path):
    response = token.get(BASE + path.format(pk=person.pk), {"reveal": "true"})
    assert response.status_code == 200
    body = response.json()
    shown = body["items"][0] if "items" in body else body
    assert (shown["id_number"], shown["mobile"]) == (person.id_number, MOBILE)
    assert_not_cached(response)
    assert AuditEntry.objects.get().action == "reveal"


def test_an_unrevealed_answer_has_no_cache_restriction_added(token, person):
    response = token.get(f"{BASE}people/{person.pk}")
    assert "no-store" not in response.get("Cache-Control", "")


# Spreadsheet export ---------------------------------------------------------------------------------

def exported_id_number(response) -> str:
    workbook = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    return next(workbook["人员"].iter_rows(min_row=2, values_only=True))[2]


def test_a_session_get_export_asking_to_reveal_is_refused_and_not_audited(session, person):
    response = session.get(f"{BASE}spreadsheets/people/export", {"reveal": "true"})
    assert response.status_code == 403
    assert not AuditEntry.objects.exists()


def test_a_session_exports_revealed_by_post_with_the_csrf_token(csrf_session, person):
    url = f"{BASE}spreadsheets/people/export?reveal=true"
    assert csrf_session.post(url).status_code == 403  # no CSRF token
    assert not AuditEntry.objects.exists()
    response = csrf_session.post(url, headers={"X-CSRFToken": csrf_session.cookies["csrftoken"].value})
    assert response.status_code == 200
    assert exported_id_number(response) == person.id_number
    assert_not_cached(response)
    assert AuditEntry.objects.get().changes["reveal"] is True


def test_a_token_exports_revealed_by_get(token, person):
    response = token.get(f"{BASE}spreadsheets/people/export", {"reveal": "true"})
    assert response.status_code == 200 and exported_id_number(response) == person.id_number
    assert_not_cached(response)
    assert AuditEntry.objects.get().changes["reveal"] is True


def test_the_reveal_endpoint_is_in_the_openapi_schema(token):
    paths = token.get(f"{BASE}openapi.json").json()["paths"]
    assert "post" in paths["/api/v1/people/{person_id}/reveal"]
    assert "post" in paths["/api/v1/spreadsheets/{kind}/export"]
