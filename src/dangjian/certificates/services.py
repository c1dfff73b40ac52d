"""Every write of certificates (结业证书), each audited: issuing to all who completed (the job's work), revoking and
reissuing with a reason, and storing a certificate's PDF when first needed.

Issuing is idempotent: it writes certificates only for those who completed and hold no valid one, so running it
again (a second click, a job run twice) issues nothing new. A database constraint allows one valid certificate per
participant.
"""

import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.certificates import documents, selectors
from dangjian.certificates.enums import CertificateStatus
from dangjian.certificates.models import Certificate
from dangjian.completion.models import CompletionResult
from dangjian.core.audit import audit_record
from dangjian.core.rules import ActionRefused, require
from dangjian.training.models import Program

# Crockford-like: no 0/O, 1/I/L, so that a serial read aloud or typed from paper comes out right.
SERIAL_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
SERIAL_RANDOM_LENGTH = 8  # 31^8 ≈ 8.5e11 per year and number: not to be guessed, even without the rate limit
RENDER_BATCH = 100  # certificates laid out as one document (documents.certificates_pdfs; bench/certificates.py)
REASON_MAX = 200


def serial_prefix() -> str:
    return getattr(settings, "CERTIFICATE_SERIAL_PREFIX", "NY")


def make_serial(year: int, number: int) -> str:
    random_part = "".join(secrets.choice(SERIAL_ALPHABET) for _ in range(SERIAL_RANDOM_LENGTH))
    return f"{serial_prefix()}{year}-{number:04d}-{random_part}"


def _lock_year(year: int) -> None:
    """Serial numbers run per year across programs: whoever writes certificates of `year` holds the row locks of
    that year's programs (in id order, so two writers never deadlock) until the transaction ends, so that two
    programs issuing at once cannot take the same number."""
    list(Program.unscoped.select_for_update().filter(year=year).order_by("pk").values_list("pk", flat=True))


def _next_number(year: int) -> int:
    """The next running number of `year`; call under _lock_year."""
    return (Certificate.unscoped.filter(year=year).aggregate(n=Max("number"))["n"] or 0) + 1


def _from_result(result: CompletionResult, *, program, by, year: int, number: int, replaces=None) -> Certificate:
    nomination = result.nomination
    phase = nomination.placement.phase
    return Certificate(
        nomination=nomination, program=program, serial=make_serial(year, number), year=year, number=number,
        person_name=nomination.person.name, program_title=program.title, organizer_name=program.organizer.name_zh,
        starts_on=phase.starts_on, ends_on=phase.ends_on, hours=result.credited_hours, issued_by=by,
        issued_at=timezone.now(), replaces=replaces)


def _audit_issue(certificate: Certificate, by, **extra) -> None:
    audit_record(actor=by, action="create", instance=certificate, changes={
        "serial": certificate.serial, "nomination": certificate.nomination_id, "program": certificate.program_id,
        "hours": str(certificate.hours), **extra})


@dataclass
class IssueResult:
    issued: list[Certificate]
    already: int  # valid certificates held before


def certificates_issue(*, program, by) -> IssueResult:
    """Issue a certificate to everyone who completed the closed class and holds no valid one (only the missing ones,
    so running it again issues nothing). Requires certificates.issue. One transaction under the program's row lock;
    the PDFs are made afterwards (`pdfs_render`) or when first downloaded."""
    require(by, "certificates.issue", program)
    with transaction.atomic():
        _lock_year(program.year)  # the program's own row among them
        program = Program.unscoped.select_related("organizer").get(pk=program.pk)
        results = list(selectors.missing_results(program))
        already = Certificate.unscoped.filter(program=program, status=CertificateStatus.VALID).count()
        if not results:
            return IssueResult(issued=[], already=already)
        year = program.year
        first = _next_number(year)
        certificates = [_from_result(result, program=program, by=by, year=year, number=first + n)
                        for n, result in enumerate(results)]
        certificates = Certificate.unscoped.bulk_create(certificates)
        if any(c.pk is None for c in certificates):  # a backend that returns no ids (not SQLite or PostgreSQL)
            certificates = list(Certificate.unscoped.filter(serial__in=[c.serial for c in certificates]))
        for certificate in certificates:
            _audit_issue(certificate, by)
    return IssueResult(issued=certificates, already=already)


