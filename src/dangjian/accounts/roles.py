"""The roles of dangjian. A role is a Django group named by its code; a user may hold several."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ORGANIZER = "organizer", _("Organizer (working committee)")
    APPROVER = "approver", _("Approver (municipal party committee)")
    UNIT_ADMIN = "unit_admin", _("Unit administrator")
    COLLEGE_STAFF = "college_staff", _("College staff")
    INSTRUCTOR = "instructor", _("Instructor")
    PARTICIPANT = "participant", _("Participant")
    EDITOR = "editor", _("Editor")
    REVIEWER = "reviewer", _("Reviewer")
