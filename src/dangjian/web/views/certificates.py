"""Certificates (结业证书): a program's certificates page (issue to all who completed as a job, the ZIP of all,
revoke and reissue with a reason), one certificate's PDF (staff in scope, the participant their own), and the
public verification page /verify/<serial>/ (no sign-in, rate-limited per client address).

Staff views load the program through the scoped selector (404), ask the permission (403), then call one service.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from dangjian.certificates import archive, documents, ratelimit, selectors, services
from dangjian.certificates.enums import CertificateStatus
from dangjian.core.audit import audit_record
from dangjian.core.rules import ActionRefused
from dangjian.training.documents import safe_filename
from dangjian.training.selectors import program_get
from dangjian.web.views.base import paginate, permission_required, private_no_store, refused, require

ACTIVE = "training_program"
VIEW = "certificates.view_program_certificates"
PAGE_SIZE = 50


def _program(request, pk):
    program = program_get(user=request.user, pk=pk)
    require(request.user, VIEW, program)
    return program


@permission_required(VIEW)
@require_GET
def program_certificates(request, pk):
    program = _program(request, pk)
    q = request.GET.get("q", "").strip()[:100]
    status = request.GET.get("status", "")
    page = paginate(request, selectors.program_certificates(program, user=request.user, q=q, status=status),
                    PAGE_SIZE)
    return private_no_store(render(request, "web/certificates/program_certificates.html", {
        "active": ACTIVE, "program": program, "page": page, "q": q, "status": status,
        "counts": selectors.program_counts(program, user=request.user),
        "can_issue": request.user.has_perm("certificates.issue", program),
        "may_issue": request.user.has_perm("certificates.issue"),
        "can_change": request.user.has_perm("certificates.revoke"),
        "statuses": CertificateStatus.choices}))


@permission_required("certificates.issue")
@require_POST
def certificates_issue(request, pk):
    program = _program(request, pk)
    if response := refused(request, "certificates.issue", program, reverse("program_certificates", args=[pk])):
        return response
    job = services.certificates_issue_start(program=program, by=request.user)
    return redirect("job_detail", job.pk)


@permission_required(VIEW)
@require_GET
def certificates_zip(request, pk):
    program = _program(request, pk)
    certificates = list(selectors.program_certificates(program, user=request.user,
                                                      status=CertificateStatus.VALID))
    audit_record(actor=request.user, action="export", instance=program,
                 changes={"file": "certificates.zip", "counts": {"certificates": len(certificates)}})
    response = StreamingHttpResponse(archive.zip_stream(certificates), content_type="application/zip")
    filename = safe_filename(f"{program.title}-{_('certificates')}") + ".zip"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    patch_cache_control(response, private=True, no_store=True)
    return response


def _certificate(request, pk, perm="certificates.view_certificate"):
    certificate = selectors.certificate_get(user=request.user, pk=pk)
    if certificate is None:
        raise Http404
    if perm == "certificates.view_certificate":
        require(request.user, perm, certificate)
    return certificate


@permission_required("certificates.view_certificate")
@require_GET
def certificate_pdf(request, pk):
    certificate = _certificate(request, pk)
    pdf = services.certificate_pdf_bytes(certificate)
    services.certificate_download_audit(certificate, by=request.user)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, documents.certificate_filename(certificate))
    return private_no_store(response)


def _change(request, pk, perm, service, success):
    certificate = _certificate(request, pk, perm)
    back = reverse("program_certificates", args=[certificate.program_id])
    if response := refused(request, perm, certificate, back):
        return response
    try:
        service(certificate=certificate, by=request.user, reason=request.POST.get("reason", ""))
    except ActionRefused as error:
        messages.error(request, " ".join(error.messages))
    except ValidationError as error:
        messages.error(request, _("%(serial)s: %(error)s") % {"serial": certificate.serial,
                                                                "error": " ".join(error.messages)})
    else:
        messages.success(request, success % {"serial": certificate.serial})
    return redirect(back)


@permission_required("certificates.revoke")
@require_POST
def certificate_revoke(request, pk):
    return _change(request, pk, "certificates.revoke", services.certificate_revoke,
                   _("Certificate %(serial)s was revoked."))


@permission_required("certificates.reissue")
@require_POST
def certificate_reissue(request, pk):
    return _change(request, pk, "certificates.reissue", services.certificate_reissue,
                   _("Certificate %(serial)s was revoked and a new one issued."))


# The public verification ------------------------------------------------------------------------------------

def verify(request, serial: str = ""):
    """No sign-in. A serial (from the QR code's link, or typed into the form) → the certificate's masked name,
    program, dates, hours, and whether it is valid or revoked (with the date, not the reason). An unknown serial
    gets the same page whatever it is. At most settings.CERTIFICATE_VERIFY_RATE lookups per client address."""
    if request.method not in ("GET", "HEAD"):
        return HttpResponse(status=405)
    typed = request.GET.get("serial", "")
    if typed and not serial:  # the form: on to the page of that serial (a link one can share)
        normalized = selectors.normalize_serial(typed)
        if normalized:
            return redirect("certificate_verify", normalized)
    context = {"serial": selectors.normalize_serial(serial), "looked_up": bool(serial)}
    status = 200
    if serial:
        if not ratelimit.verify_allowed(request):
            response = render(request, "web/certificates/verify.html", {**context, "limited": True}, status=429)
            response["Retry-After"] = str(ratelimit.retry_after())
            return response
        certificate = selectors.verify(serial)
        if certificate is None:
            status = 404
        else:
            context.update(certificate=certificate, masked_name=selectors.mask_name(certificate.person_name))
    response = render(request, "web/certificates/verify.html", context, status=status)
    patch_cache_control(response, no_store=True)
    response["X-Robots-Tag"] = "noindex"
    return response
