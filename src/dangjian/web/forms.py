"""Staff forms for the registry. Choices are limited to what the user may see."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dangjian.core.masking import mask_id_number, mask_mobile
from dangjian.organizations.models import Organ, PartyOrganization, Person, Post
from dangjian.organizations.selectors import people_search
from dangjian.web.widgets import PickerSelect


def organ_picker(**kwargs) -> PickerSelect:
    return PickerSelect(url_name="organ_picker", search_label=_("Search organs"), **kwargs)


def party_organization_picker(**kwargs) -> PickerSelect:
    return PickerSelect(url_name="party_organization_picker", search_label=_("Search party organizations"),
                        **kwargs)


def party_organization_label(org: PartyOrganization) -> str:
    return f"{org.organ} · {org.name}"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class OrganForm(forms.ModelForm):
    class Meta:
        model = Organ
        fields = ["name_zh", "name_en", "code", "sector", "sort_order", "parent"]
        widgets = {"parent": organ_picker()}


class PartyOrganizationForm(forms.ModelForm):
    class Meta:
        model = PartyOrganization
        fields = ["organ", "name", "org_type", "parent", "founded_on", "term_started_on", "term_years",
                  "member_count"]
        widgets = {"founded_on": DateInput(), "term_started_on": DateInput(), "organ": organ_picker(),
                   "parent": party_organization_picker()}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organ"].queryset = Organ.objects.visible_to(user)
        self.fields["parent"].queryset = PartyOrganization.objects.visible_to(user).select_related("organ")
        self.fields["parent"].label_from_instance = party_organization_label


class PersonForm(forms.ModelForm):
    """A person's record. Editing, the ID number and mobile phone are not sent to the browser: their inputs
    start empty with the masked value as placeholder, and an empty input keeps the stored value (seeing them
    in full is a reveal, audited, on the person's page)."""

    PERSONAL_DATA = {"id_number": mask_id_number, "mobile": mask_mobile}

    clear_mobile = forms.BooleanField(label=_("Remove the mobile phone"), required=False)
    field_order = ["name", "gender", "id_number", "birth_date", "ethnicity", "party_joined_on", "mobile",
                   "clear_mobile"]

    class Meta:
        model = Person
        fields = ["name", "gender", "id_number", "birth_date", "ethnicity", "party_joined_on", "mobile",
                  "education", "position", "rank_level", "organ"]
        widgets = {"birth_date": DateInput(), "party_joined_on": DateInput(), "organ": organ_picker()}
        help_texts = {"birth_date": _("Taken from the ID number when left empty.")}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organ"].queryset = Organ.objects.visible_to(user)
        self.fields["gender"].required = False
        self.fields["gender"].help_text = _("Taken from the ID number when left empty.")
        self.stored = {name: getattr(self.instance, name) for name in self.PERSONAL_DATA} if self.instance.pk else {}
        if self.stored:
            self._keep_personal_data(may_reveal=user.has_perm("organizations.reveal_person", self.instance))
        if not self.stored.get("mobile"):
            del self.fields["clear_mobile"]

    def _keep_personal_data(self, *, may_reveal: bool) -> None:
        for name, mask in self.PERSONAL_DATA.items():
            field, stored = self.fields[name], self.stored[name]
            field.required = False
            field.widget.attrs["autocomplete"] = "off"
            self.initial[name] = ""
            if not stored:
                continue
            field.widget.attrs["placeholder"] = mask(stored)
            help_text = gettext("Leave empty to keep %(masked)s; type a new value to change it.") % {
                "masked": mask(stored)}
            if may_reveal:
                help_text += " " + gettext("“Show in full” on the person's page shows it (recorded in the audit "
                                           "trail).")
            field.help_text = help_text

    def clean_id_number(self):
        return self.cleaned_data["id_number"] or self.stored.get("id_number", "")

    def clean_mobile(self):
        return self.cleaned_data["mobile"] or self.stored.get("mobile", "")

    def clean(self):
        cleaned = super().clean()
        if cleaned.pop("clear_mobile", False):
            if self.data.get(self.add_prefix("mobile"), "").strip():
                self.add_error("clear_mobile", _("Type a new mobile phone or remove it, not both."))
            else:
                cleaned["mobile"] = ""
        return cleaned

    def validate_unique(self):
        # The ID number is checked by the service, whose answer does not tell a unit administrator what another
        # organ's registry holds (docs/security.md).
        self.instance.validate_unique(exclude={*self._get_validation_exclusions(), "id_number"})


class PostForm(forms.ModelForm):
    class Meta:
        model = Post
        fields = ["party_organization", "role", "portfolio", "started_on", "ended_on", "method",
                  "approval_reference"]
        widgets = {"started_on": DateInput(), "ended_on": DateInput(),
                   "party_organization": party_organization_picker()}

    def __init__(self, *args, user, person, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.person = person
        self.fields["party_organization"].queryset = (
            PartyOrganization.objects.visible_to(user).select_related("organ")
        )
        self.fields["party_organization"].label_from_instance = party_organization_label


class PeopleFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False,
                        widget=forms.SearchInput(attrs={"placeholder": _("Name, position or ID number")}),
                        help_text=_("The beginning of a name or a position; an ID number by its first six digits "
                                    "or in full."))
    # An organ outside the user's scope (or none such) is an error on the form, and the list shows nobody:
    # the filter is never silently dropped (docs/security.md).
    organ = forms.ModelChoiceField(label=_("Organ"), queryset=Organ.unscoped.none(), required=False,
                                   empty_label=_("All organs"), widget=organ_picker(),
                                   error_messages={"invalid_choice": _("This organ is not among the organs you "
                                                                       "may see.")})
    role = forms.ChoiceField(label=_("Current post"), required=False,
                             choices=[("", _("Any post")), *list(Post.Role.choices)])
    new_since = forms.DateField(label=_("Newly appointed secretary since"), required=False, widget=DateInput())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organ"].queryset = Organ.objects.visible_to(user)

    def clean_q(self):
        q = self.cleaned_data["q"]
        try:
            people_search(q)
        except ValidationError as error:
            raise ValidationError(error.message_dict["q"]) from error
        return q
