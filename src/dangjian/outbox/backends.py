"""Delivery of messages: e-mail through Django's e-mail backend (settings.EMAIL_BACKEND), SMS through a pluggable
backend named by settings.DANGJIAN_SMS_BACKEND (a dotted path to a class).

An SMS backend is a class with no constructor arguments and two methods (docs/deploy.md, "Messages"):

    send(*, to: str, text: str) -> str   hand one SMS to the provider; return the provider's message id ("" if
                                         it gives none); raise an exception (DeliveryError or the client's own) when
                                         the provider refuses it: the message is marked failed with that error
    close() -> None                      called once after a sending job; release connections

The default, LoggingSmsBackend, sends nothing: it writes each SMS to the log `dangjian.outbox.sms`. Tests use
LocmemSmsBackend, which keeps what was "sent" in `sms_outbox`.
"""

import logging
import mimetypes
from contextlib import AbstractContextManager

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from dangjian.core.masking import mask_mobile
from dangjian.outbox.enums import Channel

logger = logging.getLogger("dangjian.outbox.sms")


class DeliveryError(Exception):
    """A backend refused a message; the words are kept on the failed message."""


class BaseSmsBackend:
    def send(self, *, to: str, text: str) -> str:  # pragma: no cover - the interface
        raise NotImplementedError

    def close(self) -> None:
        pass


class LoggingSmsBackend(BaseSmsBackend):
    """Sends nothing: logs the SMS (the number masked) at INFO on `dangjian.outbox.sms`. The default, so that no
    development machine, test or demo ever sends a real SMS."""

    def send(self, *, to: str, text: str) -> str:
        logger.info("SMS to %s: %s", mask_mobile(to), text)
        return ""


# What LocmemSmsBackend "sent": dicts {"to", "text"}; tests empty it.
sms_outbox: list[dict] = []


class LocmemSmsBackend(BaseSmsBackend):
    """For tests: keeps each SMS in `sms_outbox`, like Django's locmem e-mail backend keeps mail in mail.outbox."""

    def send(self, *, to: str, text: str) -> str:
        sms_outbox.append({"to": to, "text": text})
        return f"locmem-{len(sms_outbox)}"


def sms_backend() -> BaseSmsBackend:
    return import_string(settings.DANGJIAN_SMS_BACKEND)()


class Senders(AbstractContextManager):
    """The backends of one sending job: one e-mail connection and one SMS backend, opened when first needed and
    closed at the end."""

    def __init__(self):
        self._mail = None
        self._sms = None

    def send(self, message) -> str:
        """Hand `message` to its channel's backend; the provider's id, or an exception when it is refused."""
        if message.channel == Channel.SMS:
            if self._sms is None:
                self._sms = sms_backend()
            return self._sms.send(to=message.address, text=message.body) or ""
        if self._mail is None:
            self._mail = get_connection(fail_silently=False)
        email = EmailMessage(subject=message.subject, body=message.body, from_email=settings.DEFAULT_FROM_EMAIL,
                             to=[message.address], connection=self._mail)
        if message.attachment:
            with message.attachment.open("rb") as file:
                content = file.read()
            name = message.attachment_name or message.attachment.name.rsplit("/", 1)[-1]
            email.attach(name, content, mimetypes.guess_type(name)[0] or "application/octet-stream")
        if email.send(fail_silently=False) != 1:
            raise DeliveryError(_("The mail server did not accept the message."))
        return ""

    def __exit__(self, *exc_info):
        for backend in (self._mail, self._sms):
            if backend is not None:
                try:
                    backend.close()
                except Exception:  # closing must not hide what happened before
                    logging.getLogger(__name__).exception("closing a message backend failed")
        return None
