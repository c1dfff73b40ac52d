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

from dangjian.attendance.enums import Mark
from dangjian.attendance.scoping import attendance_filter
from dangjian.core.scoping import ScopedQuerySet, UnscopedManager
from dangjian.enrollment.enums import NominationStatus


class AttendanceQuerySet(ScopedQuerySet):
    def visibility(self, user):
        return attendance_filter(user)


class Attendance(models.Model):  # 考勤记录
    Mark = Mark

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
