"""Validators for Chinese identity data: resident ID numbers (GB 11643-1999) and mobile numbers.

The normalisers turn what people really type (full-width digits from a Chinese input method, spaces
pasted from a Word table, a lower-case x) into the one stored spelling. They run before validation
and before any uniqueness check, on every input path: the model fields of core/fields.py, the forms
built from them, and the spreadsheet import.
"""

import datetime
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

ID_NUMBER_RE = re.compile(r"^[0-9]{17}[0-9X]$")
MOBILE_RE = re.compile(r"^1[3-9][0-9]{9}$")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"

# Characters that show as nothing: they come with text copied from web pages and Word.
_INVISIBLE_RE = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
# \s covers the ASCII blanks, NBSP (U+00A0) and the ideographic space (U+3000).
_BLANKS_RE = re.compile(r"\s+")

# The separator of the parts of a transcribed name (阿依古丽·买买提) is U+00B7 MIDDLE DOT; these are the
# look-alikes that input methods and fonts produce: katakana middle dot, its half-width form, bullet,
# hyphenation point, dot operator, bullet operator, Greek ano teleia, word separator middle dot.
_MIDDLE_DOTS_RE = re.compile("[\u30fb\uff65\u2022\u2027\u22c5\u2219\u0387\u2e31]")
MIDDLE_DOT = "\u00b7"

# Han characters (CJK unified ideographs and their extensions, compatibility ideographs, 〇 and 々).
_HAN = "\u3005\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
# Between two Han characters, a full stop typed for the middle dot (阿依古丽.买买提).
_DOT_BETWEEN_HAN_RE = re.compile(rf"(?<=[{_HAN}])\s*[.．。]\s*(?=[{_HAN}])")
# Blanks between Han characters or the middle dot (王  伟, 阿依古丽 · 买买提).
_BLANKS_BETWEEN_HAN_RE = re.compile(rf"(?<=[{_HAN}{MIDDLE_DOT}])\s+(?=[{_HAN}{MIDDLE_DOT}])")


def _ascii_compact(value: str | None) -> str:
    """Full-width digits and letters as ASCII (NFKC), every blank and invisible character removed."""
    text = unicodedata.normalize("NFKC", value or "")
    return _BLANKS_RE.sub("", _INVISIBLE_RE.sub("", text))


def normalize_id_number(value: str | None) -> str:
    """The stored spelling of a resident ID number: ASCII digits, no blanks, an upper-case X."""
    return _ascii_compact(value).upper()


def normalize_mobile(value: str | None) -> str:
    """The stored spelling of a mobile number: ASCII digits, no blanks (138 1234 5678 -> 13812345678)."""
    return _ascii_compact(value)


def normalize_person_name(value: str | None) -> str:
    """A person's name as stored: no blanks inside a Chinese name, one middle dot in a transcribed name.

    "王  伟" -> "王伟" and "阿依古丽・买买提" -> "阿依古丽·买买提"; a Latin name keeps one space between its
    words ("Ann  Lee" -> "Ann Lee").
    """
    text = _INVISIBLE_RE.sub("", unicodedata.normalize("NFC", value or ""))
    text = _MIDDLE_DOTS_RE.sub(MIDDLE_DOT, text)
    text = _DOT_BETWEEN_HAN_RE.sub(MIDDLE_DOT, text)
    text = _BLANKS_BETWEEN_HAN_RE.sub("", text)
    return _BLANKS_RE.sub(" ", text).strip()


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
    # No normalisation here: a field that only has this validator must not store full-width digits.
    if not MOBILE_RE.match((value or "").strip()):
        raise ValidationError(
            _("A mobile number has 11 digits and starts with 13-19, e.g. 13812345678."), code="mobile"
        )
