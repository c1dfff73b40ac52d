"""Evaluation (培训评估): the forms as data, and the participants' answers — anonymous.

An `EvaluationForm` is a session card, a program questionnaire or a follow-up survey; the defaults (program
empty) come from evaluation.yaml, and an organizer copies one for a program and edits it while nobody has
answered it.

Anonymity is in the schema, not in a promise of the pages: an `EvaluationAnswer` has no link to a person, a
nomination or a user; its primary key is a random UUID (not a sequence that would follow the order of answering);
it stores the date of answering, not the time. Whether a participant has answered is an `EvaluationReceipt`
(participant, form, session, date) with no link to the answer. Both are written in one transaction by
dangjian.evaluation.services, without an audit entry (an entry names its actor and its record: it would join
them).
"""

import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dangjian.evaluation.definitions import label, validate_definition
from dangjian.evaluation.enums import FormKind


class EvaluationForm(models.Model):  # 评估问卷
    Kind = FormKind

    kind = models.CharField(_("kind"), max_length=20, choices=FormKind.choices)
    program = models.ForeignKey("training.Program", verbose_name=_("program"), null=True, blank=True,
                                on_delete=models.CASCADE, related_name="evaluation_forms",
                                help_text=_("Empty: a default form, used by every program without its own."))
    title_zh = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    definition = models.JSONField(_("definition"))
    copied_from = models.ForeignKey("self", verbose_name=_("copied from"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("evaluation form")
        verbose_name_plural = _("evaluation forms")
        ordering = ["program_id", "kind", "id"]
        constraints = [
            models.UniqueConstraint(fields=["program", "kind"], condition=Q(program__isnull=False),
                                    name="evaluation_form_one_per_program_and_kind"),
            models.UniqueConstraint(fields=["kind"], condition=Q(program__isnull=True),
                                    name="evaluation_form_one_default_per_kind"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return label({"zh": self.title_zh, "en": self.title_en})

    @property
    def is_default(self) -> bool:
        return self.program_id is None

    def clean(self) -> None:
        if self.definition is not None:
            validate_definition(self.definition, kind=self.kind)


class EvaluationAnswer(models.Model):  # 匿名评估答卷
    """One anonymous answer: of a session's card (naming the session, and through it the course, instructors,
    teaching form, phase and program), or of a program questionnaire. No person, nomination or user; no time."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    form = models.ForeignKey(EvaluationForm, verbose_name=_("form"), on_delete=models.PROTECT,
                             related_name="answers")
    program = models.ForeignKey("training.Program", verbose_name=_("program"), on_delete=models.CASCADE,
                                related_name="evaluation_answers")
    session = models.ForeignKey("training.Session", verbose_name=_("session"), null=True, blank=True,
                                on_delete=models.CASCADE, related_name="evaluation_answers")
    answered_on = models.DateField(_("answered on"))
    # {dimension id: level}, {choice id: [option ids]}, {question id: text}
    scores = models.JSONField(_("scores"), default=dict, blank=True)
    choices = models.JSONField(pgettext_lazy("evaluation", "choices"), default=dict, blank=True)
    texts = models.JSONField(_("open answers"), default=dict, blank=True)

    class Meta:
        verbose_name = _("evaluation answer")
        verbose_name_plural = _("evaluation answers")
        # By date, then by the random key: never in the order of answering.
        ordering = ["answered_on", "id"]
        indexes = [models.Index(fields=["program", "form"]), models.Index(fields=["session"])]

    def __str__(self) -> str:
        return f"{self.form} · {self.answered_on}"


class EvaluationReceipt(models.Model):  # 已评标记
    """That a participant has answered a form (for a session): the response rate and the "once" rule. It has no
    link to the answer and no time finer than the date."""

    nomination = models.ForeignKey("enrollment.Nomination", verbose_name=_("participant"),
                                   on_delete=models.CASCADE, related_name="evaluation_receipts")
    form = models.ForeignKey(EvaluationForm, verbose_name=_("form"), on_delete=models.PROTECT,
                             related_name="receipts")
    session = models.ForeignKey("training.Session", verbose_name=_("session"), null=True, blank=True,
                                on_delete=models.CASCADE, related_name="evaluation_receipts")
    answered_on = models.DateField(_("answered on"))

    class Meta:
        verbose_name = _("evaluation receipt")
        verbose_name_plural = _("evaluation receipts")
        ordering = ["nomination_id", "session_id", "form_id"]
        constraints = [
            models.UniqueConstraint(fields=["nomination", "form", "session"], condition=Q(session__isnull=False),
                                    name="evaluation_receipt_once_per_session"),
            models.UniqueConstraint(fields=["nomination", "form"], condition=Q(session__isnull=True),
                                    name="evaluation_receipt_once_per_form"),
        ]

    def __str__(self) -> str:
        return f"{self.nomination_id} · {self.form_id} · {self.session_id or ''}"

    def clean(self) -> None:
        if self.form_id and self.form.kind == FormKind.SESSION_CARD and not self.session_id:
            raise ValidationError({"session": _("A session card is answered for a session.")})
