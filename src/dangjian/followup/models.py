"""Follow-up in daily work (成果转化, issue 13 item 5): after the class each participant who completed it files an
implementation plan (what they will change in their branch's work, by when); `follow_up_months` after the class
they answer the follow-up survey (the evaluation app's form of kind follow-up); their unit's party organization
(the unit administrators of the participant's organ) confirms the report or comments on it.

Unlike the evaluation's answers these are not anonymous: they are the participant's own report, confirmed by their
unit, and every write is audited (dangjian.followup.services). Rows are read through `objects.visible_to(user)`
(the same scope as the participant's completion records) or `unscoped`.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dangjian.completion.scoping import participant_record_filter
from dangjian.core.scoping import ScopedQuerySet, UnscopedManager
from dangjian.followup.enums import Decision


class ParticipantRowQuerySet(ScopedQuerySet):
    path = ""

    def visibility(self, user):
        return participant_record_filter(user, path=self.path)


class ConfirmationQuerySet(ParticipantRowQuerySet):
    path = "report__"


class ImplementationPlan(models.Model):  # 实施计划
    """A participant's plan: rows of {"action": what they will change, "due": "YYYY-MM-DD"}."""

    nomination = models.OneToOneField("enrollment.Nomination", verbose_name=_("participant"),
                                      on_delete=models.CASCADE, related_name="implementation_plan")
    program = models.ForeignKey("training.Program", verbose_name=_("program"), on_delete=models.CASCADE,
                                related_name="implementation_plans")
    items = models.JSONField(_("plan items"), default=list)
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    objects = ParticipantRowQuerySet.as_manager()  # scoped: .visible_to(user)
    unscoped = UnscopedManager.from_queryset(ParticipantRowQuerySet)()

    class Meta:
        default_manager_name = "unscoped"
        verbose_name = _("implementation plan")
        verbose_name_plural = _("implementation plans")
        indexes = [models.Index(fields=["program", "nomination"])]

    def __str__(self) -> str:
        return f"{self.nomination.person} · {self.program}"


class FollowUpReport(models.Model):  # 训后跟踪调查
    """A participant's answer to the follow-up survey (per the program's follow-up form), due `follow_up_months`
    after the last day of their phase."""

    nomination = models.OneToOneField("enrollment.Nomination", verbose_name=_("participant"),
                                      on_delete=models.CASCADE, related_name="follow_up_report")
    program = models.ForeignKey("training.Program", verbose_name=_("program"), on_delete=models.CASCADE,
                                related_name="follow_up_reports")
    form = models.ForeignKey("evaluation.EvaluationForm", verbose_name=_("form"), on_delete=models.PROTECT,
                             related_name="follow_up_reports")
    due_on = models.DateField(_("due on"))
    # {dimension id: level}, {choice id: [option ids]}, {question id: text}: as the evaluation's answers.
    scores = models.JSONField(_("scores"), default=dict, blank=True)
    choices = models.JSONField(_("chosen options"), default=dict, blank=True)
    texts = models.JSONField(_("open answers"), default=dict, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)

    objects = ParticipantRowQuerySet.as_manager()  # scoped: .visible_to(user)
    unscoped = UnscopedManager.from_queryset(ParticipantRowQuerySet)()

    class Meta:
        default_manager_name = "unscoped"
        verbose_name = _("follow-up report")
        verbose_name_plural = _("follow-up reports")
        indexes = [models.Index(fields=["program", "nomination"])]

    def __str__(self) -> str:
        return f"{self.nomination.person} · {self.program}"


class UnitConfirmation(models.Model):  # 单位党组织确认
    """The unit's party organization on a follow-up report: confirmed, or a comment; with the form's unit items
    (e.g. a rating of the participant's work since the class, a comment)."""

    report = models.OneToOneField(FollowUpReport, verbose_name=_("follow-up report"), on_delete=models.CASCADE,
                                  related_name="confirmation")
    decision = models.CharField(pgettext_lazy("followup", "decision"), max_length=12, choices=Decision.choices)
    answers = models.JSONField(_("unit's answers"), default=dict, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("confirmed by"), null=True,
                                     blank=True, on_delete=models.SET_NULL, related_name="+")
    confirmed_at = models.DateTimeField(_("confirmed at"), default=timezone.now)

    objects = ConfirmationQuerySet.as_manager()  # scoped: .visible_to(user)
    unscoped = UnscopedManager.from_queryset(ConfirmationQuerySet)()

    class Meta:
        default_manager_name = "unscoped"
        verbose_name = _("unit confirmation")
        verbose_name_plural = _("unit confirmations")
        indexes = [models.Index(fields=["decision"])]

    def __str__(self) -> str:
        return f"{self.report} · {self.get_decision_display()}"
