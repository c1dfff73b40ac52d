"""Every endpoint of the ledger's API × every role: the status each must answer and, for a write, the outcome read
back from the database (done: the record changed; refused: no row changed). The unit administrator is scoped to
`organ`; another organ's records are 404 to them, and attaching a record to another organ's person is 422."""

import datetime
import io
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import pytest

from dangjian.core.models import AuditEntry
from dangjian.ledger.models import Exemption, Requirement, TrainingRecord
from dangjian.outbox.models import Message
from tests.conftest import ROLES
from tests.denials import assert_no_traceback_logged
from tests.factories import (
    ExemptionFactory,
    OrganFactory,
    PersonFactory,
    PhaseFactory,
    PostFactory,
    TrainingRecordFactory,
)
from tests.organizations.test_spreadsheets import xlsx
from tests.shared_world import world_per_module
from tests.state import db_state, state_diff

pytestmark = pytest.mark.django_db
ALL_ROLES = [*ROLES, "anonymous"]


def _build(users_by_role, organ):
    other = OrganFactory()
    person = PostFactory(person=PersonFactory(organ=organ), party_organization__organ=organ,
                         started_on=datetime.date(2026, 3, 1)).person
    other_person = PersonFactory(organ=other)
    phase = PhaseFactory()
    PostFactory(person=PersonFactory(organ=organ), party_organization__organ=organ,
                started_on=datetime.date(2026, 9, 1))  # due for induction training, not exempt
    users_by_role["unit_admin"].email = "danwei@example.org"  # reachable: the induction reminder writes a draft
    users_by_role["unit_admin"].save(update_fields=["email"])
    return SimpleNamespace(
        organ=organ, other_organ=other, person=person, other_person=other_person,
        record=TrainingRecordFactory(person=person), spare_record=TrainingRecordFactory(person=person),
        other_record=TrainingRecordFactory(person=other_person),
        platform_record=TrainingRecordFactory(person=person, source="platform", phase=phase, program=phase.program,
                                              starts_on=phase.starts_on, ends_on=phase.ends_on),
        exemption=ExemptionFactory(person=person), other_exemption=ExemptionFactory(person=other_person),
        requirement=Requirement.objects.get(code="induction"),
        future=Requirement.objects.create(code="future-rule", kind="hours", title_zh="未来规则", min_hours=10,
                                          source="测试", effective_from=datetime.date(2099, 1, 1)),
    )


_built_once, users_by_role, world = world_per_module(_build, name="world")


@dataclass
class Endpoint:
    name: str
    method: str
    path: str
    who: str  # "staff" (organizer, unit admin), "organizer", or "staff_other" (unit admin: 404)
    ok: int = 200
    payload: dict | None = None
    effect: Callable[[Any], Any] | None = None
    refused: int | None = None  # the state refuses it for everybody who may: 409


def count(model):
    return lambda world: model._default_manager.count()


def value(model, record, attribute):
    return lambda world: getattr(model._default_manager.get(pk=getattr(world, record).pk), attribute)


def exists(model, record):
    return lambda world: model._default_manager.filter(pk=getattr(world, record).pk).exists()


RECORD = {"person_id": "{person.pk}", "title": "网络专题班", "kind": "online", "starts_on": "2026-05-01",
          "ends_on": "2026-05-31", "hours": "12.5"}
