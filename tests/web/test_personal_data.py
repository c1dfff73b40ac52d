"""Personal data (ID number, mobile phone) on the staff pages and in the Django admin.

Edit forms never send the stored values to the browser (an empty input keeps them); showing them in full is a
reveal, by POST with the CSRF token only, audited, and its answer is not cached.
"""

import datetime

import pytest
import rules
from django.test import Client
from django.urls import reverse
from rules.permissions import permissions as rule_permissions

from dangjian.accounts.rules import is_organizer
from dangjian.core.models import AuditEntry
from dangjian.organizations.models import Person
from tests.factories import PersonFactory, UserFactory, make_id_number

pytestmark = pytest.mark.django_db

MOBILE = "13571234567"


@pytest.fixture
def person(organ):
    return PersonFactory(organ=organ, name="王伟", id_number=make_id_number(datetime.date(1978, 3, 4)), mobile=MOBILE)


def form_data(person: Person, **changes) -> dict:
    data = {
        "name": person.name, "gender": "", "id_number": "", "birth_date": "", "ethnicity": person.ethnicity,
        "party_joined_on": "", "mobile": "", "education": "", "position": person.position,
        "rank_level": person.rank_level, "organ": person.organ_id,
    }
    return data | changes


def edit(client, person, **changes):
    return client.post(reverse("person_edit", args=[person.pk]), form_data(person, **changes))


@pytest.fixture(params=["organizer", "unit_admin"])
def editor(request, organizer, unit_admin):
    return {"organizer": organizer, "unit_admin": unit_admin}[request.param]


# The edit page ---------------------------------------------------------------------------------

