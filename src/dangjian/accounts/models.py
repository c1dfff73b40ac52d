import hashlib
import secrets

from django.contrib.auth.models import AbstractUser, Group
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from dangjian.accounts.roles import Role


class User(AbstractUser):  # 用户
    full_name = models.CharField(_("full name"), max_length=60, blank=True)
    organs = models.ManyToManyField(
        "organizations.Organ",
        verbose_name=_("organs administered"),
        blank=True,
        related_name="administrators",
        help_text=_("A unit administrator sees and edits only these organs' data."),
    )
    person = models.OneToOneField(
        "organizations.Person",
        verbose_name=_("person in the registry"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="user",
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The person's name; the login name only for an account that has no name recorded."""
        return self.full_name or self.username

    def get_full_name(self) -> str:
        # Django's admin and Wagtail's editor ask this (AbstractUser's first_name/last_name stay empty here).
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name

    @property
    def affiliation(self) -> str:
        """Where the user works, for telling people apart in a choice: the colleges whose staff they are, else
        the organs they administer, else their college or employer as an instructor, else the organ of their
        person in the registry. Read with accounts.selectors.with_affiliation (no query per user)."""
        names = [venue.name for venue in self.venues.all()] or [organ.name for organ in self.organs.all()]
        if not names:
            profile = getattr(self, "instructor_profile", None)
            if profile is not None:
                names = [profile.venue.name if profile.venue_id else profile.organization]
            elif self.person_id:
                names = [self.person.organ.name]
        return "、".join(name for name in names if name)

    @property
    def affiliated_name(self) -> str:
        """The label of a user in a choice (a head teacher, a college's staff, an instructor's login): the name
        and where they work, "陈静（河南大别山干部学院）" — never the login name beside it."""
        affiliation = self.affiliation
        if not affiliation:
            return self.display_name
        return _("%(name)s (%(affiliation)s)") % {"name": self.display_name, "affiliation": affiliation}

    @cached_property
    def roles(self) -> frozenset[str]:
        """Role codes this user holds (one query, cached for the request)."""
        if not self.is_active or not self.pk:
            return frozenset()
        names = self.groups.filter(name__in=Role.values).values_list("name", flat=True)
        return frozenset(names)

    @cached_property
    def organ_ids(self) -> frozenset[int]:
        """Organs a unit administrator is scoped to (one query, cached for the request)."""
        if not self.pk:
            return frozenset()
        return frozenset(self.organs.values_list("pk", flat=True))

    def has_role(self, role: str) -> bool:
        return role in self.roles

    def grant_role(self, role: str) -> None:
        group, _created = Group.objects.get_or_create(name=Role(role).value)
        self.groups.add(group)
        self.__dict__.pop("roles", None)

    @property
    def role_labels(self) -> list[str]:
        return [Role(code).label for code in Role.values if code in self.roles]


class ApiToken(models.Model):  # API 令牌
    """A per-user API token. Only its SHA-256 digest is stored; the token is shown once."""

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE,
                             related_name="platform_api_tokens")  # Wagtail 8 has its own User.api_tokens
    name = models.CharField(_("name"), max_length=100, blank=True)
    digest = models.CharField(_("digest"), max_length=64, unique=True)
    prefix = models.CharField(_("prefix"), max_length=8)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.user} {self.prefix}…"

    @staticmethod
    def digest_of(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def issue(cls, *, user: User, name: str = "") -> str:
        token = "dj_" + secrets.token_urlsafe(32)
        cls.objects.create(user=user, name=name, digest=cls.digest_of(token), prefix=token[:8])
        return token
