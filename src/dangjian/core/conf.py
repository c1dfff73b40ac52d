"""Access to the regulatory rules held as data in settings.DANGJIAN_RULES."""

from django.conf import settings


def rule(name: str):
    """The configured value of one rule, e.g. rule("term_warning_months")."""
    return settings.DANGJIAN_RULES[name]


def term_years_for(org_type: str) -> int:
    """Default term of office for a party-organization type (organs regulation arts. 5-7)."""
    return settings.DANGJIAN_RULES["term_years"][org_type]