def test_the_edit_page_shows_only_the_masked_values(client, editor, person):
    client.force_login(editor)
    response = client.get(reverse("person_edit", args=[person.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert person.id_number not in html and MOBILE not in html
    assert person.id_number[:6] + "********" + person.id_number[-4:] in html  # placeholder and help
    assert "135****4567" in html
    form = response.context["form"]
    assert form["id_number"].value() == "" and form["mobile"].value() == ""
    assert not AuditEntry.objects.exists()


def test_saving_without_the_fields_keeps_them(client, editor, person):
    client.force_login(editor)
    response = edit(client, person, position="副主任")
    assert response.status_code == 302, response.context["form"].errors
    person.refresh_from_db()
    assert (person.id_number, person.mobile, person.position) == (person.id_number, MOBILE, "副主任")
    entry = AuditEntry.objects.get()
    assert entry.action == "update" and set(entry.changes) == {"position"}


def test_saving_unchanged_keeps_everything_and_writes_no_audit_entry(client, organizer, person):
    client.force_login(organizer)
    before = Person.unscoped.values().get(pk=person.pk)
    assert edit(client, person).status_code == 302
    assert Person.unscoped.values().get(pk=person.pk) == before
    assert not AuditEntry.objects.exists()


def test_a_new_value_changes_it_and_is_audited_masked(client, editor, person):
    client.force_login(editor)
    new_id = make_id_number(datetime.date(1978, 3, 4))
    response = edit(client, person, id_number=new_id, mobile="13987654321")
    assert response.status_code == 302, response.context["form"].errors
    person.refresh_from_db()
    assert (person.id_number, person.mobile) == (new_id, "13987654321")
    entry = AuditEntry.objects.get()
    assert entry.action == "update" and set(entry.changes) == {"id_number", "mobile"}
    assert entry.changes["mobile"] == ["135****4567", "139****4321"]
    assert new_id not in str(entry.changes) and MOBILE not in str(entry.changes)


def test_a_new_mobile_differing_only_in_the_masked_digits_is_still_a_change(client, organizer, person):
    client.force_login(organizer)
    assert edit(client, person, mobile="13500004567").status_code == 302
    person.refresh_from_db()
    assert person.mobile == "13500004567"
    entry = AuditEntry.objects.get()
    assert entry.changes == {"mobile": ["135****4567", "135****4567"]}


def test_the_mobile_is_removed_only_by_its_checkbox(client, organizer, person):
    client.force_login(organizer)
    response = edit(client, person, mobile="13987654321", clear_mobile="on")
    assert response.status_code == 400 and list(response.context["form"].errors) == ["clear_mobile"]
    assert edit(client, person, clear_mobile="on").status_code == 302
    person.refresh_from_db()
    assert person.mobile == ""


def test_an_invalid_new_value_is_reported_and_the_page_still_hides_the_stored_one(client, organizer, person):
    client.force_login(organizer)
    response = edit(client, person, mobile="23812345678", position="改了")
    assert response.status_code == 400 and list(response.context["form"].errors) == ["mobile"]
    html = response.content.decode()
    assert person.id_number not in html and MOBILE not in html
    person.refresh_from_db()
    assert (person.mobile, person.position) == (MOBILE, "科长")


def test_creating_still_needs_the_id_number(client, organizer, organ):
    client.force_login(organizer)
    response = client.post(reverse("person_create"), {
        "name": "李娜", "ethnicity": "汉族", "organ": organ.pk, "id_number": "", "mobile": "",
    })
    assert response.status_code == 400 and "id_number" in response.context["form"].errors
    assert "clear_mobile" not in response.context["form"].fields


# The Django admin ------------------------------------------------------------------------------

@pytest.fixture
def admin_client_for(organizer):
    organizer.is_staff = True
    organizer.save()
    client = Client()
    client.force_login(organizer)
    return client


def test_the_admin_shows_a_person_only_masked(admin_client_for, person):
    response = admin_client_for.get(reverse("admin:organizations_person_change", args=[person.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert person.id_number not in html and MOBILE not in html
    assert "135****4567" in html and person.id_number[-4:] in html


def test_the_admin_does_not_change_people(admin_client_for, person):
    url = reverse("admin:organizations_person_change", args=[person.pk])
    response = admin_client_for.post(url, {"name": "改了", "id_number": make_id_number(), "mobile": "13900000000"})
    assert response.status_code == 403
    person.refresh_from_db()
    assert (person.name, person.mobile) == ("王伟", MOBILE)
    assert not AuditEntry.objects.exists()


# Revealing: POST only, audited, not cached --------------------------------------------------------

def test_reveal_is_by_post_with_the_csrf_token(organizer, person):
    client = Client(enforce_csrf_checks=True)
    client.force_login(organizer)
    url = reverse("person_reveal", args=[person.pk])
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 403  # no CSRF token
    assert not AuditEntry.objects.exists()
    client.get(reverse("person_detail", args=[person.pk]))  # sets the CSRF cookie
    response = client.post(url, {"csrfmiddlewaretoken": client.cookies["csrftoken"].value})
    assert response.status_code == 200 and person.id_number in response.content.decode()
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert AuditEntry.objects.get().action == "reveal"


def test_a_get_export_asking_to_reveal_is_refused_and_not_audited(client, organizer, person):
    client.force_login(organizer)
    for value in ("1", "true", "on"):
        response = client.get(reverse("spreadsheet_export", args=["people"]), {"reveal": value})
        assert response.status_code == 405 and response["Allow"] == "POST"
        assert person.id_number.encode() not in response.content
    assert not AuditEntry.objects.exists()


def test_a_revealing_export_is_by_post_with_the_csrf_token_and_not_cached(organizer, person):
    client = Client(enforce_csrf_checks=True)
    client.force_login(organizer)
    url = reverse("spreadsheet_export", args=["people"])
    assert client.post(url, {"reveal": "1"}).status_code == 403  # no CSRF token
    assert not AuditEntry.objects.exists()
    client.get(reverse("spreadsheets"))
    response = client.post(url, {"reveal": "1", "csrfmiddlewaretoken": client.cookies["csrftoken"].value})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.changes["reveal"]) == ("export", True)


def test_a_masked_export_by_get_still_works(client, organizer, person):
    client.force_login(organizer)
    response = client.get(reverse("spreadsheet_export", args=["people"]), {"reveal": "0"})
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert AuditEntry.objects.get().changes["reveal"] is False


def test_a_user_without_the_reveal_permission_gets_no_reveal_hint(client, person, organ):
    unit_admin = UserFactory(roles=["unit_admin"], organs=[organ])
    client.force_login(unit_admin)
    original = rule_permissions["organizations.reveal_person"]
    rules.set_perm("organizations.reveal_person", is_organizer)
    try:
        html = client.get(reverse("person_edit", args=[person.pk])).content.decode()
    finally:
        rules.set_perm("organizations.reveal_person", original)
    assert "135****4567" in html and "显示完整信息" not in html
    assert "显示完整信息" in client.get(reverse("person_edit", args=[person.pk])).content.decode()
