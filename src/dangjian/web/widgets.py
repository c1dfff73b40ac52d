"""Form widgets of the staff pages."""

from django import forms
from django.db.models import Case, IntegerField, Value, When
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

PICKER_INITIAL_OPTIONS = 20


class PickerSelect(forms.Select):
    """A select for a choice among thousands of records (organs, party organizations): it lists the current
    choice and the first PICKER_INITIAL_OPTIONS records, and a search box above it asks the server for the
    matching ones as the user types (static/dangjian/picker.js, GET `url_name`?q=…).

    Validation is the field's: any record of the field's queryset is accepted, listed or not. Rendering costs one
    query whatever the number of records, where a full select would send them all (2,000 organs: 135 KB)."""

    template_name = "web/widgets/picker.html"

    def __init__(self, *, search_label: str, url_name: str = "", url: str = "", attrs=None):
        """`url_name`: the options' view (no arguments); or `url`: its address, for options that depend on the
        page (the people an organ may nominate to a program)."""
        super().__init__(attrs)
        self.url_name, self.url, self.search_label = url_name, url, search_label

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"].update(picker_url=self.url or reverse(self.url_name), search_label=self.search_label,
                                 found_label=PICKER_FOUND)
        return context

    def optgroups(self, name, value, attrs=None):
        iterator = self.choices  # a ModelChoiceIterator: the field's queryset and labels
        queryset, field = iterator.queryset, iterator.field
        chosen = [int(v) for v in value if str(v).isdigit()]
        ordering = queryset.query.order_by or queryset.model._meta.ordering
        # The current choice first, then the first records in the list's order: one query.
        rows = list(
            queryset.annotate(_picked=Case(When(pk__in=chosen, then=Value(0)), default=Value(1),
                                           output_field=IntegerField()))
            .order_by("_picked", *ordering)[: PICKER_INITIAL_OPTIONS + len(chosen) + 1]
        )
        more = len(rows) > PICKER_INITIAL_OPTIONS + len(chosen)
        options = []
        if field.empty_label is not None:
            options.append(self.create_option(name, "", field.empty_label, not chosen, 0))
        for row in rows[: PICKER_INITIAL_OPTIONS + len(chosen)]:
            options.append(self.create_option(name, row.pk, field.label_from_instance(row), row.pk in chosen,
                                              len(options)))
        if more:
            hint = self.create_option(name, "", PICKER_MORE, False, len(options))
            hint["attrs"]["disabled"] = True  # a Select's options do not take attrs from create_option
            options.append(hint)
        return [(None, options, 0)]


PICKER_MORE = _("More: type in the search box to find them")
PICKER_FOUND = _("Found: %(count)s")  # picker.js puts in the count
