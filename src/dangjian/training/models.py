"""Training programs (培训班): the library (venues, red-education sites, instructors, courses), the
program with its approval workflow, its phases (期次), groups (小组), class committee (班委) and the
timetable of sessions in each teaching form.

State changes of a program go through dangjian.training.services, never by assigning `status`.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from dangjian.core import conf
from dangjian.core.models import TimeStampedModel
from dangjian.core.scoping import ScopedQuerySet, UnscopedManager
from dangjian.core.validators import validate_mobile
from dangjian.training.enums import PLAN_EDITABLE_STATUSES, TIMETABLE_EDITABLE_STATUSES, ProgramStatus
from dangjian.training.scoping import program_filter, session_filter
from dangjian.training.validators import validate_approval_document


def _localized(zh: str, en: str) -> str:
    return en if (get_language() or "").startswith("en") and en else zh


# --- Library -------------------------------------------------------------------------------------


class Venue(TimeStampedModel):  # 培训场所: 干部学院、党校
    class Kind(models.TextChoices):
        COLLEGE = "college", _("Cadre college")  # 干部学院
        DEPARTMENT = "department", _("Department of a college")
        PARTY_SCHOOL = "party_school", _("Party school")  # 党校
        OTHER = "other", _("Other venue")

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.COLLEGE)
    parent = models.ForeignKey(
        "self", verbose_name=_("belongs to"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="departments",
    )
    province = models.CharField(_("province"), max_length=30, blank=True)
    city = models.CharField(_("city"), max_length=30, blank=True)
    county = models.CharField(_("county"), max_length=30, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True)
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("college staff"), blank=True, related_name="venues",
        help_text=_("College staff and head teachers who manage the programs held here."),
    )

    class Meta:
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return _localized(self.name_zh, self.name_en)

    def clean(self) -> None:
        if self.parent_id and self.pk and self.parent_id == self.pk:
            raise ValidationError({"parent": _("A venue cannot belong to itself.")})


class Classroom(models.Model):  # 教室
    venue = models.ForeignKey(Venue, verbose_name=_("venue"), on_delete=models.CASCADE, related_name="classrooms")
    name = models.CharField(_("name"), max_length=60)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    capacity = models.PositiveIntegerField(_("seats"), validators=[MinValueValidator(1), MaxValueValidator(5000)])

    class Meta:
        verbose_name = _("classroom")
        verbose_name_plural = _("classrooms")
        ordering = ["venue_id", "name"]
        constraints = [models.UniqueConstraint(fields=["venue", "name"], name="classroom_unique_name_in_venue")]

    def __str__(self) -> str:
        return f"{self.venue.name} {self.display_name}"

    @property
    def display_name(self) -> str:
        """The name in the interface language (the Chinese name when no English one is recorded)."""
        return _localized(self.name, self.name_en)


class Site(TimeStampedModel):  # 红色教育基地 (现场教学点)
    class Region(models.TextChoices):
        DABIE = "Dabie", _("Dabie Mountains")
        NANYANG = "Nanyang", _("Nanyang")
        OTHER = "other", _("Other")

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    county = models.CharField(_("county"), max_length=30, blank=True)
    region = models.CharField(_("region"), max_length=20, choices=Region.choices, default=Region.OTHER,
                              db_index=True)
    theme = models.CharField(_("theme"), max_length=200, blank=True)
    typical_use = models.CharField(_("typical use"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("red-education site")
        verbose_name_plural = _("red-education sites")
        ordering = ["region", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return _localized(self.name_zh, self.name_en)


class TravelTime(models.Model):  # 行程时间
    """Travel minutes between two places (a venue or a site at each end); looked up in both directions."""

    from_venue = models.ForeignKey(Venue, null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                                   verbose_name=_("from venue"))
    from_site = models.ForeignKey(Site, null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                                  verbose_name=_("from site"))
    to_venue = models.ForeignKey(Venue, null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                                 verbose_name=_("to venue"))
    to_site = models.ForeignKey(Site, null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                                verbose_name=_("to site"))
    minutes = models.PositiveIntegerField(_("minutes"), validators=[MinValueValidator(1), MaxValueValidator(1440)])

    class Meta:
        verbose_name = _("travel time")
        verbose_name_plural = _("travel times")
        constraints = [
            models.CheckConstraint(
                condition=(Q(from_venue__isnull=True) ^ Q(from_site__isnull=True))
                & (Q(to_venue__isnull=True) ^ Q(to_site__isnull=True)),
                name="travel_time_one_place_each_end",
                violation_error_message=_("Give exactly one venue or site at each end."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.origin} → {self.destination}: {self.minutes}"

    @property
    def origin(self):
        return self.from_venue or self.from_site

    @property
    def destination(self):
        return self.to_venue or self.to_site

    @staticmethod
    def key(place) -> tuple[str, int]:
        return ("venue" if isinstance(place, Venue) else "site", place.pk)


class Instructor(TimeStampedModel):  # 授课教师
    class Kind(models.TextChoices):
        INTERNAL = "internal", _("Internal (college or working committee)")
        EXTERNAL = "external", _("External")

    name = models.CharField(pgettext_lazy("person", "name"), max_length=60)
    kind = models.CharField(_("internal or external"), max_length=10, choices=Kind.choices, default=Kind.INTERNAL)
    title = models.CharField(_("professional title"), max_length=100, blank=True)  # 职称/职务
    organization = models.CharField(_("works at"), max_length=100, blank=True)  # 工作单位
    venue = models.ForeignKey(Venue, verbose_name=_("college"), null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="instructors")
    person = models.ForeignKey(
        "organizations.Person", verbose_name=_("person in the registry"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="instructor_profiles",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("login"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="instructor_profile", help_text=_("The instructor sees their own sessions with this login."),
    )
    phone = models.CharField(_("mobile phone"), max_length=11, blank=True, validators=[validate_mobile])
    bio = models.TextField(_("profile"), blank=True)

    class Meta:
        verbose_name = _("instructor")
        verbose_name_plural = _("instructors")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.title}）" if self.title else self.name


class TeachingForm(models.TextChoices):  # 教学形式 (shared/domain/forms.csv)
    OPENING = "opening", _("Opening ceremony")  # 开班式
    LECTURE = "lecture", _("Theoretical teaching")  # 专题教学
    ONSITE_TEACHING = "onsite_teaching", _("On-site teaching")  # 现场教学
    SITE_VISIT = "site_visit", _("Visiting and learning")  # 参观学习
    EXPERIENTIAL = "experiential", _("Experiential teaching")  # 体验教学
    INTERVIEW = "interview", _("Interview teaching")  # 访谈教学
    DISCUSSION = "discussion", _("Exchange and research")  # 研讨交流
    CASE_TEACHING = "case_teaching", _("Case teaching")  # 案例教学
    ASSESSMENT = "assessment", _("Assessment")  # 考核评估
    CLOSING = "closing", _("Closing ceremony")  # 结业式
    TRAVEL = "travel", _("Travel and registration")  # 交通/报到


class FormCategory(models.TextChoices):
    """How the teaching forms add up in the mix: theory, practice (on red sites), exchange, other."""

    THEORY = "theory", _("Theory")
    PRACTICE = "practice", _("Practice")
    EXCHANGE = "exchange", _("Exchange")
    OTHER = "other", _("Other")


FORM_CATEGORY = {
    TeachingForm.LECTURE: FormCategory.THEORY,
    TeachingForm.CASE_TEACHING: FormCategory.THEORY,
    TeachingForm.ONSITE_TEACHING: FormCategory.PRACTICE,
    TeachingForm.SITE_VISIT: FormCategory.PRACTICE,
    TeachingForm.EXPERIENTIAL: FormCategory.PRACTICE,
    TeachingForm.INTERVIEW: FormCategory.PRACTICE,
    TeachingForm.DISCUSSION: FormCategory.EXCHANGE,
    TeachingForm.OPENING: FormCategory.OTHER,
    TeachingForm.CLOSING: FormCategory.OTHER,
    TeachingForm.ASSESSMENT: FormCategory.OTHER,
    TeachingForm.TRAVEL: FormCategory.OTHER,
}


# Teaching forms held by every group at the same time, each group in its own room (分组研讨): a catalog
# course of such a form, added to a phase with groups, becomes one session per group.
GROUP_FORMS = frozenset({TeachingForm.DISCUSSION})


class Course(TimeStampedModel):  # 课程库
    code = models.SlugField(_("code"), max_length=60, unique=True)
    form = models.CharField(_("teaching form"), max_length=20, choices=TeachingForm.choices, db_index=True)
    title_zh = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    default_hours = models.DecimalField(
        _("default hours"), max_digits=4, decimal_places=1, default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("24"))],
    )
    sites = models.ManyToManyField(Site, verbose_name=_("red-education sites"), blank=True, related_name="courses")
    instructors = models.ManyToManyField(Instructor, verbose_name=_("usual instructors"), blank=True,
                                         related_name="courses")
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("course catalog")
        ordering = ["form", "code"]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return _localized(self.title_zh, self.title_en)


def default_hours_per_day() -> Decimal:
    """学时 per training day: 90 hours / 12 days = 7.5 (cadre regulation 2023); a rule, not a literal."""
    return Decimal(str(conf.rule("hours_per_day")))


# --- Program -------------------------------------------------------------------------------------


class ProgramQuerySet(ScopedQuerySet):
    def visibility(self, user):
        return program_filter(user)


class Program(TimeStampedModel):  # 培训班
    Status = ProgramStatus

    # The plan as approved: these fields (and the phases' dates) change only in a draft or a returned plan.
    PLAN_FIELDS = (
        "title", "organizer", "legal_basis", "purpose", "target_population", "requirement", "venue",
        "planned_participants", "phase_count", "hours_per_day", "cost_per_person_day", "budget_estimate",
        "year", "content",
    )
    EDITABLE_STATUSES = PLAN_EDITABLE_STATUSES
    TIMETABLE_STATUSES = TIMETABLE_EDITABLE_STATUSES

    class Requirement(models.TextChoices):  # which training duty the program satisfies (compliance)
        INDUCTION = "induction", _("Induction training of newly appointed secretaries")  # 任职培训
        ROTATION = "rotation", _("Annual rotation training of secretaries")  # 轮训
        MEMBER_ANNUAL = "member_annual", _("Annual concentrated training of party members")
        OTHER = "other", _("Other")

    title = models.CharField(pgettext_lazy("training", "title"), max_length=200)
    year = models.PositiveSmallIntegerField(_("year"), db_index=True,
                                            validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    organizer = models.ForeignKey("organizations.Organ", verbose_name=_("organizer"), on_delete=models.PROTECT,
                                  related_name="programs")
    legal_basis = models.TextField(
        _("legal basis"), blank=True,
        help_text=_("Regulation and article, e.g. 《中国共产党党和国家机关基层组织工作条例》第三十一条."),
    )
    purpose = models.TextField(_("purpose"), blank=True)
    target_population = models.TextField(_("target participants"), blank=True)
    requirement = models.CharField(_("training duty satisfied"), max_length=20, choices=Requirement.choices,
                                   blank=True)
    content = models.TextField(_("content and teaching forms"), blank=True)
    venue = models.ForeignKey(Venue, verbose_name=_("venue"), null=True, blank=True, on_delete=models.PROTECT,
                              related_name="programs")
    planned_participants = models.PositiveIntegerField(_("planned participants"), default=0,
                                                       validators=[MaxValueValidator(100000)])
    phase_count = models.PositiveSmallIntegerField(_("number of phases"), default=1,
                                                   validators=[MinValueValidator(1), MaxValueValidator(50)])
    hours_per_day = models.DecimalField(
        _("hours credited per day"), max_digits=3, decimal_places=1, default=default_hours_per_day,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("12"))],
    )
    cost_per_person_day = models.DecimalField(
        _("cost standard per person and day (yuan)"), max_digits=8, decimal_places=2, default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    budget_estimate = models.DecimalField(
        _("budget estimate (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Leave empty to use participants × days × cost standard."),
    )
    contact_name = models.CharField(_("contact person"), max_length=60, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT,
                              db_index=True)
    submitted_at = models.DateTimeField(_("first submitted at"), null=True, blank=True)

    objects = ProgramQuerySet.as_manager()  # scoped: .visible_to(user)
    unscoped = UnscopedManager.from_queryset(ProgramQuerySet)()

    class Meta:
        default_manager_name = "unscoped"  # Django's own lookups; ours say .objects or .unscoped
        verbose_name = _("training program")
        verbose_name_plural = _("training programs")
        ordering = ["-year", "-id"]
        indexes = [models.Index(fields=["venue", "status"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("program_detail", args=[self.pk])

    @property
    def plan_editable(self) -> bool:
        return self.status in self.EDITABLE_STATUSES

    @property
    def timetable_editable(self) -> bool:
        return self.status in self.TIMETABLE_STATUSES


class ProgramReview(models.Model):  # 审批记录
    """A decision of the approver on a submitted plan: approved, or returned with comments."""

    class Decision(models.TextChoices):
        APPROVED = "approved", _("Approved")
        RETURNED = "returned", _("Returned for revision")

    program = models.ForeignKey(Program, verbose_name=_("program"), on_delete=models.CASCADE,
                                related_name="reviews")
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_by_name = models.CharField(_("decided by"), max_length=150, blank=True)
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)
    comments = models.TextField(pgettext_lazy("approval", "comments"), blank=True)
    document = models.FileField(_("approval document"), upload_to="approvals/%Y/", blank=True,
                                validators=[validate_approval_document])
    document_reference = models.CharField(_("document number"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("approval decision")
        verbose_name_plural = _("approval decisions")
        ordering = ["-decided_at", "-id"]

    def __str__(self) -> str:
        return f"{self.program} · {self.get_decision_display()}"


class Phase(TimeStampedModel):  # 期次
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", pgettext_lazy("training", "In progress")
        FINISHED = "finished", _("Finished")

    program = models.ForeignKey(Program, verbose_name=_("program"), on_delete=models.CASCADE,
                                related_name="phases")
    number = models.PositiveSmallIntegerField(_("phase number"), validators=[MinValueValidator(1)])
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    capacity = models.PositiveIntegerField(_("capacity"), default=0, validators=[MaxValueValidator(10000)])
    head_teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("head teacher"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="phases_as_head_teacher",
    )  # 班主任
    classroom = models.ForeignKey(Classroom, verbose_name=_("classroom"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="phases")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    temporary_branch = models.OneToOneField(
        "organizations.PartyOrganization", verbose_name=_("temporary party branch"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="training_phase",
    )  # 临时党支部

    class Meta:
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        ordering = ["program_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["program", "number"], name="phase_unique_number_in_program"),
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="phase_ends_after_start",
                                   violation_error_message=_("The last day cannot be before the first day.")),
        ]
        indexes = [models.Index(fields=["starts_on", "ends_on"])]

    def __str__(self) -> str:
        return _("%(program)s, phase %(number)s") % {"program": self.program.title, "number": self.number}

    def get_absolute_url(self) -> str:
        return reverse("phase_timetable", args=[self.pk])

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The last day cannot be before the first day.")})
        if self.program_id and self.number:
            clash = Phase.objects.filter(program_id=self.program_id, number=self.number).exclude(pk=self.pk)
            if clash.exists():
                raise ValidationError({"number": _("This program already has a phase with this number.")})

    @property
    def days(self) -> list[datetime.date]:
        count = (self.ends_on - self.starts_on).days + 1
        return [self.starts_on + datetime.timedelta(days=i) for i in range(count)]

    @property
    def day_count(self) -> int:
        return (self.ends_on - self.starts_on).days + 1


class Group(models.Model):  # 小组
    phase = models.ForeignKey(Phase, verbose_name=_("phase"), on_delete=models.CASCADE, related_name="groups")
    number = models.PositiveSmallIntegerField(_("group number"), validators=[MinValueValidator(1)])
    name = models.CharField(_("name"), max_length=60, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    leader = models.ForeignKey("organizations.Person", verbose_name=_("group leader"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    deputy_leader = models.ForeignKey("organizations.Person", verbose_name=_("deputy leader"), null=True,
                                      blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = pgettext_lazy("training", "group")
        verbose_name_plural = pgettext_lazy("training", "groups")
        ordering = ["phase_id", "number"]
        constraints = [models.UniqueConstraint(fields=["phase", "number"], name="group_unique_number_in_phase")]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name in the interface language (the Chinese name when no English one is recorded); without a
        name, "Group 3"."""
        return _localized(self.name, self.name_en) or _("Group %(number)s") % {"number": self.number}

    def clean(self) -> None:
        if self.phase_id and self.number and (
            Group.objects.filter(phase_id=self.phase_id, number=self.number).exclude(pk=self.pk).exists()
        ):
            raise ValidationError({"number": _("This phase already has a group with this number.")})
        if self.leader_id and self.leader_id == self.deputy_leader_id:
            raise ValidationError({"deputy_leader": _("The deputy leader must be another person.")})


