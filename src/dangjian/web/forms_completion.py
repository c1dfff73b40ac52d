"""The form of a program's completion rules (结业条件)."""

from django import forms

from dangjian.completion.models import CompletionRules
from dangjian.completion.services import RULE_FIELDS


class CompletionRulesForm(forms.ModelForm):
    class Meta:
        model = CompletionRules
        fields = RULE_FIELDS
        widgets = {"crediting": forms.RadioSelect,
                   "reflection_due_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in RULE_FIELDS}
