"""The outbox (发件箱): every message the platform sends — a notice by e-mail or SMS — is written here first, as a
draft that staff can read as the recipient will (preview), and is sent from here by a background job.

Messages are composed by dangjian.outbox.services.messages_compose (other apps call it; nothing sends directly)
and change status only through the outbox's services and its sending job, never by assigning `status`.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dangjian.core.masking import mask_email, mask_mobile
from dangjian.core.models import TimeStampedModel
from dangjian.core.scoping import ScopedQuerySet, UnscopedManager
from dangjian.outbox.enums import SENDABLE_STATUSES, Channel, MessageKind, MessageStatus
from dangjian.outbox.scoping import message_filter
from dangjian.outbox.storage import attachment_storage


class MessageQuerySet(ScopedQuerySet):
    def visibility(self, user):
        return message_filter(user)


class Message(TimeStampedModel):  # 消息
    Kind = MessageKind
    Channel = Channel
    Status = MessageStatus

    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    # Recipient: a user (e-mail) and/or a person of the registry (mobile phone); the address used is kept as it
    # was when the message was composed, and so is the name.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recipient's login"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    person = models.ForeignKey("organizations.Person", verbose_name=_("recipient in the registry"), null=True,
                               blank=True, on_delete=models.SET_NULL, related_name="messages")
    recipient_name = models.CharField(_("recipient"), max_length=150)
    address = models.CharField(_("address"), max_length=254, help_text=_("E-mail address or mobile number."))
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    # What the message concerns: the organ decides who else may read it (unit administrators), the program is a
    # filter of the list.
    organ = models.ForeignKey("organizations.Organ", verbose_name=_("organ"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    program = models.ForeignKey("training.Program", verbose_name=_("program"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="messages")
    subject = models.CharField(pgettext_lazy("message", "subject"), max_length=200, blank=True)
    body = models.TextField(pgettext_lazy("message", "text"))
    attachment = models.FileField(_("attachment"), storage=attachment_storage, upload_to="%Y/%m/", blank=True,
                                  max_length=200)
    attachment_name = models.CharField(_("attachment name"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    send_job = models.ForeignKey("jobs.BackgroundJob", verbose_name=_("sending job"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.TextField(_("error"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    external_id = models.CharField(_("provider's message id"), max_length=100, blank=True)

    objects = MessageQuerySet.as_manager()  # scoped: .visible_to(user)
    unscoped = UnscopedManager.from_queryset(MessageQuerySet)()

    class Meta:
        default_manager_name = "unscoped"  # Django's own lookups; ours say .objects or .unscoped
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-id"]
        # The list's filters, each with the list's order (newest first) behind it; a unit administrator's list
        # walks their organs.
        indexes = [
            models.Index(fields=["status", "id"]),
            models.Index(fields=["kind", "id"]),
            models.Index(fields=["program", "id"]),
            models.Index(fields=["channel", "id"]),
            models.Index(fields=["organ", "status", "id"]),
            models.Index(fields=["send_job", "status"]),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(user__isnull=False) | models.Q(person__isnull=False),
                                   name="message_has_recipient"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.recipient_name}"

    def get_absolute_url(self) -> str:
        return reverse("outbox_message", args=[self.pk])

    @property
    def masked_address(self) -> str:
        """The address as lists, pages and the API show it: 138****5678, zh***@example.org."""
        return mask_mobile(self.address) if self.channel == Channel.SMS else mask_email(self.address)

    @property
    def sendable(self) -> bool:
        return self.status in SENDABLE_STATUSES

    @property
    def sms_segments(self) -> int:
        """How many SMS the text takes (70 characters each, 67 each when it must be split: the GSM rule for text
        with Chinese characters)."""
        length = len(self.body)
        return 1 if length <= 70 else -(-length // 67)
