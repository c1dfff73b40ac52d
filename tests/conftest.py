import pytest
from django.core import mail  # noqa: F401

from tests.factories import OrganFactory, UserFactory


@pytest.fixture(autouse=True)
def _no_real_email(settings):
    """Any attempt to send real email fails the test (locmem backend keeps it in memory)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture(autouse=True)
def _english_off(settings):
    settings.LANGUAGE_CODE = "zh-hans"


@pytest.fixture(autouse=True)
def _portal_cache_off(settings):
    """Portal pages are rendered afresh in tests (query counts, response.context); tests/portal/test_cache.py
    turns the cache on where it is the subject."""
    settings.PORTAL_CACHE_SECONDS = 0


@pytest.fixture
def organ(db):
    return OrganFactory()


@pytest.fixture
def other_organ(db):
    return OrganFactory()


@pytest.fixture
def organizer(db):
    return UserFactory(username="organizer", roles=["organizer"])


@pytest.fixture
def unit_admin(db, organ):
    return UserFactory(username="unitadmin", roles=["unit_admin"], organs=[organ])


ROLES = ["organizer", "approver", "unit_admin", "college_staff", "instructor", "participant", "editor", "reviewer"]


@pytest.fixture
def users_by_role(db, organ):
    """One user per role; the unit administrator is scoped to `organ`."""
    users = {role: UserFactory(username=f"as-{role}", roles=[role]) for role in ROLES}
    users["unit_admin"].organs.set([organ])
    users["anonymous"] = None
    return users
