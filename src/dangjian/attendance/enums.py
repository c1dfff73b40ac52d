"""The marks of a roll call, apart from the models so that rules and selectors can name them."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Mark(models.TextChoices):
    PRESENT = "present", pgettext_lazy("attendance", "Present")  # 出勤
    LATE = "late", pgettext_lazy("attendance", "Late")  # 迟到
    ABSENT = "absent", pgettext_lazy("attendance", "Absent")  # 缺勤
    ON_LEAVE = "on_leave", pgettext_lazy("attendance", "On leave")  # 请假


class MarkSource(models.TextChoices):
    """How a mark was taken: it does not change what the mark means, it says where it came from."""
    ROLL_CALL = "roll_call", _("Roll call")  # 点名 (the grid, also offline)
    QR = "qr", _("QR check-in")  # 扫码签到
    SHEET = "sheet", _("Paper sign-in sheet")  # 纸质签到表补录
    LEAVE = "leave", _("Approved leave")  # 请假批准


class LeaveStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")  # 待审批
    APPROVED = "approved", pgettext_lazy("leave", "Approved")  # 已批准
    REFUSED = "refused", pgettext_lazy("leave", "Refused")  # 未批准
    CANCELLED = "cancelled", pgettext_lazy("leave", "Cancelled")  # 已撤回


class WithdrawalStatus(models.TextChoices):
    """退学: a participant whose leave passed the limit is flagged; the organizer confirms or clears it."""
    FLAGGED = "flagged", _("Flagged for withdrawal")  # 待确认退学
    CONFIRMED = "confirmed", _("Withdrawn from the class")  # 已退学
    CLEARED = "cleared", _("Kept in the class")  # 保留学籍
