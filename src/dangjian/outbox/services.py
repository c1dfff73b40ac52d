"""Writes of the outbox: compose messages (other apps call `messages_compose`; nothing sends directly), hand
drafts to a sending job (`messages_send`, `messages_send_all`), retry failed ones (`messages_retry`,
`messages_retry_all`), discard a draft. The sending itself is the job's (outbox/tasks.py).

Every message is written to the outbox first, as a draft that staff read as the recipient will (the preview),
and only an organizer's "send" hands it to a background job. A message is handed over by one conditional UPDATE
(draft → queued, failed → queued) and taken by the job by another (queued → sending), so that two requests, two
jobs or a job run twice never send one message twice.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core.audit import audit_record, current_origin
from dangjian.core.models import AuditEntry
from dangjian.core.rules import ActionRefused, require
from dangjian.core.validators import validate_mobile
from dangjian.jobs.models import BackgroundJob
from dangjian.jobs.services import job_create, job_enqueue
from dangjian.outbox.enums import Channel, MessageKind, MessageStatus
from dangjian.outbox.models import Message
from dangjian.outbox.rendering import message_language, render_message

# Fields checked by clean_fields(): the foreign keys are records the caller already holds (checking each would
# cost a query per message and field).
_RELATIONS = ["user", "person", "organ", "program", "created_by", "send_job"]
# The author named in the audit trail for messages the platform composes itself (messages_compose(by=None)).
PLATFORM_AUTHOR = "platform"


@dataclass
class Recipient:
    """Who a message goes to, and what is particular to them.

    user / person   a login (its e-mail address) and/or a person of the registry (their mobile phone)
    channel         Channel.EMAIL or Channel.SMS; None: e-mail when the user has an address, else SMS
    organ           the organ the message concerns (who else may read it); None: the person's organ, or the
                    user's person's organ, or the one organ a unit administrator administers
    language        the recipient's language ("zh-hans", "en"); None: Chinese
    context         template variables for this recipient only (a quota, an activation link, ...)
    attachment      (file name, bytes), e.g. an admission notice's PDF; e-mail only
    """

    user: object = None
    person: object = None
    channel: str | None = None
    organ: object = None
    language: str | None = None
    context: dict = field(default_factory=dict)
    attachment: tuple[str, bytes] | None = None

    @property
    def name(self) -> str:
        if self.person is not None:
            return self.person.name
        return self.user.display_name if self.user is not None else ""

    def mobile(self) -> str:
        if self.person is not None:
            return self.person.mobile
        linked = getattr(self.user, "person", None) if self.user is not None else None
        return linked.mobile if linked is not None else ""

    def email(self) -> str:
        return (getattr(self.user, "email", "") or "") if self.user is not None else ""

    def resolved_channel(self) -> str:
        if self.channel:
            return self.channel
        return Channel.EMAIL if self.email() else Channel.SMS

    def resolved_organ(self):
        if self.organ is not None:
            return self.organ
        if self.person is not None:
            return self.person.organ
        linked = getattr(self.user, "person", None) if self.user is not None else None
        if linked is not None:
            return linked.organ
        if self.user is not None and len(self.user.organ_ids) == 1:
            return self.user.organs.get()
        return None


def absolute_url(path: str) -> str:
    """A link for a message or a printed page: the platform's public address (settings.WAGTAILADMIN_BASE_URL)."""
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def reachable(recipient: Recipient) -> bool:
    """The recipient has an address on their channel (a draft can be composed)."""
    return bool(recipient.email() if recipient.resolved_channel() == Channel.EMAIL else recipient.mobile())


def organ_admin_recipients(organs, contexts: dict[int, dict]) -> tuple[list[Recipient], list[str]]:
    """The reachable unit administrators of each organ as recipients (with the organ's template variables from
    `contexts`, organ id -> dict), and the names of the organs none of whose administrators has an address."""
    from dangjian.accounts.selectors import unit_admins_of

    admins = unit_admins_of([organ.pk for organ in organs])
    recipients, unreachable = [], []
    for organ in organs:
        found = [Recipient(user=user, organ=organ, context=contexts.get(organ.pk, {}))
                 for user in admins.get(organ.pk, [])]
        found = [recipient for recipient in found if reachable(recipient)]
        if not found:
            unreachable.append(organ.name_zh)
        recipients.extend(found)
    return recipients, unreachable


@dataclass
class Composed:
    """The outcome of an action that composed drafts: how many, of which kind (and program: the outbox's filter),
    and the organs or people nobody could write to."""

    count: int = 0
    unreachable: list[str] = field(default_factory=list)
    kind: str = ""
    program_id: int | None = None

    @property
    def outbox_query(self) -> str:
        return f"status=draft&kind={self.kind}" + (f"&program={self.program_id}" if self.program_id else "")