def _check_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason.")})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": _("The reason is at most %(max)d characters.") % {"max": REASON_MAX}})
    return reason


def _revoke(certificate: Certificate, *, by, reason: str, now) -> None:
    updated = Certificate.unscoped.filter(pk=certificate.pk, status=CertificateStatus.VALID).update(
        status=CertificateStatus.REVOKED, revoked_at=now, revoked_by=by, revoke_reason=reason)
    if not updated:
        raise ActionRefused(_("This certificate has already been revoked."))
    certificate.status, certificate.revoked_at, certificate.revoked_by, certificate.revoke_reason = (
        CertificateStatus.REVOKED, now, by, reason)
    audit_record(actor=by, action="update", instance=certificate, changes={
        "status": [CertificateStatus.VALID, CertificateStatus.REVOKED], "revoke_reason": ["", reason]})


def certificate_revoke(*, certificate: Certificate, by, reason: str) -> Certificate:
    """Revoke a valid certificate with a reason (the verification page then says "revoked" and when, not why)."""
    require(by, "certificates.revoke", certificate)
    reason = _check_reason(reason)
    with transaction.atomic():
        _revoke(certificate, by=by, reason=reason, now=timezone.now())
    return certificate


def certificate_reissue(*, certificate: Certificate, by, reason: str) -> Certificate:
    """Revoke the certificate and issue a new one (new serial, `replaces` the old) from the current records — the
    person's name as the registry has it now, the stored result's hours. Returns the new certificate."""
    require(by, "certificates.reissue", certificate)
    reason = _check_reason(reason)
    result = (CompletionResult.unscoped.filter(nomination_id=certificate.nomination_id, completed=True)
              .select_related("nomination__person", "nomination__placement__phase").first())
    if result is None:
        raise ActionRefused(_("The participant has no stored completion result now (the class was reopened?): "
                              "a certificate can be reissued once the class is closed again."))
    with transaction.atomic():
        _lock_year(certificate.year)
        program = Program.unscoped.select_related("organizer").get(pk=certificate.program_id)
        now = timezone.now()
        _revoke(certificate, by=by, reason=reason, now=now)
        new = _from_result(result, program=program, by=by, year=certificate.year,
                           number=_next_number(certificate.year), replaces=certificate)
        new.save()
        _audit_issue(new, by, replaces=certificate.serial, comments=reason)
    return new


def certificates_after_closing_again(*, program, by, note: str = "") -> None:
    """Inside the "close" transition, after the completion app has stored the results (its hook runs first: it is
    installed before this app). A class reopened to correct its records and closed again may have changed who
    completed and with how many hours: a valid certificate whose holder no longer completed is revoked; one whose
    hours or dates no longer match the new result is revoked and reissued from it. Each change audited as the
    closing user's. On the first closing there are no certificates yet and nothing happens."""
    certificates = list(Certificate.unscoped.filter(program=program, status=CertificateStatus.VALID).order_by("pk"))
    if not certificates:
        return
    _lock_year(certificates[0].year)
    program = Program.unscoped.select_related("organizer").get(pk=program.pk)
    results = {result.nomination_id: result for result in CompletionResult.unscoped.filter(
        program=program, nomination_id__in=[c.nomination_id for c in certificates]).select_related(
        "nomination__person", "nomination__placement__phase")}
    now = timezone.now()
    for certificate in certificates:
        result = results.get(certificate.nomination_id)
        if result is None or not result.completed:
            _revoke(certificate, by=by, now=now, reason=_(
                "The class was reopened and closed again: the participant no longer completed it."))
            continue
        phase = result.nomination.placement.phase
        if (result.credited_hours, phase.starts_on, phase.ends_on) == (
                certificate.hours, certificate.starts_on, certificate.ends_on):
            continue
        reason = _("The class was reopened and closed again: the hours or dates changed.")
        _revoke(certificate, by=by, now=now, reason=reason)
        new = _from_result(result, program=program, by=by, year=certificate.year,
                           number=_next_number(certificate.year), replaces=certificate)
        new.save()
        _audit_issue(new, by, replaces=certificate.serial, comments=reason)


