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


class SortKeyField(models.CharField):
    """The pinyin sort key (core.sorting) of another field of the record, kept in step on every save and bulk_create
    (both call pre_save), so that lists sort in SQL through an index instead of in Python.

    A write that bypasses pre_save (QuerySet.update, bulk_update, raw SQL, COPY) must set it itself."""

    def __init__(self, *args, source: str, numbers: bool = False, person_name: bool = False, **kwargs):
        self.source, self.numbers, self.person_name = source, numbers, person_name
        kwargs.setdefault("max_length", 255)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)

    def key_for(self, value: str) -> str:
        from dangjian.core.sorting import sort_key

        return sort_key(value, numbers=self.numbers, person_name=self.person_name, max_length=self.max_length)

    def pre_save(self, model_instance, add):
        value = self.key_for(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        if self.numbers:
            kwargs["numbers"] = True
        if self.person_name:
            kwargs["person_name"] = True
        for option, default in (("max_length", 255), ("editable", False), ("blank", True), ("db_index", True)):
            if kwargs.get(option, default) == default:
                kwargs.pop(option, None)
        return name, path, args, kwargs
