"""The permission matrix of the outbox's pages: every URL x every role, with the outcome read again.

anonymous              -> 302 to the login page
organizer              -> 200 on every page; send, retry and discard done (302: to the job's page, or the list)
unit_admin             -> 200 on the list and on the messages of their organ, 404 on another organ's; 403 on
                          sending, retrying and discarding (read-only), asked before any lookup
any other role         -> 403 everywhere

A POST that is done changed its message (sent, or deleted); any other answer changed no row at all.
"""

from types import SimpleNamespace

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from dangjian.outbox.models import Message
from tests.conftest import ROLES
from tests.denials import assert_denial_page, assert_no_traceback_logged
from tests.factories import MessageFactory, OrganFactory, PersonFactory
from tests.shared_world import world_per_module
from tests.state import db_state, state_diff

pytestmark = pytest.mark.django_db

ALL_ROLES = [*ROLES, "anonymous"]

PAGES = [
    ("outbox_list", "get", None),
    ("outbox_message", "get", "message"),
    ("outbox_message", "get", "other_message"),
    ("outbox_attachment", "get", "letter"),
    ("outbox_attachment", "get", "other_letter"),
    ("outbox_send", "post", "message"),
    ("outbox_send", "post", "other_message"),
    ("outbox_retry", "post", "failed"),
    ("outbox_discard", "post", "message"),
    ("outbox_discard", "post", "other_message"),
]
WRITES = {"outbox_send", "outbox_retry", "outbox_discard"}


def _status(message):
    return Message.unscoped.filter(pk=message.pk).values_list("status", flat=True).first()


EFFECTS = {"outbox_send": _status, "outbox_retry": _status, "outbox_discard": _status}


def expected_status(role: str, name: str, target: str | None) -> int:
    if role == "anonymous":
        return 302
    if role not in ("organizer", "unit_admin"):
        return 403
    if name in WRITES:
        return 302 if role == "organizer" else 403
    if role == "unit_admin" and target and target.startswith("other_"):
        return 404
    return 200


def _cases():
    for name, method, target in PAGES:
        for role in ALL_ROLES:
            status = expected_status(role, name, target)
            yield pytest.param(role, name, method, target, status,
                               id=f"{method.upper()} {name}({target}) as {role} -> {status}")


def _build(users_by_role, organ):
    other_organ = OrganFactory()
    records = {}
    for prefix, owner in (("", organ), ("other_", other_organ)):
        person = PersonFactory(organ=owner, mobile="13912345678")
        records[f"{prefix}message"] = MessageFactory(person=person, organ=owner)
        letter = MessageFactory(person=person, organ=owner, channel="email", address="a@example.org", subject="通知",
                                kind="admission_notice", attachment_name="入学通知.pdf")
        letter.attachment.save("notice.pdf", ContentFile(b"%PDF-1.7 notice"), save=True)
        records[f"{prefix}letter"] = letter
    records["failed"] = MessageFactory(organ=organ, status="failed", error="HTTP 503", attempts=1)
    return SimpleNamespace(**records)


_built_once, users_by_role, records = world_per_module(_build)


@pytest.mark.parametrize("role, name, method, target, status", list(_cases()))
def test_outbox_page_permission_matrix(client, users_by_role, records, role, name, method, target, status, caplog):
    user = users_by_role[role]
    if user is not None:
        client.force_login(user)
    record = getattr(records, target) if target else None
    if method == "get":
        response = client.get(reverse(name, args=[record.pk] if record else []))
        assert response.status_code == status
        if status == 200 and name == "outbox_attachment":
            assert b"".join(response.streaming_content) == b"%PDF-1.7 notice"
        elif status == 200 and record is not None:
            assert record.recipient_name in response.content.decode()
    else:
        before, state_before = EFFECTS[name](record), db_state()
        if name == "outbox_discard":
            response = client.post(reverse(name, args=[record.pk]))
        else:
            response = client.post(reverse(name), {"message": [record.pk], "confirmed": "1"})
        assert response.status_code == status
        if status == 302 and role != "anonymous":
            after = EFFECTS[name](record)
            assert after == (None if name == "outbox_discard" else "sent"), (before, after)
        else:
            assert state_diff(state_before, db_state()) == {}
    assert_denial_page(response)
    assert_no_traceback_logged(caplog)
    if role == "anonymous":
        assert response["Location"].startswith(reverse("login") + "?next=")
