"""Reads of the outbox, scoped by the user they are given (Message.objects.visible_to)."""

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, QuerySet
from django.shortcuts import get_object_or_404

from dangjian.outbox.enums import Channel, MessageKind, MessageStatus
from dangjian.outbox.models import Message
from dangjian.training.models import Program


@dataclass(frozen=True)
class MessageFilters:
    """The outbox list's filters; a value that is not one of the choices is dropped by `clean`."""

    status: str = ""
    kind: str = ""
    channel: str = ""
    program: int | None = None

    @classmethod
    def clean(cls, *, status="", kind="", channel="", program=None) -> "MessageFilters":
        try:
            program = int(program) if program not in (None, "") else None
        except (TypeError, ValueError):
            program = None
        return cls(status=status if status in MessageStatus.values else "",
                   kind=kind if kind in MessageKind.values else "",
                   channel=channel if channel in Channel.values else "",
                   program=program if program and program > 0 else None)

    def without_status(self) -> "MessageFilters":
        return MessageFilters(kind=self.kind, channel=self.channel, program=self.program)


def message_list(*, user, filters: MessageFilters = MessageFilters()) -> QuerySet[Message]:
    """The messages `user` may see, newest first, with the filters; each filter has an index (models.py). A
    program filter matches only programs the user sees (none outside the scope: an empty list)."""
    qs = Message.objects.visible_to(user).select_related("program", "organ")
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.channel:
        qs = qs.filter(channel=filters.channel)
    if filters.program:
        qs = qs.filter(program__in=Program.objects.visible_to(user).filter(pk=filters.program))
    return qs.order_by("-id")


def status_counts(*, user, filters: MessageFilters = MessageFilters()) -> dict[str, int]:
    """How many messages of each status match the other filters (one query): the list's tabs."""
    rows = message_list(user=user, filters=filters.without_status()).order_by().values("status").annotate(
        n=Count("pk"))
    found = {row["status"]: row["n"] for row in rows}
    return {status: found.get(status, 0) for status in MessageStatus.values}


def message_get(*, user, pk: int) -> Message:
    """The message, if `user` may see it; 404 otherwise."""
    return get_object_or_404(
        Message.objects.visible_to(user).select_related("program", "organ", "person", "user", "created_by",
                                                        "send_job"),
        pk=pk)


def outbox_program_choices(*, user) -> QuerySet[Program]:
    """The programs the list may be filtered by: those the user sees that have messages the user sees."""
    # EXISTS per program (a few hundred, each an index lookup on the messages' program), not a pass over every
    # message of the outbox to collect their programs.
    concerned = Message.objects.visible_to(user).filter(program=OuterRef("pk"))
    return Program.objects.visible_to(user).filter(Exists(concerned)).order_by("-year", "-id")
