"""Each list endpoint costs the same number of queries at 1 row and at 4 rows.

Per request: session + user (2), the user's roles (1), for a unit administrator their organs (1),
then the page: count (1), rows (1) and the selector's prefetches.
"""

import pytest

from dangjian.organizations.models import PartyOrganization, Post
from tests.factories import OrganFactory, PartyOrganizationFactory, PersonFactory, PostFactory

# Queries after authentication and the role / organ lookups; those are added per role below.
PAGE_QUERIES = {
    "organs": 2,  # count, rows (with annotated counts)
    "party-organizations": 3,  # count, rows + organ + parent, current secretaries
    "people": 3,  # count, rows + organ, current posts + party organization
    "posts": 2,  # count, rows + person + party organization
}
AUTH_QUERIES = {"organizer": 3, "unit_admin": 4}  # session, user, roles (+ administered organs)


def _populate(resource: str, organ, n: int) -> None:
    """n rows of `resource` in `organ`, each with the related records its row shows."""
    for i in range(n):
        if resource == "organs":
            # The unit administrator's single organ carries the rows' related records.
            PartyOrganizationFactory(organ=organ)
            PersonFactory(organ=organ)
            if i:
                OrganFactory()
        elif resource == "party-organizations":
            committee = PartyOrganizationFactory(organ=organ, org_type=PartyOrganization.Type.COMMITTEE)
            branch = PartyOrganizationFactory(organ=organ, parent=committee)
            PostFactory(person=PersonFactory(organ=organ), party_organization=branch)
        elif resource == "people":
            person = PersonFactory(organ=organ)
            PostFactory(person=person)
            PostFactory(person=person, role=Post.Role.COMMITTEE_MEMBER, portfolio=Post.Portfolio.PUBLICITY)
        else:
            PostFactory(person=PersonFactory(organ=organ))


@pytest.mark.parametrize("rows", [1, 4])
@pytest.mark.parametrize("role", ["organizer", "unit_admin"])
@pytest.mark.parametrize("resource", list(PAGE_QUERIES))
def test_list_query_count_is_constant(api_as, users_by_role, organ, django_assert_num_queries, resource, role,
                                      rows):
    _populate(resource, organ, rows)
    client = api_as(users_by_role[role])
    with django_assert_num_queries(AUTH_QUERIES[role] + PAGE_QUERIES[resource]):
        response = client.get(resource)
    assert response.status_code == 200
    assert response.json()["count"] >= (1 if role == "unit_admin" and resource == "organs" else rows)


@pytest.mark.parametrize("rows", [1, 4])
def test_people_list_with_filters_query_count_is_constant(api_as, organizer, organ, django_assert_num_queries,
                                                          rows):
    _populate("people", organ, rows)
    client = api_as(organizer)
    params = {"q": "测试", "organ": organ.pk, "role": "secretary", "newly_appointed_since": "2020-01-01",
              "sort": "-appointed"}
    with django_assert_num_queries(AUTH_QUERIES["organizer"] + PAGE_QUERIES["people"]):
        response = client.get("people", params)
    assert response.json()["count"] == rows


@pytest.mark.parametrize("rows", [1, 4])
def test_token_authenticated_list_query_count_is_constant(api_as, organizer, organ, django_assert_num_queries,
                                                          rows):
    _populate("posts", organ, rows)
    client = api_as(organizer, token=True)
    client.get("posts")  # the first use records last_used_at; later calls within the hour do not write
    # token + user (1), roles (1), page (2)
    with django_assert_num_queries(2 + PAGE_QUERIES["posts"]):
        response = client.get("posts")
    assert response.json()["count"] == rows
