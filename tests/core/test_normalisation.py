"""ID numbers, mobiles and names are normalised on every input path, before validation and duplicate checks.

Paths: the model (Model.full_clean, which the services call), the staff form, the REST API (POST, PATCH)
and the spreadsheet import (tests/organizations/test_spreadsheet_limits.py).
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from dangjian.core.validators import (
    normalize_id_number,
    normalize_mobile,
    normalize_person_name,
    validate_id_number,
)
from dangjian.organizations import services
from dangjian.organizations.models import Person
from dangjian.web.forms import PersonForm
from tests.factories import PersonFactory, make_id_number

FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def full_width(text: str) -> str:
    return text.translate(FULL_WIDTH)


@pytest.fixture(autouse=True)
def _english_messages():
    with translation.override("en"):
        yield


# The normalisers ------------------------------------------------------------------------------------

@pytest.mark.parametrize("typed, stored", [
    ("１１０１０５１９４９１２３１００２Ｘ", "11010519491231002X"),  # 18 full-width characters
    ("１１０１０５１９４９１２３１００２X", "11010519491231002X"),  # 17 full-width digits and an ASCII X
    ("11010519491231002x", "11010519491231002X"),
    ("１１０１０５１９４９１２３１００２ｘ", "11010519491231002X"),
    (" 110105 19491231 002X ", "11010519491231002X"),
    ("110105\u300019491231\u00a0002X\u200b", "11010519491231002X"),  # ideographic space, NBSP, zero width
    ("", ""),
    (None, ""),
])
def test_id_numbers(typed, stored):
    assert normalize_id_number(typed) == stored


def test_eighteen_full_width_characters_pass_without_a_misleading_checksum_message():
    validate_id_number("１１０１０５１９４９１２３１００２Ｘ")
    with pytest.raises(ValidationError) as error:
        validate_id_number("１１０１０５１９４９１２３１００２１")  # a wrong check digit, full-width
    assert error.value.code == "id_checksum"


def test_other_scripts_digits_are_not_digits_of_an_id_number():
    arabic_indic = "١١٠١٠٥١٩٤٩١٢٣١٠٠٢"  # \d matches these; an ID number has ASCII digits only
    with pytest.raises(ValidationError) as error:
        validate_id_number(arabic_indic + "X")
    assert error.value.code == "id_format"


@pytest.mark.parametrize("typed, stored", [
    ("１３８１２３４５６７８", "13812345678"),
    ("138 1234 5678", "13812345678"),
    ("138\u30001234\u00a05678", "13812345678"),
    ("", ""),
])
def test_mobiles(typed, stored):
    assert normalize_mobile(typed) == stored


@pytest.mark.parametrize("typed, stored", [
    ("王  伟", "王伟"),
    ("张\u00a0三", "张三"),
    (" 欧阳\u3000娜娜 ", "欧阳娜娜"),
    ("王\u200b伟", "王伟"),
    ("阿依古丽・买买提", "阿依古丽·买买提"),  # katakana middle dot U+30FB
    ("阿依古丽･买买提", "阿依古丽·买买提"),  # half-width katakana middle dot U+FF65
    ("阿依古丽•买买提", "阿依古丽·买买提"),  # bullet U+2022
    ("阿依古丽‧买买提", "阿依古丽·买买提"),  # hyphenation point U+2027
    ("阿依古丽 · 买买提", "阿依古丽·买买提"),
    ("阿依古丽.买买提", "阿依古丽·买买提"),  # a full stop between Chinese characters
    ("Ann Lee", "Ann Lee"),  # a Latin name keeps its space
    ("Ann   Lee", "Ann Lee"),
    ("Ann Lee 王", "Ann Lee 王"),
    ("J. Smith", "J. Smith"),
])
def test_person_names(typed, stored):
    assert normalize_person_name(typed) == stored


# The model and the services (Model.full_clean) -------------------------------------------------------


@pytest.mark.django_db
def test_full_width_id_number_with_ascii_x_is_the_same_person(organizer, organ):
    PersonFactory(organ=organ, id_number="11010519491231002X")
    with pytest.raises(ValidationError) as error:
        services.person_create(by=organizer, name="王伟", organ=organ, id_number="１１０１０５１９４９１２３１００２X")
    assert "id_number" in error.value.message_dict
    assert Person.unscoped.count() == 1


@pytest.mark.django_db
def test_service_stores_the_normalised_values(organizer, organ):
    person = services.person_create(by=organizer, organ=organ, name="阿依古丽・买买提",
                                    id_number="１１０１０５１９４９１２３１００２Ｘ", mobile="１３８ １２３４ ５６７８")
    person.refresh_from_db()
    assert (person.id_number, person.mobile, person.name) == ("11010519491231002X", "13812345678", "阿依古丽·买买提")
    assert person.birth_date == datetime.date(1949, 12, 31) and person.gender == "female"


@pytest.mark.django_db
def test_lower_case_x_and_inner_blanks_of_a_name(organizer, organ):
    person = services.person_create(by=organizer, organ=organ, name="王  伟", id_number="11010519491231002x")
    person.refresh_from_db()
    assert (person.name, person.id_number) == ("王伟", "11010519491231002X")


@pytest.mark.django_db
def test_update_normalises_and_finds_the_duplicate(organizer, organ):
    first = PersonFactory(organ=organ)
    second = PersonFactory(organ=organ)
    with pytest.raises(ValidationError) as error:
        services.person_update(person=second, by=organizer, id_number=full_width(first.id_number))
    assert "id_number" in error.value.message_dict
    second.refresh_from_db()
    services.person_update(person=second, by=organizer, mobile="１３９ ００００ １１１１")
    second.refresh_from_db()
    assert second.mobile == "13900001111"


@pytest.mark.django_db
def test_lookups_and_writes_that_skip_validation_are_normalised_too(organ):
    person = Person.unscoped.create(organ=organ, name="张\u00a0三", id_number="１１０１０５１９４９１２３１００２ｘ",
                                   birth_date=datetime.date(1949, 12, 31), gender="female")
    assert Person.unscoped.filter(id_number="11010519491231002X").get() == person
    assert Person.unscoped.filter(id_number="１１０１０５１９４９１２３１００２Ｘ").get() == person
    assert Person.unscoped.values_list("name", flat=True).get() == "张三"


# The staff form -------------------------------------------------------------------------------------

def _form_data(organ, **changes) -> dict:
    return {"name": "李娜", "gender": "", "id_number": make_id_number(datetime.date(1988, 8, 8), gender="female"),
            "birth_date": "", "ethnicity": "汉族", "party_joined_on": "", "mobile": "", "education": "",
            "position": "", "rank_level": "", "organ": organ.pk, **changes}


@pytest.mark.django_db
def test_form_cleans_to_the_stored_spelling_and_has_no_maxlength(organizer, organ):
    id_number = make_id_number(datetime.date(1988, 8, 8), gender="female")
    spaced = f"{id_number[:6]} {full_width(id_number[6:14])}\u3000{id_number[14:]}"  # 20 characters
    form = PersonForm(_form_data(organ, id_number=spaced, name="李 娜", mobile="１３８ １２３４ ５６７８"),
                      user=organizer)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["id_number"] == id_number
    assert (form.cleaned_data["name"], form.cleaned_data["mobile"]) == ("李娜", "13812345678")
    assert "maxlength" not in str(form["id_number"])  # a pasted, spaced ID number is not cut off


@pytest.mark.django_db
def test_web_form_post_stores_ascii_and_refuses_the_full_width_duplicate(client, organizer, organ):
    client.force_login(organizer)
    existing = PersonFactory(organ=organ)
    response = client.post(reverse("person_create"), _form_data(organ, id_number=full_width(existing.id_number)))
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["id_number"]
    id_number = make_id_number(datetime.date(1988, 8, 8), gender="female")
    response = client.post(reverse("person_create"), _form_data(
        organ, id_number=full_width(id_number[:17]) + id_number[17].lower(), name="阿依古丽・买买提"))
    assert response.status_code == 302
    person = Person.unscoped.get(id_number=id_number)
    assert person.name == "阿依古丽·买买提"


# The REST API ---------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_api_post_and_patch_normalise(organizer, organ):
    from tests.api.helpers import ApiClient, field_errors

    api = ApiClient(organizer)
    existing = PersonFactory(organ=organ)
    response = api.post("people", {"name": "王伟", "organ_id": organ.pk, "id_number": full_width(existing.id_number)})
    assert response.status_code == 422 and "id_number" in field_errors(response)

    id_number = make_id_number()
    response = api.post("people", {"name": "王  伟", "organ_id": organ.pk, "mobile": "138 1234 5678",
                                   "id_number": full_width(id_number)})
    assert response.status_code == 201, response.json()
    person = Person.unscoped.get(pk=response.json()["id"])
    assert (person.name, person.id_number, person.mobile) == ("王伟", id_number, "13812345678")

    response = api.patch(f"people/{person.pk}", {"name": "阿依古丽 • 买买提", "mobile": "１３９００００１１１１"})
    assert response.status_code == 200, response.json()
    person.refresh_from_db()
    assert (person.name, person.mobile) == ("阿依古丽·买买提", "13900001111")
    response = api.patch(f"people/{person.pk}", {"id_number": full_width(existing.id_number).lower()})
    assert response.status_code == 422 and "id_number" in field_errors(response)
