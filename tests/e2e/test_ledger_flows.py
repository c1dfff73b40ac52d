"""The ledger in a real browser: a unit administrator sees their due secretary with the reason and records the
induction training; the organizer's city view draws its chart; the import reports the rows it refused."""

import datetime
import io
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from dangjian.ledger.models import TrainingRecord
from tests.e2e.conftest import assert_accessible, log_in, make_user
from tests.factories import (
    OrganFactory,
    PartyOrganizationFactory,
    PersonFactory,
    PostFactory,
    TrainingRecordFactory,
    make_id_number,
)
from tests.organizations.test_spreadsheets import xlsx

pytestmark = pytest.mark.e2e


@pytest.fixture
def ledger_world(ledger_rules):
    organ = OrganFactory(code="edu-bureau", name_zh="南阳市教育局", name_en="Education Bureau")
    other = OrganFactory(code="sci-bureau", name_zh="南阳市科学技术局", sector="government")
    branch = PartyOrganizationFactory(organ=organ, name="机关第一党支部")
    appointed = timezone.localdate() - datetime.timedelta(days=40)
    secretary = PersonFactory(organ=organ, name="潘志强", id_number=make_id_number(datetime.date(1979, 4, 2)),
                              position="办公室主任", party_joined_on=datetime.date(2003, 7, 1))
    PostFactory(person=secretary, party_organization=branch, started_on=appointed)
    old = PersonFactory(organ=other, name="侯玲", id_number=make_id_number(datetime.date(1982, 1, 5), gender="female"))
    PostFactory(person=old, party_organization__organ=other, party_organization__name="机关党支部",
                started_on=datetime.date(2023, 1, 23))
    TrainingRecordFactory(person=old, kind="online", hours=24, title="学习强国专题学习", institution="学习强国",
                          starts_on=datetime.date(2026, 3, 1), ends_on=datetime.date(2026, 3, 1))
    unit_admin = make_user("unitadmin", ["unit_admin"], full_name="南阳市教育局 王芳")
    unit_admin.organs.set([organ])
    make_user("organizer", ["organizer"], full_name="工委组织部 李明")
    return {"organ": organ, "secretary": secretary, "appointed": appointed}


def test_unit_admin_records_the_induction_of_a_due_secretary(session, ledger_world):
    page = session.page
    log_in(page, "unitadmin")
    page.click("nav.mainnav >> text=学时档案")
    expect(page.locator("h1")).to_have_text("南阳市教育局培训达标情况")
    row = page.locator("#people tbody tr").first
    expect(row).to_contain_text("潘志强")
    expect(row).to_contain_text("待完成")
    appointed = ledger_world["appointed"]
    expect(row).to_contain_text(f"机关第一党支部书记，任职于 {appointed:%Y-%m-%d}；任职培训应于")
    expect(row).to_contain_text("尚无记录")
    session.screenshot("ledger-organ-1280")
    assert_accessible(session.page, "ledger-organ-1280")

    row.locator("a", has_text="潘志强").click()
    expect(page.locator("h1")).to_have_text("潘志强的学时档案")
    page.click("text=新增培训记录")
    page.fill("#id_title", "2026年新任基层党组织书记任职培训班")
    page.fill("#id_institution", "中共南阳市委党校")
    page.select_option("#id_kind", "concentrated")
    start = timezone.localdate() - datetime.timedelta(days=10)
    page.fill("#id_starts_on", f"{start:%Y-%m-%d}")
    page.fill("#id_ends_on", f"{start + datetime.timedelta(days=4):%Y-%m-%d}")
    page.fill("#id_hours", "37.5")
    page.check("#id_counts_as_induction")
    page.click("form.form button[type=submit]")
    expect(page.locator(".message.success")).to_contain_text("培训记录已保存")
    expect(page.locator("#requirements")).to_contain_text("已有任职培训记录")
    expect(page.locator("#records")).to_contain_text("37.5")
    session.screenshot("ledger-archive-1280")
    assert_accessible(session.page, "ledger-archive-1280")
    record = TrainingRecord.unscoped.get(person=ledger_world["secretary"])
    assert (record.source, record.counts_as_induction, record.days) == ("entered", True, 5)
    assert session.console_errors == []


def test_city_view_chart_and_drill_down(session, ledger_world):
    page = session.page
    log_in(page, "organizer")
    page.goto("/ledger/")
    expect(page.locator("h1")).to_have_text("全市培训达标情况")
    # ECharts (1 MB) may take a while to arrive from the test server on a busy machine
    expect(page.locator("#compliance-chart canvas")).to_have_count(1, timeout=20_000)
    expect(page.locator("#organs tbody tr")).to_have_count(2)
    session.screenshot("ledger-city-1280")
    assert_accessible(session.page, "ledger-city-1280")
    page.select_option("#id_requirement", "secretary-annual")
    page.click("form.filters button[type=submit]")
    expect(page).to_have_url(re.compile(r"requirement=secretary-annual"))
    page.locator("#organs a", has_text="南阳市科学技术局").click()
    expect(page.locator("#people")).to_contain_text("已记 24 学时")
    page.goto("/ledger/statistics/")
    expect(page.locator("#statistics")).to_contain_text("南阳市科学技术局")
    session.screenshot("ledger-statistics-1280")
    assert_accessible(session.page, "ledger-statistics-1280")
    page.goto("/ledger/forecast/")
    expect(page.locator("#forecast tbody tr")).to_have_count(4)
    expect(page.locator("#compliance-chart canvas")).to_have_count(1, timeout=20_000)
    session.screenshot("ledger-forecast-1280")
    assert_accessible(session.page, "ledger-forecast-1280")
    page.goto("/ledger/requirements/")
    expect(page.locator("#requirement-list")).to_contain_text("新任党组织书记任职培训")
    session.screenshot("ledger-requirements-1280")
    assert_accessible(session.page, "ledger-requirements-1280")
    assert session.console_errors == []


def test_import_lists_the_refused_rows(session, ledger_world):
    page = session.page
    log_in(page, "unitadmin")
    page.goto("/ledger/import/")
    headers = ["身份证号", "姓名", "培训名称", "举办单位", "培训方式", "开始日期", "结束日期", "学时", "任职培训",
               "证书编号", "备注"]
    secretary = ledger_world["secretary"]
    day = "2026-05-01"
    book = xlsx({"学时": [headers,
                          [secretary.id_number, "潘志强", "网络专题学习", "学习强国", "网络培训", day, day, 8, "", "",
                           ""],
                          [secretary.id_number, "潘志刚", "名字写错", "", "函授", day, day, 8, "", "", ""]]})
    page.set_input_files("#id_file", files=[{"name": "学时.xlsx", "mimeType": "application/octet-stream",
                                             "buffer": io.BytesIO(book).getvalue()}])
    page.click("form.form button[type=submit]")
    expect(page.locator(".import-report .errorbox")).to_contain_text("未导入任何数据")
    expect(page.locator(".import-errors tbody tr")).to_have_count(2)
    session.screenshot("ledger-import-errors-1280")
    assert_accessible(session.page, "ledger-import-errors-1280")
    assert not TrainingRecord.unscoped.filter(person=secretary).exists()
