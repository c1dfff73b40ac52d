"""Choices of completion (结业), apart from the models so that rules and selectors can name them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Crediting(models.TextChoices):
    """How a participant who completed is credited with 学时 when the class closes."""
    PER_DAY = "per_day", _("Days attended × hours per day")  # 按天计
    PER_SESSION = "per_session", _("Sum of the hours of the sessions attended")  # 按课时计


class Reason(models.TextChoices):
    """Why a participant did not complete; the words (with figures) are made by completion.selectors."""
    WITHDRAWN = "withdrawn", _("Withdrawn from the class")
    ATTENDANCE = "attendance", _("Attendance below the minimum")
    LEAVE = "leave", _("Leave over the limit")
    REFLECTION = "reflection", _("No reflection submitted")
    ASSESSMENT = "assessment", _("Assessment not passed")


class Grade(models.TextChoices):
    """The head teacher's grade of a reflection (心得体会); "revise" sends it back to its author with a comment."""
    EXCELLENT = "excellent", _("Excellent")  # 优秀
    PASS = "pass", _("Pass")  # 合格
    REVISE = "revise", _("Revise")  # 需修改
