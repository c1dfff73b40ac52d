"""Completion (结业): the rules a program sets for completing, the inputs they read besides attendance
(assessment scores, reflections), each participant's result fixed when the class closes, and the closing packs.

The rules are data per program (`CompletionRules`, each rule optional). Until the class closes a result is
computed from the records (completion.selectors.program_results); closing stores it (`CompletionResult`) with the
hours credited in the ledger, and reopening deletes it with the ledger records. Writes go through
dangjian.completion.services.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dangjian.completion.enums import Crediting, Grade
from dangjian.completion.scoping import closing_pack_filter, participant_record_filter
from dangjian.completion.storage import closing_pack_storage, reflection_file_storage
from dangjian.core.scoping import ScopedQuerySet, UnscopedManager


def default_max_leave_ratio() -> Decimal:
    """1/7 of the class's hours (rules §6), from settings.DANGJIAN_RULES."""
    return Decimal(settings.DANGJIAN_RULES["max_leave_ratio"])


class CompletionRules(models.Model):  # 结业条件
    """One program's conditions for completing. A program without a row uses the defaults (leave within 1/7,
    crediting per day)."""

    Crediting = Crediting

    program = models.OneToOneField("training.Program", verbose_name=_("program"), on_delete=models.CASCADE,
                                   related_name="completion_rules")
    min_attendance_share = models.DecimalField(
        _("minimum attendance share"), max_digits=4, decimal_places=3, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text=_("Share of the class's hours attended (present or late), e.g. 0.9; empty: no minimum."))
    leave_within_limit = models.BooleanField(_("leave within the limit"), default=True)
    max_leave_ratio = models.DecimalField(
        _("leave limit"), max_digits=6, decimal_places=5, default=default_max_leave_ratio,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text=_("Share of the class's hours; 1/7 ≈ 0.14286 (cadre education regulation)."))
    require_reflection = models.BooleanField(_("reflection submitted"), default=False)
    reflection_must_pass = models.BooleanField(
        _("reflection graded pass or excellent"), default=False,
        help_text=_("With a reflection required: only a reflection graded pass or excellent counts (not one waiting "
                    "for its grade). A reflection sent back for revision never counts."))
    reflection_due_on = models.DateField(
        _("reflections due on"), null=True, blank=True,
        help_text=_("The last day to submit a reflection; empty: until the class closes. A head teacher may still "
                    "ask for a revision, which the author may submit after it."))
    require_assessment = models.BooleanField(_("assessment passed"), default=False)
    assessment_pass_mark = models.DecimalField(
        _("pass mark"), max_digits=5, decimal_places=1, default=Decimal("60"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))])
    crediting = models.CharField(_("hours credited"), max_length=12, choices=Crediting.choices,
                                 default=Crediting.PER_DAY)

    class Meta:
        verbose_name = _("completion rules")
        verbose_name_plural = _("completion rules")

    def __str__(self) -> str:
        return str(self.program)


class ParticipantRecordQuerySet(ScopedQuerySet):
    def visibility(self, user):
        return participant_record_filter(user)


class Assessment(models.Model):  # 结业考核
    nomination = models.OneToOneField("enrollment.Nomination", verbose_name=_("participant"),
                                      on_delete=models.CASCADE, related_name="assessment")
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=1,
                                validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))])
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True,
                                    blank=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    objects = ParticipantRecordQuerySet.as_manager()  # scoped: .visible_to(user)
    unscoped = UnscopedManager.from_queryset(ParticipantRecordQuerySet)()

    class Meta:
        default_manager_name = "unscoped"
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")

    def __str__(self) -> str:
        return f"{self.nomination.person} · {self.score}"


