"""Messages of the enrollment, composed as drafts into the outbox (outbox.services.messages_compose); an
organizer previews and sends them there. Nothing is sent from here.

- confirmation / waitlist promotion: composed inside the confirming transaction (`on_confirmed`), to the
  participant. These are the platform's own messages, not the confirming user's: a unit administrator whose
  withdrawal frees a seat promotes a person of another organ, whom they may not write to. So they are composed
  with `by=None` (the platform; audited as such) after the enrollment's own permission check.
- admission notices (入学通知): prepared by an organizer for a program (or a phase) as a background job
  (`admission_notices_prepare`, enrollment/tasks.py): one draft per confirmed participant who has none yet, each
  with a fresh activation link — the PDF attached to an e-mail, or the link in an SMS.
- nomination opened / deadline reminder: an organizer's action on the enrollment page, to the unit
  administrators of the organs with a quota (of those that have nominated nobody yet).

A recipient without any address (no e-mail, no mobile) gets no draft; the action's answer names them.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from dangjian.core.rules import require
from dangjian.enrollment import selectors
from dangjian.enrollment.enums import NominationStatus
from dangjian.enrollment.models import Nomination, Quota
from dangjian.enrollment.notices import (
    NoticeLink,
    admission_notice_filename,
    admission_notice_pdf,
    notice_phase,
)
from dangjian.jobs.models import BackgroundJob
from dangjian.jobs.services import JobRun, job_create, job_enqueue
from dangjian.outbox.enums import Channel, MessageKind
from dangjian.outbox.models import Message
from dangjian.outbox.rendering import message_language
from dangjian.outbox.services import (
    Composed,
    Recipient,
    absolute_url,
    messages_compose,
    organ_admin_recipients,
    reachable,
)
from dangjian.training.models import Phase, Program


def participant_recipient(nomination: Nomination, **extra) -> Recipient:
    """The participant as a recipient: by e-mail when their login has an address, else by SMS to their mobile."""
    user = get_user_model().objects.filter(person=nomination.person_id).first()
    return Recipient(user=user, person=nomination.person, organ=nomination.organ, **extra)


# --- Confirmation and promotion ---------------------------------------------------------------------

def on_confirmed(nomination: Nomination, *, promoted: bool = False) -> Message | None:
    """Called inside every confirmation (bulk, promotion from the waitlist, substitution of a confirmed
    nominee): a draft to the participant — "confirmed", or "promoted from the waitlist". Composed by the
    platform (by=None): the confirming user's permission was asked by the enrollment service. A participant
    without any address gets none (the admission notices' job names them later)."""
    recipient = participant_recipient(nomination, context={
        "phase": notice_phase(nomination), "link": absolute_url(reverse("my_enrollment"))})
    if not reachable(recipient):
        return None
    kind = MessageKind.WAITLIST_PROMOTION if promoted else MessageKind.CONFIRMATION
    return messages_compose(kind=kind, program=nomination.program, by=None, recipients=[recipient])[0]


# --- Admission notices --------------------------------------------------------------------------------

def notices_missing(*, program: Program, phase: Phase | None = None):
    """Confirmed nominations of the program (of the phase: preferred there) whose person has no admission notice
    of this program in the outbox yet (in any status: a discarded draft is deleted, so it counts as missing)."""
    qs = Nomination.unscoped.filter(program=program, status=NominationStatus.CONFIRMED).exclude(
        person__in=Message.unscoped.filter(kind=MessageKind.ADMISSION_NOTICE, program=program,
                                           person__isnull=False).values("person"))
    if phase is not None:
        qs = qs.filter(preferred_phase=phase)
    return qs.select_related("program__venue", "program__organizer", "person", "organ", "preferred_phase__classroom")


def admission_notices_prepare(*, program: Program, by, phase: Phase | None = None) -> BackgroundJob:
    """Queue the job that writes the admission notices of the program (or one phase) into the outbox: one draft
    per confirmed participant who has none yet, each with a fresh activation link (earlier unused links of that
    participant stop working). Running it again adds only the missing ones."""
    require(by, "enrollment.prepare_admission_notices", program)
    if phase is not None and phase.program_id != program.pk:
        raise ValidationError({"phase": _("This phase belongs to another program.")})
    from dangjian.enrollment.tasks import admission_notices_task

    job = job_create(kind=BackgroundJob.Kind.ADMISSION_NOTICES, by=by,
                     params={"program": program.pk, "phase": phase.pk if phase else None})
    return job_enqueue(job, admission_notices_task)


def admission_notice_compose(nomination: Nomination, *, by) -> Message | None:
    """One participant's admission notice as a draft, with a fresh activation link: by e-mail with the PDF
    attached, or by SMS with the link (the PDF stays downloadable from the enrollment pages). None when the
    participant has no address."""
    from dangjian.enrollment.services import activation_issue

    recipient = participant_recipient(nomination)
    if not reachable(recipient):
        return None
    with transaction.atomic():
        link = NoticeLink.activation(activation_issue(nomination=nomination, by=by))
        recipient.context = {"phase": notice_phase(nomination), "link": link.url, "link_expires": link.expires_on,
                             "venue": nomination.program.venue.name if nomination.program.venue_id else ""}
        if recipient.resolved_channel() == Channel.EMAIL:
            # In the recipient's language, as the message (Chinese unless stated), not the requester's.
            with translation.override(message_language(recipient.language)):
                recipient.attachment = (admission_notice_filename(nomination),
                                        admission_notice_pdf(nomination=nomination, link=link))
        return messages_compose(kind=MessageKind.ADMISSION_NOTICE, program=nomination.program, by=by,
                                recipients=[recipient])[0]


def run_admission_notices(run: JobRun) -> tuple[bool, dict]:
    """The job's work: compose the missing notices one by one (each in its own transaction, so that a stopped
    job keeps what it wrote and a new run adds the rest), with progress."""
    job = run.job
    program = Program.unscoped.filter(pk=job.params.get("program")).first()
    phase = Phase.objects.filter(pk=job.params.get("phase")).first() if job.params.get("phase") else None
    by = job.requested_by
    if program is None or by is None or not by.has_perm("enrollment.prepare_admission_notices", program):
        return False, {"error": _("You may no longer prepare the admission notices of this program; nothing was "
                                  "written.")}
    run.stage(BackgroundJob.Stage.COMPOSING)
    nominations = list(notices_missing(program=program, phase=phase).order_by("organ_id", "id"))
    total = len(nominations)
    run.progress(0, total)
    written, unreachable = 0, []
    for done, nomination in enumerate(nominations, start=1):
        if admission_notice_compose(nomination, by=by) is None:
            unreachable.append(nomination.person.name)
        else:
            written += 1
        run.progress(done, total)
    return True, {"notices": {"written": written, "unreachable": unreachable, "program": program.pk,
                              "kind": MessageKind.ADMISSION_NOTICE}}


# --- To the organs: nomination opened, deadline reminder -----------------------------------------------

def _to_organs(*, kind: str, program: Program, quotas, contexts: dict[int, dict]) -> Composed:
    recipients, unreachable = organ_admin_recipients([quota.organ for quota in quotas], contexts)
    outcome = Composed(kind=kind, program_id=program.pk, unreachable=unreachable)
    if recipients:
        outcome.count = len(messages_compose(kind=kind, program=program, by=None, recipients=recipients))
    return outcome


def _deadline_context(program: Program) -> dict:
    return {"deadline": selectors.enrollment_settings(program).nomination_deadline}


@transaction.atomic
def nomination_opened_compose(*, program: Program, by) -> Composed:
    """Tell the unit administrators of every organ with seats in the program that nomination is open (their
    quota, the deadline, the phases): one draft each. Composed in the platform's name (the organizer's action is
    checked here; the drafts concern many organs)."""
    require(by, "enrollment.announce_enrollment", program)
    quotas = list(Quota.unscoped.filter(program=program, seats__gt=0).select_related("organ").order_by("organ_id"))
    deadline = _deadline_context(program)
    contexts = {quota.organ_id: {"quota": quota.seats, **deadline} for quota in quotas}
    return _to_organs(kind=MessageKind.NOMINATION_OPENED, program=program, quotas=quotas, contexts=contexts)


@transaction.atomic
def deadline_reminder_compose(*, program: Program, by) -> Composed:
    """Remind the unit administrators of the organs with seats that have nominated nobody yet
    (selectors.organs_not_nominated) of the deadline: one draft each."""
    require(by, "enrollment.announce_enrollment", program)
    missing = selectors.organs_not_nominated(program=program).values("pk")
    quotas = list(Quota.unscoped.filter(program=program, seats__gt=0, organ__in=missing).select_related("organ")
                  .order_by("organ_id"))
    deadline = _deadline_context(program)
    contexts = {quota.organ_id: {"quota": quota.seats, "nominated": 0, **deadline} for quota in quotas}
    return _to_organs(kind=MessageKind.DEADLINE_REMINDER, program=program, quotas=quotas, contexts=contexts)
