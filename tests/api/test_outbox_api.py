"""The outbox in the API: every endpoint x every role (with the outcome read again), behaviour, query counts."""

import re

import pytest
from django.core.files.base import ContentFile

from dangjian.outbox.models import Message
from tests.conftest import ROLES
from tests.denials import assert_no_traceback_logged
from tests.factories import MessageFactory, OrganFactory, PersonFactory, ProgramFactory
from tests.state import db_state, state_diff

pytestmark = pytest.mark.django_db

ALL_ROLES = [*ROLES, "anonymous"]
PROBLEM = "application/problem+json"


@pytest.fixture
def world(organ):
    other = OrganFactory()
    letter = MessageFactory(organ=organ, channel="email", address="wangfang@example.org", subject="入学通知",
                            kind="admission_notice", attachment_name="入学通知.pdf")
    letter.attachment.save("notice.pdf", ContentFile(b"%PDF-1.7 notice"), save=True)
    return {
        "message": MessageFactory(organ=organ), "other": MessageFactory(organ=other),
        "failed": MessageFactory(organ=organ, status="failed", error="HTTP 503", attempts=1), "letter": letter,
    }


def _status(world, name):
    return Message.unscoped.filter(pk=world[name].pk).values_list("status", flat=True).first()


# (name, method, path, body, target whose status the call changes, status when done)
ENDPOINTS = [
    ("list", "get", "outbox/messages", None, None, 200),
    ("detail", "get", "outbox/messages/{message}", None, None, 200),
    ("detail other organ", "get", "outbox/messages/{other}", None, None, 200),
    ("attachment", "get", "outbox/messages/{letter}/attachment", None, None, 200),
    ("send", "post", "outbox/messages/send", {"ids": ["{message}"]}, "message", 202),
    ("send other organ", "post", "outbox/messages/send", {"ids": ["{other}"]}, "other", 202),
    ("retry", "post", "outbox/messages/retry", {"ids": ["{failed}"]}, "failed", 202),
    ("discard", "delete", "outbox/messages/{message}", None, "message", 204),
]


def expected(role: str, name: str, method: str, done: int) -> int:
    if role == "anonymous":
        return 401
    if role not in ("organizer", "unit_admin"):
        return 403
    if role == "unit_admin":
        if method != "get":
            return 403
        if "other organ" in name:
            return 404
    return done


def _fill(value, world):
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return world[value[1:-1]].pk
    if isinstance(value, str):
        return value.format(**{key: record.pk for key, record in world.items()})
    if isinstance(value, list):
        return [_fill(item, world) for item in value]
    if isinstance(value, dict):
        return {key: _fill(item, world) for key, item in value.items()}
    return value


def _cases():
    for name, method, path, body, target, done in ENDPOINTS:
        for role in ALL_ROLES:
            status = expected(role, name, method, done)
            yield pytest.param(role, method, path, body, target, status, id=f"{name} as {role} -> {status}")


@pytest.mark.parametrize("role, method, path, body, target, status", list(_cases()))
def test_outbox_api_permission_matrix(api_as, users_by_role, world, role, method, path, body, target, status,
                                      caplog):
    client = api_as(users_by_role[role])
    before = db_state()
    response = client.call(method, _fill(path, world), _fill(body, world))
    assert response.status_code == status, response.content
    if status >= 400:
        assert response["Content-Type"] == PROBLEM
        assert state_diff(before, db_state()) == {}
        assert_no_traceback_logged(caplog)
    elif target:
        assert _status(world, target) == (None if method == "delete" else "sent")
    if status == 202:
        assert response["Location"] == response.json()["url"]


def test_the_matrix_covers_every_outbox_path_of_the_openapi_schema(api_as):
    paths = api_as(None).get("openapi.json").json()["paths"]
    published = {(method, path) for path, operations in paths.items() for method in operations
                 if path.startswith("/api/v1/outbox")}
    covered = {(method, "/api/v1/" + re.sub(r"\{\w+\}", "{message_id}", path))
               for _, method, path, *_ in ENDPOINTS}
    assert published == covered


def test_the_list_is_scoped_paginated_and_masks_addresses(api_as, organizer, unit_admin, world):
    body = api_as(unit_admin).get("outbox/messages").json()
    assert body["count"] == 3 and {item["id"] for item in body["items"]} == {
        world[name].pk for name in ("message", "failed", "letter")}
    letter = next(item for item in body["items"] if item["id"] == world["letter"].pk)
    assert letter["address"] == "wa***@example.org" and letter["has_attachment"] is True
    assert api_as(organizer).get("outbox/messages", {"page_size": 2}).json()["count"] == 4
    assert api_as(organizer).get("outbox/messages", {"status": "failed"}).json()["count"] == 1
    assert api_as(organizer).get("outbox/messages", {"channel": "email"}).json()["count"] == 1
    assert api_as(organizer).get("outbox/messages", {"kind": "admission_notice"}).json()["count"] == 1
    assert api_as(organizer).get("outbox/messages", {"status": "lost"}).status_code == 422


def test_a_program_filter_outside_the_scope_matches_nothing(api_as, unit_admin, organ):
    draft_program = ProgramFactory(status="draft")
    MessageFactory(organ=organ, program=draft_program)
    assert api_as(unit_admin).get("outbox/messages", {"program": draft_program.pk}).json()["count"] == 0


def test_the_detail_shows_the_text_and_what_the_caller_may_do(api_as, organizer, unit_admin, world):
    message = world["message"]
    body = api_as(organizer).get(f"outbox/messages/{message.pk}").json()
    assert body["body"] == message.body and body["actions"] == ["send", "discard"]
    assert body["address"] == "138****8000"
    assert api_as(unit_admin).get(f"outbox/messages/{message.pk}").json()["actions"] == []


def test_send_all_with_filters_and_the_refusals(api_as, organizer, organ, sms_outbox):
    program = ProgramFactory()
    about = MessageFactory(organ=organ, program=program)
    other = MessageFactory(organ=organ)
    client = api_as(organizer)
    response = client.post("outbox/messages/send", {"all": True, "program": program.pk})
    assert response.status_code == 202 and response.json()["result"]["outbox"]["sent"] == 1
    assert (Message.unscoped.get(pk=about.pk).status, Message.unscoped.get(pk=other.pk).status) == ("sent", "draft")
    again = client.post("outbox/messages/send", {"ids": [about.pk]})
    assert again.status_code == 409 and "草稿" in again.json()["detail"]
    nothing = client.post("outbox/messages/send", {"all": True, "program": program.pk})
    assert nothing.status_code == 422
    both = client.post("outbox/messages/send", {"ids": [other.pk], "all": True})
    assert both.status_code == 422
    missing = client.post("outbox/messages/send", {"ids": [other.pk, 10**9]})
    assert missing.status_code == 404 and Message.unscoped.get(pk=other.pk).status == "draft"
    assert len(sms_outbox) == 1


@pytest.mark.parametrize("rows", [1, 4])
@pytest.mark.parametrize("role", ["organizer", "unit_admin"])
def test_the_list_query_count_is_constant(api_as, users_by_role, organ, django_assert_num_queries, role, rows):
    program = ProgramFactory()
    for _ in range(rows):
        MessageFactory(person=PersonFactory(organ=organ, mobile="13912345678"), organ=organ, program=program)
    client = api_as(users_by_role[role])
    # session, user, roles (+ a unit administrator's organs); count, rows with organ and program
    with django_assert_num_queries({"organizer": 3, "unit_admin": 4}[role] + 2):
        response = client.get("outbox/messages")
    assert response.json()["count"] == rows