class Reflection(models.Model):  # 心得体会
    """A participant's reflection on the class: its current text (and optional file) and the head teacher's grade.

    States: a draft (no `submitted_at`), submitted (no grade yet), graded excellent or pass, or sent back for
    revision ("revise", with a comment). The author resubmits a reflection sent back: the version graded "revise"
    is kept as a ReflectionRevision, and the new one waits for its grade. With the author's consent an excellent
    reflection may become a draft article of the portal (`portal_page`, once)."""

    Grade = Grade

    nomination = models.OneToOneField("enrollment.Nomination", verbose_name=_("participant"),
                                      on_delete=models.CASCADE, related_name="reflection")
    title = models.CharField(_("title"), max_length=100, blank=True)
    text = models.TextField(_("text"), max_length=20000, blank=True)
    attachment = models.FileField(_("file"), storage=reflection_file_storage, upload_to="%Y/", blank=True,
                                  max_length=200)
    attachment_name = models.CharField(_("file name"), max_length=120, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    grade = models.CharField(_("grade"), max_length=10, choices=Grade.choices, blank=True)
    grade_comment = models.TextField(pgettext_lazy("reflection", "comment"), max_length=2000, blank=True)
    graded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("graded by"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    graded_at = models.DateTimeField(_("graded at"), null=True, blank=True)
    consent_publish = models.BooleanField(_("may be published"), default=False)
    consent_name = models.BooleanField(_("may be published with my name"), default=False)
    consent_at = models.DateTimeField(_("consent given at"), null=True, blank=True)
    portal_page = models.ForeignKey("wagtailcore.Page", verbose_name=_("portal draft"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    objects = ParticipantRecordQuerySet.as_manager()  # scoped: .visible_to(user)
    unscoped = UnscopedManager.from_queryset(ParticipantRecordQuerySet)()

    class Meta:
        default_manager_name = "unscoped"
        verbose_name = _("reflection")
        verbose_name_plural = _("reflections")
        indexes = [models.Index(fields=["grade"], name="completion_reflection_grade")]

    def __str__(self) -> str:
        return str(self.nomination.person)

    @property
    def program(self):
        return self.nomination.program

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None

    @property
    def awaits_revision(self) -> bool:
        return self.grade == Grade.REVISE

    @property
    def first_line(self) -> str:
        for line in self.text.splitlines():
            if line.strip():
                return line.strip()
        return ""


class ReflectionRevision(models.Model):  # 心得体会的历次版本
    """A version of a reflection as it was graded "revise", kept when its author submitted the next one."""

    reflection = models.ForeignKey(Reflection, verbose_name=_("reflection"), on_delete=models.CASCADE,
                                   related_name="revisions")
    version = models.PositiveSmallIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=100, blank=True)
    text = models.TextField(_("text"), blank=True)
    attachment = models.FileField(_("file"), storage=reflection_file_storage, upload_to="%Y/", blank=True,
                                  max_length=200)
    attachment_name = models.CharField(_("file name"), max_length=120, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    grade = models.CharField(_("grade"), max_length=10, choices=Grade.choices, blank=True)
    grade_comment = models.TextField(pgettext_lazy("reflection", "comment"), blank=True)
    graded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("graded by"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    graded_at = models.DateTimeField(_("graded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("reflection revision")
        verbose_name_plural = _("reflection revisions")
        ordering = ["reflection", "version"]
        constraints = [models.UniqueConstraint(fields=["reflection", "version"],
                                               name="completion_reflection_revision_once")]

    def __str__(self) -> str:
        return f"{self.reflection} · {self.version}"


class CompletionResult(models.Model):  # 结业结果
    """A participant's result, fixed when the class closed; deleted when it is reopened."""

    nomination = models.OneToOneField("enrollment.Nomination", verbose_name=_("participant"),
                                      on_delete=models.CASCADE, related_name="completion_result")
    program = models.ForeignKey("training.Program", verbose_name=_("program"), on_delete=models.CASCADE,
                                related_name="completion_results")
    completed = models.BooleanField(_("completed"))
    # [{"code": Reason, ...figures}]: the words are made when shown, in the reader's language.
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    class_hours = models.DecimalField(_("class hours"), max_digits=6, decimal_places=1, default=Decimal("0"))
    attended_hours = models.DecimalField(_("hours attended"), max_digits=6, decimal_places=1, default=Decimal("0"))
    leave_hours = models.DecimalField(_("hours on leave"), max_digits=6, decimal_places=1, default=Decimal("0"))
    days_attended = models.PositiveSmallIntegerField(_("days attended"), default=0)
    credited_hours = models.DecimalField(_("hours credited"), max_digits=6, decimal_places=1, default=Decimal("0"))
    ledger_record = models.ForeignKey("ledger.TrainingRecord", verbose_name=_("training record"), null=True,
                                      blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)

    objects = ParticipantRecordQuerySet.as_manager()  # scoped: .visible_to(user)
    unscoped = UnscopedManager.from_queryset(ParticipantRecordQuerySet)()

    class Meta:
        default_manager_name = "unscoped"
        verbose_name = _("completion result")
        verbose_name_plural = _("completion results")
        indexes = [models.Index(fields=["program", "completed"])]

    def __str__(self) -> str:
        return f"{self.nomination.person} · {self.completed}"


class ClosingPackQuerySet(ScopedQuerySet):
    def visibility(self, user):
        return closing_pack_filter(user)


class ClosingPack(models.Model):  # 结业材料
    """The closing pack of a program as made at one moment from its records: one PDF and a ZIP of its parts.
    Closing the class needs a pack made after the last change of its attendance and leave."""

    program = models.ForeignKey("training.Program", verbose_name=_("program"), on_delete=models.CASCADE,
                                related_name="closing_packs")
    made_at = models.DateTimeField(_("made at"), default=timezone.now)
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("made by"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    pdf = models.FileField(_("PDF"), storage=closing_pack_storage, upload_to="%Y/", blank=True)
    archive = models.FileField(_("ZIP of the parts"), storage=closing_pack_storage, upload_to="%Y/", blank=True)
    page_count = models.PositiveIntegerField(_("number of pages"), default=0)

    objects = ClosingPackQuerySet.as_manager()  # scoped: .visible_to(user)
    unscoped = UnscopedManager.from_queryset(ClosingPackQuerySet)()

    class Meta:
        default_manager_name = "unscoped"
        verbose_name = _("closing pack")
        verbose_name_plural = _("closing packs")
        ordering = ["-made_at", "-id"]
        indexes = [models.Index(fields=["program", "made_at"])]

    def __str__(self) -> str:
        return f"{self.program} · {self.made_at:%Y-%m-%d %H:%M}"
