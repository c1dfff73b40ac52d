"""Kinds, channels and statuses of messages, apart from the models so that rules and scoping can name them."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class MessageKind(models.TextChoices):
    """What a message is about; each kind has its wording in templates/outbox/messages/<language>/<kind>.txt."""

    NOMINATION_OPENED = "nomination_opened", _("Nomination opened")  # 报名推荐开始
    DEADLINE_REMINDER = "deadline_reminder", _("Nomination deadline reminder")  # 推荐截止提醒
    CONFIRMATION = "confirmation", _("Enrollment confirmed")  # 报名确认
    WAITLIST_PROMOTION = "waitlist_promotion", _("Seat from the waitlist")  # 候补递补
    INDUCTION_DUE = "induction_due", _("Induction training due")  # 任职培训提醒
    ADMISSION_NOTICE = "admission_notice", _("Admission notice")  # 入学通知
    FOLLOW_UP_DUE = "follow_up_due", _("Follow-up survey due")  # 训后跟踪调查提醒
    FOLLOW_UP_CONFIRMATION = "follow_up_confirmation", _("Follow-up awaiting the unit's confirmation")  # 单位确认提醒


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")


class MessageStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("message", "Draft")  # composed, waiting to be checked and sent
    QUEUED = "queued", pgettext_lazy("message", "Queued")  # handed to a sending job
    SENDING = "sending", pgettext_lazy("message", "Sending")  # taken by the job, being handed to the backend
    SENT = "sent", pgettext_lazy("message", "Sent")
    FAILED = "failed", pgettext_lazy("message", "Failed")  # the backend refused it: the error is kept; retry


# A message may be handed to a sending job from these statuses: a draft is sent, a failed one retried.
SENDABLE_STATUSES = (MessageStatus.DRAFT, MessageStatus.FAILED)
