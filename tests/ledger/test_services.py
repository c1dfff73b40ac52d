"""Writes of the ledger: permissions and scope, audit, states that refuse, versions of rules, the import."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dangjian.core.models import AuditEntry
from dangjian.core.rules import ActionRefused
from dangjian.ledger import compliance, services
from dangjian.ledger.models import Requirement, TrainingRecord
from dangjian.ledger.spreadsheets import records_import, records_template
from tests.factories import PersonFactory, PhaseFactory, PostFactory, TrainingRecordFactory
from tests.organizations.test_spreadsheets import xlsx

pytestmark = pytest.mark.django_db
D = datetime.date
RECORD = dict(title="学习贯彻党的二十届四中全会精神网络专题班", institution="中国干部网络学院", kind="online",
              starts_on=D(2026, 3, 1), ends_on=D(2026, 3, 31), hours=Decimal("12.5"))


@pytest.fixture
def person(organ):
    return PersonFactory(organ=organ)


def test_a_unit_admin_enters_a_record_of_their_people_audited(unit_admin, person):
    record = services.record_create(person=person, by=unit_admin, **RECORD)
    assert (record.year, record.days, record.source, record.recorded_by) == (2026, 0, "entered", unit_admin)
    entry = AuditEntry.objects.get(model="ledger.trainingrecord", object_pk=str(record.pk))
    assert entry.action == "create" and entry.actor == unit_admin


def test_not_for_another_organs_people(unit_admin, other_organ):
    with pytest.raises(PermissionDenied):
        services.record_create(person=PersonFactory(organ=other_organ), by=unit_admin, **RECORD)
    assert not TrainingRecord.unscoped.exists()


def test_bad_input_names_the_field_and_writes_nothing(unit_admin, person):
    with pytest.raises(ValidationError) as error:
        services.record_create(person=person, by=unit_admin, **{**RECORD, "ends_on": D(2026, 2, 1)})
    assert "ends_on" in error.value.message_dict
    assert not TrainingRecord.unscoped.exists() and not AuditEntry.objects.filter(model="ledger.trainingrecord")


def test_changing_the_dates_moves_the_year_and_days(unit_admin, person):
    record = services.record_create(person=person, by=unit_admin, **{**RECORD, "kind": "concentrated"})
    services.record_update(record=record, by=unit_admin, starts_on=D(2025, 12, 30), ends_on=D(2026, 1, 2))
    record.refresh_from_db()
    assert (record.year, record.days) == (2026, 4)
    services.record_update(record=record, by=unit_admin, ends_on=D(2025, 12, 31))
    record.refresh_from_db()
    assert (record.year, record.days) == (2025, 2)


def test_a_platform_record_is_corrected_in_its_class(organizer, person):
    phase = PhaseFactory()
    (record,) = services.record_credit_phase(phase=phase, people=[person], hours=Decimal("37.5"), by=organizer)
    assert (record.source, record.program, record.counts_as_induction) == ("platform", phase.program, True)
    with pytest.raises(ActionRefused):
        services.record_update(record=record, by=organizer, hours=Decimal("40"))
    with pytest.raises(ActionRefused):
        services.record_delete(record=record, by=organizer)
    with pytest.raises(ValidationError):  # once per person and phase
        services.record_credit_phase(phase=phase, people=[person], hours=Decimal("37.5"), by=organizer)


def test_completing_an_induction_program_satisfies_the_duty(organizer, organ):
    secretary = PostFactory(person__organ=organ, started_on=D(2022, 5, 1)).person
    phase = PhaseFactory(program__requirement="induction")
    services.record_credit_phase(phase=phase, people=[secretary], hours=Decimal("37.5"), by=organizer)
    row = compliance.with_induction(secretary.__class__.unscoped.filter(pk=secretary.pk), on=D(2023, 1, 1)).get()
    assert row.compliance_status == "satisfied"


def test_a_rule_in_effect_changes_by_a_new_version(organizer):
    rule = Requirement.objects.get(code="secretary-annual")
    with pytest.raises(ValidationError) as error:
        services.requirement_update(requirement=rule, by=organizer, min_hours=Decimal("60"))
    assert "min_hours" in error.value.message_dict
    services.requirement_update(requirement=rule, by=organizer, title_zh="书记和委员年度培训")
    new = services.requirement_supersede(requirement=rule, effective_from=D(2027, 1, 1), by=organizer,
                                         min_hours=Decimal("60"))
    rule.refresh_from_db()
    assert rule.effective_until == D(2026, 12, 31) and rule.min_hours == 56
    assert (new.code, new.min_hours, new.effective_from, new.effective_until) == (
        "secretary-annual", 60, D(2027, 1, 1), None)
    assert compliance.hours_version("secretary-annual", 2026)[0] == rule
    assert compliance.hours_version("secretary-annual", 2027)[0] == new


def test_rules_are_the_organizers(unit_admin):
    with pytest.raises(PermissionDenied):
        services.requirement_create(by=unit_admin, code="x", kind="hours", title_zh="x", min_hours=1, source="x",
                                    effective_from=D(2030, 1, 1))


def test_a_rule_in_effect_is_not_deleted(organizer):
    with pytest.raises(ActionRefused):
        services.requirement_delete(requirement=Requirement.objects.get(code="induction"), by=organizer)


def test_exemptions(organizer, unit_admin, person):
    with pytest.raises(PermissionDenied):
        services.exemption_create(person=person, by=unit_admin, requirement_code="induction", reason="病假",
                                  starts_on=D(2026, 1, 1), ends_on=D(2026, 6, 30))
    with pytest.raises(ValidationError) as error:
        services.exemption_create(person=person, by=organizer, requirement_code="nothing", reason="病假",
                                  starts_on=D(2026, 1, 1), ends_on=D(2026, 6, 30))
    assert "requirement_code" in error.value.message_dict
    exemption = services.exemption_create(person=person, by=organizer, requirement_code="induction", reason="病假",
                                          starts_on=D(2026, 1, 1), ends_on=D(2026, 6, 30))
    assert AuditEntry.objects.filter(model="ledger.exemption", object_pk=str(exemption.pk)).exists()


# --- Import -------------------------------------------------------------------------------------------------

HEADERS = ["身份证号", "姓名", "培训名称", "举办单位", "培训方式", "开始日期", "结束日期", "学时", "任职培训",
           "证书编号", "备注"]


def book(rows: list[list]) -> io.BytesIO:
    return io.BytesIO(xlsx({"学时": [HEADERS, *rows]}))


def test_the_template_has_the_sheet_and_drop_downs():
    workbook = openpyxl.load_workbook(io.BytesIO(records_template()))
    assert workbook.sheetnames == ["学时", "说明"]
    assert [cell.value for cell in workbook["学时"][1]][:8] == HEADERS[:8]


def test_import_creates_every_row(unit_admin, person):
    result = records_import(file=book([
        [person.id_number, person.name, "学习强国专题学习", "学习强国", "网络培训", "2026-01-05", "2026-06-30", 20,
         "否", ""],
        [person.id_number, "", "新任党组织书记培训班", "中共南阳市委党校", "集中培训", "2026-04-07", "2026-04-11",
         37.5, "是", "NYDX-2026-018"],
    ]), by=unit_admin, filename="学时.xlsx")
    assert result.ok and result.counts == {"training_records": 2}
    records = TrainingRecord.unscoped.order_by("starts_on")
    assert [(r.kind, r.hours, r.days, r.counts_as_induction, r.source) for r in records] == [
        ("online", Decimal("20.0"), 0, False, "imported"), ("concentrated", Decimal("37.5"), 5, True, "imported")]
    assert AuditEntry.objects.filter(action="import", model="ledger.trainingrecord").count() == 1


def test_import_is_all_or_nothing_with_the_rows_named(unit_admin, person, other_organ):
    stranger = PersonFactory(organ=other_organ)
    TrainingRecordFactory(person=person, title="已有培训", starts_on=D(2026, 2, 1), ends_on=D(2026, 2, 2))
    result = records_import(file=book([
        [person.id_number, "", "正确的一行", "", "网络培训", "2026-01-05", "2026-01-05", 2, "", ""],
        [stranger.id_number, "", "别的单位", "", "网络培训", "2026-01-05", "2026-01-05", 2, "", ""],
        [person.id_number, "错名", "名字不对", "", "网络培训", "2026-01-05", "2026-01-05", 2, "", ""],
        [person.id_number, "", "日期反了", "", "集中培训", "2026-03-05", "2026-03-01", 2, "", ""],
        [person.id_number, "", "学时太多", "", "集中培训", "2026-03-05", "2026-03-06", 2.25, "", ""],
        [person.id_number, "", "已有培训", "", "集中培训", "2026-02-01", "2026-02-02", 8, "", ""],
        [person.id_number, "", "正确的一行", "", "网络培训", "2026-01-05", "2026-01-05", 2, "", ""],
        [person.id_number, "", "方式不对", "", "函授", "2026-01-05", "2026-01-05", 2, "", ""],
    ]), by=unit_admin)
    assert not result.ok
    assert [(error.row, error.column) for error in result.errors] == [
        (3, "身份证号"), (4, "姓名"), (5, "结束日期"), (6, "学时"), (7, "培训名称"), (8, "培训名称"), (9, "培训方式")]
    assert TrainingRecord.unscoped.count() == 1  # the one that was there