def _address_problem(recipient: Recipient, channel: str, address: str) -> str | None:
    name = recipient.name or _("a recipient without a name")
    if recipient.user is None and recipient.person is None:
        return _("A message needs a recipient: a user or a person.")
    if channel not in Channel.values:
        return _("%(name)s: “%(channel)s” is not a channel (e-mail or SMS).") % {"name": name, "channel": channel}
    if not address:
        if channel == Channel.EMAIL:
            return _("%(name)s has no e-mail address: record one for their login, or send an SMS.") % {"name": name}
        return _("%(name)s has no mobile phone number in the registry: record one, or send an e-mail.") % {
            "name": name}
    try:
        (validate_email if channel == Channel.EMAIL else validate_mobile)(address)
    except ValidationError:
        return _("%(name)s: the address “%(address)s” is not valid.") % {"name": name, "address": address}
    if recipient.attachment is not None and channel != Channel.EMAIL:
        return _("%(name)s: an attachment can only be sent by e-mail.") % {"name": name}
    return None


def _base_context(*, program, context: dict | None) -> dict:
    base = {
        "program": program,
        "phases": list(program.phases.order_by("number")) if program is not None else [],
        "sender": settings.OUTBOX_SENDER_NAME,
        "signature": settings.OUTBOX_SMS_SIGNATURE,
        "link": settings.WAGTAILADMIN_BASE_URL.rstrip("/") + (program.get_absolute_url() if program else "/"),
    }
    return {**base, **(context or {})}


def _audit(messages: Iterable[Message], *, by, action: str, changes) -> None:
    """One audit entry per message (written together: a bulk compose or send is hundreds of messages); by=None
    is the platform."""
    origin = current_origin.get()
    name = PLATFORM_AUTHOR if by is None else (getattr(by, "username", "") or "")
    AuditEntry.objects.bulk_create([
        AuditEntry(actor=by if getattr(by, "pk", None) else None, actor_name=name,
                   action=action, model="outbox.message", object_pk=str(message.pk), object_repr=str(message)[:200],
                   changes=changes(message), origin=origin)
        for message in messages
    ])


def messages_compose(*, kind: str, recipients: Iterable[Recipient], by, program=None,
                     context: dict | None = None) -> list[Message]:
    """Write one draft message of `kind` per recipient into the outbox, worded by the kind's template in the
    recipient's language (rendering.py), with `context` (and each recipient's own) as the template's variables.
    Nothing is sent: an organizer previews the drafts and sends them (messages_send).

    All or nothing: a recipient without an address on the channel (no e-mail, no mobile), or outside the organs
    `by` may write to (outbox.compose_message), stops the whole batch; the problems name every such recipient.
    The caller (another app's service) has checked its own permission for what the message announces.

    `by=None`: the platform composes (PLATFORM_AUTHOR in the audit trail, no `created_by`): a message that
    follows from a change of state the caller's service has permitted, addressed to people the acting user may
    not write to themselves (a waitlist promotion after a unit administrator's withdrawal frees a seat for
    another organ's nominee; a notice to every organ with a quota). Only services pass None, never a view.
    """
    if kind not in MessageKind.values:
        raise ValidationError({"kind": _("“%(kind)s” is not a kind of message.") % {"kind": kind}})
    recipients = list(recipients)
    if not recipients:
        raise ValidationError(_("The message has no recipients."))
    shared = _base_context(program=program, context=context)
    drafts, problems = [], []
    for recipient in recipients:
        channel = recipient.resolved_channel()
        address = recipient.email() if channel == Channel.EMAIL else recipient.mobile()
        problem = _address_problem(recipient, channel, address)
        if problem:
            problems.append(problem)
            continue
        organ = recipient.resolved_organ()
        language = message_language(recipient.language)
        rendered = render_message(kind=kind, channel=channel, language=language,
                                  context={**shared, "recipient": recipient.name, "organ": organ, **recipient.context})
        message = Message(kind=kind, channel=channel, status=MessageStatus.DRAFT, user=recipient.user,
                          person=recipient.person, recipient_name=recipient.name[:150], address=address,
                          language=language, organ=organ, program=program, subject=rendered.subject[:200],
                          body=rendered.body, created_by=by if getattr(by, "pk", None) else None)
        if by is not None:
            require(by, "outbox.compose_message", message)
        try:
            message.clean_fields(exclude=_RELATIONS)
        except ValidationError as error:
            problems.extend(f"{recipient.name}: {text}" for text in error.messages)
            continue
        message._attachment = recipient.attachment
        drafts.append(message)
    if problems:
        raise ValidationError(problems)
    stored = []
    try:
        for message in drafts:
            if message._attachment is not None:
                name, content = message._attachment
                message.attachment_name = name[:200]
                message.attachment.save(name, ContentFile(content), save=False)
                stored.append(message.attachment.name)
        with transaction.atomic():
            Message.unscoped.bulk_create(drafts)
            _audit(drafts, by=by, action=AuditEntry.Action.CREATE, changes=lambda message: {
                "kind": message.kind, "channel": message.channel, "address": message.masked_address,
                "subject": message.subject})
    except BaseException:
        for name in stored:
            Message.attachment.field.storage.delete(name)
        raise
    return drafts