class ClassCommitteeMember(models.Model):  # 班委成员
    class Role(models.TextChoices):
        MONITOR = "monitor", _("Class monitor")  # 班长
        DEPUTY_MONITOR = "deputy_monitor", _("Deputy class monitor")  # 副班长
        STUDY = "study", _("Study officer")  # 学习委员
        LIFE = "life", _("Life officer")  # 生活委员
        PUBLICITY = "publicity", _("Publicity officer")  # 宣传委员
        DISCIPLINE = "discipline", _("Discipline officer")  # 纪律委员
        SPORTS = "sports", _("Culture and sports officer")  # 文体委员

    phase = models.ForeignKey(Phase, verbose_name=_("phase"), on_delete=models.CASCADE,
                              related_name="committee_members")
    person = models.ForeignKey("organizations.Person", verbose_name=_("person"), on_delete=models.PROTECT,
                               related_name="class_committee_posts")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("to"))

    class Meta:
        verbose_name = _("class committee member")
        verbose_name_plural = _("class committee")
        ordering = ["phase_id", "role", "id"]
        constraints = [
            models.UniqueConstraint(fields=["phase", "person", "role"], name="committee_unique_person_role"),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_role_display()}"


# --- Sessions ------------------------------------------------------------------------------------


class SessionQuerySet(ScopedQuerySet):
    def visibility(self, user):
        return session_filter(user)

    def overlapping(self, starts_at, ends_at):
        return self.filter(starts_at__lt=ends_at, ends_at__gt=starts_at)


