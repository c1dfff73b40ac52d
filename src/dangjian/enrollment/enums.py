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


class AllocationState(models.TextChoices):
    """Where an allocation run stands: solving (a background job), then a proposal applied or discarded."""
    SOLVING = "solving", _("Solving")  # 求解中
    PROPOSED = "proposed", _("Proposed")  # 待确认
    APPLIED = "applied", _("Applied")  # 已采用
    DISCARDED = "discarded", _("Discarded")  # 已放弃
    FAILED = "failed", pgettext_lazy("allocation", "Failed")  # 出错


class SolverStatus(models.TextChoices):
    """The solver's verdict (enrollment.allocation)."""
    OPTIMAL = "optimal", _("Optimal")  # 最优
    FEASIBLE = "feasible", _("Feasible, not proven optimal")  # 可行
    INFEASIBLE = "infeasible", _("Infeasible")  # 无解
    UNKNOWN = "unknown", _("No solution found in time")  # 未找到
