"""The training-hours ledger (学时档案): one record per person and training, the requirements that say who
must be trained how much (as data, with their source and the date they took effect) and exemptions.

Compliance (satisfied / due / overdue / exempt) is never stored: it is computed from these records by
dangjian.ledger.compliance, in SQL where lists need it. The ledger's records are its only input: a class
closed on this platform will credit its participants with a record of source "platform" naming the program
and phase (the delivery issue); until then, records are imported or entered.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from dangjian.core import conf
from dangjian.core.models import TimeStampedModel
from dangjian.core.scoping import ScopedQuerySet, UnscopedManager
from dangjian.ledger.enums import Audience, RecordSource, RequirementKind, TrainingKind
from dangjian.organizations.scoping import organ_filter


class TrainingRecordQuerySet(ScopedQuerySet):
    def visibility(self, user):
        return organ_filter(user, "person__organ")


class TrainingRecord(TimeStampedModel):  # 培训记录 (学时档案的一行)
    Source = RecordSource
    Kind = TrainingKind

    person = models.ForeignKey("organizations.Person", verbose_name=_("person"), on_delete=models.CASCADE,
                               related_name="training_records")
    # A training of this platform: its program and phase. Credited when the class closes (delivery issue).
    program = models.ForeignKey("training.Program", verbose_name=_("program"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="training_records")
    phase = models.ForeignKey("training.Phase", verbose_name=_("phase"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="training_records")
    # An external training (or the copy of a platform training's names, so that the archive reads alone).
    title = models.CharField(pgettext_lazy("training", "title"), max_length=200)
    institution = models.CharField(_("institution"), max_length=120, blank=True,
                                   help_text=_("Who held the training, e.g. 中共南阳市委党校 or 学习强国."))
    kind = models.CharField(_("kind of training"), max_length=12, choices=TrainingKind.choices,
                            default=TrainingKind.CONCENTRATED)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    hours = models.DecimalField(
        _("hours credited"), max_digits=5, decimal_places=1,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("600"))],
    )
    # Derived from the dates in clean() (TrainingRecord.derived), never typed: no form offers them. Editable all the
    # same, so that the audited update (core.services.model_update) saves and records them with the dates.
    # Days of a concentrated training (its dates, first and last included); online training counts no days.
    days = models.PositiveSmallIntegerField(_("days"), default=0)
    # The year the training counts for: the year of its last day.
    year = models.PositiveSmallIntegerField(_("year"))
    counts_as_induction = models.BooleanField(
        _("induction training"), default=False,
        help_text=_("This training was the induction training (任职培训) of a newly appointed secretary."),
    )
    certificate_number = models.CharField(_("certificate number"), max_length=60, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=RecordSource.choices,
                              default=RecordSource.ENTERED)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True,
                                    blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = TrainingRecordQuerySet.as_manager()  # scoped: .visible_to(user)
    unscoped = UnscopedManager.from_queryset(TrainingRecordQuerySet)()

    class Meta:
        default_manager_name = "unscoped"
        verbose_name = _("training record")
        verbose_name_plural = _("training records")
        ordering = ["-ends_on", "-id"]
        indexes = [
            # The sums of a person's hours in a year (compliance) and their archive, latest first.
            models.Index(fields=["person", "year", "kind"], name="ledger_record_person_year"),
            models.Index(fields=["person", "counts_as_induction"], name="ledger_record_induction"),
            # Who is credited with induction training by a day (compliance): an index-only scan of the few
            # induction records instead of a pass over all of them.
            models.Index(fields=["person", "starts_on"], condition=Q(counts_as_induction=True),
                         name="ledger_record_induction_on"),
            models.Index(fields=["year", "source"], name="ledger_record_year_source"),
            # The lists of records (page and API), latest first: a page is read from the index, not sorted.
            models.Index(fields=["-ends_on", "-id"], name="ledger_record_latest"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="ledger_record_dates",
                                   violation_error_message=_("The last day cannot be before the first day.")),
            models.CheckConstraint(condition=Q(hours__gt=0), name="ledger_record_hours_positive"),
            # A class of this platform credits a person once per phase.
            models.UniqueConstraint(fields=["person", "phase"], condition=Q(phase__isnull=False),
                                    name="ledger_record_once_per_phase",
                                    violation_error_message=_("This person is already credited for this phase.")),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.title} · {self.hours}"

    def clean_fields(self, exclude=None) -> None:
        # year and days follow the dates (clean() again after the fields are checked); a new record has none yet
        if isinstance(self.starts_on, datetime.date) and isinstance(self.ends_on, datetime.date):
            self.year, self.days = self.derived(starts_on=self.starts_on, ends_on=self.ends_on, kind=self.kind)
        super().clean_fields(exclude=exclude)

    def clean(self) -> None:
        errors = {}
        if self.starts_on and self.ends_on:
            if self.ends_on < self.starts_on:
                errors["ends_on"] = _("The last day cannot be before the first day.")
            else:
                self.year, self.days = self.derived(starts_on=self.starts_on, ends_on=self.ends_on, kind=self.kind)
        if self.source == RecordSource.PLATFORM and not self.phase_id:
            errors["phase"] = _("A record of this platform names the program's phase.")
        if self.phase_id and self.program_id and self.phase.program_id != self.program_id:
            errors["phase"] = _("This phase belongs to another program.")
        if self.phase_id and not self.program_id:
            self.program_id = self.phase.program_id
        if errors:
            raise ValidationError(errors)

    @staticmethod
    def derived(*, starts_on: datetime.date, ends_on: datetime.date, kind: str) -> tuple[int, int]:
        """The year a training counts for (its last day's) and its days (concentrated training only)."""
        return ends_on.year, (ends_on - starts_on).days + 1 if kind == TrainingKind.CONCENTRATED else 0

    @property
    def editable_by_hand(self) -> bool:
        """Records of this platform come from the class's closing; they are corrected there, not here."""
        return self.source != RecordSource.PLATFORM


class Requirement(TimeStampedModel):  # 培训要求 (as data: 条例、规划)
    """One version of a rule: who must be trained how much, from its source, in effect from a date.

    A change of rule is a new version with the same code from a later date (the earlier one ends the day
    before): periods and appointments before that date are still judged by the earlier version, so a change
    does not rewrite history. Which version judges what: an induction duty by the version in effect on the
    day of the appointment; hours by the version in effect on the first day of the period.
    """

    Kind = RequirementKind

    code = models.SlugField(_("code"), max_length=40,
                            help_text=_("The same code for every version of one rule, e.g. secretary-annual."))
    title_zh = models.CharField(_("title (Chinese)"), max_length=120)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    kind = models.CharField(_("kind of requirement"), max_length=12, choices=RequirementKind.choices)
    audience = models.CharField(_("applies to"), max_length=16, choices=Audience.choices,
                                default=Audience.POST_HOLDERS)
    # Post holders: secretaries always; deputies and committee members when the rule says so.
    include_deputies = models.BooleanField(_("also deputy secretaries"), default=False)
    include_committee_members = models.BooleanField(_("also committee members"), default=False)
    rank_levels = models.JSONField(_("rank levels"), default=list, blank=True,
                                   help_text=_("For cadre tiers: the rank levels the rule applies to."))
    # Induction: the deadline after the first post.
    deadline_months = models.PositiveSmallIntegerField(
        _("deadline (months after the appointment)"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    # Hours: at least min_hours (or min_days of concentrated training) per period of period_years.
    min_hours = models.DecimalField(_("minimum hours"), max_digits=5, decimal_places=1, null=True, blank=True,
                                    validators=[MinValueValidator(Decimal("0.5"))])
    min_days = models.PositiveSmallIntegerField(
        _("or minimum days"), null=True, blank=True,
        help_text=_("Days of concentrated training that satisfy the rule instead of the hours (12 days or 90 学时)."))
    counted_kind = models.CharField(_("hours counted"), max_length=12, choices=TrainingKind.choices, blank=True,
                                    help_text=_("Leave empty to count every kind of training."))
    min_concentrated = models.PositiveSmallIntegerField(
        _("concentrated trainings required"), default=0,
        help_text=_("How many concentrated trainings the period must include (56 学时 including one)."))
    period_years = models.PositiveSmallIntegerField(_("period (years)"), default=1,
                                                    validators=[MinValueValidator(1), MaxValueValidator(10)])
    period_anchor_year = models.PositiveSmallIntegerField(
        _("periods counted from"), null=True, blank=True, validators=[MinValueValidator(2000)],
        help_text=_("For periods of several years: the first year of a period (e.g. 2023 for 2023–2027)."))
    source = models.TextField(_("source"), help_text=_("Regulation or plan and article, e.g. "
                                                       "《2019—2023年全国党员教育培训工作规划》."))
    effective_from = models.DateField(_("in effect from"))
    effective_until = models.DateField(_("in effect until"), null=True, blank=True)

    class Meta:
        verbose_name = _("training requirement")
        verbose_name_plural = _("training requirements")
        ordering = ["kind", "code", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["code", "effective_from"], name="ledger_requirement_version",
                                    violation_error_message=_("This rule already has a version from this date.")),
            models.CheckConstraint(
                condition=Q(effective_until__isnull=True) | Q(effective_until__gte=models.F("effective_from")),
                name="ledger_requirement_dates",
                violation_error_message=_("A rule cannot end before it takes effect.")),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("ledger_requirement_list") + f"#requirement-{self.pk}"

    @property
    def title(self) -> str:
        return self.title_en if (get_language() or "").startswith("en") and self.title_en else self.title_zh

    @property
    def roles(self) -> list[str]:
        """The post roles an induction duty or a post holders' rule applies to."""
        roles = ["secretary"]
        if self.include_deputies:
            roles.append("deputy_secretary")
        if self.include_committee_members:
            roles.append("committee_member")
        return roles

    def in_effect(self, day: datetime.date) -> bool:
        return self.effective_from <= day and (self.effective_until is None or day <= self.effective_until)

    def period_of(self, year: int) -> tuple[int, int]:
        """The first and last year of the period that `year` belongs to."""
        anchor = self.period_anchor_year or self.effective_from.year
        first = anchor + ((year - anchor) // self.period_years) * self.period_years
        return first, first + self.period_years - 1

    def clean(self) -> None:
        errors = {}
        if self.effective_until and self.effective_from and self.effective_until < self.effective_from:
            errors["effective_until"] = _("A rule cannot end before it takes effect.")
        if self.kind == RequirementKind.INDUCTION:
            if self.deadline_months is None:
                self.deadline_months = conf.rule("induction_deadline_months")
            if self.audience != Audience.POST_HOLDERS:
                errors["audience"] = _("Induction training is a duty of newly appointed post holders.")
        elif self.kind == RequirementKind.HOURS and self.min_hours is None:
            errors["min_hours"] = _("Give the minimum hours of the period.")
        if self.audience == Audience.CADRE_TIER:
            from dangjian.organizations.models import Person

            unknown = set(self.rank_levels or []) - set(Person.RankLevel.values)
            if not self.rank_levels:
                errors["rank_levels"] = _("Choose the rank levels of the tier.")
            elif unknown:
                errors["rank_levels"] = _("Unknown rank levels: %(levels)s.") % {"levels": ", ".join(sorted(unknown))}
        if self.code and self.effective_from and "effective_until" not in errors:
            others = Requirement.objects.filter(code=self.code).exclude(pk=self.pk)
            end = self.effective_until or datetime.date.max
            clash = others.filter(effective_from__lte=end).filter(
                Q(effective_until__isnull=True) | Q(effective_until__gte=self.effective_from)).first()
            if clash is not None:
                errors["effective_from"] = _(
                    "Another version of this rule is in effect in this period (from %(start)s). End it first, or "
                    "add the new version with “change from a date”."
                ) % {"start": clash.effective_from}
            other_kinds = others.exclude(kind=self.kind).exists()
            if other_kinds:
                errors["kind"] = _("The other versions of this rule are of another kind.")
        if errors:
            raise ValidationError(errors)


class ExemptionQuerySet(ScopedQuerySet):
    def visibility(self, user):
        return organ_filter(user, "person__organ")


class Exemption(TimeStampedModel):  # 免训
    """A person is exempt from one rule (every version of its code) from a date to a date, for a reason.
    An induction duty is exempt while the exemption lasts; a period of hours when the exemption meets it."""

    person = models.ForeignKey("organizations.Person", verbose_name=_("person"), on_delete=models.CASCADE,
                               related_name="training_exemptions")
    requirement_code = models.SlugField(_("rule"), max_length=40)
    reason = models.CharField(_("reason"), max_length=200)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True,
                                    blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = ExemptionQuerySet.as_manager()  # scoped: .visible_to(user)
    unscoped = UnscopedManager.from_queryset(ExemptionQuerySet)()

    class Meta:
        default_manager_name = "unscoped"
        verbose_name = _("exemption")
        verbose_name_plural = _("exemptions")
        ordering = ["-ends_on", "id"]
        indexes = [models.Index(fields=["person", "requirement_code", "ends_on"], name="ledger_exemption_person")]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="ledger_exemption_dates",
                                   violation_error_message=_("An exemption cannot end before it starts.")),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.requirement_code} · {self.starts_on}–{self.ends_on}"

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("An exemption cannot end before it starts.")})
        if self.requirement_code and not Requirement.objects.filter(code=self.requirement_code).exists():
            raise ValidationError({"requirement_code": _("No rule has this code.")})
