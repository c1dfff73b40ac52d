"""REST API v1 of certificates (结业证书, docs/certificates.md): a program's certificates, issuing to all who
completed (202 with the background job), one certificate's PDF, revoking and reissuing with a reason, the
participant's own certificates, and the public verification of a serial (no authentication, rate-limited per
client address; 429 with Retry-After).

A program is loaded through the scoped selector and a certificate through `Certificate.objects.visible_to` (404
outside the scope); then the permission (403), or its refusal for the record's state (409).
"""

import datetime
import json
from decimal import Decimal

from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from ninja import Field, Query, Router, Schema, Status

from dangjian.api.errors import PROBLEM_CONTENT_TYPE
from dangjian.api.jobs import JobOut, job_out
from dangjian.api.registry import ERRORS, Id, Problem
from dangjian.api.training_library import WRITE_ERRORS, call, gate
from dangjian.certificates import documents, ratelimit, selectors, services
from dangjian.certificates.models import Certificate
from dangjian.core.services import require_perm
from dangjian.training.selectors import program_get

router = Router(tags=["certificates"])
VIEW = "certificates.view_program_certificates"
PAGE_SIZE_MAX = 200


class CertificateOut(Schema):
    id: int
    serial: str
    program_id: int
    nomination_id: int
    name: str = Field(..., description="The name printed on the certificate.")
    program_title: str
    organizer: str
    starts_on: datetime.date
    ends_on: datetime.date
    hours: Decimal = Field(..., description="Hours credited (学时).")
    status: str = Field(..., description="valid or revoked.")
    issued_at: datetime.datetime
    revoked_at: datetime.datetime | None
    revoke_reason: str
    replaces: str | None = Field(None, description="The serial this certificate replaces (a reissue).")
    pdf_url: str
    verify_url: str = Field(..., description="The public verification page (the QR code's link).")


class CertificatesOut(Schema):
    program_id: int
    count: int
    page: int
    page_size: int
    items: list[CertificateOut]


class ReasonIn(Schema):
    reason: str = Field(..., description="Why (at most 200 characters); audited; not shown on the public page.")


class VerifyOut(Schema):
    serial: str
    name: str = Field(..., description="The name, masked (张*明).")
    program_title: str
    organizer: str
    starts_on: datetime.date
    ends_on: datetime.date
    hours: Decimal
    status: str = Field(..., description="valid or revoked.")
    issued_on: datetime.date
    revoked_on: datetime.date | None


def _out(certificate: Certificate) -> dict:
    return {
        "id": certificate.pk, "serial": certificate.serial, "program_id": certificate.program_id,
        "nomination_id": certificate.nomination_id, "name": certificate.person_name,
        "program_title": certificate.program_title, "organizer": certificate.organizer_name,
        "starts_on": certificate.starts_on, "ends_on": certificate.ends_on, "hours": certificate.hours,
        "status": certificate.status, "issued_at": certificate.issued_at, "revoked_at": certificate.revoked_at,
        "revoke_reason": certificate.revoke_reason,
        "replaces": certificate.replaces.serial if certificate.replaces_id else None,
        "pdf_url": reverse("api-v1:certificate_pdf", args=[certificate.pk]),
        "verify_url": documents.verification_url(certificate.serial)}


def _program(request, program_id: int):
    program = program_get(user=request.user, pk=program_id)
    require_perm(request.user, VIEW, program)
    return program


def _certificate(request, certificate_id: int) -> Certificate:
    certificate = selectors.certificate_get(user=request.user, pk=certificate_id)
    if certificate is None:
        raise Http404
    return certificate


@router.get("/certificates/programs/{program_id}", response={200: CertificatesOut, **ERRORS},
            summary="A program's certificates, in serial order")
@gate(VIEW)
def certificate_list(request, program_id: Id, q: str = "", status: str = "", page: int = Query(1, ge=1),
                     page_size: int = Query(50, ge=1, le=PAGE_SIZE_MAX)):
    """Unit administrators see their own organs' people's only. `status`: valid or revoked."""
    program = _program(request, program_id)
    rows = selectors.program_certificates(program, user=request.user, q=q[:100], status=status)
    count = rows.count()
    start = (page - 1) * page_size
    return {"program_id": program.pk, "count": count, "page": page, "page_size": page_size,
            "items": [_out(c) for c in rows[start:start + page_size]]}