# Sending -------------------------------------------------------------------------------------------------------

def _queue(*, by, action: str, source: str, messages: QuerySet, expected: int | None, retry: bool) -> BackgroundJob:
    """Hand the messages of `messages` that are `source` (draft or failed) to a new sending job, in one
    conditional UPDATE. `expected`: the number that must all still be `source` (a selection), or None (every
    such message of a filtered list)."""
    with transaction.atomic():
        job = job_create(kind=BackgroundJob.Kind.OUTBOX_SEND, by=by, params={"retry": retry})
        ids = list(messages.filter(status=source).values_list("pk", flat=True))
        queued = Message.unscoped.filter(pk__in=ids, status=source).update(
            status=MessageStatus.QUEUED, send_job=job, updated_at=timezone.now())
        if expected is not None and queued != expected:
            raise ActionRefused(_("Some of these messages were sent or changed meanwhile; nothing was sent. Load "
                                  "the outbox again and choose again."))
        if not queued:
            raise ValidationError(_("There is no message to send.") if source == MessageStatus.DRAFT
                                  else _("There is no failed message to retry."))
        job.params = {"retry": retry, "count": queued}
        job.progress_total = queued
        job.save(update_fields=["params", "progress_total"])
        _audit(Message.unscoped.filter(pk__in=ids), by=by, action=AuditEntry.Action.UPDATE,
               changes=lambda message: {"status": [source, MessageStatus.QUEUED], "send_job": [None, job.pk]})
    from dangjian.outbox.tasks import outbox_send_task

    return job_enqueue(job, outbox_send_task)


def _selected(*, by, action: str, messages: Iterable[Message], source: str, retry: bool) -> BackgroundJob:
    messages = list(messages)
    if not messages:
        raise ValidationError(_("Choose the messages to send."))
    for message in messages:
        require(by, action, message)  # PermissionDenied; ActionRefused naming the message's status
    return _queue(by=by, action=action, source=source, expected=len({m.pk for m in messages}), retry=retry,
                  messages=Message.unscoped.filter(pk__in=[m.pk for m in messages]))


def messages_send(*, messages: Iterable[Message], by) -> BackgroundJob:
    """Send these drafts (an organizer's selection, after the preview): a background job hands each to its
    backend. Each must still be a draft, else nothing is sent (ActionRefused saying so)."""
    return _selected(by=by, action="outbox.send_message", messages=messages, source=MessageStatus.DRAFT, retry=False)


def messages_send_all(*, drafts: QuerySet[Message], by) -> BackgroundJob:
    """Send every draft of `drafts` (the outbox's list with its filters, in the user's scope)."""
    require(by, "outbox.send_message")
    return _queue(by=by, action="outbox.send_message", source=MessageStatus.DRAFT, messages=drafts, expected=None,
                  retry=False)


def messages_retry(*, messages: Iterable[Message], by) -> BackgroundJob:
    """Send these failed messages again (each keeps its error until the new attempt's outcome)."""
    return _selected(by=by, action="outbox.retry_message", messages=messages, source=MessageStatus.FAILED,
                     retry=True)


def messages_retry_all(*, failed: QuerySet[Message], by) -> BackgroundJob:
    """Send every failed message of `failed` (the outbox's list with its filters) again."""
    require(by, "outbox.retry_message")
    return _queue(by=by, action="outbox.retry_message", source=MessageStatus.FAILED, messages=failed,
                  expected=None, retry=True)


def message_discard(*, message: Message, by) -> None:
    """Delete a draft that should not go out (and its attachment)."""
    require(by, "outbox.discard_message", message)
    attachment = message.attachment.name if message.attachment else ""
    with transaction.atomic():
        if Message.unscoped.filter(pk=message.pk, status=MessageStatus.DRAFT).select_for_update().first() is None:
            raise ActionRefused(_("This message was sent or changed meanwhile."))
        audit_record(actor=by, action=AuditEntry.Action.DELETE, instance=message, changes={
            "kind": message.kind, "channel": message.channel, "address": message.masked_address,
            "subject": message.subject})
        message.delete()
    if attachment:
        Message.attachment.field.storage.delete(attachment)
