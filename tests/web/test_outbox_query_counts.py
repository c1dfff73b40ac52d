"""The outbox list costs the same number of queries at 1 and at 4 messages (pretalx's policy), for the organizer
(checkboxes and bulk buttons) and the unit administrator (read-only)."""

import pytest
from django.urls import reverse

from tests.factories import MessageFactory, PersonFactory, ProgramFactory

pytestmark = pytest.mark.django_db

# session, user, roles (+ a unit administrator's organs); program choices, count, rows (organ, program), status
# counts. Nothing per row: the permissions are the role and the status. A unit administrator, refused the send
# permission by the rules, is asked Django's model permissions once (2 queries, cached for the request).
EXPECTED = {"organizer": 7, "unit_admin": 10}


@pytest.mark.parametrize("rows", [1, 4])
@pytest.mark.parametrize("role", list(EXPECTED))
def test_outbox_list_query_count_is_constant(client, users_by_role, organ, django_assert_num_queries, role, rows):
    program = ProgramFactory(status="enrollment_open")
    for i in range(rows):
        MessageFactory(person=PersonFactory(organ=organ, mobile="13912345678"), organ=organ, program=program,
                       status="failed" if i % 2 else "draft", error="HTTP 503")
    client.force_login(users_by_role[role])
    with django_assert_num_queries(EXPECTED[role]):
        response = client.get(reverse("outbox_list"), {"program": program.pk})
    assert len(response.context["page"]) == rows


@pytest.mark.parametrize("rows", [1, 4])
def test_message_page_query_count_is_constant(client, organizer, organ, django_assert_num_queries, rows):
    messages = [MessageFactory(organ=organ) for _ in range(rows)]
    client.force_login(organizer)
    with django_assert_num_queries(4):
        assert client.get(reverse("outbox_message", args=[messages[-1].pk])).status_code == 200
