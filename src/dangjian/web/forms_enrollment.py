"""Staff forms of the enrollment of a program. They parse input; the services validate and refuse (their
ValidationError is shown on the form by add_service_errors)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from dangjian.enrollment import selectors
from dangjian.web.forms import DateInput
from dangjian.web.widgets import PickerSelect


class EnrollmentSettingsForm(forms.Form):
    nomination_deadline = forms.DateField(label=_("Nomination deadline"), required=False, widget=DateInput,
                                          help_text=_("The last day on which unit administrators may nominate."))
    note = forms.CharField(label=_("Note to the organs"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    admission_notes = forms.CharField(
        label=_("Arrival and what to bring"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Printed on the admission notices: registration on arrival, what to bring, dress, "
                    "accommodation. One paragraph per line."))


def nominee_label(person) -> str:
    return f"{person.name} · {person.position}" if person.position else person.name


class AddNomineeForm(forms.Form):
    """The nomination page's "add another person of the organ": a searchable picker among the people the organ
    may nominate (selectors.nominee_choices; the options come from web/views/pickers.nominee_options)."""

    add = forms.ModelChoiceField(label=_("Add another person of the organ"), queryset=None, empty_label="—")

    def __init__(self, *args, choices, url: str, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["add"]
        field.queryset = choices
        field.label_from_instance = nominee_label
        field.widget = PickerSelect(url=url, search_label=_("Search by name"))
        field.widget.choices = field.choices


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class UnavailableFields(forms.Form):
    """Up to two periods a nominee cannot attend."""

    unavailable_from_1 = forms.DateField(label=_("Cannot attend from"), required=False, widget=DateInput)
    unavailable_to_1 = forms.DateField(label=_("to"), required=False, widget=DateInput)
    unavailable_from_2 = forms.DateField(label=_("and from"), required=False, widget=DateInput)
    unavailable_to_2 = forms.DateField(label=_("to"), required=False, widget=DateInput)

    def periods(self) -> list:
        data = self.cleaned_data
        periods = []
        for i in (1, 2):
            first, last = data.get(f"unavailable_from_{i}"), data.get(f"unavailable_to_{i}")
            if first or last:
                periods.append((first or last, last or first))
        return periods


class SubstituteForm(UnavailableFields):
    person = forms.ModelChoiceField(label=_("Substitute"), queryset=None,
                                    help_text=_("People of the organ who hold a post and are not nominated yet."))
    reason = forms.CharField(label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))

    field_order = ["person", "reason"]

    def __init__(self, *args, user, nomination, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = selectors.nominee_choices(user=user, program=nomination.program,
                                                                   organ=nomination.organ)


class DecideForm(forms.Form):
    DECISIONS = [("confirm", _("Confirm the selected")), ("reject", _("Reject the selected"))]

    decision = forms.ChoiceField(choices=DECISIONS)
    reason = forms.CharField(label=_("Reason (for a rejection)"), required=False, max_length=1000)
