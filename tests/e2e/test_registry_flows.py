"""Registry flows in a real browser: log in, find a person by a two-character name, reveal the ID number."""

import datetime
import re
from pathlib import Path

import openpyxl
import pytest
from django.urls import reverse
from playwright.sync_api import expect

from dangjian.core.models import AuditEntry
from dangjian.organizations.models import Person
from tests.e2e.conftest import PASSWORD, assert_accessible, log_in
from tests.factories import (
    OrganFactory,
    make_id_number,
)

pytestmark = pytest.mark.e2e

def with_bad_check_digit(id_number: str) -> str:
    return id_number[:-1] + next(char for char in "0123456789X" if char != id_number[-1])


def test_log_in_through_the_form(session, organizer):
    page = session.page
    page.goto("/people/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/people/$"))
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("h1")).to_have_text("登录")
    session.screenshot("login-1280")
    assert_accessible(session.page, "login-1280")

    page.fill("#id_username", "organizer")
    page.fill("#id_password", "wrong-password")
    page.click("form.form button[type=submit]")
    expect(page.locator(".errorbox")).to_be_visible()

    page.fill("#id_username", "organizer")
    page.fill("#id_password", PASSWORD)
    page.click("form.form button[type=submit]")
    expect(page).to_have_url(re.compile(r"/people/$"))
    expect(page.locator("h1")).to_have_text("人员")
    expect(page.locator(".usermenu")).to_contain_text("工委组织部 李明")
    assert session.console_errors == []


