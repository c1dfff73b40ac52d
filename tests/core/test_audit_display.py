"""The audit trail is shown with field labels and choice labels in the interface language, rendered when it
is displayed; what is stored stays field names and codes (personal data masked, as written)."""

import datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from dangjian.core.audit import audit_record, change_rows, model_label
from dangjian.core.models import AuditEntry
from dangjian.training import services
from dangjian.training.models import Program
from tests.factories import PersonFactory, ProgramFactory

pytestmark = pytest.mark.django_db


def entry(action: str, model: str, changes: dict) -> AuditEntry:
    return audit_record(actor=None, action=action, model=model, changes=changes)


def test_a_status_change_reads_in_either_language():
    status = entry("update", "training.program", {"status": ["approved", "enrollment_open"]})
    assert change_rows(status) == ["状态：已批准 → 报名中"]
    with translation.override("en"):
        assert change_rows(status) == ["Status: Approved → Enrollment open"]
        assert model_label("training.program") == "Training program"
    assert model_label("training.program") == "培训班"


def test_stored_changes_keep_names_and_codes():
    status = entry("update", "training.program", {"status": ["approved", "enrollment_open"]})
    status.refresh_from_db()
    assert status.changes == {"status": ["approved", "enrollment_open"]}


def test_personal_data_stays_masked_and_choices_get_their_labels():
    person = entry("update", "organizations.person", {
        "gender": ["male", "female"], "mobile": ["138****5678", "139****1234"], "organ": [3, 5]})
    assert change_rows(person) == ["性别：男 → 女", "手机号：138****5678 → 139****1234", "单位：#3 → #5"]


def test_a_created_record_lists_its_values_with_labels():
    created = entry("create", "training.session", {
        "form": "lecture", "starts_at": "2022-10-10 00:30:00+00:00", "group": None, "counts_once": True,
        "instructors": [1, 2]})
    rows = change_rows(created)
    assert "教学形式：专题教学" in rows
    assert "开始时间：2022-10-10 08:30" in rows  # in Shanghai time, as stored in UTC
    assert any(row.startswith("小组：—") for row in rows)
    assert any(row.endswith("#1、#2") for row in rows)


def test_reveals_exports_and_notes_read_as_words():
    reveal = entry("reveal", "organizations.person", {"fields": ["id_number", "mobile"]})
    export = entry("export", "organizations.person", {"kind": "people", "reveal": False,
                                                      "counts": {"people": 3, "posts": 2}})
    returned = entry("update", "training.program", {"status": ["submitted", "returned"], "comments": "请补充经费测算"})
    assert change_rows(reveal) == ["查看的个人信息：身份证号、手机号"]
    assert change_rows(export) == ["数据：人员", "完整个人信息：否", "记录数：人员 3、任职 2"]
    assert change_rows(returned) == ["状态：已报批 → 退回修改", "意见或理由：请补充经费测算"]


def test_unknown_models_and_keys_are_shown_as_stored():
    odd = entry("update", "gone.model", {"colour": ["red", "blue"]})
    assert change_rows(odd) == ["Colour：red → blue"]
    assert model_label("gone.model") == "gone.model"


def test_the_audit_page_shows_labels_in_the_interface_language(client, organizer):
    program = ProgramFactory(status=Program.Status.APPROVED, submitted_at=timezone.now())
    services.program_open_enrollment(program=program, by=organizer)
    client.force_login(organizer)
    page = client.get(reverse("audit_list")).content.decode()
    assert "状态：已批准 → 报名中" in page
    assert "enrollment_open" not in page
    assert '<option value="training.program">培训班</option>' in page
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("audit_list")).content.decode()
    assert "Status: Approved → Enrollment open" in page


def test_the_audit_page_keeps_personal_data_masked(client, organizer):
    from dangjian.organizations import services as registry

    person = PersonFactory(mobile="13812345678")
    registry.person_update(person=person, by=organizer, mobile="13987654321", birth_date=person.birth_date)
    client.force_login(organizer)
    page = client.get(reverse("audit_list")).content.decode()
    assert "手机号：138****5678 → 139****4321" in page
    assert "13812345678" not in page and "13987654321" not in page
    assert datetime.date.today()  # the page rendered the entries of today
