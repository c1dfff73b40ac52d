"""An ID number already registered: organizers hear where; a unit administrator hears the same neutral
answer whether the person is in one of their organs or in another organ (docs/security.md).

Through the service, the staff page, the API and the spreadsheet import.
"""

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from dangjian.core.models import AuditEntry
from dangjian.organizations import services
from dangjian.organizations.models import Person
from dangjian.organizations.spreadsheets import registry_import
from tests.api.helpers import ApiClient, field_errors
from tests.factories import PersonFactory, make_id_number
from tests.organizations.test_spreadsheets import people_book, person_row

pytestmark = pytest.mark.django_db

NEUTRAL = services.id_number_not_registrable_message


@pytest.fixture(autouse=True)
def _english():
    """Messages are compared in English (their msgids), in this process and in the pages' answers."""
    with translation.override("en"):
        yield


def in_english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def elsewhere(other_organ):
    return PersonFactory(organ=other_organ, name="赵敏")


@pytest.fixture
def at_home(organ):
    return PersonFactory(organ=organ, name="王芳")


def create_error(user, organ, id_number) -> list[str]:
    with pytest.raises(ValidationError) as error:
        services.person_create(by=user, name="李娜", id_number=id_number, organ=organ)
    return error.value.message_dict["id_number"]


def test_a_unit_admin_hears_the_same_answer_for_another_organ_and_for_their_own(unit_admin, organ, elsewhere,
                                                                                 at_home):
    assert create_error(unit_admin, organ, elsewhere.id_number) == [NEUTRAL()]
    assert create_error(unit_admin, organ, at_home.id_number) == [NEUTRAL()]
    assert create_error(unit_admin, organ, elsewhere.id_number.lower()) == [NEUTRAL()]
    assert "赵敏" not in NEUTRAL() and str(elsewhere.organ) not in NEUTRAL()
    assert Person.unscoped.count() == 2 and not AuditEntry.objects.exists()


def test_an_organizer_hears_who_holds_the_number(organizer, organ, elsewhere):
    assert create_error(organizer, organ, elsewhere.id_number) == [
        f"A person with this ID number is already registered: 赵敏, {elsewhere.organ}."
    ]


def test_changing_to_a_registered_number_gets_the_same_answers(unit_admin, organizer, at_home, elsewhere):
    with pytest.raises(ValidationError) as error:
        services.person_update(person=at_home, by=unit_admin, id_number=elsewhere.id_number)
    assert error.value.message_dict["id_number"] == [NEUTRAL()]
    at_home.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        services.person_update(person=at_home, by=organizer, id_number=elsewhere.id_number)
    assert "赵敏" in error.value.message_dict["id_number"][0]


def test_other_id_number_errors_are_unchanged(unit_admin, organ):
    valid = make_id_number()
    bad_check_digit = valid[:17] + ("0" if valid[17] != "0" else "1")
    messages = create_error(unit_admin, organ, bad_check_digit)
    assert messages and NEUTRAL() not in messages


def test_the_staff_page(client, unit_admin, organizer, organ, elsewhere):
    data = {"name": "李娜", "ethnicity": "汉族", "organ": organ.pk, "id_number": elsewhere.id_number}
    in_english(client).force_login(unit_admin)
    response = client.post(reverse("person_create"), data)
    assert response.status_code == 400
    assert response.context["form"].errors["id_number"] == [NEUTRAL()]
    html = response.content.decode()
    assert "赵敏" not in html and str(elsewhere.organ) not in html and "already registered" not in html
    client.force_login(organizer)
    response = client.post(reverse("person_create"), data)
    assert "赵敏" in response.context["form"].errors["id_number"][0]


def test_the_api(unit_admin, organ, elsewhere, at_home):
    api = ApiClient(unit_admin)
    in_english(api.django)
    answers = [
        api.post("people", {"name": "李娜", "id_number": holder.id_number, "organ_id": organ.pk})
        for holder in (elsewhere, at_home)
    ]
    assert [response.status_code for response in answers] == [422, 422]
    assert [field_errors(response) for response in answers] == [{"id_number": NEUTRAL()}] * 2


def test_the_import(unit_admin, organizer, organ, elsewhere, at_home):
    def import_error(user, id_number) -> str:
        result = registry_import(kind="people", file=people_book([person_row(organ, 身份证号=id_number)]), by=user)
        assert not result.ok and [(error.row, error.column) for error in result.errors] == [(2, "身份证号")]
        return result.errors[0].message

    assert import_error(unit_admin, elsewhere.id_number) == import_error(unit_admin, at_home.id_number) == NEUTRAL()
    assert "already registered" in import_error(organizer, elsewhere.id_number)
    assert Person.unscoped.count() == 2