def test_find_a_person_by_a_two_character_name_and_reveal_the_id_number(session, organizer, registry):
    page = session.page
    wang_wei = registry["wang_wei"]
    log_in(page, "organizer")
    expect(page.locator("h1")).to_have_text("概览")

    page.goto("/people/")
    page.fill("input[name=q]", "王伟")
    page.click("form.filters button[type=submit]")
    expect(page).to_have_url(re.compile(r"q=%E7%8E%8B%E4%BC%9F"))
    rows = page.locator("#people tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("王伟")
    expect(rows.first).to_contain_text("南阳市教育局")
    expect(rows.first).to_contain_text(wang_wei.id_number[:6] + "********" + wang_wei.id_number[-4:])
    expect(page.locator("#people")).not_to_contain_text("王芳")
    session.screenshot("people-search-1280")
    assert_accessible(session.page, "people-search-1280")

    page.click("#people >> text=王伟")
    expect(page).to_have_url(re.compile(rf"/people/{wang_wei.pk}/$"))
    expect(page.locator("h1")).to_have_text("王伟")
    personal = page.locator("#personal-data")
    expect(personal).not_to_contain_text(wang_wei.id_number)
    expect(page.locator("table")).to_contain_text("机关第一党支部")

    with page.expect_response(re.compile(rf"/people/{wang_wei.pk}/reveal/$")) as reveal:
        personal.get_by_role("button", name=re.compile("显示完整信息")).click()
    assert reveal.value.status == 200
    expect(personal).to_contain_text(wang_wei.id_number)
    expect(personal).to_contain_text("13812345678")
    # htmx swapped the fragment in place: the page did not navigate to the reveal URL.
    expect(page).to_have_url(re.compile(rf"/people/{wang_wei.pk}/$"))
    expect(page.locator("h1")).to_have_text("王伟")
    assert AuditEntry.objects.filter(action="reveal", object_pk=str(wang_wei.pk)).count() == 1
    session.screenshot("person-revealed-1280")
    assert_accessible(session.page, "person-revealed-1280")
    # No inline script or style was needed: nothing was blocked by the Content-Security-Policy.
    assert session.console_errors == []


def test_phone_layout(phone_session, organizer, registry):
    page = phone_session.page
    log_in(page, "organizer")
    page.goto("/people/?q=王伟")
    expect(page.locator("#people tbody tr")).to_have_count(1)
    # The wide columns are hidden on a phone; the page does not scroll sideways.
    expect(page.locator("#people th.hide-sm").first).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    phone_session.screenshot("people-search-390")
    assert_accessible(phone_session.page, "people-search-390")
    page.goto(f"/people/{registry['wang_wei'].pk}/")
    page.locator("#personal-data button").click()
    expect(page.locator("#personal-data")).to_contain_text(registry["wang_wei"].id_number)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    phone_session.screenshot("person-revealed-390")
    assert_accessible(phone_session.page, "person-revealed-390")
    assert phone_session.console_errors == []


def test_pick_an_organ_among_many_by_searching(session, organizer, registry):
    """The organ filter lists a few organs; typing in its search box asks the server for the matching ones
    (static/dangjian/picker.js); Enter searches without submitting the form."""
    from dangjian.web.widgets import PICKER_INITIAL_OPTIONS

    for number in range(PICKER_INITIAL_OPTIONS + 5):
        OrganFactory(sort_order=number + 1)  # before the Education Bureau in the official order
    page = session.page
    log_in(page, "organizer")
    page.goto("/people/")
    organ = page.locator("#id_organ")
    expect(organ.locator("option", has_text="南阳市教育局")).to_have_count(0)
    search = page.locator("#id_organ_search")
    search.fill("教育")
    search.press("Enter")
    expect(page).to_have_url(re.compile(r"/people/$"))  # not submitted
    expect(organ.locator("option", has_text="南阳市教育局")).to_have_count(1)
    expect(page.locator(".picker-status")).to_have_text("找到 1 个")
    assert_accessible(page, "people list with the organ picker's results")
    organ.select_option(label="南阳市教育局")
    page.click("form.filters button[type=submit]")
    expect(page).to_have_url(re.compile(rf"organ={registry['organ'].pk}"))
    expect(page.locator("#people tbody tr")).to_have_count(3)
    expect(organ).to_have_value(str(registry["organ"].pk))  # still chosen after the page reloaded


def _fill_people_template(template: Path, target: Path, rows: list[list]) -> None:
    """Write rows on the 人员 sheet of the downloaded template, from row 2 down, as a user would in Excel."""
    workbook = openpyxl.load_workbook(template)
    sheet = workbook["人员"]
    headers = [cell.value for cell in sheet[1]]
    for row in rows:
        sheet.append([row.get(header) for header in headers])
    workbook.save(target)


def test_import_with_errors_shows_the_row_report(session, phone_session, organizer, registry, tmp_path):
    page = session.page
    log_in(page, "organizer")
    page.goto("/spreadsheets/")
    section = page.locator("#kind-people")
    expect(section.locator("h2")).to_contain_text("人员")
    with page.expect_download() as download:
        section.locator(f"a[href='{reverse('spreadsheet_template', args=['people'])}']").click()
    template = tmp_path / "template.xlsx"
    download.value.save_as(template)

    good = make_id_number(datetime.date(1986, 4, 12))
    bad = with_bad_check_digit(make_id_number(datetime.date(1979, 9, 1)))
    workbook = tmp_path / "人员导入.xlsx"
    _fill_people_template(template, workbook, [
        {"姓名": "李娜", "身份证号": good, "所在单位代码": "edu-bureau"},        # row 2: fine
        {"姓名": "刘洋", "身份证号": bad, "所在单位代码": "edu-bureau"},         # row 3: check digit wrong
        {"姓名": None, "身份证号": make_id_number(), "所在单位代码": "edu-bureau"},  # row 4: no name
    ])
    people_before = Person.unscoped.count()

    section.locator("input[type=file]").set_input_files(workbook)
    with page.expect_response(re.compile(r"/spreadsheets/people/import/$")):
        section.locator("form[enctype='multipart/form-data'] button[type=submit]").click()
    report = section.locator(".import-report")
    expect(report.locator(".errorbox")).to_contain_text("人员导入.xlsx")
    rows = report.locator("table.import-errors tbody tr")
    expect(rows).to_have_count(2)
    cells = [[cell.strip() for cell in rows.nth(i).locator("td").all_inner_texts()] for i in range(2)]
    assert cells[0][:3] == ["人员", "3", "身份证号"], cells
    assert cells[1][:3] == ["人员", "4", "姓名"], cells
    # htmx put the job, which has ended (the tests run it at once), with its report into the page; nothing was
    # imported, not even the good row.
    expect(report.locator("xpath=ancestor::div[contains(@class, 'job')]")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"/spreadsheets/$"))
    assert Person.unscoped.count() == people_before
    assert not Person.unscoped.filter(id_number=good).exists()
    session.screenshot("import-errors-1280")
    assert_accessible(session.page, "import-errors-1280")
    assert session.console_errors == []

    # The same report without JavaScript (htmx blocked: the plain form post leads to the job's page), on a phone.
    phone = phone_session.page
    phone.route(re.compile(r"htmx[^/]*\.js"), lambda route: route.abort())
    log_in(phone, "organizer")
    phone.goto("/spreadsheets/")
    phone_section = phone.locator("#kind-people")
    phone_section.locator("input[type=file]").set_input_files(workbook)
    phone_section.locator("form[enctype='multipart/form-data'] button[type=submit]").click()
    expect(phone).to_have_url(re.compile(r"/jobs/\d+/$"))  # the job's page
    expect(phone.locator("table.import-errors tbody tr")).to_have_count(2)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone_session.screenshot("import-errors-390")
    assert_accessible(phone_session.page, "import-errors-390")
