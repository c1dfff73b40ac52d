"""API v1 of the closing pack (api/closing.py): the permission matrix of every role (and anonymous) — a refused
request changes no row —, the OpenAPI paths, closing refused in words (409) without a current pack, and the list
of packs in a constant number of queries. The records: tests/web/test_closing_page_permissions.py.

organizer, college staff of the venue -> list, make (202 with the job), download
others                                -> 403; anonymous: 401
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangjian.completion import pack as pack_module
from dangjian.completion.models import ClosingPack
from tests.conftest import ROLES
from tests.denials import assert_no_traceback_logged
from tests.factories import SessionFactory
from tests.shared_world import world_per_module
from tests.state import db_state, state_diff
from tests.web.test_closing_page_permissions import _build, date_pack_back, stored_pack

pytestmark = pytest.mark.django_db

ALL_ROLES = [*ROLES, "anonymous"]
RUNNERS = {"organizer", "college_staff"}

_built_once, users_by_role, records = world_per_module(_build)


@pytest.fixture(autouse=True)
def _quick_pack(monkeypatch):
    """The layout itself is tested in tests/completion/test_closing.py; here a pack of one page is enough."""
    monkeypatch.setattr(pack_module, "closing_pack_render", lambda **kwargs: pack_module.RenderedPack(
        pdf=b"%PDF-1.4 quick", zip=b"PK quick", page_count=1, parts=[]))


# --- API -----------------------------------------------------------------------------------------------------

ENDPOINTS = [("get", "closing/programs/{program}/packs"), ("post", "closing/programs/{program}/packs"),
             ("get", "closing/packs/{pack}/pdf"), ("get", "closing/packs/{pack}/zip")]


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_api_permission_matrix(api_as, users_by_role, records, role, method, path, caplog):
    client = api_as(users_by_role[role])
    url = path.format(program=records.program.pk, pack=records.pack.pk)
    before = db_state()
    packs = ClosingPack.unscoped.count()
    response = client.post(url, {}) if method == "post" else client.get(url)
    assert_no_traceback_logged(caplog)
    if role == "anonymous":
        assert response.status_code == 401
    elif role not in RUNNERS:
        assert response.status_code == 403
    elif method == "post":
        assert response.status_code == 202 and response.json()["kind"] == "closing_pack"
        assert response.json()["status"] == "done" and ClosingPack.unscoped.count() == packs + 1
        return
    else:
        assert response.status_code == 200
        if path.endswith("packs"):
            assert [item["id"] for item in response.json()["items"]] == [records.pack.pk]
            assert response.json()["items"][0]["current"] is True
        return
    assert state_diff(before, db_state()) == {}


def test_the_openapi_paths_are_in_this_matrix(api_as):
    paths = api_as(None).get("openapi.json").json()["paths"]
    ours = {(method, path) for path, operations in paths.items() for method in operations
            if path.startswith("/api/v1/closing")}
    assert ours == {("get", "/api/v1/closing/programs/{program_id}/packs"),
                    ("post", "/api/v1/closing/programs/{program_id}/packs"),
                    ("get", "/api/v1/closing/packs/{pack_id}/pdf"), ("get", "/api/v1/closing/packs/{pack_id}/zip")}


def test_closing_through_the_api_is_refused_in_words_without_a_current_pack(api_as, users_by_role, records):
    client = api_as(users_by_role["organizer"])
    SessionFactory(phase=records.program.phases.get(), title="补充课程")  # the records change after the pack
    date_pack_back(records.pack)
    response = client.post(f"programs/{records.program.pk}/close", {})
    assert response.status_code == 409, response.content
    assert "结业材料" in str(response.json())
    assert client.post(f"closing/programs/{records.program.pk}/packs", {}).status_code == 202
    assert client.post(f"programs/{records.program.pk}/close", {}).json()["status"] == "closed"
    assert client.post(f"closing/programs/{records.program.pk}/packs", {}).status_code == 202  # closed: allowed
    response = client.post(f"programs/{records.program.pk}/reopen-class", {"reason": ""})
    assert response.status_code == 422


def test_the_list_of_packs_takes_as_many_queries_for_more_packs(api_as, users_by_role, records):
    client = api_as(users_by_role["organizer"])

    def count():
        with CaptureQueriesContext(connection) as context:
            assert client.get(f"closing/programs/{records.program.pk}/packs").status_code == 200
        return len(context)

    few = count()
    for _ in range(4):
        stored_pack(records.program)
    assert count() == few
