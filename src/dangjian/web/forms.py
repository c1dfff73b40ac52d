"""Staff forms for the registry. Choices are limited to what the user may see."""

from django import forms
from django.utils.translation import gettext_lazy as _

from dangjian.organizations.models import Organ, PartyOrganization, Person, Post


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class OrganForm(forms.ModelForm):
    class Meta:
        model = Organ
        fields = ["code", "name_zh", "name_en", "sector", "parent"]


class PartyOrganizationForm(forms.ModelForm):
    class Meta:
        model = PartyOrganization
        fields = ["organ", "name", "org_type", "parent", "founded_on", "term_started_on", "term_years",
                  "member_count"]
        widgets = {"founded_on": DateInput(), "term_started_on": DateInput()}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organ"].queryset = Organ.objects.visible_to(user)
        self.fields["parent"].queryset = PartyOrganization.objects.visible_to(user).select_related("organ")
        self.fields["parent"].label_from_instance = lambda org: f"{org.organ} · {org.name}"


class PersonForm(forms.ModelForm):
    class Meta:
        model = Person
        fields = ["name", "gender", "id_number", "birth_date", "ethnicity", "party_joined_on", "mobile",
                  "education", "position", "rank_level", "organ"]
        widgets = {"birth_date": DateInput(), "party_joined_on": DateInput()}
        help_texts = {"birth_date": _("Taken from the ID number when left empty.")}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organ"].queryset = Organ.objects.visible_to(user)
        self.fields["gender"].required = False
        self.fields["gender"].help_text = _("Taken from the ID number when left empty.")


class PostForm(forms.ModelForm):
    class Meta:
        model = Post
        fields = ["party_organization", "role", "portfolio", "started_on", "ended_on", "method",
                  "approval_reference"]
        widgets = {"started_on": DateInput(), "ended_on": DateInput()}

    def __init__(self, *args, user, person, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.person = person
        self.fields["party_organization"].queryset = (
            PartyOrganization.objects.visible_to(user).select_related("organ").order_by("organ__code", "name")
        )
        self.fields["party_organization"].label_from_instance = lambda org: f"{org.organ} · {org.name}"


class PeopleFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False,
                        widget=forms.SearchInput(attrs={"placeholder": _("Name or position")}))
    organ = forms.ModelChoiceField(label=_("Organ"), queryset=Organ.objects.none(), required=False,
                                   empty_label=_("All organs"))
    role = forms.ChoiceField(label=_("Current post"), required=False,
                             choices=[("", _("Any post")), *list(Post.Role.choices)])
    new_since = forms.DateField(label=_("Newly appointed secretary since"), required=False, widget=DateInput())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organ"].queryset = Organ.objects.visible_to(user)
