"""The marks of a roll call, apart from the models so that rules and selectors can name them."""

from django.db import models
from django.utils.translation import pgettext_lazy


class Mark(models.TextChoices):
    PRESENT = "present", pgettext_lazy("attendance", "Present")  # 出勤
    LATE = "late", pgettext_lazy("attendance", "Late")  # 迟到
    ABSENT = "absent", pgettext_lazy("attendance", "Absent")  # 缺勤
    ON_LEAVE = "on_leave", pgettext_lazy("attendance", "On leave")  # 请假
