"""Statuses of nominations, apart from the models so that scoping and rules can name them without importing
the models."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class NominationStatus(models.TextChoices):
    NOMINATED = "nominated", pgettext_lazy("nomination", "Nominated")  # 已推荐 (awaiting the organizer)
    CONFIRMED = "confirmed", pgettext_lazy("nomination", "Confirmed")  # 已确认 (holds a seat)
    WAITLISTED = "waitlisted", _("Waitlisted")  # 候补
    REJECTED = "rejected", pgettext_lazy("nomination", "Rejected")  # 未通过
    WITHDRAWN = "withdrawn", pgettext_lazy("nomination", "Withdrawn")  # 已退出
    SUBSTITUTED = "substituted", _("Substituted")  # 已替换


# A person holds at most one of these in a program (a database constraint); they count against the quota.
ACTIVE_STATUSES = (NominationStatus.NOMINATED, NominationStatus.CONFIRMED, NominationStatus.WAITLISTED)
