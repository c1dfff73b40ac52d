"""Statuses of training records, apart from the models so that scoping and rules can name them without
importing the models (which use scoping for their querysets)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ProgramStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("training", "Draft")  # 草拟
    SUBMITTED = "submitted", _("Submitted for approval")  # 报批
    RETURNED = "returned", _("Returned for revision")  # 退回修改
    APPROVED = "approved", _("Approved")  # 已批准
    ENROLLMENT_OPEN = "enrollment_open", _("Enrollment open")  # 报名中
    IN_PROGRESS = "in_progress", pgettext_lazy("training", "In progress")  # 培训中
    CLOSED = "closed", _("Closed")  # 已结业
    ARCHIVED = "archived", _("Archived")  # 已归档


# The plan as approved changes only in these statuses (then it is reopened and submitted again).
PLAN_EDITABLE_STATUSES = (ProgramStatus.DRAFT, ProgramStatus.RETURNED)
# The timetable may still be refined after approval, until the class closes.
TIMETABLE_EDITABLE_STATUSES = (ProgramStatus.DRAFT, ProgramStatus.RETURNED, ProgramStatus.SUBMITTED,
                               ProgramStatus.APPROVED, ProgramStatus.ENROLLMENT_OPEN, ProgramStatus.IN_PROGRESS)
# Groups, class committee, temporary branch and phase status are history once the class closed.
CLOSED_STATUSES = (ProgramStatus.CLOSED, ProgramStatus.ARCHIVED)
# Statuses in which a program concerns the organs (enrollment and after).
PUBLISHED_STATUSES = (ProgramStatus.ENROLLMENT_OPEN, ProgramStatus.IN_PROGRESS, ProgramStatus.CLOSED,
                      ProgramStatus.ARCHIVED)
