"""Reads of certificates, scoped to the reader (Certificate.objects.visible_to), and the public verification."""

import unicodedata

from django.db.models import Q

from dangjian.certificates.enums import CertificateStatus
from dangjian.certificates.models import Certificate
from dangjian.completion.models import CompletionResult

SERIAL_MAX = 40


def program_certificates(program, *, user, q: str = "", status: str = ""):
    """The program's certificates the user may see, in serial order (one query per page; no N+1)."""
    rows = (Certificate.objects.visible_to(user).filter(program=program)
            .select_related("nomination__organ", "replaces", "replaced_by").order_by("year", "number"))
    if q:
        rows = rows.filter(Q(person_name__icontains=q) | Q(serial__icontains=q))
    if status in CertificateStatus.values:
        rows = rows.filter(status=status)
    return rows


def program_counts(program, *, user) -> dict:
    """How many completed, how many hold a valid certificate, how many are still missing (for the issue button)."""
    completed = CompletionResult.objects.visible_to(user).filter(program=program, completed=True).count()
    valid = Certificate.objects.visible_to(user).filter(program=program, status=CertificateStatus.VALID).count()
    revoked = Certificate.objects.visible_to(user).filter(program=program, status=CertificateStatus.REVOKED).count()
    return {"completed": completed, "valid": valid, "revoked": revoked, "missing": max(completed - valid, 0)}


def missing_results(program):
    """The stored results of those who completed and hold no valid certificate (issuing writes these)."""
    return (CompletionResult.unscoped.filter(program=program, completed=True)
            .exclude(nomination__certificates__status=CertificateStatus.VALID)
            .select_related("nomination__person", "nomination__placement__phase")
            .order_by("nomination__placement__phase__number", "nomination__person__name_sort", "pk"))


def certificate_get(*, user, pk: int) -> Certificate | None:
    return (Certificate.objects.visible_to(user).select_related("program", "replaces", "replaced_by")
            .filter(pk=pk).first())


def my_certificates(*, user):
    """The participant's own valid certificates, latest first."""
    if not getattr(user, "person_id", None):
        return Certificate.unscoped.none()
    return (Certificate.objects.visible_to(user).filter(nomination__person_id=user.person_id,
                                                        status=CertificateStatus.VALID)
            .order_by("-issued_at", "-pk"))


def normalize_serial(text: str) -> str:
    """What a person typed or a QR code carried → the stored form: full-width characters folded, spaces dropped,
    upper case; at most SERIAL_MAX characters."""
    text = unicodedata.normalize("NFKC", text or "")
    return "".join(text.split()).upper()[:SERIAL_MAX]


def verify(serial: str) -> Certificate | None:
    """The certificate with exactly this serial, or None (the caller shows the same page for every unknown one)."""
    serial = normalize_serial(serial)
    if not serial:
        return None
    return Certificate.unscoped.filter(serial=serial).first()


def mask_name(name: str) -> str:
    """张三明 → 张*明, 张三 → 张*, 欧阳小明 → 欧**明; each word of a Latin name likewise (Zhang San → Z***g S*n)."""
    def one(word: str) -> str:
        if len(word) <= 1:
            return word
        if len(word) == 2:
            return word[0] + "*"
        return word[0] + "*" * (len(word) - 2) + word[-1]

    return " ".join(one(word) for word in (name or "").split())