class Session(TimeStampedModel):  # 课程安排 (a slot in the timetable)
    phase = models.ForeignKey(Phase, verbose_name=_("phase"), on_delete=models.CASCADE, related_name="sessions")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    form = models.CharField(_("teaching form"), max_length=20, choices=TeachingForm.choices, db_index=True)
    title = models.CharField(pgettext_lazy("training", "title"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=400, blank=True)
    course = models.ForeignKey(Course, verbose_name=_("course"), null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="sessions")
    instructors = models.ManyToManyField(Instructor, verbose_name=_("instructors"), blank=True,
                                         related_name="sessions")
    venue = models.ForeignKey(Venue, verbose_name=_("venue"), null=True, blank=True, on_delete=models.PROTECT,
                              related_name="sessions")
    classroom = models.ForeignKey(Classroom, verbose_name=_("classroom"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="sessions")
    sites = models.ManyToManyField(Site, verbose_name=_("red-education sites"), blank=True,
                                   through="SessionStop", related_name="sessions")
    place_note = models.CharField(_("place (free text)"), max_length=200, blank=True,
                                  help_text=_("For travel, e.g. 南阳市→新县."))
    group = models.ForeignKey(Group, verbose_name=pgettext_lazy("training", "group"), null=True, blank=True,
                              on_delete=models.CASCADE, related_name="sessions",
                              help_text=_("Only for sessions held per group."))
    hours = models.DecimalField(
        _("hours credited"), max_digits=4, decimal_places=1, default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("24"))],
    )

    objects = SessionQuerySet.as_manager()  # scoped: .visible_to(user)
    unscoped = UnscopedManager.from_queryset(SessionQuerySet)()

    class Meta:
        default_manager_name = "unscoped"  # Django's own lookups; ours say .objects or .unscoped
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["starts_at", "group_id", "id"]
        indexes = [
            models.Index(fields=["phase", "starts_at"]),
            models.Index(fields=["starts_at", "ends_at"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="session_ends_after_start",
                                   violation_error_message=_("A session must end after it starts.")),
        ]

    def __str__(self) -> str:
        return f"{timezone.localtime(self.starts_at):%Y-%m-%d %H:%M} {self.title}"

    @property
    def display_title(self) -> str:
        return _localized(self.title, self.title_en)

    @property
    def category(self) -> str:
        return FORM_CATEGORY[self.form]

    @property
    def local_day(self) -> datetime.date:
        return timezone.localtime(self.starts_at).date()

    def clean(self) -> None:
        """Rules that need only this row; conflicts with other sessions are checked by the service."""
        errors = {}
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = _("A session must end after it starts.")
        if self.phase_id and self.starts_at and self.ends_at and "ends_at" not in errors:
            phase = self.phase
            first, last = timezone.localtime(self.starts_at).date(), timezone.localtime(self.ends_at).date()
            if first < phase.starts_on or last > phase.ends_on:
                errors["starts_at"] = _("The session must lie within the phase (%(start)s to %(end)s).") % {
                    "start": phase.starts_on, "end": phase.ends_on}
        if self.group_id and self.phase_id and self.group.phase_id != self.phase_id:
            errors["group"] = _("This group belongs to another phase.")
        if self.classroom_id and self.venue_id and self.classroom.venue_id != self.venue_id:
            errors["classroom"] = _("This classroom is not at the session's venue.")
        if errors:
            raise ValidationError(errors)


class SessionStop(models.Model):  # 现场教学点 (in visiting order)
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="stops")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="stops")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["session_id", "order"]
        constraints = [models.UniqueConstraint(fields=["session", "site"], name="stop_unique_site_in_session")]

    def __str__(self) -> str:
        return f"{self.order + 1}. {self.site}"
