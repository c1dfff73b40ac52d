"""Staff pages of the outbox (发件箱): the list of messages with its filters, a message as its recipient will read
it (the preview), and the organizer's steps: send the selected drafts or all drafts of the list, retry failed
messages, discard a draft. Sending is a background job: the steps lead to the job's page with its progress.

A view checks the role first (403, before any lookup), loads the messages through the scoped selectors (404
outside the scope), then calls one service; a step the messages' status refuses comes back as a message on the
page it came from.
"""

from django.contrib import messages as flash
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from dangjian.outbox import selectors, services
from dangjian.outbox.enums import Channel, MessageKind, MessageStatus
from dangjian.outbox.models import Message
from dangjian.outbox.selectors import MessageFilters
from dangjian.web.views.base import paginate, permission_required, private_no_store, refused

ACTIVE = "outbox"
FILTER_NAMES = ("status", "kind", "channel", "program")

outbox_required = permission_required("outbox.view_outbox")


def _filters(data) -> MessageFilters:
    return MessageFilters.clean(**{name: data.get(name, "") for name in FILTER_NAMES})


def _filter_query(filters: MessageFilters, **changes) -> str:
    query = QueryDict(mutable=True)
    values = {"status": filters.status, "kind": filters.kind, "channel": filters.channel,
              "program": filters.program or "", **changes}
    for name, value in values.items():
        if value:
            query[name] = value
    return query.urlencode()


@outbox_required
def outbox_list(request):
    user = request.user
    filters = _filters(request.GET)
    programs = list(selectors.outbox_program_choices(user=user))
    program_error = ""
    if filters.program and filters.program not in {program.pk for program in programs}:
        program_error = _("This program is not among the programs of your messages.")
    counts = selectors.status_counts(user=user, filters=filters)
    # The tabs' counts hold the list's total already: no COUNT(*) of 100,000 messages a second time.
    total = counts[filters.status] if filters.status else sum(counts.values())
    page = paginate(request, selectors.message_list(user=user, filters=filters), count=total)
    for message in page.object_list:
        message.can_send = user.has_perm("outbox.send_message", message)
        message.can_retry = user.has_perm("outbox.retry_message", message)
    can_send = user.has_perm("outbox.send_message")
    tabs = [{"status": "", "label": pgettext("message status", "All"), "count": sum(counts.values()),
             "query": _filter_query(filters, status="")}]
    tabs += [{"status": value, "label": label, "count": counts[value], "query": _filter_query(filters, status=value)}
             for value, label in MessageStatus.choices]
    return private_no_store(render(request, "web/outbox/list.html", {
        "active": ACTIVE, "page": page, "filters": filters, "tabs": tabs, "programs": programs,
        "program_error": program_error, "kinds": MessageKind.choices, "channels": Channel.choices,
        "can_send": can_send, "can_retry": user.has_perm("outbox.retry_message"),
        "selectable": can_send and any(message.can_send or message.can_retry for message in page.object_list),
        "draft_count": counts[MessageStatus.DRAFT], "failed_count": counts[MessageStatus.FAILED],
        "list_url": reverse("outbox_list") + ("?" + _filter_query(filters) if _filter_query(filters) else ""),
    }))


@outbox_required
def outbox_message(request, pk):
    """The message as its recipient will read it: the e-mail (subject, text, attachment) or the SMS."""
    message = selectors.message_get(user=request.user, pk=pk)
    return private_no_store(render(request, "web/outbox/message.html", {
        "active": ACTIVE, "message": message,
        "can_send": request.user.has_perm("outbox.send_message", message),
        "can_retry": request.user.has_perm("outbox.retry_message", message),
        "can_discard": request.user.has_perm("outbox.discard_message", message),
    }))


@outbox_required
def outbox_attachment(request, pk):
    message = selectors.message_get(user=request.user, pk=pk)
    if not message.attachment:
        raise Http404
    try:
        handle = message.attachment.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    name = message.attachment_name or message.attachment.name.rsplit("/", 1)[-1]
    return private_no_store(FileResponse(handle, as_attachment=True, filename=name))


def _back(request) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return reverse("outbox_list")


def _selected(request) -> list[Message]:
    """The messages ticked on the page, each one the user sees (404 for any other)."""
    try:
        ids = sorted({int(value) for value in request.POST.getlist("message")})
    except ValueError as error:
        raise Http404 from error
    found = list(Message.objects.visible_to(request.user).filter(pk__in=ids))
    if len(found) != len(ids):
        raise Http404
    return found


def _sending_step(request, *, retry: bool):
    user = request.user
    every = request.POST.get("all") == "1"
    filters = _filters(request.POST)
    chosen = [] if every else _selected(request)
    if request.POST.get("confirmed") != "1":  # without script: say what will happen, then confirm
        source = MessageStatus.FAILED if retry else MessageStatus.DRAFT
        count = (selectors.message_list(user=user, filters=filters).filter(status=source).count() if every
                 else len(chosen))
        return render(request, "web/outbox/confirm.html", {
            "active": ACTIVE, "retry": retry, "every": every, "count": count, "chosen": chosen, "filters": filters,
            "next": _back(request), "url": reverse("outbox_retry" if retry else "outbox_send"),
        })
    try:
        if every:
            listed = selectors.message_list(user=user, filters=filters)
            job = (services.messages_retry_all(failed=listed, by=user) if retry
                   else services.messages_send_all(drafts=listed, by=user))
        else:
            job = (services.messages_retry(messages=chosen, by=user) if retry
                   else services.messages_send(messages=chosen, by=user))
    except ValidationError as error:
        for text in error.messages:
            flash.error(request, text)
        return redirect(_back(request))
    flash.success(request, _("%(count)d messages are being sent.") % {"count": job.params.get("count", 0)})
    return redirect("job_detail", job.pk)


@permission_required("outbox.send_message")
@require_POST
def outbox_send(request):
    """Send the ticked drafts (`message`, repeated), or every draft of the list's filters (`all=1`)."""
    return _sending_step(request, retry=False)


@permission_required("outbox.retry_message")
@require_POST
def outbox_retry(request):
    """Send the ticked failed messages again, or every failed message of the list's filters (`all=1`)."""
    return _sending_step(request, retry=True)


@permission_required("outbox.discard_message")
@require_POST
def outbox_discard(request, pk):
    message = selectors.message_get(user=request.user, pk=pk)
    if response := refused(request, "outbox.discard_message", message, message.get_absolute_url()):
        return response
    try:
        services.message_discard(message=message, by=request.user)
    except ValidationError as error:
        flash.error(request, " ".join(error.messages))
        return redirect(message)
    flash.success(request, _("The draft was discarded."))
    return redirect("outbox_list")
