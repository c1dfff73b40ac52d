"""Background jobs: work that takes longer than a web request (a large import), run by a worker process.

The worker (django-tasks' `db_worker`, docs/deploy.md) runs the task; the job row is ours: who asked for
it, its status, its progress and its outcome, which the job's page (polled by htmx) and the API read.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dangjian.accounts.roles import Role
from dangjian.core.scoping import ScopedQuerySet, UnscopedManager
from dangjian.jobs.storage import job_upload_storage

NOTHING = Q(pk__in=[])


class BackgroundJobQuerySet(ScopedQuerySet):
    def visibility(self, user) -> Q:
        """Organizers see every job (they answer for the registry and its imports); anyone else their own."""
        if not getattr(user, "is_authenticated", False):
            return NOTHING
        if user.is_superuser or Role.ORGANIZER in user.roles:
            return Q()
        return Q(requested_by=user)


class BackgroundJob(models.Model):  # 后台任务
    class Kind(models.TextChoices):
        REGISTRY_IMPORT = "registry_import", _("Spreadsheet import")
        OUTBOX_SEND = "outbox_send", _("Sending messages")
        LEDGER_IMPORT = "ledger_import", _("Training records import")
        ADMISSION_NOTICES = "admission_notices", _("Preparing admission notices")
        ALLOCATION = "allocation", _("Placing participants")
        CLOSING_PACK = "closing_pack", _("Making the closing pack")
        CERTIFICATES = "certificates", _("Issuing certificates")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    class Stage(models.TextChoices):
        """What a running job is doing now; each kind of job uses the stages that fit it."""

        CHECKING = "checking", _("Checking every row")
        WRITING = "writing", _("Saving the records")
        SENDING = "sending", _("Sending the messages")
        COMPOSING = "composing", _("Writing the notices")
        SOLVING = "solving", _("Searching for the best placement")

    FINISHED = (Status.DONE, Status.FAILED)
    # Kinds whose result is a spreadsheet import's report (organizations.spreadsheets.ImportResult).
    IMPORT_KINDS = (Kind.REGISTRY_IMPORT, Kind.LEDGER_IMPORT)

    kind = models.CharField(_("kind"), max_length=40, choices=Kind.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=pgettext_lazy("background job", "requested by"), null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, blank=True)
    progress_done = models.PositiveIntegerField(_("done"), default=0)
    progress_total = models.PositiveIntegerField(_("total"), default=0)
    # The job's input (e.g. {"kind": "people"}) and outcome (e.g. counts, or the report of problems).
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    result = models.JSONField(_("result"), null=True, blank=True)
    upload = models.FileField(_("uploaded file"), storage=job_upload_storage, upload_to="%Y/%m/", blank=True,
                              max_length=200)
    filename = models.CharField(_("file name"), max_length=255, blank=True)
    # The requester's interface language and client address: the worker reports and audits with them.
    language = models.CharField(_("language"), max_length=10, blank=True)
    origin = models.CharField(_("origin"), max_length=100, blank=True)
    task_id = models.CharField(_("task id"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(pgettext_lazy("background job", "started at"), null=True, blank=True)
    finished_at = models.DateTimeField(pgettext_lazy("background job", "finished at"), null=True, blank=True)
    # Bumped whenever the running job reports progress or a stage: a job that has been silent for longer than
    # settings.JOB_ABANDONED_AFTER lost its worker (killed, out of memory) and is ended as failed
    # (jobs.services.fail_abandoned_jobs), instead of showing "running" forever.
    heartbeat_at = models.DateTimeField(pgettext_lazy("background job", "last sign of life"), null=True,
                                        blank=True)

    objects = BackgroundJobQuerySet.as_manager()
    unscoped = UnscopedManager.from_queryset(BackgroundJobQuerySet)()

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        ordering = ["-created_at", "-id"]
        default_manager_name = "unscoped"  # Django's own lookups; ours say .objects or .unscoped
        indexes = [
            models.Index(fields=["requested_by", "kind", "created_at"]),
            models.Index(fields=["status", "heartbeat_at"]),  # the running jobs gone silent
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def percent(self) -> int | None:
        """Progress in percent, or None when the total is not known yet."""
        if not self.progress_total:
            return None
        return min(100, self.progress_done * 100 // self.progress_total)
