"""The API's contract with its clients, as the OpenAPI document states it and as the API serves it:
errors are problem details (`application/problem+json`), every operation documents every error status it
can answer, closed choices are enums, a 401 names the Bearer scheme, malformed JSON is a 400, a body's
numbers and booleans are not taken for one another, nor a number for a date."""

import pytest
from django.test import Client
from django.utils import timezone

from dangjian.accounts.models import ApiToken
from dangjian.api.urls import api
from dangjian.jobs.models import BackgroundJob
from dangjian.organizations.models import Organ
from dangjian.training.models import Phase, Program
from tests.api.helpers import BASE, ApiClient, field_errors
from tests.factories import ClassroomFactory, CourseFactory, OrganFactory, PhaseFactory, ProgramFactory

PROBLEM = "application/problem+json"
METHODS = {"get", "post", "put", "patch", "delete"}
PROBLEM_REF = {"$ref": "#/components/schemas/ProblemDetails"}


@pytest.fixture(scope="module")
def openapi():
    return api.get_openapi_schema(path_prefix="/api/v1/")


def operations(openapi):
    for path, item in openapi["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield method, path, operation


def bearer(user) -> Client:
    return Client(headers={"Authorization": f"Bearer {ApiToken.issue(user=user)}"})


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == status
    assert body["type"] == "about:blank"
    assert body["title"]
    return body


# Errors are served as problem details.

def test_errors_are_served_as_problem_json(organizer):
    client = ApiClient(organizer, token=ApiToken.issue(user=organizer))
    organ = OrganFactory()
    Organ.unscoped.create(code="child", name_zh="下级单位", sector=Organ.Sector.GOVERNMENT, parent=organ)
    assert_problem(client.get("organs/999999"), 404)
    body = assert_problem(client.post("organs", {"code": "x"}), 422)
    assert {"name_zh", "sector"} <= set(field_errors(client.post("organs", {"code": "x"})))
    assert all(set(error) >= {"field", "message"} for error in body["errors"])
    assert_problem(client.delete(f"organs/{organ.pk}"), 409)
    assert_problem(ApiClient(None).get("organs"), 401)


def test_forbidden_is_problem_json(users_by_role):
    assert_problem(ApiClient(users_by_role["participant"]).get("organs"), 403)


def test_unauthenticated_answers_name_the_bearer_scheme(db):
    response = ApiClient(None).get("programs")
    assert_problem(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")
    wrong = Client(headers={"Authorization": "Bearer not-a-token"}).get(BASE + "venues")
    assert_problem(wrong, 401)
    assert wrong["WWW-Authenticate"].startswith("Bearer")


# Malformed requests.

@pytest.mark.parametrize("body", [b"{", b'{"code": "x",}', b"\xff\xfe", b"not json"])
def test_malformed_json_is_a_400_problem(organizer, body):
    response = bearer(organizer).post(BASE + "organs", body, content_type="application/json")
    assert_problem(response, 400)


def test_malformed_json_on_a_patch_is_a_400(organizer):
    organ = OrganFactory()
    response = bearer(organizer).patch(f"{BASE}organs/{organ.pk}", b"{'sector':", content_type="application/json")
    assert_problem(response, 400)
    assert response.json()["detail"]  # where the parser stopped


def test_malformed_json_approval_is_a_400(users_by_role):
    program = ProgramFactory(status=Program.Status.SUBMITTED, submitted_at=timezone.now())
    response = bearer(users_by_role["approver"]).post(f"{BASE}programs/{program.pk}/approve", b"{",
                                                      content_type="application/json")
    assert_problem(response, 400)
    # Well-formed JSON that is not an object is invalid input, not a malformed request.
    response = bearer(users_by_role["approver"]).post(f"{BASE}programs/{program.pk}/approve", b"[]",
                                                      content_type="application/json")
    assert_problem(response, 422)
    program.refresh_from_db()
    assert program.status == Program.Status.SUBMITTED


def test_unreadable_multipart_is_a_400_problem(organizer):
    response = bearer(organizer).post(BASE + "spreadsheets/organs/import", b"--x\r\nbroken",
                                      content_type="multipart/form-data; boundary=")
    assert_problem(response, 400)


def test_body_over_the_upload_limit_is_a_413_problem(organizer, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = bearer(organizer).post(BASE + "organs", {"code": "x" * 2000}, content_type="application/json")
    assert_problem(response, 413)
    assert not Organ.unscoped.filter(code__startswith="xxx").exists()


# Booleans are not numbers, numbers are not booleans.

@pytest.mark.parametrize("value", [True, False])
def test_boolean_for_an_integer_is_a_422_naming_the_field(organizer, value):
    classroom = ClassroomFactory()
    client = ApiClient(organizer)
    response = client.post(f"venues/{classroom.venue_id}/classrooms", {"name": "新教室", "capacity": value})
    assert_problem(response, 422)
    assert "capacity" in field_errors(response)
    response = client.patch(f"venues/{classroom.venue_id}/classrooms/{classroom.pk}", {"capacity": value})
    assert "capacity" in field_errors(response)
    classroom.refresh_from_db()
    assert classroom.capacity == 120


def test_boolean_for_ids_decimals_and_lists_of_ids_is_refused(organizer):
    phase = PhaseFactory(program__status=Program.Status.DRAFT)
    client = ApiClient(organizer)
    response = client.patch(f"phases/{phase.pk}", {"capacity": True})
    assert "capacity" in field_errors(response)
    response = client.post("programs", {"title": "班", "year": 2024, "organizer_id": True})
    assert "organizer_id" in field_errors(response)
    response = client.post("courses", {"code": "c", "form": "lecture", "title_zh": "课", "default_hours": True})
    assert "default_hours" in field_errors(response)
    response = client.post("courses", {"code": "c", "form": "lecture", "title_zh": "课", "instructors": [True]})
    assert "instructors" in field_errors(response)
    assert Phase.objects.get(pk=phase.pk).capacity == 60


def test_number_for_a_boolean_is_refused_and_real_booleans_pass(organizer):
    course = CourseFactory()
    client = ApiClient(organizer)
    assert "active" in field_errors(client.patch(f"courses/{course.pk}", {"active": 0}))
    assert "active" in field_errors(client.patch(f"courses/{course.pk}", {"active": "no"}))
    response = client.patch(f"courses/{course.pk}", {"active": False, "default_hours": 2})
    assert response.status_code == 200
    assert response.json()["active"] is False


# Dates and times are ISO 8601 text, not Unix timestamps.

@pytest.mark.parametrize("value", [0, "0", 1700000000, "20240101"])
def test_timestamp_for_a_date_is_refused(organizer, value):
    phase = PhaseFactory(program__status=Program.Status.DRAFT)
    client = ApiClient(organizer)
    assert "starts_on" in field_errors(client.patch(f"phases/{phase.pk}", {"starts_on": value}))
    assert Phase.objects.get(pk=phase.pk).starts_on == phase.starts_on
    response = client.get("sessions", {"since": value})
    assert_problem(response, 422)
    assert "since" in field_errors(response)
    assert "newly_appointed_since" in field_errors(client.get("people", {"newly_appointed_since": value}))


def test_iso_dates_and_times_still_pass(organizer):
    phase = PhaseFactory(program__status=Program.Status.DRAFT)
    client = ApiClient(organizer)
    assert client.get("sessions", {"since": "2022-10-01"}).status_code == 200
    response = client.patch(f"phases/{phase.pk}", {"starts_on": "2022-10-09"})
    assert response.status_code == 200, response.content
    assert response.json()["starts_on"] == "2022-10-09"


# The OpenAPI document.

def test_problem_details_schema(openapi):
    schema = openapi["components"]["schemas"]["ProblemDetails"]
    assert {"type", "title", "status", "detail", "errors"} <= set(schema["properties"])
    assert set(schema["required"]) == {"type", "title", "status"}
    error = openapi["components"]["schemas"]["ProblemError"]
    assert {"field", "sheet", "row", "column", "message"} <= set(error["properties"])


def test_every_operation_documents_its_error_statuses_as_problem_json(openapi):
    checked = 0
    for method, path, operation in operations(openapi):
        responses = operation["responses"]
        expected = {"400", "401", "403", "404", "422"}
        if method != "get":
            expected.add("409")
        if "requestBody" in operation:
            expected.add("413")
        assert expected <= set(responses), (method, path, sorted(responses))
        for status, response in responses.items():
            if int(status) >= 400:
                assert response["content"] == {PROBLEM: {"schema": PROBLEM_REF}}, (method, path, status)
        assert "WWW-Authenticate" in responses["401"]["headers"]
        success = [status for status in responses if int(status) < 400]
        assert success, (method, path)
        assert not any("application/json" in responses[status].get("content", {}) for status in expected)
        checked += 1
    assert checked > 90


def test_closed_choices_are_enums(openapi):
    schemas = openapi["components"]["schemas"]
    paths = openapi["paths"]

    def enum_of(schema):
        for option in schema.get("anyOf", [schema]):
            if "enum" in option:
                return set(option["enum"])
            if "const" in option:  # a choice of one value
                return {option["const"]}
        return None

    kind = next(p for p in paths["/api/v1/spreadsheets/{kind}/template"]["get"]["parameters"] if p["name"] == "kind")
    assert enum_of(kind["schema"]) == {"organs", "party-organizations", "people"}
    assert enum_of(schemas["JobOut"]["properties"]["kind"]) == set(BackgroundJob.Kind.values)
    assert enum_of(schemas["JobOut"]["properties"]["status"]) == set(BackgroundJob.Status.values)
    assert enum_of(schemas["ProgramOut"]["properties"]["status"]) == set(Program.Status.values)
    assert enum_of(schemas["PhaseOut"]["properties"]["status"]) == set(Phase.Status.values)
    assert enum_of(schemas["PhaseCreateIn"]["properties"]["status"]) == set(Phase.Status.values)
    assert enum_of(schemas["ProgramDetail"]["properties"]["allowed_transitions"]["items"]) >= {"submit", "approve"}
    assert enum_of(schemas["PostOut"]["properties"]["role"])
    assert "" in enum_of(schemas["PersonOut"]["properties"]["gender"])
    assert enum_of(schemas["OrganOut"]["properties"]["sector"]) == set(Organ.Sector.values)
    assert enum_of(schemas["CommitteeMemberOut"]["properties"]["role"])
    assert enum_of(schemas["SessionOut"]["properties"]["category"]) == {"theory", "practice", "exchange", "other"}
    for name in ("VenueOut", "InstructorOut"):
        assert enum_of(schemas[name]["properties"]["kind"]), name
    status = next(p for p in paths["/api/v1/programs"]["get"]["parameters"] if p["name"] == "status")
    assert enum_of(status["schema"]) == set(Program.Status.values)


def test_unknown_spreadsheet_kind_is_a_422_naming_kind(organizer):
    response = bearer(organizer).get(BASE + "spreadsheets/cats/template")
    assert_problem(response, 422)
    assert "kind" in field_errors(response)


def test_served_document_is_the_documented_one(organizer, openapi):
    served = bearer(organizer).get(BASE + "openapi.json").json()
    assert served["components"]["schemas"]["ProblemDetails"] == openapi["components"]["schemas"]["ProblemDetails"]
    assert "409" in served["paths"]["/api/v1/organs/{organ_id}"]["delete"]["responses"]
