"""The ledger's pages do what they say: forms write through the services (audited; bad input named, nothing
written), exports carry the rows, the archive's PDF is Chinese text."""

import datetime
import io
import shutil
import subprocess

import openpyxl
import pytest
from django.urls import reverse

from dangjian.core.models import AuditEntry
from dangjian.ledger.models import Requirement, TrainingRecord
from tests.factories import OrganFactory, PersonFactory, PostFactory, TrainingRecordFactory

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def secretary(organ):
    return PostFactory(person=PersonFactory(organ=organ, name="潘志强"), party_organization__organ=organ,
                       party_organization__name="机关第一党支部", started_on=D(2026, 3, 1)).person


def test_entering_a_record(client, unit_admin, secretary):
    client.force_login(unit_admin)
    url = reverse("ledger_record_create", args=[secretary.pk])
    data = {"title": "任职培训班", "institution": "中共南阳市委党校", "kind": "concentrated", "starts_on": "2026-04-07",
            "ends_on": "2026-04-03", "hours": "37.5", "counts_as_induction": "on"}
    response = client.post(url, data)
    assert response.status_code == 400 and "结束日期不能早于开始日期" in response.content.decode()
    assert not TrainingRecord.unscoped.exists()
    response = client.post(url, {**data, "ends_on": "2026-04-11"})
    assert response.status_code == 302 and response["Location"] == reverse("ledger_person", args=[secretary.pk])
    record = TrainingRecord.unscoped.get()
    assert (record.days, record.year, record.recorded_by) == (5, 2026, unit_admin)
    assert AuditEntry.objects.filter(action="create", model="ledger.trainingrecord").count() == 1
    page = client.get(reverse("ledger_person", args=[secretary.pk])).content.decode()
    assert "已有任职培训记录" in page and "37.5" in page


def test_a_new_version_of_a_rule_from_the_page(client, organizer):
    client.force_login(organizer)
    rule = Requirement.objects.get(code="member-annual")
    url = reverse("ledger_requirement_supersede", args=[rule.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"effective_from": "2027-01-01", "title_zh": rule.title_zh, "audience": rule.audience,
                                 "min_hours": "40", "counted_kind": "concentrated", "min_concentrated": "0",
                                 "period_years": "1", "source": "新规划"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(Requirement.objects.filter(code="member-annual").values_list("min_hours", "effective_until")) == [
        (40, None), (32, D(2026, 12, 31))]


def test_the_edit_form_of_a_rule_in_effect_changes_only_its_words(client, organizer):
    client.force_login(organizer)
    rule = Requirement.objects.get(code="induction")
    form = client.get(reverse("ledger_requirement_edit", args=[rule.pk])).context["form"]
    assert form.fields["deadline_months"].disabled and not form.fields["source"].disabled


def test_city_export_lists_every_organ(client, organizer, secretary):
    OrganFactory()  # nobody under the rule: not listed
    client.force_login(organizer)
    response = client.get(reverse("ledger_city_export"), {"requirement": "induction"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.values)
    assert rows[1][:3] == ("单位", "系统", "待完成")
    assert rows[2][0] == secretary.organ.name_zh and rows[2][2] + rows[2][3] == 1
    assert AuditEntry.objects.filter(action="export").exists()


def test_organ_export_says_why(client, unit_admin, secretary):
    client.force_login(unit_admin)
    response = client.get(reverse("ledger_organ_export", args=[secretary.organ_id]), {"requirement": "induction"})
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.values)
    assert rows[2][0] == "潘志强" and rows[2][5].startswith("机关第一党支部书记，任职于 2026-03-01")


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is missing")
def test_the_archive_pdf_is_chinese_text(client, unit_admin, secretary, tmp_path):
    TrainingRecordFactory(person=secretary, title="2026年新任基层党组织书记任职培训班", counts_as_induction=True)
    client.force_login(unit_admin)
    response = client.get(reverse("ledger_person_pdf", args=[secretary.pk]))
    assert response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "archive.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "潘志强的学时档案" in text and "任职培训" in text and "已达标" in text
    if shutil.which("pdftoppm"):  # a picture to look at (tests/e2e/screenshots, not committed)
        from tests.e2e.conftest import SCREENSHOTS

        SCREENSHOTS.mkdir(exist_ok=True)
        target = str(SCREENSHOTS / "ledger-archive-pdf")
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-singlefile", str(pdf), target], check=True)


def test_the_city_page_pages_its_organs_and_counts_them_all(client, organizer, settings):
    """Paged by 2: three organs under the rule, two on the first page, one on the second; the totals and the chart
    count all three (from the same one pass over the people), and a sector narrows the table, not the chart."""
    settings.PAGE_SIZE = 2
    organs = [OrganFactory(sector="party" if i < 2 else "judicial") for i in range(3)]
    for organ in organs:
        PostFactory(person=PersonFactory(organ=organ), party_organization__organ=organ, started_on=D(2026, 3, 1))
    client.force_login(organizer)
    url = reverse("ledger_city")
    first = client.get(url, {"requirement": "induction"})
    second = client.get(url, {"requirement": "induction", "page": 2}).context
    shown = [row.organ for row in first.context["page"]] + [row.organ for row in second["page"]]
    assert len(first.context["page"]) == 2 and sorted(o.pk for o in shown) == [o.pk for o in organs]
    assert first.context["page"].paginator.count == 3 and sum(first.context["totals"].values()) == 3
    assert sum(sum(series["data"]) for series in first.context["chart"]["series"]) == 3
    row = first.context["page"][0]
    status = next(status for status, count in row.counts.items() if count)
    drill = f'{reverse("ledger_organ", args=[row.organ.pk])}?requirement=induction&amp;year=2026&amp;status={status}'
    assert drill in first.content.decode()
    narrowed = client.get(url, {"requirement": "induction", "sector": "judicial"}).context
    assert [row.organ for row in narrowed["page"]] == organs[2:]
    assert sum(narrowed["totals"].values()) == 1 and len(narrowed["chart"]["categories"]) == 2


def test_the_import_runs_as_a_job_whose_page_reports_the_rows(client, unit_admin, secretary):
    from tests.ledger.test_services import book

    client.force_login(unit_admin)
    bad = book([[secretary.id_number, secretary.name, "学习强国专题", "学习强国", "函授", "2026-02-01", "2026-02-01", 3,
                 "", "", ""]])
    bad.name = "学时.xlsx"
    response = client.post(reverse("ledger_import"), {"file": bad})
    assert response.status_code == 302 and response["Location"].startswith("/jobs/")
    page = client.get(response["Location"]).content.decode()
    assert "未导入任何数据" in page and "培训方式" in page and reverse("ledger_import") in page
    assert not TrainingRecord.unscoped.exists()
    good = book([[secretary.id_number, secretary.name, "学习强国专题", "学习强国", "网络培训", "2026-02-01",
                  "2026-02-01", 3, "", "", ""]])
    good.name = "学时.xlsx"
    response = client.post(reverse("ledger_import"), {"file": good})
    assert response.status_code == 302
    assert TrainingRecord.unscoped.get().source == "imported"
    listing = client.get(reverse("ledger_import")).content.decode()
    assert listing.count("学时.xlsx") == 2  # both imports under "recent imports"
