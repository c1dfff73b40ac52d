"""The outbox list costs the same number of queries at 1 and at 4 messages (pretalx's policy), for the organizer
(checkboxes and bulk buttons) and the unit administrator (read-only)."""

import pytest
from django.urls import reverse

from tests.factories import MessageFactory, PersonFactory, ProgramFactory

pytestmark = pytest.mark.django_db

# session, user, roles (+ a unit administrator's organs); program choices, status counts (which give the list's
# total: no COUNT of its own), rows (organ, program). Nothing per row: the permissions are the role and the
# status. A unit administrator, refused the send permission by the rules, is asked Django's model permissions
# once (2 queries, cached for the request).
EXPECTED = {"organizer": 6, "unit_admin": 9}


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
    assert response.context["page"].paginator.count == rows


@pytest.mark.parametrize("status, expected", [("", 5), ("failed", 2), ("draft", 3)])
def test_the_pages_count_comes_from_the_tabs(client, organizer, organ, settings, status, expected):
    """Paged by 2: the total of "page x of y" is the tab's count of the filter, without a COUNT of its own."""
    settings.PAGE_SIZE = 2
    for i in range(5):
        MessageFactory(organ=organ, status="failed" if i % 2 else "draft", error="HTTP 503")
    client.force_login(organizer)
    page = client.get(reverse("outbox_list"), {"status": status, "page": 2}).context["page"]
    assert page.paginator.count == expected
    assert page.paginator.num_pages == (expected + 1) // 2
    assert page.number == min(2, page.paginator.num_pages)


@pytest.mark.parametrize("rows", [1, 4])
def test_message_page_query_count_is_constant(client, organizer, organ, django_assert_num_queries, rows):
    messages = [MessageFactory(organ=organ) for _ in range(rows)]
    client.force_login(organizer)
    with django_assert_num_queries(4):
        assert client.get(reverse("outbox_message", args=[messages[-1].pk])).status_code == 200
