"""Certificates (结业证书): one per graduate of a closed class, with a serial number that anyone can verify on the
public page /verify/<serial>/ (masked name, program, dates, hours, valid or revoked).

A certificate keeps what it prints (name, program, organizer, dates, hours) as issued: the verification page and
the PDF read the certificate alone, whatever happens to the records later. A wrong name is corrected by a reissue:
a new certificate with a new serial that `replaces` the old one, which is revoked. Writes go through
dangjian.certificates.services.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dangjian.certificates.enums import CertificateStatus
from dangjian.certificates.scoping import certificate_filter
from dangjian.certificates.storage import certificate_storage
from dangjian.core.scoping import ScopedQuerySet, UnscopedManager


class CertificateQuerySet(ScopedQuerySet):
    def visibility(self, user):
        return certificate_filter(user)


class Certificate(models.Model):  # 结业证书
    Status = CertificateStatus

    nomination = models.ForeignKey("enrollment.Nomination", verbose_name=_("participant"),
                                   on_delete=models.PROTECT, related_name="certificates")
    program = models.ForeignKey("training.Program", verbose_name=_("program"), on_delete=models.PROTECT,
                                related_name="certificates")
    # NY2022-0001-7K3MQ9XD: the year, a running number per year, and a random part nobody can guess.
    serial = models.CharField(_("serial number"), max_length=40, unique=True)
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveIntegerField(_("number"))
    # What the certificate prints, as issued.
    person_name = models.CharField(pgettext_lazy("person", "name"), max_length=100)
    program_title = models.CharField(_("program"), max_length=200)
    organizer_name = models.CharField(_("organizer"), max_length=200)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    hours = models.DecimalField(_("hours credited"), max_digits=6, decimal_places=1)
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("issued by"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=CertificateStatus.choices,
                              default=CertificateStatus.VALID)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("revoked by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    revoke_reason = models.CharField(_("reason"), max_length=200, blank=True)
    replaces = models.OneToOneField("self", verbose_name=_("replaces"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="replaced_by")
    # Rendered when first needed (a download, the ZIP, the issuing job) and kept: the certificate never changes.
    pdf = models.FileField(_("PDF"), storage=certificate_storage, upload_to="%Y/", blank=True, max_length=200)

    objects = CertificateQuerySet.as_manager()  # scoped: .visible_to(user)
    unscoped = UnscopedManager.from_queryset(CertificateQuerySet)()

    class Meta:
        default_manager_name = "unscoped"
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["program", "year", "number"]
        constraints = [
            # One valid certificate per participant and program; revoked ones stay for the record.
            models.UniqueConstraint(fields=["nomination"], condition=Q(status="valid"),
                                    name="certificate_one_valid_per_nomination"),
            models.UniqueConstraint(fields=["year", "number"], name="certificate_number_per_year"),
        ]
        indexes = [models.Index(fields=["program", "status"])]

    def __str__(self) -> str:
        return self.serial

    @property
    def is_valid(self) -> bool:
        return self.status == CertificateStatus.VALID
