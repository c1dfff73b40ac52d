"""The closing pack's pages (web/urls_closing.py): the permission matrix of every role (and anonymous) for making a
pack and downloading it (outcomes read back from the database: a refused request changes no row), the audited
downloads, the program page's 结业材料 section with what stands in the way of closing, and its query count. The API:
tests/api/test_closing_api.py.

organizer, college staff of the venue -> make, list, download
college staff of another venue        -> 404 (the program is not in their scope)
others                                -> 403; anonymous: the login page (pages) or 401 (API)
"""

import datetime
from types import SimpleNamespace

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dangjian.completion import pack as pack_module
from dangjian.completion.models import ClosingPack
from dangjian.core.models import AuditEntry
from dangjian.enrollment.models import Nomination, Placement
from dangjian.training.models import Program
from tests.conftest import ROLES
from tests.denials import assert_no_traceback_logged
from tests.factories import PersonFactory, PhaseFactory, ProgramFactory, SessionFactory, UserFactory
from tests.shared_world import world_per_module
from tests.state import db_state, state_diff

pytestmark = pytest.mark.django_db

ALL_ROLES = [*ROLES, "anonymous"]
RUNNERS = {"organizer", "college_staff"}


def _build(users_by_role, organ):
    program = ProgramFactory(status="in_progress")
    program.venue.staff.add(users_by_role["college_staff"])
    phase = PhaseFactory(program=program, number=1, starts_on=datetime.date(2022, 10, 10),
                         ends_on=datetime.date(2022, 10, 14))
    for _ in range(2):
        nomination = Nomination.unscoped.create(program=program, person=PersonFactory(organ=organ), organ=organ,
                                                status="confirmed")
        Placement.unscoped.create(nomination=nomination, phase=phase)
    SessionFactory(phase=phase)
    return SimpleNamespace(program=program, pack=stored_pack(program))


def date_pack_back(pack) -> None:
    """Make the stored pack older than the records: it is dated a second ahead (stored_pack), and a change made
    within that second would not make it out of date."""
    ClosingPack.unscoped.filter(pk=pack.pk).update(made_at=timezone.now() - datetime.timedelta(hours=1))


def stored_pack(program, made_at=None) -> ClosingPack:
    pack = ClosingPack(program=program, made_at=made_at or timezone.now() + datetime.timedelta(seconds=1),
                       page_count=3)
    pack.pdf.save("test.pdf", ContentFile(b"%PDF-1.4 pack"), save=False)
    pack.archive.save("test.zip", ContentFile(b"PK zip"), save=False)
    pack.save()
    return pack


_built_once, users_by_role, records = world_per_module(_build)


@pytest.fixture(autouse=True)
def _quick_pack(monkeypatch):
    """The layout itself is tested in test_closing.py; here a pack of one page is enough."""
    monkeypatch.setattr(pack_module, "closing_pack_render", lambda **kwargs: pack_module.RenderedPack(
        pdf=b"%PDF-1.4 quick", zip=b"PK quick", page_count=1, parts=[]))


# --- Pages ---------------------------------------------------------------------------------------------------

PAGES = [("closing_pack_make", "post", "program"), ("closing_pack_pdf", "get", "pack"),
         ("closing_pack_zip", "get", "pack")]


def expected_page(role):
    if role == "anonymous":
        return 302
    return None if role in RUNNERS else 403


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize(("name", "method", "target"), PAGES)
def test_page_permission_matrix(client, users_by_role, records, role, name, method, target, caplog):
    user = users_by_role[role]
    if user is not None:
        client.force_login(user)
    url = reverse(name, args=[getattr(records, target).pk])
    before = db_state()
    packs = ClosingPack.unscoped.count()
    response = client.post(url) if method == "post" else client.get(url)
    assert_no_traceback_logged(caplog)
    expected = expected_page(role)
    if expected is not None:
        assert response.status_code == expected
        if role == "anonymous":
            assert response["Location"].startswith(reverse("login") + "?next=")
        assert state_diff(before, db_state()) == {}
        return
    if method == "post":
        assert response.status_code == 302 and "/jobs/" in response["Location"]
        assert ClosingPack.unscoped.count() == packs + 1
    else:
        assert response.status_code == 200
        assert b"".join(response.streaming_content).startswith(b"%PDF" if name.endswith("pdf") else b"PK")
        assert response["Cache-Control"] == "no-store, private" or "no-store" in response["Cache-Control"]
        entry = AuditEntry.objects.latest("id")
        assert (entry.actor, entry.action, entry.model) == (user, "export", "completion.closingpack")


def test_every_url_of_the_closing_pages_is_in_this_matrix():
    from dangjian.web.urls_closing import urlpatterns

    assert {p.name for p in urlpatterns} == {name for name, *_rest in PAGES}


def test_college_staff_of_another_venue_get_404(client, records):
    client.force_login(UserFactory(roles=["college_staff"]))
    assert client.get(reverse("closing_pack_pdf", args=[records.pack.pk])).status_code == 404
    assert client.post(reverse("closing_pack_make", args=[records.program.pk])).status_code == 404


def test_the_program_page_shows_the_section_and_why_closing_waits(client, users_by_role, records):
    client.force_login(users_by_role["organizer"])
    page = client.get(records.program.get_absolute_url()).content.decode()
    assert "结业材料" in page and reverse("closing_pack_pdf", args=[records.pack.pk]) in page
    assert "close-problems" not in page  # the pack is current
    SessionFactory(phase=records.program.phases.get(), title="补充课程")  # the records change after the pack
    date_pack_back(records.pack)
    page = client.get(records.program.get_absolute_url()).content.decode()
    assert "close-problems" in page and "out of date" not in page  # the words are Chinese
    response = client.post(reverse("program_close", args=[records.program.pk]), follow=True)
    assert Program.unscoped.get(pk=records.program.pk).status == "in_progress"
    assert any("结业材料" in str(message) for message in response.context["messages"])


def test_the_program_page_with_more_packs_takes_as_many_queries(client, users_by_role, records):
    client.force_login(users_by_role["organizer"])
    url = records.program.get_absolute_url()

    def count():
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        return len(context)

    few = count()
    for _ in range(4):
        stored_pack(records.program)
    assert count() == few


