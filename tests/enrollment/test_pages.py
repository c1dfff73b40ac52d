"""The enrollment pages, the whole flow through the browser's requests: the organizer sets the quotas and the
deadline (the suggestion prefilled, the sum against the capacity shown), the unit administrator nominates the
organ's due people on one page (one POST), the organizer confirms in bulk (beyond the seats: the waitlist) and
issues an activation link, the participant activates the account and sees only their own enrollment."""

import datetime
import re

import pytest
import time_machine
from django.urls import reverse

from dangjian.enrollment.models import Nomination, Quota
from tests.factories import PersonFactory, PostFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2027, 1, 15, 10, tzinfo=datetime.UTC), tick=False):
        yield


def test_the_whole_nomination_flow(client, enrollment_world):
    w = enrollment_world
    program = w.program
    client.force_login(w.organizer)
    page = client.get(reverse("enrollment_settings", args=[program.pk]))
    assert page.status_code == 200
    content = page.content.decode()
    assert f'name="seats-{w.organ.pk}" value="3"' in content  # suggested: 4 and 3 due for 5 seats -> 3 and 2
    assert 'data-capacity="5"' in content
    response = client.post(reverse("enrollment_settings", args=[program.pk]), {
        "nomination_deadline": "2027-01-31", f"seats-{w.organ.pk}": "4", f"seats-{w.other.pk}": "2"})
    assert response.status_code == 302, response.content.decode()
    assert Quota.unscoped.get(program=program, organ=w.organ).seats == 4

    client.force_login(w.admin)
    overview = client.get(reverse("enrollment_overview", args=[program.pk])).content.decode()
    nominate_url = reverse("nominate_page", args=[program.pk, w.organ.pk])
    assert nominate_url in overview
    page = client.get(nominate_url).content.decode()
    ticked = re.findall(r'name="person" value="(\d+)"[^>]*checked', page)
    assert sorted(map(int, ticked)) == sorted(p.pk for p in w.secretaries)  # prefilled with the due people
    data = {"person": ticked, f"from-{ticked[0]}": "2027-03-15", f"to-{ticked[0]}": "2027-03-19"}
    response = client.post(nominate_url, data)
    assert response.status_code == 302
    assert Nomination.unscoped.filter(program=program, organ=w.organ, status="nominated").count() == 4

    client.force_login(w.organizer)
    ids = list(Nomination.unscoped.filter(program=program).values_list("pk", flat=True))
    client.post(reverse("nominations_decide", args=[program.pk]), {"nomination": ids, "decision": "confirm"})
    assert Nomination.unscoped.filter(status="confirmed").count() == 4
    first = Nomination.unscoped.filter(status="confirmed").order_by("id").first()
    page = client.post(reverse("activation_issue", args=[first.pk]))
    assert page["Cache-Control"].startswith("private") or "no-store" in page["Cache-Control"]
    link = re.search(r"<code>([^<]+)</code>", page.content.decode()).group(1)

    client.logout()
    path = link.split("testserver", 1)[1]
    assert client.get(path).status_code == 200
    response = client.post(path, {"new_password1": "xuexi-2027-pass", "new_password2": "xuexi-2027-pass"})
    assert response.status_code == 302 and response["Location"] == reverse("my_enrollment")
    mine = client.get(reverse("my_enrollment")).content.decode()
    assert first.person.name in mine or program.title in mine
    assert program.title in mine
    assert "暂无培训记录" in mine  # their own records of the ledger: none yet
    assert client.get(path).status_code == 404  # used once
    # The participant sees nothing of the staff pages.
    assert client.get(reverse("enrollment_overview", args=[program.pk])).status_code == 403


def test_nominating_beyond_the_quota_says_why_and_writes_nothing(client, enrollment_world):
    w = enrollment_world
    Quota.unscoped.create(program=w.program, organ=w.organ, seats=2)
    client.force_login(w.admin)
    url = reverse("nominate_page", args=[w.program.pk, w.organ.pk])
    response = client.post(url, {"person": [p.pk for p in w.secretaries[:3]]})
    assert response.status_code == 400
    assert "beyond the quota" in response.content.decode() or "超出" in response.content.decode()
    assert not Nomination.unscoped.exists()


def test_adding_another_person_of_the_organ(client, enrollment_world):
    w = enrollment_world
    Quota.unscoped.create(program=w.program, organ=w.organ, seats=5)
    extra = PostFactory(person=PersonFactory(organ=w.organ), role="committee_member").person  # not due
    client.force_login(w.admin)
    url = reverse("nominate_page", args=[w.program.pk, w.organ.pk])
    page = client.get(url, {"add": extra.pk}).content.decode()
    assert f'name="person" value="{extra.pk}"' in page
    client.post(url, {"person": [extra.pk], "add": [extra.pk]})
    assert Nomination.unscoped.get().person == extra


def test_the_add_picker_searches_the_people_the_organ_may_nominate(client, enrollment_world):
    w = enrollment_world
    Quota.unscoped.create(program=w.program, organ=w.organ, seats=5)
    extra = PostFactory(person=PersonFactory(organ=w.organ, name="欧阳明远", position="副书记"),
                        role="committee_member").person
    PostFactory(person=PersonFactory(name="欧阳明亮"), role="committee_member")  # of another organ
    client.force_login(w.admin)
    page = client.get(reverse("nominate_page", args=[w.program.pk, w.organ.pk])).content.decode()
    picker = reverse("nominee_picker", args=[w.program.pk, w.organ.pk])
    assert f'data-picker-url="{picker}"' in page
    options = client.get(picker, {"q": "欧阳"}).content.decode()
    assert f'value="{extra.pk}"' in options and "欧阳明远 · 副书记" in options and "欧阳明亮" not in options
    assert "欧阳明远" not in client.get(picker, {"q": "张"}).content.decode()
