"""The sending job: hands each message of the job to its backend, one at a time, with progress on the job's page.

A message is taken by a conditional UPDATE (queued → sending, counting the attempt) before it is handed to the
backend, so that a message is never sent twice, even by two workers or a job run twice. The backend's refusal
(any exception) marks it failed with the error; it stays in the outbox and can be retried. A worker stopped in
the middle marks the message it was sending failed, saying that it may or may not have been delivered.
"""

from django.conf import settings
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from dangjian.accounts.rules import is_organizer
from dangjian.jobs.models import BackgroundJob
from dangjian.jobs.services import JobRun, job_run
from dangjian.outbox.backends import Senders
from dangjian.outbox.enums import MessageStatus
from dangjian.outbox.models import Message


@task()
def outbox_send_task(job_id: int) -> None:
    job_run(job_id, _run_sending)


def _describe(error: BaseException) -> str:
    text = str(error).strip()
    return (f"{type(error).__name__}: {text}" if text else type(error).__name__)[:2000]


def message_deliver(*, pk: int, senders: Senders) -> str:
    """Send the queued message `pk` through `senders`: "sent", "failed", or "skipped" when it is no longer queued
    (another job took it, or it was handed to this job twice)."""
    now = timezone.now()
    taken = Message.unscoped.filter(pk=pk, status=MessageStatus.QUEUED).update(
        status=MessageStatus.SENDING, attempts=F("attempts") + 1, updated_at=now)
    if not taken:
        return "skipped"
    message = Message.unscoped.get(pk=pk)
    try:
        external_id = senders.send(message)
    except Exception as error:
        Message.unscoped.filter(pk=pk, status=MessageStatus.SENDING).update(
            status=MessageStatus.FAILED, error=_describe(error), updated_at=timezone.now())
        return "failed"
    except BaseException:
        Message.unscoped.filter(pk=pk, status=MessageStatus.SENDING).update(
            status=MessageStatus.FAILED, updated_at=timezone.now(),
            error=_("The sending was interrupted (the server stopped): the message may or may not have reached the "
                    "recipient."))
        raise
    Message.unscoped.filter(pk=pk).update(status=MessageStatus.SENT, sent_at=timezone.now(), error="",
                                          external_id=(external_id or "")[:100], updated_at=timezone.now())
    return "sent"


def _run_sending(run: JobRun) -> tuple[bool, dict]:
    job = run.job
    ids = list(Message.unscoped.filter(send_job=job, status=MessageStatus.QUEUED).order_by("pk")
               .values_list("pk", flat=True))
    if not is_organizer(job.requested_by):  # the requester lost the right to send since the job was queued
        Message.unscoped.filter(pk__in=ids, status=MessageStatus.QUEUED).update(
            status=MessageStatus.FAILED, error=_("Not sent: the user who asked to send it may no longer send "
                                                 "messages."), updated_at=timezone.now())
        return False, {"error": _("You are no longer allowed to send messages; nothing was sent.")}
    run.stage(BackgroundJob.Stage.SENDING)
    counts = {"sent": 0, "failed": 0, "skipped": 0}
    total = len(ids)
    run.progress(0, total)
    every = max(1, int(getattr(settings, "OUTBOX_PROGRESS_EVERY", 10)))
    with Senders() as senders:
        for done, pk in enumerate(ids, start=1):
            counts[message_deliver(pk=pk, senders=senders)] += 1
            if done % every == 0 or done == total:
                run.progress(done, total)
    return True, {"outbox": counts, "total": total}
