import datetime

import pytest
from django.core.exceptions import ValidationError

from dangjian.core.masking import mask_id_number, mask_mobile
from dangjian.core.validators import (
    id_number_birth_date,
    id_number_check_char,
    id_number_gender,
    validate_id_number,
    validate_mobile,
)

# A published GB 11643 example: 11010519491231002X (check character X).
KNOWN_VALID = "11010519491231002X"


def test_known_example_passes_checksum():
    assert id_number_check_char(KNOWN_VALID[:17]) == "X"
    validate_id_number(KNOWN_VALID)
    validate_id_number(KNOWN_VALID.lower())  # a lower-case x is accepted (normalised)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("110105194912310021", "id_checksum"),  # one digit off in the check character
        ("11010519491231002", "id_format"),  # 17 characters
        ("1101051949123100X2", "id_format"),  # X not at the end
        ("110105194913310028", "id_birth"),  # month 13
        ("110105209912310023", "id_birth"),  # born in the future
    ],
)
def test_invalid_id_numbers_are_refused_with_a_reason(value, code):
    with pytest.raises(ValidationError) as error:
        validate_id_number(value)
    assert error.value.code == code


def test_birth_date_and_gender_come_from_the_id_number():
    assert id_number_birth_date(KNOWN_VALID) == datetime.date(1949, 12, 31)
    assert id_number_gender(KNOWN_VALID) == "female"  # 17th digit 2 is even


@pytest.mark.parametrize("value", ["13812345678", "19912345678"])
def test_valid_mobiles(value):
    assert validate_mobile(value) is None  # no ValidationError


@pytest.mark.parametrize("value", ["12812345678", "1381234567", "138123456789", "138-1234-5678", "+8613812345678"])
def test_invalid_mobiles(value):
    with pytest.raises(ValidationError):
        validate_mobile(value)


def test_masking_keeps_only_what_identifies_nothing():
    assert mask_id_number(KNOWN_VALID) == "110105********002X"
    assert mask_mobile("13812345678") == "138****5678"
    assert mask_id_number("") == "" and mask_mobile("") == ""
