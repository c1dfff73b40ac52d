"""The unit administrator nominates all their organ's due secretaries in a few clicks (counted: at most 10, from
the login form on) and the organizer confirms them in bulk; screenshots of each page along the way
(tests/e2e/screenshots/enrollment-*.png)."""

import datetime
import time

import pytest
from playwright.sync_api import expect

from dangjian.enrollment import services
from dangjian.enrollment.models import Nomination
from dangjian.organizations.models import PartyOrganization
from tests.e2e.conftest import PHONE, assert_accessible, log_in, make_user
from tests.factories import (
    OrganFactory,
    PartyOrganizationFactory,
    PersonFactory,
    PhaseFactory,
    PostFactory,
    ProgramFactory,
)

MAX_CLICKS = 10
OVERFLOW = "document.documentElement.scrollWidth - window.innerWidth"


@pytest.fixture
def open_program(ledger_rules):
    """南阳市教育局 with three branch secretaries appointed in recent months (due for induction training) and a
    committee member (not due); a program of the coming months open for enrollment, with a quota of 3."""
    today = datetime.date.today()
    organ = OrganFactory(code="edu-bureau", name_zh="南阳市教育局", name_en="Education Bureau")
    committee = PartyOrganizationFactory(organ=organ, name="机关党委", org_type=PartyOrganization.Type.COMMITTEE)
    secretaries = []
    for number, (name, days_ago) in enumerate((("潘志强", 40), ("林晓燕", 75), ("赵建国", 120)), start=1):
        branch = PartyOrganizationFactory(organ=organ, name=f"机关第{'一二三'[number - 1]}党支部", parent=committee)
        person = PersonFactory(organ=organ, name=name)
        PostFactory(person=person, party_organization=branch, started_on=today - datetime.timedelta(days=days_ago))
        secretaries.append(person)
    member = PersonFactory(organ=organ, name="王芳")
    PostFactory(person=member, party_organization=committee, role="committee_member",
                started_on=today - datetime.timedelta(days=30))
    organizer = make_user("organizer", ["organizer"], full_name="李明")
    admin = make_user("unitadmin", ["unit_admin"], full_name="王芳")
    admin.organs.set([organ])
    program = ProgramFactory(title="新任党组织书记培训班（报名中）", status="enrollment_open",
                             year=(today + datetime.timedelta(days=70)).year)
    for number, offset in ((1, 70), (2, 84)):
        PhaseFactory(program=program, number=number, starts_on=today + datetime.timedelta(days=offset),
                     ends_on=today + datetime.timedelta(days=offset + 4), capacity=50)
    services.enrollment_settings_update(program=program, by=organizer,
                                        nomination_deadline=today + datetime.timedelta(days=30))
    services.quotas_set(program=program, by=organizer, seats={organ.pk: 3})
    return {"program": program, "organ": organ, "secretaries": secretaries, "organizer": organizer}


def test_unit_admin_nominates_all_due_secretaries_in_a_few_clicks(session, open_program):
    page = session.page
    clicks = 0

    def click(selector):
        nonlocal clicks
        clicks += 1
        page.click(selector)

    started = time.monotonic()
    page.goto("/accounts/login/")
    page.fill("#id_username", "unitadmin")
    page.fill("#id_password", "Lang-yu-2022-wan")
    click("form.form button[type=submit]")
    expect(page.locator("h1")).to_have_text("概览")  # the start page (the login page's URL also ends in /)
    session.screenshot("enrollment-1-start-page")
    assert_accessible(session.page, "enrollment-1-start-page")
    click(".todo-nominations a")  # the open quota: straight to the nomination page
    page.wait_for_selector("#nominate-button", timeout=30_000)  # a loaded machine (two suites in parallel)
    ticked = page.locator("input[name=person]:checked")
    assert ticked.count() == 3  # the three due secretaries, prefilled
    assert "王芳" not in page.locator("form.nominate-form").inner_text()  # a committee member is not due
    session.screenshot("enrollment-2-nomination-page")
    assert_accessible(session.page, "enrollment-2-nomination-page")
    click("#nominate-button")
    page.wait_for_selector(".message.success")
    elapsed = time.monotonic() - started
    session.screenshot("enrollment-3-nominated")
    assert_accessible(session.page, "enrollment-3-nominated")
    assert clicks <= MAX_CLICKS, clicks
    assert elapsed < 30, elapsed
    print(f"unit administrator: {clicks} clicks, {elapsed:.1f} s from the login form to the nominations")
    assert sorted(Nomination.unscoped.values_list("person__name", flat=True)) == sorted(
        p.name for p in open_program["secretaries"])
    assert session.console_errors == []

    # The organizer confirms them in bulk.
    session.context.clear_cookies()
    log_in(page, "organizer")
    page.goto(f"/enrollment/programs/{open_program['program'].pk}/")
    for box in page.locator("input[name=nomination]").all():
        box.check()
    session.screenshot("enrollment-4-organizer-overview")
    assert_accessible(session.page, "enrollment-4-organizer-overview")
    page.click("button[name=decision][value=confirm]")
    page.wait_for_selector(".message.success")
    session.screenshot("enrollment-5-confirmed")
    assert_accessible(session.page, "enrollment-5-confirmed")
    assert Nomination.unscoped.filter(status="confirmed").count() == 3
    assert session.console_errors == []

    # The quotas page: the sum against the capacity, kept up to date while typing.
    page.goto(f"/enrollment/programs/{open_program['program'].pk}/settings/")
    page.fill(f"input[name=seats-{open_program['organ'].pk}]", "120")
    assert page.locator("#quota-sum [data-sum]").inner_text() == "120"
    assert "over" in page.locator("#quota-sum").get_attribute("class")  # 120 > 100 seats
    session.screenshot("enrollment-6-quotas")
    assert_accessible(session.page, "enrollment-6-quotas")

    # An activation link for the first participant, who signs in with it and sees their own training.
    page.goto(f"/enrollment/programs/{open_program['program'].pk}/")
    page.locator("form[action$='/activation/'] button").first.click()
    link = page.locator(".activation-link code").inner_text()
    session.screenshot("enrollment-7-activation-link")
    assert_accessible(session.page, "enrollment-7-activation-link")
    session.context.clear_cookies()
    page.goto(link)
    page.fill("#id_new_password1", "Xuexi-2027-canxun")
    page.fill("#id_new_password2", "Xuexi-2027-canxun")
    page.click("form.form button[type=submit]")
    page.wait_for_selector(".my-enrollment")
    assert open_program["program"].title in page.inner_text("main")
    session.screenshot("enrollment-8-my-training")
    assert_accessible(session.page, "enrollment-8-my-training")
    assert session.console_errors == []

    # On a phone (the participant's device) nothing scrolls sideways: the participant's page, and the unit
    # administrator's nomination page.
    page.set_viewport_size(PHONE)
    page.reload()
    assert page.evaluate(OVERFLOW) <= 0
    session.screenshot("enrollment-9-my-training-phone")
    assert_accessible(session.page, "enrollment-9-my-training-phone")
    session.context.clear_cookies()
    log_in(page, "unitadmin")
    page.goto(f"/enrollment/programs/{open_program['program'].pk}/organs/{open_program['organ'].pk}/nominate/")
    assert page.evaluate(OVERFLOW) <= 0
    session.screenshot("enrollment-10-nomination-page-phone")
    assert_accessible(session.page, "enrollment-10-nomination-page-phone")
