"""The outbox (发件箱) in the API: the messages the platform composed, read as their recipients will, and sent.

GET    /outbox/messages                     the messages the user may see (filters: status, kind, channel,
                                            program), newest first, paginated; addresses masked
GET    /outbox/messages/{id}                one message: subject and text as the recipient reads them
GET    /outbox/messages/{id}/attachment     its attachment (an admission notice's PDF)
POST   /outbox/messages/send                send drafts: {"ids": [...]} or {"all": true, <filters>}; 202 with
                                            the sending job (Location: /api/v1/jobs/{id}), polled until it ends
POST   /outbox/messages/retry               send failed messages again, the same way
DELETE /outbox/messages/{id}                discard a draft

Scoped like the pages: organizers see, send and retry every message; unit administrators read the messages to
the people of their own organs; other roles 403. A message outside the scope is a 404; a message whose status
does not allow the step (sending a message that was sent) a 409, and nothing is sent.
"""

import datetime
from typing import Literal

from django.http import FileResponse, Http404, HttpResponse
from ninja import Field, Query, Router, Schema, Status
from pydantic import model_validator

from dangjian.api.inputs import Filters, Input
from dangjian.api.jobs import JobOut, job_out
from dangjian.api.pagination import PageQuery, page_schema, paginate
from dangjian.api.registry import ERRORS, Id, choice_type
from dangjian.api.training_library import WRITE_ERRORS, delete, gate
from dangjian.core.services import require_perm
from dangjian.outbox import selectors, services
from dangjian.outbox.enums import Channel, MessageKind, MessageStatus
from dangjian.outbox.models import Message
from dangjian.outbox.selectors import MessageFilters

router = Router(tags=["outbox"])
router.add_decorator(gate("outbox.view_outbox"))


class Ref(Schema):
    id: int
    name: str


class MessageOut(Schema):
    id: int
    kind: choice_type(MessageKind)
    channel: choice_type(Channel)
    status: choice_type(MessageStatus) = Field(..., description=(
        "draft → queued → sending → sent, or failed (the error is kept; retry it)."))
    recipient_name: str
    address: str = Field(..., description="E-mail address or mobile number, masked (zh***@example.org, "
                                          "138****5678).")
    person_id: int | None
    organ: Ref | None = Field(None, description="The organ the message concerns.")
    program: Ref | None
    subject: str = Field(..., description="E-mail only; an SMS has none.")
    has_attachment: bool
    attempts: int
    error: str = Field(..., description="Why the last attempt failed (a failed message).")
    created_at: datetime.datetime
    sent_at: datetime.datetime | None
    send_job_id: int | None

    @staticmethod
    def resolve_address(obj):
        return obj.masked_address

    @staticmethod
    def resolve_organ(obj):
        return None if obj.organ_id is None else {"id": obj.organ_id, "name": obj.organ.name}

    @staticmethod
    def resolve_program(obj):
        return None if obj.program_id is None else {"id": obj.program_id, "name": obj.program.title}

    @staticmethod
    def resolve_has_attachment(obj):
        return bool(obj.attachment)


class MessageDetail(MessageOut):
    body: str = Field(..., description="The text as the recipient reads it.")
    language: str
    attachment_name: str
    created_by: str | None = Field(None, description="User name of who composed it; null: the platform (a message "
                                                 "that follows from an enrollment change, or to every organ).")
    actions: list[Literal["send", "retry", "discard"]] = Field(..., description="What the caller may do now.")

    @staticmethod
    def resolve_created_by(obj):
        return obj.created_by.username if obj.created_by_id else None


class MessageQuery(Filters):
    status: choice_type(MessageStatus) | None = None
    kind: choice_type(MessageKind) | None = None
    channel: choice_type(Channel) | None = None
    program: Id | None = Field(None, description="Messages about this training program.")


