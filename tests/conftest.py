import pytest
from django.core import mail

from tests.factories import OrganFactory, UserFactory


def _is_transactional(item) -> bool:
    """pytest-django's own test: a transactional test (live server, browser tests) empties the database after it."""
    marker = item.get_closest_marker("django_db")
    if marker is not None and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")):
        return True
    return bool({"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())))


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Under pytest-xdist (`make test`: -n auto; pyproject's addopts: --dist loadfile --no-loadscope-reorder)
    each worker runs whole files, handed out in the order of this list: the files with the most tests first, so
    that the workers finish at about the same time, and the files with transactional tests (tests/e2e) last of
    all. A transactional test empties the worker's database when it ends, the rows written by the migrations
    (the portal's home page, the default site) included; Django's test runner runs such tests last for that
    reason, and pytest-django sorts them last within one process, but not across the files of a worker. Within
    a file the order is kept."""
    if not hasattr(config, "workerinput"):  # not an xdist worker: pytest-django's order is enough
        return
    files: dict[str, list] = {}
    for item in items:
        files.setdefault(item.nodeid.split("::")[0], []).append(item)
    order = sorted(files, key=lambda path: (any(map(_is_transactional, files[path])), -len(files[path])))
    items[:] = [item for path in order for item in files[path]]


@pytest.fixture(autouse=True)
def _no_real_email(settings):
    """Any attempt to send e-mail fails the test (tests/mail_backend.py), unless the test asks for `mailoutbox`."""
    settings.EMAIL_BACKEND = "tests.mail_backend.RealEmailRefused"


@pytest.fixture
def mailoutbox(_no_real_email, settings):
    """The mail sent during the test, kept in memory (Django's locmem backend) instead of failing the test.
    (Overrides pytest-django's fixture of the same name, which relies on the locmem backend being on.)"""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    return mail.outbox


@pytest.fixture(autouse=True)
def sms_outbox(settings):
    """SMS "sent" during the test, kept in memory (outbox.backends.LocmemSmsBackend): no test sends a real SMS."""
    from dangjian.outbox import backends

    settings.DANGJIAN_SMS_BACKEND = "dangjian.outbox.backends.LocmemSmsBackend"
    backends.sms_outbox.clear()
    return backends.sms_outbox


@pytest.fixture(autouse=True, scope="session")
def _media_root_per_worker(tmp_path_factory):
    """Uploaded files go to a temporary folder of this test process (each xdist worker has its own), never to
    the checkout's var/media. Tests that look at the files set settings.MEDIA_ROOT = tmp_path themselves."""
    from django.test import override_settings

    with override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("media")),  # signals the storages, too
                           OUTBOX_ATTACHMENT_ROOT=tmp_path_factory.mktemp("outbox-attachments"),
                           CLOSING_PACK_ROOT=tmp_path_factory.mktemp("closing-packs"),
                           CERTIFICATE_ROOT=tmp_path_factory.mktemp("certificates")):
        yield


@pytest.fixture(autouse=True, scope="session")
def _tasks_run_at_once(tmp_path_factory):
    """Background tasks run at once, inside the request or call that enqueues them (no worker process), and
    their uploads wait in a temporary folder of this test process (settings.JOB_UPLOAD_ROOT)."""
    from django.test import override_settings

    with override_settings(TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
                           JOB_UPLOAD_ROOT=tmp_path_factory.mktemp("job-uploads")):
        yield


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


def users_for_every_role(organ) -> dict:
    """One user per role, and None for "anonymous"; the unit administrator is scoped to `organ`."""
    users = {role: UserFactory(username=f"as-{role}", roles=[role]) for role in ROLES}
    users["unit_admin"].organs.set([organ])
    users["anonymous"] = None
    return users


@pytest.fixture
def users_by_role(db, organ):
    """One user per role; the unit administrator is scoped to `organ`."""
    return users_for_every_role(organ)

