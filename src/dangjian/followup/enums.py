"""States of the follow-up (成果转化), apart from the models so that rules and selectors can name them."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Decision(models.TextChoices):
    """What the unit's party organization says of a participant's follow-up report."""

    CONFIRMED = "confirmed", pgettext_lazy("followup", "Confirmed")  # 确认
    COMMENTED = "commented", _("Commented, not confirmed")  # 提出意见


class FollowUpState(models.TextChoices):
    """Where a participant who completed the class stands (the organizer's filter)."""

    NO_PLAN = "no_plan", _("No plan yet")
    PLANNED = "planned", _("Plan filed")
    REPORTED = "reported", _("Follow-up answered, awaiting the unit")
    CONFIRMED = "confirmed", _("Confirmed by the unit")
    COMMENTED = "commented", _("Commented by the unit")