ENDPOINTS = [
    Endpoint("record list", "get", "ledger/records", "staff"),
    Endpoint("record detail", "get", "ledger/records/{record.pk}", "staff"),
    Endpoint("record detail other", "get", "ledger/records/{other_record.pk}", "staff_other"),
    Endpoint("record create", "post", "ledger/records", "staff", 201, RECORD, effect=count(TrainingRecord)),
    Endpoint("record update", "patch", "ledger/records/{record.pk}", "staff", 200, {"hours": "3.5"},
             effect=value(TrainingRecord, "record", "hours")),
    Endpoint("record update other", "patch", "ledger/records/{other_record.pk}", "staff_other", 200,
             {"hours": "3.5"}, effect=value(TrainingRecord, "other_record", "hours")),
    Endpoint("record update platform", "patch", "ledger/records/{platform_record.pk}", "staff", 200,
             {"hours": "3.5"}, effect=value(TrainingRecord, "platform_record", "hours"), refused=409),
    Endpoint("record delete", "delete", "ledger/records/{spare_record.pk}", "staff", 204,
             effect=exists(TrainingRecord, "spare_record")),
    Endpoint("record delete platform", "delete", "ledger/records/{platform_record.pk}", "staff", 204,
             effect=exists(TrainingRecord, "platform_record"), refused=409),
    Endpoint("record import", "post", "ledger/records/import", "staff", 202, "import",
             effect=count(TrainingRecord)),
    Endpoint("record template", "get", "ledger/records/template", "staff"),
    Endpoint("requirement list", "get", "ledger/requirements", "staff"),
    Endpoint("requirement create", "post", "ledger/requirements", "organizer", 201,
             {"code": "new-rule", "title_zh": "新规则", "kind": "hours", "min_hours": "8", "source": "文件",
              "effective_from": "2030-01-01"}, effect=count(Requirement)),
    Endpoint("requirement update", "patch", "ledger/requirements/{requirement.pk}", "organizer", 200,
             {"source": "新的出处"}, effect=value(Requirement, "requirement", "source")),
    Endpoint("requirement supersede", "post", "ledger/requirements/{requirement.pk}/supersede", "organizer", 201,
             {"effective_from": "2027-01-01", "deadline_months": 12}, effect=count(Requirement)),
    Endpoint("requirement delete", "delete", "ledger/requirements/{future.pk}", "organizer", 204,
             effect=exists(Requirement, "future")),
    Endpoint("requirement delete in effect", "delete", "ledger/requirements/{requirement.pk}", "organizer", 204,
             effect=exists(Requirement, "requirement"), refused=409),
    Endpoint("exemption list", "get", "ledger/exemptions", "staff"),
    Endpoint("exemption create", "post", "ledger/exemptions", "organizer", 201,
             {"person_id": "{person.pk}", "requirement_code": "induction", "reason": "病假",
              "starts_on": "2026-01-01", "ends_on": "2026-03-31"}, effect=count(Exemption)),
    Endpoint("exemption delete", "delete", "ledger/exemptions/{exemption.pk}", "organizer", 204,
             effect=exists(Exemption, "exemption")),
    Endpoint("archive", "get", "ledger/people/{person.pk}/archive", "staff"),
    Endpoint("archive other", "get", "ledger/people/{other_person.pk}/archive", "staff_other"),
    Endpoint("compliance organs", "get", "ledger/compliance/organs", "organizer"),
    Endpoint("compliance people", "get", "ledger/compliance/people", "staff"),
    Endpoint("statistics", "get", "ledger/statistics?year=2026", "staff"),
    Endpoint("forecast", "get", "ledger/forecast", "organizer"),
    Endpoint("induction reminders", "post", "ledger/compliance/induction-reminders", "organizer", 201, {},
             effect=lambda world: Message.unscoped.count()),
]


def expected_status(endpoint: Endpoint, role: str) -> int:
    if role == "anonymous":
        return 401
    if role not in {"organizer", "unit_admin"}:
        return 403
    if role == "unit_admin":
        if endpoint.who == "organizer":
            return 403
        if endpoint.who == "staff_other":
            return 404
    return endpoint.refused or endpoint.ok


def _fill(value, world):
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        obj = world
        for part in value[1:-1].split("."):
            obj = getattr(obj, part)
        return obj.pk if hasattr(obj, "pk") else obj
    return value


