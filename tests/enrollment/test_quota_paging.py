"""The quotas at province scale: the overview and the quotas form page their organs (those with a quota, a
suggestion or nominations first), the form can be searched, and its sum against the capacity counts every organ;
saving a page leaves the other pages' quotas as they are, or fills in their suggestion when asked."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from dangjian.enrollment.models import Quota
from dangjian.web.views import enrollment as views

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2027, 1, 15, 10, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture(autouse=True)
def _one_organ_a_page(monkeypatch):
    monkeypatch.setattr(views, "QUOTA_PAGE", 1)


def _settings(client, w, **params):
    return client.get(reverse("enrollment_settings", args=[w.program.pk]), params)


def test_the_form_pages_the_organs_and_sums_them_all(client, enrollment_world):
    w = enrollment_world  # 4 and 3 people due for 5 seats: suggested 3 and 2
    client.force_login(w.organizer)
    first, second = _settings(client, w), _settings(client, w, page=2)
    assert [row.organ for row in first.context["page"]] + [row.organ for row in second.context["page"]] in (
        [w.organ, w.other], [w.other, w.organ])
    content = first.content.decode()
    assert content.count('class="quota-input"') == 1
    assert first.context["quota_total"] == 5 and 'name="fill_suggested"' in content
    shown = first.context["page"][0]
    assert f'data-others-suggested="{5 - shown.suggested}"' in content


def test_the_form_finds_an_organ_by_name(client, enrollment_world):
    w = enrollment_world
    client.force_login(w.organizer)
    page = _settings(client, w, q=w.other.name_zh).context["page"]
    assert [row.organ for row in page] == [w.other]


def test_organs_with_a_quota_or_a_suggestion_come_first(client, enrollment_world):
    w = enrollment_world
    Quota.unscoped.create(program=w.program, organ=w.other, seats=0)
    w.program.phases.update(capacity=0)  # no seats: nothing suggested; only the other organ has a quota
    client.force_login(w.organizer)
    assert [row.organ for row in _settings(client, w).context["page"]] == [w.other]


@pytest.mark.parametrize("fill", [True, False])
def test_saving_a_page_keeps_the_others_or_fills_their_suggestion(client, enrollment_world, fill):
    w = enrollment_world
    client.force_login(w.organizer)
    shown = _settings(client, w).context["page"][0].organ
    hidden = w.other if shown == w.organ else w.organ
    data = {"nomination_deadline": "2027-01-31", f"seats-{shown.pk}": "1"}
    if fill:
        data["fill_suggested"] = "on"
    response = client.post(reverse("enrollment_settings", args=[w.program.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Quota.unscoped.get(program=w.program, organ=shown).seats == 1
    suggested = {w.organ: 3, w.other: 2}[hidden]
    assert list(Quota.unscoped.filter(program=w.program, organ=hidden).values_list("seats", flat=True)) == (
        [suggested] if fill else [])


def test_the_overview_pages_the_quotas(client, enrollment_world):
    w = enrollment_world
    client.force_login(w.organizer)
    url = reverse("enrollment_overview", args=[w.program.pk])
    first = client.get(url).context["quota_page"]
    second = client.get(url, {"organs_page": 2}).context["quota_page"]
    assert len(first) == 1 and len(second) == 1 and first[0].organ != second[0].organ
    assert first.paginator.count == 2
