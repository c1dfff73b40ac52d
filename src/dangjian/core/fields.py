"""Model fields that tidy what people type before it is validated, checked for uniqueness or stored.

`Model.full_clean()` (which every service calls) runs a field's `to_python()` before its validators
and before `validate_unique()`, so a full-width ID number is compared and stored in ASCII. The forms
built from these fields normalise the same way, and `get_prep_value()` does it once more for writes
and exact lookups that bypass validation (bulk_create, filter(id_number=...)).
"""

from collections.abc import Callable

from django import forms
from django.db import models

from dangjian.core.validators import normalize_id_number, normalize_mobile, normalize_person_name


class NormalizedFormField(forms.CharField):
    """A form CharField that normalises the input before its validators (max_length included) run."""

    def __init__(self, *, normalizer: Callable[[str], str], **kwargs):
        self.normalizer = normalizer
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return self.normalizer(value) if value else value

    def widget_attrs(self, widget):
        # The browser would cut off a pasted "110105 19491231 002X" at `maxlength`, before the blanks are
        # removed; the length is checked on the normalised value instead.
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)
        return attrs


class NormalizedCharField(models.CharField):
    """A CharField whose value is normalised by `normalizer` (a str -> str function of core.validators)."""

    normalizer: Callable[[str], str] = staticmethod(lambda value: value)

    def to_python(self, value):
        value = super().to_python(value)
        return self.normalizer(value) if value else value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return self.normalizer(value) if isinstance(value, str) and value else value

    def formfield(self, **kwargs):
        if "form_class" not in kwargs and not self.choices:
            kwargs = {"form_class": NormalizedFormField, "normalizer": self.normalizer, **kwargs}
        return super().formfield(**kwargs)


class IdNumberField(NormalizedCharField):
    """A resident ID number: full-width digits and letters as ASCII, blanks removed, x as X."""

    normalizer = staticmethod(normalize_id_number)


class MobileField(NormalizedCharField):
    """A mobile phone number: full-width digits as ASCII, blanks removed."""

    normalizer = staticmethod(normalize_mobile)


class PersonNameField(NormalizedCharField):
    """A person's name: no blanks inside a Chinese name, the middle dot of a transcribed name as U+00B7."""

    normalizer = staticmethod(normalize_person_name)