class SendIn(Input):
    """Either `ids`, or `all` with the list's filters (every draft, or every failed message, matching them)."""

    ids: list[Id] = Field(default_factory=list, max_length=10_000, description="The messages to send.")
    all: bool = Field(False, description="Every message of the list that may be sent (with the filters below).")
    kind: choice_type(MessageKind) | None = None
    channel: choice_type(Channel) | None = None
    program: Id | None = None

    @model_validator(mode="after")
    def _one_way(self):
        if bool(self.ids) == self.all:
            raise ValueError("Give either `ids` or `all: true`.")
        if self.ids and (self.kind or self.channel or self.program):
            raise ValueError("The filters go with `all: true`, not with `ids`.")
        return self


def _detail(message: Message, user) -> Message:
    message.actions = [name for name, perm in (("send", "outbox.send_message"), ("retry", "outbox.retry_message"),
                                                ("discard", "outbox.discard_message"))
                       if user.has_perm(perm, message)]
    return message


@router.get("/messages", response={200: page_schema(MessageOut), **ERRORS}, summary="List the outbox's messages")
def message_list(request, filters: Query[MessageQuery], page: Query[PageQuery]):
    found = selectors.message_list(user=request.user, filters=MessageFilters.clean(**filters.model_dump()))
    return paginate(found, page)


def _start(request, response: HttpResponse, payload: SendIn, *, retry: bool):
    user = request.user
    require_perm(user, "outbox.retry_message" if retry else "outbox.send_message")  # 403 before any lookup
    if payload.all:
        listed = selectors.message_list(user=user, filters=MessageFilters.clean(
            kind=payload.kind or "", channel=payload.channel or "", program=payload.program))
        job = (services.messages_retry_all(failed=listed, by=user) if retry
               else services.messages_send_all(drafts=listed, by=user))
    else:
        ids = sorted(set(payload.ids))
        chosen = list(Message.objects.visible_to(user).filter(pk__in=ids))
        if len(chosen) != len(ids):
            raise Http404
        job = (services.messages_retry(messages=chosen, by=user) if retry
               else services.messages_send(messages=chosen, by=user))
    body = job_out(job)
    response["Location"] = body["url"]
    return Status(202, body)


@router.post("/messages/send", response={202: JobOut, **WRITE_ERRORS}, summary="Send drafts (a background job)")
def message_send(request, response: HttpResponse, payload: SendIn):
    """Hand the drafts to a background job that sends them; 202 with the job (its URL also in `Location`): poll
    GET /api/v1/jobs/{id} until `status` is `done`; its result counts the messages `sent` and `failed` (a failed
    message stays in the outbox with its error). 409 when a chosen message is no longer a draft (nothing is
    sent); 422 when there is nothing to send. Organizers only."""
    return _start(request, response, payload, retry=False)


@router.post("/messages/retry", response={202: JobOut, **WRITE_ERRORS},
             summary="Send failed messages again (a background job)")
def message_retry(request, response: HttpResponse, payload: SendIn):
    """As /send, for failed messages. Organizers only."""
    return _start(request, response, payload, retry=True)


# After /messages/send and /messages/retry: {message_id} would match their path first.
@router.get("/messages/{message_id}", response={200: MessageDetail, **ERRORS}, summary="A message of the outbox")
def message_detail(request, message_id: Id):
    return _detail(selectors.message_get(user=request.user, pk=message_id), request.user)


@router.get("/messages/{message_id}/attachment", response={200: None, **ERRORS},
            openapi_extra={"responses": {200: {"description": "The attachment (e.g. application/pdf)",
                                               "content": {"application/octet-stream": {
                                                   "schema": {"type": "string", "format": "binary"}}}}}},
            summary="The attachment of a message")
def message_attachment(request, message_id: Id):
    message = selectors.message_get(user=request.user, pk=message_id)
    if not message.attachment:
        raise Http404
    try:
        handle = message.attachment.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    response = FileResponse(handle, as_attachment=True, filename=message.attachment_name or "attachment")
    response["Cache-Control"] = "private, no-store"
    return response


@router.delete("/messages/{message_id}", response={204: None, **WRITE_ERRORS}, summary="Discard a draft")
def message_discard(request, message_id: Id):
    message = selectors.message_get(user=request.user, pk=message_id)
    require_perm(request.user, "outbox.discard_message", message)
    return delete(services.message_discard, message=message, by=request.user)

