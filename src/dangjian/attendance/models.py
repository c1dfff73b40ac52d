"""Attendance per session (考勤): one mark per confirmed participant and session, taken by the head teacher.

Never per day and never a ranking (rules §8): a mark records whether a participant attended one session of the
timetable. `client_id` is made by the client that took the mark (the roll-call page, later the offline sync): a
retried request carries the same id and never writes a mark twice. Writes go through dangjian.attendance.services.
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.attendance.enums import LeaveStatus, Mark, MarkSource, WithdrawalStatus
from dangjian.attendance.scoping import attendance_filter
from dangjian.core.scoping import ScopedQuerySet, UnscopedManager
from dangjian.enrollment.enums import NominationStatus


class AttendanceQuerySet(ScopedQuerySet):
    def visibility(self, user):
        return attendance_filter(user)


class Attendance(models.Model):  # 考勤记录
    Mark = Mark
    Source = MarkSource

    session = models.ForeignKey("training.Session", verbose_name=_("session"), on_delete=models.CASCADE,
                                related_name="attendances")
    nomination = models.ForeignKey("enrollment.Nomination", verbose_name=_("participant"),
                                   on_delete=models.CASCADE, related_name="attendances")
    mark = models.CharField(_("mark"), max_length=10, choices=Mark.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("marked by"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    marked_at = models.DateTimeField(_("marked at"), default=timezone.now)
    client_id = models.UUIDField(_("client id"), unique=True, default=uuid.uuid4, editable=False)
    # When the mark was made where it was made (the head teacher's phone, possibly offline); a later sync of an
    # earlier mark does not replace a later one. Marks made on the server: the time they were written.
    made_at = models.DateTimeField(_("made at"), default=timezone.now)
    source = models.CharField(_("taken by"), max_length=10, choices=MarkSource.choices,
                              default=MarkSource.ROLL_CALL)

    objects = AttendanceQuerySet.as_manager()  # scoped: .visible_to(user)
    unscoped = UnscopedManager.from_queryset(AttendanceQuerySet)()

    class Meta:
        default_manager_name = "unscoped"
        verbose_name = _("attendance mark")
        verbose_name_plural = _("attendance marks")
        ordering = ["session_id", "nomination_id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "nomination"], name="attendance_one_mark_per_session"),
        ]
        indexes = [models.Index(fields=["nomination", "session"])]

    def __str__(self) -> str:
        return f"{self.nomination.person} · {self.session} · {self.get_mark_display()}"

    def clean(self) -> None:
        if not (self.session_id and self.nomination_id):
            return
        nomination = self.nomination
        if nomination.status != NominationStatus.CONFIRMED:
            raise ValidationError({"nomination": _("%(person)s is not a confirmed participant.")
                                   % {"person": nomination.person}})
        placement = getattr(nomination, "placement", None)
        session = self.session
        if placement is None or placement.phase_id != session.phase_id:
            raise ValidationError({"nomination": _("%(person)s is not placed in this session's phase.")
                                   % {"person": nomination.person}})
        if session.group_id and placement.group_id != session.group_id:
            raise ValidationError({"nomination": _("%(person)s is not in this session's group.")
                                   % {"person": nomination.person}})


class LeaveRequestQuerySet(ScopedQuerySet):
    def visibility(self, user):
        return attendance_filter(user, path="", session_path=None)


class LeaveRequest(models.Model):  # 请假
    """A participant's leave for one or more sessions of their class, filed by them (on the phone) or by the head
    teacher, approved or refused by the head teacher. Approval marks those sessions "on leave" (source: leave)."""

    Status = LeaveStatus

    nomination = models.ForeignKey("enrollment.Nomination", verbose_name=_("participant"),
                                   on_delete=models.CASCADE, related_name="leave_requests")
    sessions = models.ManyToManyField("training.Session", verbose_name=_("sessions"), related_name="leave_requests")
    reason = models.CharField(_("reason"), max_length=500)
    status = models.CharField(_("status"), max_length=10, choices=LeaveStatus.choices, default=LeaveStatus.PENDING)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("filed by"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    filed_at = models.DateTimeField(_("filed at"), default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("note on the decision"), max_length=200, blank=True)

    objects = LeaveRequestQuerySet.as_manager()  # scoped: .visible_to(user)
    unscoped = UnscopedManager.from_queryset(LeaveRequestQuerySet)()

    class Meta:
        default_manager_name = "unscoped"
        verbose_name = _("leave request")
        verbose_name_plural = _("leave requests")
        ordering = ["-filed_at", "-id"]
        indexes = [models.Index(fields=["nomination", "status"])]

    def __str__(self) -> str:
        return f"{self.nomination.person} · {self.get_status_display()}"


class WithdrawalQuerySet(ScopedQuerySet):
    def visibility(self, user):
        return attendance_filter(user, path="", session_path=None)


class Withdrawal(models.Model):  # 退学
    """A participant whose cumulative leave passed the program's limit is flagged for withdrawal; the organizer
    confirms it (the participant leaves the class and does not complete) or clears it (kept, with a note)."""

    Status = WithdrawalStatus

    nomination = models.OneToOneField("enrollment.Nomination", verbose_name=_("participant"),
                                      on_delete=models.CASCADE, related_name="withdrawal")
    status = models.CharField(_("status"), max_length=10, choices=WithdrawalStatus.choices,
                              default=WithdrawalStatus.FLAGGED)
    reason = models.CharField(_("reason"), max_length=300)
    flagged_at = models.DateTimeField(_("flagged at"), default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("note on the decision"), max_length=200, blank=True)

    objects = WithdrawalQuerySet.as_manager()  # scoped: .visible_to(user)
    unscoped = UnscopedManager.from_queryset(WithdrawalQuerySet)()

    class Meta:
        default_manager_name = "unscoped"
        verbose_name = _("withdrawal")
        verbose_name_plural = _("withdrawals")
        ordering = ["-flagged_at", "-id"]
        indexes = [models.Index(fields=["status"])]

    def __str__(self) -> str:
        return f"{self.nomination.person} · {self.get_status_display()}"
