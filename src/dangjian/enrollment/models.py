"""Enrollment of a training program (报名): the nomination deadline, quotas per organ (名额), nominations
(推荐) with the nominee's unavailable dates, the waitlist (候补) and the participants' activation links.

A confirmed nomination holds a seat in the program; the program's capacity is the sum of its phases'
capacities. Allocation to phases and groups is a later step (it may use a nomination's preferred phase).
Status changes go through dangjian.enrollment.services, never by assigning `status`.
"""

import datetime
import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dangjian.core.models import TimeStampedModel
from dangjian.core.scoping import ScopedQuerySet, UnscopedManager
from dangjian.enrollment.enums import ACTIVE_STATUSES, AllocationState, NominationStatus, SolverStatus
from dangjian.enrollment.scoping import nomination_filter, quota_filter


class ProgramEnrollment(TimeStampedModel):  # 报名设置
    """The enrollment settings of one program: the day by which organs nominate."""

    program = models.OneToOneField("training.Program", verbose_name=_("program"), on_delete=models.CASCADE,
                                   related_name="enrollment")
    nomination_deadline = models.DateField(
        _("nomination deadline"), null=True, blank=True,
        help_text=_("The last day on which unit administrators may nominate (inclusive)."))
    note = models.TextField(_("note to the organs"), blank=True)
    # Printed on every admission notice (入学通知): arrival and registration, what to bring.
    admission_notes = models.TextField(
        _("arrival and what to bring"), blank=True,
        help_text=_("Printed on the admission notices: when and where to register on arrival, what to bring, "
                    "dress, accommodation. One paragraph per line."))

    # Allocation to phases and groups (enrollment/allocation.py): the bounds of a group's size and how many people
    # of one organ may be away in the same phase (so that a secretary and a deputy are not away together).
    group_size_min = models.PositiveSmallIntegerField(
        _("smallest group"), default=0, validators=[MaxValueValidator(500)],
        help_text=_("Every group of a phase has at least this many participants."))
    group_size_max = models.PositiveSmallIntegerField(
        _("largest group"), null=True, blank=True, validators=[MaxValueValidator(500)],
        help_text=_("No group has more participants (empty: no limit)."))
    max_per_organ_per_phase = models.PositiveSmallIntegerField(
        _("at most per organ in a phase"), null=True, blank=True, validators=[MaxValueValidator(1000)],
        help_text=_("How many people of one organ may attend the same phase (empty: no limit)."))

    class Meta:
        verbose_name = _("enrollment settings")
        verbose_name_plural = _("enrollment settings")

    def __str__(self) -> str:
        return str(self.program)

    def clean(self) -> None:
        if self.group_size_max is not None and self.group_size_max < self.group_size_min:
            raise ValidationError({"group_size_max": _("The largest group cannot be smaller than the smallest.")})

    def deadline_passed(self, today: datetime.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.nomination_deadline is not None and today > self.nomination_deadline


class QuotaQuerySet(ScopedQuerySet):
    def visibility(self, user):
        return quota_filter(user)


class Quota(TimeStampedModel):  # 名额
    """How many people an organ may nominate for a program."""

    program = models.ForeignKey("training.Program", verbose_name=_("program"), on_delete=models.CASCADE,
                                related_name="quotas")
    organ = models.ForeignKey("organizations.Organ", verbose_name=_("organ"), on_delete=models.PROTECT,
                              related_name="quotas")
    seats = models.PositiveIntegerField(_("seats"), default=0, validators=[MaxValueValidator(10000)])
    preferred_phase = models.ForeignKey(
        "training.Phase", verbose_name=_("preferred phase"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", help_text=_("A wish for the allocation to phases, not a booking."))

    objects = QuotaQuerySet.as_manager()  # scoped: .visible_to(user)
    unscoped = UnscopedManager.from_queryset(QuotaQuerySet)()

    class Meta:
        default_manager_name = "unscoped"
        verbose_name = _("quota")
        verbose_name_plural = _("quotas")
        ordering = ["program_id", "organ_id"]
        constraints = [models.UniqueConstraint(fields=["program", "organ"], name="quota_unique_organ_in_program")]

    def __str__(self) -> str:
        return f"{self.program} · {self.organ}: {self.seats}"

    def clean(self) -> None:
        if self.preferred_phase_id and self.program_id and self.preferred_phase.program_id != self.program_id:
            raise ValidationError({"preferred_phase": _("This phase belongs to another program.")})


class NominationQuerySet(ScopedQuerySet):
    def visibility(self, user):
        return nomination_filter(user)

    def active(self):
        return self.filter(status__in=ACTIVE_STATUSES)


class Nomination(TimeStampedModel):  # 推荐 (报名)
    Status = NominationStatus

    program = models.ForeignKey("training.Program", verbose_name=_("program"), on_delete=models.CASCADE,
                                related_name="nominations")
    person = models.ForeignKey("organizations.Person", verbose_name=_("person"), on_delete=models.PROTECT,
                               related_name="nominations")
    # The nominating organ: the person's organ when nominated (a later transfer does not move the seat).
    organ = models.ForeignKey("organizations.Organ", verbose_name=_("organ"), on_delete=models.PROTECT,
                              related_name="nominations")
    status = models.CharField(_("status"), max_length=12, choices=NominationStatus.choices,
                              default=NominationStatus.NOMINATED)
    preferred_phase = models.ForeignKey(
        "training.Phase", verbose_name=_("preferred phase"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+")
    waitlist_position = models.PositiveIntegerField(_("place on the waitlist"), null=True, blank=True)
    nominated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("nominated by"), null=True,
                                     blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True,
                              help_text=_("Why the nomination was rejected, withdrawn or substituted."))
    replaces = models.OneToOneField("self", verbose_name=_("substitute for"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="replaced_by")
    # An organizer nominated beyond the quota or after the deadline (the audit trail has who and why).
    overridden = models.BooleanField(_("admitted by an organizer's override"), default=False)
    # Already credited with induction training when nominated for another induction program (a flag, no bar).
    already_credited = models.BooleanField(_("already credited with induction training"), default=False)

    objects = NominationQuerySet.as_manager()  # scoped: .visible_to(user)
    unscoped = UnscopedManager.from_queryset(NominationQuerySet)()

    class Meta:
        default_manager_name = "unscoped"
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")
        ordering = ["program_id", "id"]
        constraints = [
            # No person holds two seats (or places) in one program, whatever the concurrency.
            models.UniqueConstraint(fields=["program", "person"], condition=Q(status__in=ACTIVE_STATUSES),
                                    name="nomination_one_active_per_person",
                                    violation_error_message=_("This person is already nominated for this program.")),
            models.UniqueConstraint(fields=["program", "waitlist_position"],
                                    condition=Q(status=NominationStatus.WAITLISTED),
                                    name="nomination_unique_waitlist_place"),
            models.CheckConstraint(
                condition=Q(status=NominationStatus.WAITLISTED, waitlist_position__isnull=False)
                | (~Q(status=NominationStatus.WAITLISTED) & Q(waitlist_position__isnull=True)),
                name="nomination_waitlist_place_iff_waitlisted"),
        ]
        indexes = [
            models.Index(fields=["program", "status", "id"]),
            models.Index(fields=["program", "organ", "status"]),
            models.Index(fields=["person", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.program}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class UnavailablePeriod(models.Model):  # 不能参训的日期
    """Days a nominee cannot attend (stated when nominated): no phase overlapping them is theirs."""

    nomination = models.ForeignKey(Nomination, verbose_name=_("nomination"), on_delete=models.CASCADE,
                                   related_name="unavailable_periods")
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("unavailable dates")
        verbose_name_plural = _("unavailable dates")
        ordering = ["nomination_id", "starts_on"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")),
                                   name="unavailable_ends_after_start",
                                   violation_error_message=_("The last day cannot be before the first day.")),
        ]

    def __str__(self) -> str:
        return f"{self.starts_on} – {self.ends_on}"

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The last day cannot be before the first day.")})

    def overlaps(self, first: datetime.date, last: datetime.date) -> bool:
        return self.starts_on <= last and self.ends_on >= first


class PlacementQuerySet(ScopedQuerySet):
    def visibility(self, user):
        return nomination_filter(user, path="nomination__")


class Placement(TimeStampedModel):  # 分期分组
    """Where a confirmed participant attends: a phase of the program and a group of that phase (none yet while the
    phase has no groups). Written by hand or by applying an allocation run; a locked placement stays where it is
    when the solver runs again."""

    nomination = models.OneToOneField(Nomination, verbose_name=_("nomination"), on_delete=models.CASCADE,
                                      related_name="placement")
    phase = models.ForeignKey("training.Phase", verbose_name=_("phase"), on_delete=models.CASCADE,
                              related_name="placements")
    group = models.ForeignKey("training.Group", verbose_name=pgettext_lazy("training", "group"), null=True,
                              blank=True, on_delete=models.SET_NULL, related_name="placements")
    locked = models.BooleanField(_("locked"), default=False,
                                 help_text=_("A locked placement is kept when the allocation runs again."))

    objects = PlacementQuerySet.as_manager()  # scoped: .visible_to(user)
    unscoped = UnscopedManager.from_queryset(PlacementQuerySet)()

    class Meta:
        default_manager_name = "unscoped"
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        ordering = ["phase_id", "group_id", "nomination_id"]
        indexes = [models.Index(fields=["phase", "group"])]

    def __str__(self) -> str:
        return f"{self.nomination.person} · {self.phase} · {self.group or '-'}"

    def clean(self) -> None:
        errors = {}
        if self.phase_id and self.nomination_id and self.phase.program_id != self.nomination.program_id:
            errors["phase"] = _("This phase belongs to another program.")
        if self.group_id and self.phase_id and self.group.phase_id != self.phase_id:
            errors["group"] = _("This group belongs to another phase.")
        if errors:
            raise ValidationError(errors)


class AllocationRun(models.Model):  # 自动分期分组
    """One run of the allocation solver (enrollment.allocation) for a program: its settings, live figures while
    it solves (a background job), then its proposal — where each confirmed participant goes, who stays unplaced
    and why — to apply in one transaction or discard. `baseline` is the placement the run started from: applying
    is refused when the placements changed since."""

    State = AllocationState

    program = models.ForeignKey("training.Program", verbose_name=_("program"), on_delete=models.CASCADE,
                                related_name="allocation_runs")
    job = models.ForeignKey("jobs.BackgroundJob", verbose_name=_("background job"), null=True, blank=True,
                            on_delete=models.SET_NULL, related_name="+")
    state = models.CharField(_("state"), max_length=12, choices=AllocationState.choices,
                             default=AllocationState.SOLVING)
    solver_status = models.CharField(_("solver status"), max_length=12, choices=SolverStatus.choices, blank=True)
    time_limit = models.PositiveSmallIntegerField(_("time limit (seconds)"), default=10,
                                                  validators=[MinValueValidator(1), MaxValueValidator(600)])
    # Group sizes, limit per organ and weights, as the run used them.
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    solutions = models.PositiveIntegerField(_("solutions found"), default=0)
    objective = models.BigIntegerField(_("objective"), null=True, blank=True)
    bound = models.BigIntegerField(_("bound"), null=True, blank=True)
    gap = models.FloatField(_("gap"), null=True, blank=True)
    wall_time = models.FloatField(_("time taken (seconds)"), null=True, blank=True)
    baseline = models.JSONField(_("placement before the run"), default=dict, blank=True)  # nomination -> [phase, group]
    proposal = models.JSONField(_("proposal"), default=dict, blank=True)  # nomination -> [phase, group]
    unplaced = models.JSONField(_("unplaced"), default=dict, blank=True)  # nomination -> reason
    explanations = models.JSONField(_("explanations"), default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("started by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("allocation run")
        verbose_name_plural = _("allocation runs")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["program", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.program} · {self.created_at:%Y-%m-%d %H:%M}"


class ActivationLink(models.Model):  # 账号激活链接
    """A one-time link with which a participant sets their password and signs in for the first time. Only the
    token's SHA-256 digest is stored; the link expires (settings.ENROLLMENT_ACTIVATION_DAYS)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
                             related_name="activation_links")
    digest = models.CharField(_("digest"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("activation link")
        verbose_name_plural = _("activation links")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user} · {self.expires_at:%Y-%m-%d}"

    @staticmethod
    def digest_of(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    def usable(self, now: datetime.datetime | None = None) -> bool:
        return self.used_at is None and (now or timezone.now()) < self.expires_at


class CalendarFeed(models.Model):  # 日历订阅
    """A participant's private calendar subscription: the iCal feed of their own sessions at
    /my/calendar/<token>.ics, read by calendar apps without signing in. One per user; only the token's SHA-256
    digest is stored, so the address is shown once, when it is made (rotating makes a new one, revoking deletes
    it)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
                                related_name="calendar_feed")
    digest = models.CharField(_("digest"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("calendar subscription")
        verbose_name_plural = _("calendar subscriptions")

    def __str__(self) -> str:
        return f"{self.user} · {self.created_at:%Y-%m-%d}"

    @staticmethod
    def digest_of(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()