def _store(certificate: Certificate, pdf: bytes) -> None:
    name = certificate.pdf.storage.save(
        f"{timezone.localdate(certificate.issued_at):%Y}/{certificate.pk}-{secrets.token_urlsafe(12)}.pdf",
        ContentFile(pdf))
    # Only if no other request stored one meanwhile (the certificate never changes: either copy is right).
    if Certificate.unscoped.filter(pk=certificate.pk, pdf="").update(pdf=name):
        certificate.pdf.name = name
    else:
        certificate.pdf.storage.delete(name)
        certificate.refresh_from_db(fields=["pdf"])


def pdfs_render(certificates: Iterable[Certificate], *, progress: Callable[[int, int], None] | None = None) -> int:
    """Make and store the PDFs of the certificates that have none, RENDER_BATCH at a time. Returns how many."""
    missing = [certificate for certificate in certificates if not certificate.pdf]
    for start in range(0, len(missing), RENDER_BATCH):
        batch = missing[start:start + RENDER_BATCH]
        for certificate, pdf in zip(batch, documents.certificates_pdfs(batch), strict=True):
            _store(certificate, pdf)
        if progress:
            progress(start + len(batch), len(missing))
    return len(missing)


def certificate_pdf_bytes(certificate: Certificate) -> bytes:
    """The certificate's PDF: the stored one, or made and stored now (first download)."""
    if certificate.pdf:
        try:
            with certificate.pdf.open("rb") as handle:
                return handle.read()
        except FileNotFoundError:
            Certificate.unscoped.filter(pk=certificate.pk).update(pdf="")
            certificate.pdf.name = ""
    pdf = documents.certificate_pdf(certificate)
    _store(certificate, pdf)
    return pdf


def certificate_download_audit(certificate: Certificate, *, by, what: str = "pdf") -> None:
    """A download names a person: audited as an export."""
    audit_record(actor=by, action="export", instance=certificate, changes={"file": what})


# --- Issuing as a background job -------------------------------------------------------------------------


def certificates_issue_start(*, program, by):
    """Start issuing the program's certificates: a background job (kind certificates) with its progress page."""
    from dangjian.certificates.tasks import certificates_issue_task
    from dangjian.jobs.models import BackgroundJob
    from dangjian.jobs.services import job_create, job_enqueue

    require(by, "certificates.issue", program)
    job = job_create(kind=BackgroundJob.Kind.CERTIFICATES, by=by, params={"program": program.pk})
    audit_record(actor=by, action="create", instance=job, changes={"program": program.pk})
    return job_enqueue(job, certificates_issue_task)


def run_certificates_issue(run) -> tuple[bool, dict]:
    """The job's work: the requester must still be allowed; issue the missing certificates, then make the PDFs of
    every valid certificate of the program that has none (progress per batch)."""
    from dangjian.jobs.models import BackgroundJob

    job = run.job
    program = Program.unscoped.select_related("organizer").filter(pk=job.params.get("program")).first()
    by = job.requested_by
    if program is None or by is None or not by.has_perm("certificates.issue", program):
        return False, {"error": _("You may no longer issue the certificates of this program; nothing was issued.")}
    run.stage(BackgroundJob.Stage.WRITING)
    result = certificates_issue(program=program, by=by)
    valid = list(Certificate.unscoped.filter(program=program, status=CertificateStatus.VALID).order_by("number"))
    run.progress(0, sum(1 for c in valid if not c.pdf))
    rendered = pdfs_render(valid, progress=run.progress)
    return True, {"certificates": {"program": program.pk, "issued": len(result.issued), "already": result.already,
                                   "rendered": rendered}}
