"""The registry: organs, their party organizations, people and their posts (appointments)."""

import datetime

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dangjian.core import conf
from dangjian.core.fields import IdNumberField, MobileField, PersonNameField, SortKeyField
from dangjian.core.models import SortKeyedModel, TimeStampedModel
from dangjian.core.scoping import ScopedQuerySet, UnscopedManager
from dangjian.core.validators import (
    id_number_birth_date,
    id_number_gender,
    normalize_id_number,
    normalize_mobile,
    normalize_person_name,
    validate_id_number,
    validate_mobile,
)
from dangjian.organizations.scoping import organ_filter


def term_end(started_on: datetime.date | None, term_years: int | None, org_type: str) -> datetime.date | None:
    """When a term begun on `started_on` ends: its own length in years (when set and not 0), else its type's (rule
    term_years). A term begun on 29 February ends on the 28th in a year that is not a leap year."""
    if not started_on:
        return None
    try:
        return started_on + relativedelta(years=term_years or conf.term_years_for(org_type))
    except (ValueError, OverflowError):  # a length no form accepts (full_clean refuses it before saving)
        return None


class TermEndField(models.DateField):
    """PartyOrganization.term_ends_on, stored so that the 换届 warnings filter and sort through an index: computed
    by `term_end` on every save and bulk_create (both call pre_save). A write that bypasses pre_save (QuerySet.
    update, bulk_update, COPY) sets it itself; a change of the default term lengths (settings.DANGJIAN_RULES)
    needs `dangjian refresh_term_ends`."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def pre_save(self, model_instance, add):
        value = term_end(model_instance.term_started_on, model_instance.term_years, model_instance.org_type)
        setattr(model_instance, self.attname, value)
        return value

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        for option in ("null", "blank", "editable"):
            kwargs.pop(option, None)
        return name, path, args, kwargs


class OrganQuerySet(ScopedQuerySet):
    def visibility(self, user):
        """Organs a user may see: all for an organizer, their own for a unit administrator."""
        return organ_filter(user, "pk")


def organ_order(path: str = "") -> list:
    """Order by the official list of organs (sort_order; organs without one after, by pinyin), for an Organ
    (path "") or through a relation (path "organ__", "person__organ__")."""
    return [F(f"{path}sort_order").asc(nulls_last=True), f"{path}name_sort", f"{path}id"]


class Organ(SortKeyedModel):  # 单位 (市直机关)
    class Sector(models.TextChoices):
        PARTY = "party", _("Party committee organs")
        PEOPLES_CONGRESS = "peoples_congress", _("People's congress")
        GOVERNMENT = "government", _("Government departments")
        CPPCC = "cppcc", _("CPPCC")
        JUDICIAL = "judicial", _("Court and procuratorate")
        MASS_ORGANIZATION = "mass_organization", _("Mass organizations")
        PUBLIC_INSTITUTION = "public_institution", _("Public institutions")

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices, db_index=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent organ"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="children",
    )
    # The official order (the order of the working committee's list, e.g. organs.csv); not the code.
    sort_order = models.PositiveIntegerField(
        _("place in the list"), null=True, blank=True,
        help_text=_("Place in the official list of organs (1 comes first). Organs without one follow, by name."),
    )
    name_sort = SortKeyField(source="name_zh", numbers=True, db_index=False)  # indexed in organ_official_order

    objects = OrganQuerySet.as_manager()  # scoped: .visible_to(user)
    unscoped = UnscopedManager.from_queryset(OrganQuerySet)()

    class Meta:
        default_manager_name = "unscoped"  # Django's own lookups; ours say .objects or .unscoped
        verbose_name = _("organ")
        verbose_name_plural = _("organs")
        ordering = organ_order()
        # The official order, whole: lists of party organizations and people walk the organs in it and sort
        # each organ's rows alone (PostgreSQL's incremental sort), instead of sorting every row of the province.
        indexes = [models.Index(fields=["sort_order", "name_sort", "id"], name="organ_official_order")]

    def __str__(self) -> str:
        return self.name_zh

    def get_absolute_url(self) -> str:
        return reverse("organ_detail", args=[self.pk])

    def clean(self) -> None:
        ancestor, seen = self.parent if self.parent_id else None, set()
        while ancestor is not None and ancestor.pk not in seen:
            if self.pk and ancestor.pk == self.pk:
                raise ValidationError({"parent": _("An organ cannot be its own parent or ancestor.")})
            seen.add(ancestor.pk)
            ancestor = ancestor.parent

    @property
    def name(self) -> str:
        from django.utils.translation import get_language

        return self.name_en if (get_language() or "").startswith("en") and self.name_en else self.name_zh


class PartyOrganizationQuerySet(ScopedQuerySet):
    def visibility(self, user):
        return organ_filter(user, "organ")


class PartyOrganization(SortKeyedModel):  # 党组织
    class Type(models.TextChoices):
        COMMITTEE = "committee", _("Organ party committee")  # 机关党委
        GENERAL_BRANCH = "general_branch", _("General party branch")  # 党总支
        BRANCH = "branch", _("Party branch")  # 党支部
        TEMPORARY_BRANCH = "temporary_branch", _("Temporary party branch")  # 临时党支部

    # Which type may sit under which (a branch under a general branch or committee, ...).
    ALLOWED_PARENTS = {
        Type.COMMITTEE: set(),
        Type.GENERAL_BRANCH: {Type.COMMITTEE},
        Type.BRANCH: {Type.COMMITTEE, Type.GENERAL_BRANCH},
        Type.TEMPORARY_BRANCH: {Type.COMMITTEE, Type.GENERAL_BRANCH, Type.BRANCH},
    }

    organ = models.ForeignKey(
        Organ, verbose_name=_("organ"), on_delete=models.PROTECT, related_name="party_organizations"
    )
    name = models.CharField(_("name"), max_length=120)
    org_type = models.CharField(_("type"), max_length=20, choices=Type.choices, db_index=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent organization"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="children",
    )
    founded_on = models.DateField(_("founded on"), null=True, blank=True)
    term_started_on = models.DateField(_("current term started on"), null=True, blank=True)
    term_years = models.PositiveSmallIntegerField(
        _("term length (years)"), null=True, blank=True,
        help_text=_("Leave empty for the default of the organization type."),
    )
    member_count = models.PositiveIntegerField(_("members"), default=0)
    name_sort = SortKeyField(source="name", numbers=True, db_index=False)  # 第二党支部 before 第三 before 第十
    term_ends_on = TermEndField(_("current term ends on"))  # from the three fields above it: term_end()

    objects = PartyOrganizationQuerySet.as_manager()  # scoped: .visible_to(user)
    unscoped = UnscopedManager.from_queryset(PartyOrganizationQuerySet)()

    class Meta:
        default_manager_name = "unscoped"  # Django's own lookups; ours say .objects or .unscoped
        verbose_name = _("party organization")
        verbose_name_plural = _("party organizations")
        ordering = [*organ_order("organ__"), "name_sort", "id"]
        indexes = [
            models.Index(fields=["organ", "name_sort", "id"]),  # the lists' order within an organ
            # The 换届 warnings (selectors.term_warnings): a range of this index, counted from it alone
            models.Index(fields=["term_ends_on"], condition=~Q(org_type="temporary_branch"),
                         name="party_org_term_ends"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["organ", "name"], name="party_org_unique_name_in_organ"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("party_organization_detail", args=[self.pk])

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._stored_org_type = instance.__dict__.get("org_type")
        return instance

    TERM_FIELDS = {"term_started_on", "term_years", "org_type"}

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and self.TERM_FIELDS & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "term_ends_on"}
        super().save(*args, **kwargs)
        stored, self._stored_org_type = getattr(self, "_stored_org_type", None), self.org_type
        temporary = self.Type.TEMPORARY_BRANCH
        if stored is not None and (stored == temporary) != (self.org_type == temporary):
            # A temporary branch's secretaries are not secretaries of the registry: their first post moves.
            Person.refresh_first_secretary_on(self.posts.values("person_id"))

    def clean(self) -> None:
        if self.organ_id and self.name:
            # Reported on the field, where the person typing can see it (the constraint would be non-field).
            same_name = PartyOrganization.unscoped.filter(organ_id=self.organ_id, name=self.name).exclude(pk=self.pk)
            if same_name.exists():
                raise ValidationError({"name": _("This organ already has a party organization of this name.")})
        if self.parent_id:
            if self.pk and self.parent_id == self.pk:
                raise ValidationError({"parent": _("A party organization cannot be its own parent.")})
            parent = self.parent
            if self.org_type and parent.org_type not in self.ALLOWED_PARENTS[self.org_type]:
                raise ValidationError(
                    {"parent": _("A %(child)s cannot sit under a %(parent)s.")
                     % {"child": self.get_org_type_display(), "parent": parent.get_org_type_display()}}
                )
            if self.organ_id and parent.organ_id != self.organ_id and self.org_type != self.Type.TEMPORARY_BRANCH:
                raise ValidationError({"parent": _("The parent organization belongs to another organ.")})
            ancestor, seen = parent, set()
            while ancestor is not None and ancestor.pk not in seen:
                if self.pk and ancestor.pk == self.pk:
                    raise ValidationError({"parent": _("This would make the tree circular.")})
                seen.add(ancestor.pk)
                ancestor = ancestor.parent

    @property
    def effective_term_years(self) -> int:
        return self.term_years or conf.term_years_for(self.org_type)

    @classmethod
    def refresh_term_ends(cls) -> int:
        """Compute every stored term end again (after a change of the default term lengths); returns how many
        changed. In chunks, writing only the changed rows."""
        changed = 0
        rows = cls.unscoped.order_by("pk").values_list("pk", "term_started_on", "term_years", "org_type",
                                                        "term_ends_on")
        updates = []
        for pk, started_on, term_years, org_type, stored in rows.iterator(chunk_size=2000):
            ends = term_end(started_on, term_years, org_type)
            if ends != stored:
                updates.append(cls(pk=pk, term_ends_on=ends))
            if len(updates) >= 2000:
                changed += cls.unscoped.bulk_update(updates, ["term_ends_on"])
                updates = []
        return changed + (cls.unscoped.bulk_update(updates, ["term_ends_on"]) if updates else 0)

    def term_status(self, today: datetime.date | None = None) -> str:
        """'overdue', 'due' (within the warning window), 'ok' or 'unknown' for the 换届 (general election)."""
        ends = term_end(self.term_started_on, self.term_years, self.org_type)  # also before the record is saved
        if ends is None:
            return "unknown"
        today = today or timezone.localdate()
        if ends < today:
            return "overdue"
        if ends <= today + relativedelta(months=conf.rule("term_warning_months")):
            return "due"
        return "ok"


class PersonQuerySet(ScopedQuerySet):
    def visibility(self, user):
        return organ_filter(user, "organ")


class Person(SortKeyedModel):  # 人员
    class Gender(models.TextChoices):
        MALE = "male", _("Male")
        FEMALE = "female", _("Female")

    class Education(models.TextChoices):
        DOCTORATE = "doctorate", _("Doctorate")
        MASTER = "master", _("Master's degree")
        BACHELOR = "bachelor", _("Bachelor's degree")
        COLLEGE = "college", _("Junior college")
        SECONDARY = "secondary", _("Secondary school or below")

    class RankLevel(models.TextChoices):  # 职级; the order matters for the hours tiers
        BUREAU_CHIEF = "bureau_chief", _("Bureau level, chief")  # 厅局级正职
        BUREAU_DEPUTY = "bureau_deputy", _("Bureau level, deputy")  # 厅局级副职
        DIVISION_CHIEF = "division_chief", _("Division level, chief")  # 县处级正职
        DIVISION_DEPUTY = "division_deputy", _("Division level, deputy")  # 县处级副职
        RESEARCHER = "researcher", _("Researcher (1st-4th grade)")  # 一至四级调研员
        SECTION_CHIEF = "section_chief", _("Section level, chief")  # 乡科级正职
        SECTION_DEPUTY = "section_deputy", _("Section level, deputy")  # 乡科级副职
        PRINCIPAL_STAFF = "principal_staff", _("Principal staff member")  # 一至四级主任科员
        STAFF = "staff", _("Staff member")  # 科员
        CLERK = "clerk", _("Clerk")  # 办事员

    name = PersonNameField(pgettext_lazy("person", "name"), max_length=40, db_index=True)
    gender = models.CharField(_("gender"), max_length=6, choices=Gender.choices, blank=True,
                              help_text=_("Taken from the ID number when left empty."))
    birth_date = models.DateField(_("birth date"), null=True, blank=True, db_index=True)
    ethnicity = models.CharField(_("ethnicity"), max_length=20, blank=True, default="汉族")
    party_joined_on = models.DateField(_("joined the party on"), null=True, blank=True)
    # Normalised (full-width digits, blanks, x) before validation and the uniqueness check: core/fields.py.
    id_number = IdNumberField(_("ID number"), max_length=18, unique=True, validators=[validate_id_number])
    mobile = MobileField(_("mobile phone"), max_length=11, blank=True, validators=[validate_mobile])
    education = models.CharField(_("education"), max_length=12, choices=Education.choices, blank=True)
    position = models.CharField(_("position"), max_length=100, blank=True, db_index=True)  # searched by prefix
    rank_level = models.CharField(_("rank level"), max_length=20, choices=RankLevel.choices, blank=True)
    organ = models.ForeignKey(Organ, verbose_name=_("organ"), on_delete=models.PROTECT, related_name="people")
    name_sort = SortKeyField(source="name", person_name=True, db_index=False)  # the surname read as a surname
    # When the first secretary post began (not one of a temporary branch of a training class): "newly appointed"
    # is derived from it. Stored, so that a province's people are filtered and sorted by it through an index; kept
    # by Post.save() and delete() and PartyOrganization.save() (refresh_first_secretary_on), and by the bulk
    # import, which calls it.
    first_secretary_on = models.DateField(_("first secretary post"), null=True, blank=True, editable=False,
                                          db_index=True)

    objects = PersonQuerySet.as_manager()  # scoped: .visible_to(user)
    unscoped = UnscopedManager.from_queryset(PersonQuerySet)()

    class Meta:
        default_manager_name = "unscoped"  # Django's own lookups; ours say .objects or .unscoped
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["name_sort", "id"]
        indexes = [
            models.Index(fields=["name_sort", "id"]),  # the list's order: a page's keys from the index alone
            models.Index(fields=["organ", "name_sort", "id"]),
            # Latest first secretary post first, people without one last (selectors.PEOPLE_SORTS["-appointed"]).
            models.Index(Coalesce("first_secretary_on", Value(datetime.date.min)).desc(),
                         name="person_latest_appointed"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("person_detail", args=[self.pk])

    def save(self, *args, **kwargs):
        adding = self._state.adding
        super().save(*args, **kwargs)
        if not adding and kwargs.get("update_fields") is None:
            # A full save writes this record's every field, the stored first secretary post too, which a post
            # saved since this instance was loaded may have changed.
            Person.refresh_first_secretary_on([self.pk])

    @classmethod
    def refresh_first_secretary_on(cls, people) -> None:
        """Store again the first secretary post of `people` (ids, or a queryset of ids), or of everybody (None):
        one UPDATE, the same on SQLite and PostgreSQL."""
        first = (
            Post.unscoped.filter(person=OuterRef("pk"), role=Post.Role.SECRETARY)
            .exclude(party_organization__org_type=PartyOrganization.Type.TEMPORARY_BRANCH)
            .order_by("started_on").values("started_on")[:1]
        )
        queryset = cls.unscoped.all() if people is None else cls.unscoped.filter(pk__in=people)
        queryset.update(first_secretary_on=Subquery(first))

    def clean(self) -> None:
        # Again here: clean_fields() skips the fields a ModelForm leaves out.
        self.id_number = normalize_id_number(self.id_number)
        self.name = normalize_person_name(self.name)
        self.mobile = normalize_mobile(self.mobile)
        errors = {}
        try:
            validate_id_number(self.id_number)
        except ValidationError:
            return  # the field validator reports it
        birth = id_number_birth_date(self.id_number)
        if self.birth_date is None:
            self.birth_date = birth
        elif self.birth_date != birth:
            errors["birth_date"] = _("The birth date does not match the ID number (%(date)s).") % {"date": birth}
        if not self.gender:
            self.gender = id_number_gender(self.id_number)
        elif self.gender != id_number_gender(self.id_number):
            errors["gender"] = _("The gender does not match the ID number.")
        if self.party_joined_on and self.birth_date and self.party_joined_on <= self.birth_date:
            errors["party_joined_on"] = _("The party membership date must be after the birth date.")
        if errors:
            raise ValidationError(errors)


class PostQuerySet(ScopedQuerySet):
    def visibility(self, user):
        return organ_filter(user, "person__organ")

    def current(self, on: datetime.date | None = None):
        on = on or timezone.localdate()
        return self.filter(Q(ended_on__isnull=True) | Q(ended_on__gte=on), started_on__lte=on)

    def overlapping(self, *, started_on: datetime.date, ended_on: datetime.date | None):
        """Posts whose period [started_on, ended_on] (open end = still running) meets the given one."""
        qs = self.filter(Q(ended_on__isnull=True) | Q(ended_on__gte=started_on))
        if ended_on is not None:
            qs = qs.filter(started_on__lte=ended_on)
        return qs


class Post(TimeStampedModel):  # 任职
    class Role(models.TextChoices):
        SECRETARY = "secretary", _("Secretary")  # 书记
        DEPUTY_SECRETARY = "deputy_secretary", _("Deputy secretary")  # 副书记
        COMMITTEE_MEMBER = "committee_member", _("Committee member")  # 委员

    class Portfolio(models.TextChoices):  # 分工
        ORGANIZATION = "organization", _("Organization")  # 组织委员
        PUBLICITY = "publicity", _("Publicity")  # 宣传委员
        DISCIPLINE = "discipline", _("Discipline inspection")  # 纪检委员

    class Method(models.TextChoices):
        ELECTED = "elected", _("Elected")  # 选举产生
        APPOINTED = "appointed", _("Appointed")  # 上级任命

    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="posts")
    party_organization = models.ForeignKey(
        PartyOrganization, verbose_name=_("party organization"), on_delete=models.PROTECT, related_name="posts"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, db_index=True)
    portfolio = models.CharField(_("portfolio"), max_length=20, choices=Portfolio.choices, blank=True)
    started_on = models.DateField(_("from"), db_index=True)
    ended_on = models.DateField(_("to"), null=True, blank=True)
    method = models.CharField(_("elected or appointed"), max_length=10, choices=Method.choices,
                              default=Method.ELECTED)
    approval_reference = models.CharField(_("approval reference"), max_length=100, blank=True,
                                          help_text=_("Number of the working committee's approval document."))

    objects = PostQuerySet.as_manager()  # scoped: .visible_to(user)
    unscoped = UnscopedManager.from_queryset(PostQuerySet)()

    class Meta:
        default_manager_name = "unscoped"  # Django's own lookups; ours say .objects or .unscoped
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["-started_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="post_ends_after_start",
                violation_error_message=_("A post cannot end before it starts."),
            ),
            # At most one open-ended secretary post per party organization (the service also
            # refuses overlapping dated periods, which a partial index cannot express).
            models.UniqueConstraint(
                fields=["party_organization"],
                condition=Q(role="secretary", ended_on__isnull=True),
                name="post_one_open_secretary",
                violation_error_message=_("This party organization already has a current secretary."),
            ),
        ]
        indexes = [
            models.Index(fields=["party_organization", "role", "started_on"]),
            models.Index(fields=["person", "role", "started_on"]),  # a person's first secretary post
            # The start page's count of current secretaries, from the index alone (selectors.current_secretary_count)
            models.Index(fields=["started_on", "ended_on", "party_organization"], condition=Q(role="secretary"),
                         name="post_secretary_periods"),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.party_organization} · {self.get_role_display()}"

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._stored_person_id = instance.__dict__.get("person_id")
        return instance

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        people = {self.person_id, getattr(self, "_stored_person_id", None)} - {None}
        self._stored_person_id = self.person_id
        Person.refresh_first_secretary_on(people)

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        Person.refresh_first_secretary_on([self.person_id])
        return result

    def clean(self) -> None:
        if self.ended_on and self.started_on and self.ended_on < self.started_on:
            raise ValidationError({"ended_on": _("A post cannot end before it starts.")})
        if self.portfolio and self.role != self.Role.COMMITTEE_MEMBER:
            raise ValidationError({"portfolio": _("Only a committee member has a portfolio.")})
        if not (self.started_on and self.party_organization_id and self.person_id and self.role):
            return
        others = Post.unscoped.exclude(pk=self.pk).overlapping(started_on=self.started_on, ended_on=self.ended_on)
        if self.role == self.Role.SECRETARY:
            clash = others.filter(party_organization_id=self.party_organization_id, role=self.role)
            clash = clash.select_related("person").first()
            if clash is not None:
                raise ValidationError({"started_on": _(
                    "%(org)s already has a secretary in this period: %(person)s from %(start)s."
                ) % {"org": self.party_organization, "person": clash.person, "start": clash.started_on}})
        same = others.filter(
            person_id=self.person_id, party_organization_id=self.party_organization_id, role=self.role
        )
        if same.exists():
            raise ValidationError({"started_on": _(
                "This person already holds the same post in this period."
            )})

    @property
    def is_current(self) -> bool:
        today = timezone.localdate()
        return self.started_on <= today and (self.ended_on is None or self.ended_on >= today)