@router.post("/certificates/programs/{program_id}/issue", response={202: JobOut, **WRITE_ERRORS},
             summary="Issue the missing certificates (a background job)")
@gate("certificates.issue")
def certificate_issue(request, response: HttpResponse, program_id: Id):
    """Issues a certificate to everyone who completed and holds no valid one, and makes the PDFs; 409 before the
    class has closed. 202 with the job (its URL also in `Location`); its result counts `issued` and `already`."""
    program = _program(request, program_id)
    require_perm(request.user, "certificates.issue", program)
    body = job_out(services.certificates_issue_start(program=program, by=request.user))
    response["Location"] = body["url"]
    return Status(202, body)


@router.get("/certificates/mine", response={200: list[CertificateOut], **ERRORS},
            summary="The participant's own valid certificates")
@gate("certificates.view_own_certificates")
def certificate_mine(request):
    return [_out(c) for c in selectors.my_certificates(user=request.user).select_related("replaces")]


@router.get("/certificates/{certificate_id}/pdf", response=ERRORS, url_name="certificate_pdf",
            openapi_extra={"responses": {200: {"description": "The certificate as an A4 PDF", "content": {
                "application/pdf": {"schema": {"type": "string", "format": "binary"}}}}}},
            summary="One certificate as a PDF")
@gate("certificates.view_certificate")
def certificate_pdf(request, certificate_id: Id):
    certificate = _certificate(request, certificate_id)
    require_perm(request.user, "certificates.view_certificate", certificate)
    pdf = services.certificate_pdf_bytes(certificate)
    services.certificate_download_audit(certificate, by=request.user)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, documents.certificate_filename(certificate))
    response["Cache-Control"] = "private, no-store"
    return response


@router.post("/certificates/{certificate_id}/revoke", response={200: CertificateOut, **WRITE_ERRORS},
             summary="Revoke a certificate with a reason")
@gate("certificates.revoke")
def certificate_revoke(request, certificate_id: Id, body: ReasonIn):
    certificate = _certificate(request, certificate_id)
    require_perm(request.user, "certificates.revoke", certificate)
    call(services.certificate_revoke, certificate=certificate, by=request.user, reason=body.reason)
    return _out(certificate)


@router.post("/certificates/{certificate_id}/reissue", response={201: CertificateOut, **WRITE_ERRORS},
             summary="Revoke a certificate and issue a new one (new serial)")
@gate("certificates.reissue")
def certificate_reissue(request, certificate_id: Id, body: ReasonIn):
    """The new certificate `replaces` the old one; the name is read from the registry now."""
    certificate = _certificate(request, certificate_id)
    require_perm(request.user, "certificates.reissue", certificate)
    new = call(services.certificate_reissue, certificate=certificate, by=request.user, reason=body.reason)
    return Status(201, _out(new))


@router.get("/certificates/verify/{serial}", auth=None, response={200: VerifyOut, 404: Problem, 429: Problem},
            summary="Verify a serial number (public, rate-limited)")
def certificate_verify(request, serial: str):
    """No authentication. The masked name, program, dates, hours and whether the certificate is valid or revoked
    (with the date, not the reason). Any unknown serial: the same 404. At most settings.CERTIFICATE_VERIFY_RATE
    lookups per client address (429 with `Retry-After`)."""
    if not ratelimit.verify_allowed(request):
        response = HttpResponse(json.dumps({
            "type": "about:blank", "title": "Too many lookups", "status": 429,
            "detail": "Too many certificates were looked up from this address; wait a minute and try again."}),
            status=429, content_type=PROBLEM_CONTENT_TYPE)
        response["Retry-After"] = str(ratelimit.retry_after())
        return response
    certificate = selectors.verify(serial)
    if certificate is None:
        raise Http404
    return {"serial": certificate.serial, "name": selectors.mask_name(certificate.person_name),
            "program_title": certificate.program_title, "organizer": certificate.organizer_name,
            "starts_on": certificate.starts_on, "ends_on": certificate.ends_on, "hours": certificate.hours,
            "status": certificate.status, "issued_on": timezone.localdate(certificate.issued_at),
            "revoked_on": timezone.localdate(certificate.revoked_at) if certificate.revoked_at else None}

