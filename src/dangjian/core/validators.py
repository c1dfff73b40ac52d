"""Validators for Chinese identity data: resident ID numbers (GB 11643-1999) and mobile numbers."""

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

ID_NUMBER_RE = re.compile(r"^\d{17}[\dX]$")
MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"


def normalize_id_number(value: str) -> str:
    return (value or "").strip().upper()


def id_number_check_char(first17: str) -> str:
    """The GB 11643 check character (ISO 7064 MOD 11-2) for the first 17 digits."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def id_number_birth_date(value: str) -> datetime.date | None:
    try:
        return datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return None


def id_number_gender(value: str) -> str:
    """'male' or 'female' from the 17th digit (odd = male)."""
    return "male" if int(value[16]) % 2 else "female"


def validate_id_number(value: str) -> None:
    value = normalize_id_number(value)
    if not ID_NUMBER_RE.match(value):
        raise ValidationError(
            _("An ID number has 18 characters: 17 digits and a final digit or X."), code="id_format"
        )
    birth = id_number_birth_date(value)
    if birth is None or birth > timezone.localdate() or birth.year < 1900:
        raise ValidationError(_("The birth date inside this ID number is not a valid date."), code="id_birth")
    if id_number_check_char(value[:17]) != value[17]:
        raise ValidationError(
            _("This ID number fails the GB 11643 check digit; please check it for a typing error."),
            code="id_checksum",
        )


def validate_mobile(value: str) -> None:
    if not MOBILE_RE.match((value or "").strip()):
        raise ValidationError(
            _("A mobile number has 11 digits and starts with 13-19, e.g. 13812345678."), code="mobile"
        )
