"""Staff forms of the ledger (学时档案): a training record, a requirement (and a new version of it), an exemption,
the filters of the compliance views."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.ledger import selectors
from dangjian.ledger.models import Exemption, Requirement, TrainingRecord
from dangjian.ledger.services import REQUIREMENT_WORDS
from dangjian.organizations.models import Organ, Person
from dangjian.web.forms import DateInput


class RecordForm(forms.ModelForm):
    class Meta:
        model = TrainingRecord
        fields = ["title", "institution", "kind", "starts_on", "ends_on", "hours", "counts_as_induction",
                  "certificate_number", "note"]
        widgets = {"starts_on": DateInput(), "ends_on": DateInput()}


class RequirementForm(forms.ModelForm):
    rank_levels = forms.MultipleChoiceField(label=_("rank levels"), choices=Person.RankLevel.choices,
                                            required=False, widget=forms.CheckboxSelectMultiple,
                                            help_text=_("For cadre tiers: the rank levels the rule applies to."))

    class Meta:
        model = Requirement
        fields = ["code", "title_zh", "title_en", "kind", "audience", "include_deputies",
                  "include_committee_members", "rank_levels", "deadline_months", "min_hours", "min_days",
                  "counted_kind", "min_concentrated", "period_years", "period_anchor_year", "source",
                  "effective_from", "effective_until"]
        widgets = {"effective_from": DateInput(), "effective_until": DateInput(),
                   "source": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = self.instance
        if instance.pk and instance.effective_from <= timezone.localdate():
            # In effect: only its words and its end change here; the rule changes with a new version.
            for name, field in self.fields.items():
                if name not in REQUIREMENT_WORDS:
                    field.disabled = True


class SupersedeForm(forms.ModelForm):
    """A new version of a rule from a date: the fields of the rule, prefilled with the version in effect."""

    rank_levels = RequirementForm.base_fields["rank_levels"]

    class Meta:
        model = Requirement
        fields = ["effective_from", "title_zh", "title_en", "audience", "include_deputies",
                  "include_committee_members", "rank_levels", "deadline_months", "min_hours", "min_days",
                  "counted_kind", "min_concentrated", "period_years", "period_anchor_year", "source"]
        widgets = {"effective_from": DateInput(), "source": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"effective_from": _("The version in effect ends the day before.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["effective_from"].initial = None

    def _post_clean(self):  # the service validates the new version
        pass


class ExemptionForm(forms.ModelForm):
    requirement_code = forms.ChoiceField(label=_("rule"), choices=())

    class Meta:
        model = Exemption
        fields = ["requirement_code", "reason", "starts_on", "ends_on"]
        widgets = {"starts_on": DateInput(), "ends_on": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requirement_code"].choices = selectors.requirement_code_choices()


class ComplianceFilterForm(forms.Form):
    requirement = forms.ChoiceField(label=_("rule"), choices=(), required=False)
    year = forms.IntegerField(label=_("year"), required=False, min_value=2000, max_value=2100)
    sector = forms.ChoiceField(label=_("sector"), choices=[("", "—"), *Organ.Sector.choices], required=False)
    status = forms.ChoiceField(label=_("status"), required=False, choices=())

    def __init__(self, *args, **kwargs):
        from dangjian.ledger.enums import ComplianceStatus

        super().__init__(*args, **kwargs)
        self.fields["requirement"].choices = selectors.requirement_code_choices()
        self.fields["status"].choices = [("", _("all")), *ComplianceStatus.choices]


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Excel workbook (.xlsx)"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}),
    )
