"""Choices of the ledger, apart from the models so that scoping, rules and other apps can name them."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class RecordSource(models.TextChoices):  # 来源
    PLATFORM = "platform", _("This platform")  # a class closed here credits its participants (delivery issue)
    IMPORTED = "imported", pgettext_lazy("ledger source", "Imported")  # from an Excel workbook
    ENTERED = "entered", _("Entered by hand")


class TrainingKind(models.TextChoices):  # 培训方式
    CONCENTRATED = "concentrated", _("Concentrated training")  # 集中培训 (face to face, in a block)
    ONLINE = "online", _("Online training")  # 网络培训


class RequirementKind(models.TextChoices):
    INDUCTION = "induction", _("Induction training within a deadline")  # 任职培训
    HOURS = "hours", _("Hours per period")  # 学时 per year or per five years


class Audience(models.TextChoices):  # to whom a requirement applies
    POST_HOLDERS = "post_holders", _("Holders of posts in party organizations")  # 书记、委员
    PARTY_MEMBERS = "party_members", _("Party members without such a post")  # 党员
    CADRE_TIER = "cadre_tier", _("Cadres of the given rank levels")  # 干部


class ComplianceStatus(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")  # 已完成
    DUE = "due", pgettext_lazy("compliance", "Due")  # 待完成 (deadline ahead)
    OVERDUE = "overdue", pgettext_lazy("compliance", "Overdue")  # 逾期
    EXEMPT = "exempt", _("Exempt")  # 免于
