"""Query counts of the staff pages do not grow with the data (pretalx's policy).

Each page is loaded with 1 and with 3 items of everything it lists, and must take the same,
fixed number of queries. The numbers include the session, the user, the user's roles (and,
for a unit administrator, their organs), which every logged-in page pays.
"""

import datetime
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from dangjian.core.audit import audit_record
from dangjian.organizations.models import PartyOrganization, Post
from tests.factories import OrganFactory, PartyOrganizationFactory, PersonFactory, PostFactory, UserFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
RECENT = TODAY - datetime.timedelta(days=60)
LONG_AGO = TODAY - datetime.timedelta(days=6 * 365)  # every committee's 5-year term is overdue

# (page, role) -> queries; measured, the same at 1 and at 3 items.
EXPECTED_QUERIES = {
    ("home", "organizer"): 11,  # the term warnings and their count in one query; the returned plans and their count
    ("home", "unit_admin"): 16,  # + the programs open for enrollment, the quotas to fill: their rows and counts
    ("organ_list", "organizer"): 5,
    ("organ_list", "unit_admin"): 8,
    ("organ_detail", "organizer"): 7,
    ("organ_detail", "unit_admin"): 10,
    ("party_organization_list", "organizer"): 6,
    ("party_organization_list", "unit_admin"): 9,
    # Filtered and paginated in SQL (one more query than filtering a list in Python: the count of the pages).
    ("party_organization_list_warnings", "organizer"): 6,
    ("party_organization_list_warnings", "unit_admin"): 9,
    ("party_organization_detail", "organizer"): 6,
    ("party_organization_detail", "unit_admin"): 9,
    ("person_list", "organizer"): 7,
    ("person_list", "unit_admin"): 10,
    ("person_list_filtered", "organizer"): 8,
    ("person_list_filtered", "unit_admin"): 11,
    ("person_detail", "organizer"): 5,
    ("person_detail", "unit_admin"): 8,
    ("audit_list", "organizer"): 6,  # the audit trail is for organizers only (403 for a unit admin)
    # Forms with searchable pickers list a few records, however many exist (web/widgets.py).
    ("person_create", "organizer"): 4,
    ("person_create", "unit_admin"): 7,
    ("post_create", "organizer"): 5,
    ("post_create", "unit_admin"): 8,
    ("party_organization_create", "organizer"): 5,
    ("party_organization_create", "unit_admin"): 8,
    ("organ_picker", "organizer"): 4,
    ("organ_picker", "unit_admin"): 7,
    ("party_organization_picker", "organizer"): 4,
    ("party_organization_picker", "unit_admin"): 7,
}


def build(n: int, *, organizer, unit_admin) -> SimpleNamespace:
    """n organs (all administered by the unit admin), and in the first one a committee with n branches,
    n secretaries (also committee members), and a veteran who held n past posts. Plus one organ
    the unit administrator does not see."""
    organs = [OrganFactory() for _ in range(n)]
    unit_admin.organs.set(organs)
    committees = []
    for organ in organs:
        committee = PartyOrganizationFactory(organ=organ, org_type=PartyOrganization.Type.COMMITTEE,
                                             term_started_on=LONG_AGO)
        committees.append(committee)
        member = PersonFactory(organ=organ)
        PostFactory(person=member, party_organization=committee, role=Post.Role.SECRETARY, started_on=LONG_AGO)
    main, main_committee = organs[0], committees[0]
    veteran = PersonFactory(organ=main)
    for i in range(n):
        branch = PartyOrganizationFactory(organ=main, parent=main_committee, term_started_on=LONG_AGO)
        secretary = PersonFactory(organ=main, mobile="13812345678")
        PostFactory(person=secretary, party_organization=branch, started_on=RECENT)
        PostFactory(person=secretary, party_organization=main_committee, role=Post.Role.COMMITTEE_MEMBER,
                    portfolio=Post.Portfolio.ORGANIZATION, started_on=RECENT)
        PostFactory(person=veteran, party_organization=branch, role=Post.Role.DEPUTY_SECRETARY,
                    started_on=datetime.date(2010 + i, 1, 1), ended_on=datetime.date(2010 + i, 12, 31))
        audit_record(actor=organizer, action="reveal", instance=secretary, changes={"fields": ["id_number"]})
        audit_record(actor=unit_admin, action="update", instance=branch, changes={"member_count": [1, 2]})
    unseen = OrganFactory()
    PostFactory(person=PersonFactory(organ=unseen), party_organization=PartyOrganizationFactory(organ=unseen))
    return SimpleNamespace(main=main, committee=main_committee, veteran=veteran)


PAGES = {
    "home": lambda data: (reverse("home"), {}),
    "organ_list": lambda data: (reverse("organ_list"), {}),
    "organ_detail": lambda data: (reverse("organ_detail", args=[data.main.pk]), {}),
    "party_organization_list": lambda data: (reverse("party_organization_list"), {}),
    "party_organization_list_warnings": lambda data: (reverse("party_organization_list"), {"warnings": "1"}),
    "party_organization_detail": lambda data: (reverse("party_organization_detail", args=[data.committee.pk]), {}),
    "person_list": lambda data: (reverse("person_list"), {}),
    "person_list_filtered": lambda data: (reverse("person_list"), {
        "q": "测试", "role": "secretary", "organ": data.main.pk, "new_since": "2000-01-01", "sort": "-appointed"}),
    "person_detail": lambda data: (reverse("person_detail", args=[data.veteran.pk]), {}),
    "audit_list": lambda data: (reverse("audit_list"), {}),
    "person_create": lambda data: (reverse("person_create"), {}),
    "post_create": lambda data: (reverse("post_create", args=[data.veteran.pk]), {}),
    "party_organization_create": lambda data: (reverse("party_organization_create"), {}),
    "organ_picker": lambda data: (reverse("organ_picker"), {"q": "测试"}),
    "party_organization_picker": lambda data: (reverse("party_organization_picker"), {"q": "党"}),
}


def _cases():
    for (page, role), count in EXPECTED_QUERIES.items():
        for size in (1, 3):
            marks = []
            yield pytest.param(page, role, size, count, id=f"{page}-{role}-{size}", marks=marks)


@pytest.mark.parametrize("page, role, size, count", list(_cases()))
def test_query_count_does_not_grow(client, django_assert_num_queries, page, role, size, count):
    organizer = UserFactory(username="organizer", roles=["organizer"])
    unit_admin = UserFactory(username="unitadmin", roles=["unit_admin"])
    data = build(size, organizer=organizer, unit_admin=unit_admin)
    client.force_login(organizer if role == "organizer" else unit_admin)
    url, params = PAGES[page](data)
    with django_assert_num_queries(count):
        response = client.get(url, params)
    assert response.status_code == 200
    assert len(response.content) > 0
