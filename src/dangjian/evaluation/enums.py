"""Kinds of evaluation forms, apart from the models so that rules and selectors can name them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class FormKind(models.TextChoices):
    SESSION_CARD = "session_card", _("Session card")  # 每门课程评估卡
    PROGRAMME = "programme", _("Program questionnaire")  # 培训项目总体评估
    FOLLOW_UP = "follow_up", _("Follow-up survey")  # 训后跟踪调查


# Teaching forms whose card adds the on-site dimensions (evaluation.yaml: extra_dimensions_onsite).
ONSITE_FORMS = ("onsite_teaching", "site_visit")