def call(client, endpoint, world):
    path = endpoint.path.format(**vars(world))
    if endpoint.payload == "import":
        book = xlsx({"学时": [["身份证号", "姓名", "培训名称", "举办单位", "培训方式", "开始日期", "结束日期", "学时",
                              "任职培训", "证书编号", "备注"],
                             [world.person.id_number, "", "导入的培训", "", "网络培训", "2026-02-01", "2026-02-01", 3,
                              "", "", ""]]})
        upload = io.BytesIO(book)
        upload.name = "学时.xlsx"
        return client.django.post("/api/v1/" + path, {"file": upload})
    payload = {key: _fill(value, world) for key, value in (endpoint.payload or {}).items()}
    return client.call(endpoint.method, path, payload)


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_ledger_api_matrix(api_as, users_by_role, world, endpoint, role, caplog):
    assert endpoint.method == "get" or endpoint.effect is not None
    client = api_as(users_by_role[role])
    writes = endpoint.method != "get"
    audit_before = AuditEntry.objects.count()
    state_before = db_state() if writes else None
    effect_before = endpoint.effect(world) if writes else None
    response = call(client, endpoint, world)
    expected = expected_status(endpoint, role)
    assert response.status_code == expected, response.content
    assert_no_traceback_logged(caplog)
    if expected >= 400:
        assert response["Content-Type"] == "application/problem+json"
        if writes:
            assert state_diff(state_before, db_state()) == {}
    elif writes:
        assert endpoint.effect(world) != effect_before, f"{endpoint.name} as {role}: nothing changed"
        assert AuditEntry.objects.count() > audit_before


def test_matrix_covers_the_openapi_paths(api_as):
    paths = api_as(None).get("openapi.json").json()["paths"]
    ledger = {(method, path) for path, operations in paths.items() for method in operations
              if path.startswith("/api/v1/ledger")}
    names = {"record.pk": "record_id", "other_record.pk": "record_id", "platform_record.pk": "record_id",
             "spare_record.pk": "record_id", "requirement.pk": "requirement_id", "future.pk": "requirement_id",
             "exemption.pk": "exemption_id", "person.pk": "person_id", "other_person.pk": "person_id"}

    def openapi(path):
        for key, name in names.items():
            path = path.replace("{" + key + "}", "{" + name + "}")
        return "/api/v1/" + path.split("?")[0]

    assert ledger == {(e.method, openapi(e.path)) for e in ENDPOINTS}


def test_unit_admin_filters_name_nothing_outside_their_organs(api_as, users_by_role, world):
    client = api_as(users_by_role["unit_admin"])
    assert client.get("ledger/records", {"person": world.other_person.pk}).json()["count"] == 0
    assert client.get("ledger/compliance/people", {"organ": world.other_organ.pk}).json()["count"] == 0
    response = client.post("ledger/records", {**RECORD, "person_id": world.other_person.pk})
    assert response.status_code == 422 and "person_id" in response.content.decode()


def test_compliance_people_say_why(api_as, users_by_role, world):
    body = api_as(users_by_role["unit_admin"]).get("ledger/compliance/people", {"requirement": "induction"}).json()
    (row,) = [item for item in body["items"] if item["person_id"] == world.person.pk]
    assert row["status"] == "exempt" and "2026-03-01" in row["why"]  # exempt in 2026 (the world's exemption)


def test_an_import_with_errors_fails_its_job_naming_rows(api_as, users_by_role, world):
    book = xlsx({"学时": [["身份证号", "姓名", "培训名称", "举办单位", "培训方式", "开始日期", "结束日期", "学时",
                          "任职培训", "证书编号", "备注"],
                         [world.person.id_number, "", "坏的一行", "", "函授", "2026-02-01", "2026-02-01", 3, "", "",
                          ""]]})
    upload = io.BytesIO(book)
    upload.name = "学时.xlsx"
    before = TrainingRecord.unscoped.count()
    response = api_as(users_by_role["unit_admin"]).django.post("/api/v1/ledger/records/import", {"file": upload})
    assert response.status_code == 202 and response["Location"] == response.json()["url"]
    job = api_as(users_by_role["unit_admin"]).get(f"jobs/{response.json()['id']}").json()
    assert job["status"] == "failed" and job["kind"] == "ledger_import"
    result = job["result"]
    assert result["error_count"] == 1
    assert (result["errors"][0]["row"], result["errors"][0]["column"]) == (2, "培训方式")
    assert TrainingRecord.unscoped.count() == before


def test_a_patch_refuses_null_for_a_field_without_an_empty_value(api_as, users_by_role, world):
    response = api_as(users_by_role["organizer"]).patch(f"ledger/records/{world.record.pk}", {"hours": None})
    assert response.status_code == 422
