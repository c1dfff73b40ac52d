"""The training API: library, programs and their workflow, phases (groups, committee, temporary
branch, timetable copy), sessions, documents. Permissions per role are in test_training_api_permissions.py.
"""

import datetime
import io

import pytest
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext

from dangjian.core.models import AuditEntry
from dangjian.organizations.models import PartyOrganization, Post
from dangjian.training import documents, selectors
from dangjian.training.models import (
    ClassCommitteeMember,
    Classroom,
    Course,
    Group,
    Instructor,
    Phase,
    Program,
    ProgramReview,
    Session,
    Site,
    TravelTime,
    Venue,
)
from tests.api.helpers import ApiClient, field_errors
from tests.completion.closing_world import make_current_pack
from tests.factories import (
    ClassroomFactory,
    CourseFactory,
    GroupFactory,
    InstructorFactory,
    PersonFactory,
    PhaseFactory,
    PostFactory,
    ProgramFactory,
    SessionFactory,
    SiteFactory,
    UserFactory,
    VenueFactory,
    at,
)

DAY1 = datetime.date(2022, 10, 10)  # PhaseFactory: 10 to 14 October 2022
DAY2 = datetime.date(2022, 10, 11)


# Fixtures ----------------------------------------------------------------------------------------

@pytest.fixture
def college_staff(db):
    return UserFactory(username="college", roles=["college_staff"])


@pytest.fixture
def approver(db):
    return UserFactory(username="approver", roles=["approver"])


@pytest.fixture
def venue(college_staff):
    venue = VenueFactory(code="dabie", name_zh="大别山干部学院")
    venue.staff.add(college_staff)
    return venue


@pytest.fixture
def program(organ, venue):
    return ProgramFactory(organizer=organ, venue=venue)


@pytest.fixture
def phase(program):
    return PhaseFactory(program=program, number=1)


@pytest.fixture
def as_organizer(api_as, organizer):
    return api_as(organizer)


@pytest.fixture
def as_staff(api_as, college_staff):
    return api_as(college_staff)


@pytest.fixture
def as_approver(api_as, approver):
    return api_as(approver)


@pytest.fixture
def fake_documents(monkeypatch):
    """The documents are another module's work: the API only has to call them with the right records."""
    calls = []

    def fake(kind, body):
        def render(**kwargs):
            calls.append((kind, kwargs))
            return body
        return render

    monkeypatch.setattr(documents, "program_plan_pdf", fake("plan", b"%PDF-1.7 plan"))
    monkeypatch.setattr(documents, "phase_timetable_pdf", fake("pdf", b"%PDF-1.7 timetable"))
    monkeypatch.setattr(documents, "phase_timetable_xlsx", fake("xlsx", b"PK\x03\x04 workbook"))
    monkeypatch.setattr(documents, "sessions_ical", fake("ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"))
    return calls


def set_status(program: Program, status: str, *, submitted: bool = True) -> Program:
    """Put a program in a status for a test's setup (the workflow itself is tested through the API)."""
    Program.unscoped.filter(pk=program.pk).update(
        status=status, submitted_at=timezone.now() if submitted else None)
    program.refresh_from_db()
    return program


def in_language(message) -> str:
    """A message as the API answers it (in the default language), so the tests hold once translated."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(gettext(message) if isinstance(message, str) else message)


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def problem(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    return response.json()


# Library -----------------------------------------------------------------------------------------

class TestVenues:
    def test_create_with_staff(self, as_organizer, college_staff):
        response = as_organizer.post("venues", {
            "code": "nanyang-school", "name_zh": "中共南阳市委党校", "kind": "party_school",
            "staff": [college_staff.pk],
        })
        assert response.status_code == 201, response.content
        venue = Venue.objects.get(code="nanyang-school")
        assert response.json()["staff"] == [college_staff.pk]
        assert list(venue.staff.all()) == [college_staff]
        assert AuditEntry.objects.filter(action="create", model="training.venue", object_pk=str(venue.pk)).exists()

    def test_staff_must_hold_the_college_staff_role(self, as_organizer, approver):
        response = as_organizer.post("venues", {"code": "x", "name_zh": "某学院", "staff": [approver.pk]})
        assert problem(response, 422)
        assert list(field_errors(response)) == ["staff"]
        assert not Venue.objects.filter(code="x").exists()

    def test_list_and_detail(self, as_staff, venue):
        ClassroomFactory(venue=venue)
        department = VenueFactory(parent=venue, kind="department")
        assert ids(as_staff.get("venues")) == [venue.pk, department.pk]  # by code: "dabie" < "venue-…"
        body = as_staff.get(f"venues/{venue.pk}").json()
        assert body["classroom_total"] == 1 and body["name_zh"] == "大别山干部学院"
        assert as_staff.get(f"venues/{department.pk}").json()["parent_id"] == venue.pk

    def test_update_staff_and_name(self, as_organizer, venue, college_staff):
        response = as_organizer.patch(f"venues/{venue.pk}", {"name_en": "Dabie Mountain Cadre College", "staff": []})
        assert response.status_code == 200, response.content
        assert response.json()["staff"] == [] and response.json()["name_en"] == "Dabie Mountain Cadre College"
        assert not venue.staff.exists()
        assert AuditEntry.objects.filter(action="update", object_pk=str(venue.pk)).count() == 2  # fields, staff

    def test_own_parent_names_parent_id(self, as_organizer, venue):
        response = as_organizer.patch(f"venues/{venue.pk}", {"parent_id": venue.pk})
        assert list(field_errors(response)) == ["parent_id"]

    def test_delete_free_and_referenced(self, as_organizer, program):
        free = VenueFactory()
        assert as_organizer.delete(f"venues/{free.pk}").status_code == 204
        assert not Venue.objects.filter(pk=free.pk).exists()
        body = problem(as_organizer.delete(f"venues/{program.venue_id}"), 409)
        assert body["detail"]
        assert Venue.objects.filter(pk=program.venue_id).exists()

    def test_misspelt_field_is_refused(self, as_organizer):
        response = as_organizer.post("venues", {"code": "x", "name_zh": "某学院", "name": "x"})
        assert list(field_errors(response)) == ["name"]


class TestClassrooms:
    def test_crud(self, as_organizer, venue):
        other = ClassroomFactory()  # at another venue
        response = as_organizer.post(f"venues/{venue.pk}/classrooms", {"name": "第一教室", "capacity": 120})
        assert response.status_code == 201, response.content
        room = Classroom.objects.get(pk=response.json()["id"])
        assert room.venue == venue
        assert ids(as_organizer.get(f"venues/{venue.pk}/classrooms")) == [room.pk]
        assert as_organizer.get(f"venues/{venue.pk}/classrooms/{other.pk}").status_code == 404
        assert as_organizer.patch(f"venues/{venue.pk}/classrooms/{room.pk}", {"capacity": 90}).json()["capacity"] == 90
        assert as_organizer.delete(f"venues/{venue.pk}/classrooms/{room.pk}").status_code == 204

    def test_english_name(self, as_organizer, venue):
        response = as_organizer.post(f"venues/{venue.pk}/classrooms",
                                     {"name": "研讨室A", "name_en": "Seminar Room A", "capacity": 15})
        assert response.status_code == 201 and response.json()["name_en"] == "Seminar Room A"
        room_id = response.json()["id"]
        response = as_organizer.patch(f"venues/{venue.pk}/classrooms/{room_id}", {"name_en": "Seminar Room 1"})
        assert response.json()["name_en"] == Classroom.objects.get(pk=room_id).name_en == "Seminar Room 1"

    def test_duplicate_name_and_bad_capacity(self, as_organizer, venue):
        ClassroomFactory(venue=venue, name="第一教室")
        response = as_organizer.post(f"venues/{venue.pk}/classrooms", {"name": "第一教室", "capacity": 60})
        assert problem(response, 422)["errors"]
        response = as_organizer.post(f"venues/{venue.pk}/classrooms", {"name": "第二教室", "capacity": 0})
        assert list(field_errors(response)) == ["capacity"]
        assert venue.classrooms.count() == 1


class TestSites:
    def test_filters(self, as_staff):
        dabie = SiteFactory(region="Dabie", name_zh="鄂豫皖苏区首府革命博物馆")
        nanyang = SiteFactory(region="Nanyang", name_zh="南阳革命烈士陵园")
        assert ids(as_staff.get("sites", {"region": "Nanyang"})) == [nanyang.pk]
        assert ids(as_staff.get("sites", {"q": "首府"})) == [dabie.pk]
        assert "region" in field_errors(as_staff.get("sites", {"region": "Mars"}))

    def test_create_update_delete(self, as_organizer):
        response = as_organizer.post("sites", {"code": "xinji", "name_zh": "新集革命旧址", "region": "Dabie",
                                               "county": "新县", "theme": "红四方面军"})
        assert response.status_code == 201, response.content
        site = Site.objects.get(code="xinji")
        assert as_organizer.patch(f"sites/{site.pk}", {"typical_use": "现场教学"}).json()["typical_use"] == "现场教学"
        duplicate = as_organizer.post("sites", {"code": "xinji", "name_zh": "另一个"})
        assert list(field_errors(duplicate)) == ["code"]
        assert as_organizer.delete(f"sites/{site.pk}").status_code == 204

    def test_site_on_a_timetable_cannot_be_deleted(self, as_organizer, phase):
        site = SiteFactory()
        session = SessionFactory(phase=phase)
        session.stops.create(site=site)
        assert problem(as_organizer.delete(f"sites/{site.pk}"), 409)["detail"]


class TestTravelTimes:
    def test_create_and_filter(self, as_organizer, venue):
        site, elsewhere = SiteFactory(), SiteFactory()
        response = as_organizer.post("travel-times", {"from_venue_id": venue.pk, "to_site_id": site.pk, "minutes": 40})
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["origin"] == "大别山干部学院" and body["destination"] == site.name_zh and body["minutes"] == 40
        other = TravelTime.objects.create(from_site=site, to_site=elsewhere, minutes=15)
        assert ids(as_organizer.get("travel-times", {"venue": venue.pk})) == [body["id"]]
        assert ids(as_organizer.get("travel-times", {"site": elsewhere.pk})) == [other.pk]

    def test_one_place_at_each_end(self, as_organizer, venue):
        site = SiteFactory()
        response = as_organizer.post("travel-times", {"from_venue_id": venue.pk, "from_site_id": site.pk,
                                                      "to_site_id": site.pk, "minutes": 40})
        assert problem(response, 422)["errors"][0]["message"]
        assert not TravelTime.objects.exists()

    def test_unknown_place_and_bad_minutes_name_the_fields(self, as_organizer, venue):
        response = as_organizer.post("travel-times", {"from_venue_id": venue.pk, "to_site_id": 999999, "minutes": 0})
        assert set(field_errors(response)) == {"minutes"}
        response = as_organizer.post("travel-times", {"from_venue_id": venue.pk, "to_site_id": 999999, "minutes": 5})
        assert list(field_errors(response)) == ["to_site_id"]


class TestInstructors:
    def test_phone_is_masked_for_college_staff(self, as_organizer, as_staff):
        instructor = InstructorFactory(phone="13812345678")
        assert as_organizer.get(f"instructors/{instructor.pk}").json()["phone"] == "13812345678"
        assert as_staff.get(f"instructors/{instructor.pk}").json()["phone"] == "138****5678"
        assert as_staff.get("instructors").json()["items"][0]["phone"] == "138****5678"

    def test_create_linked_to_a_login_and_a_person(self, as_organizer, organ):
        login = UserFactory(roles=["instructor"])
        person = PersonFactory(organ=organ)
        response = as_organizer.post("instructors", {"name": "王教授", "kind": "external", "title": "教授",
                                                     "user_id": login.pk, "person_id": person.pk})
        assert response.status_code == 201, response.content
        instructor = Instructor.objects.get(pk=response.json()["id"])
        assert instructor.user == login and instructor.person == person

    def test_login_must_hold_the_instructor_role(self, as_organizer):
        response = as_organizer.post("instructors", {"name": "王教授", "user_id": UserFactory().pk})
        assert list(field_errors(response)) == ["user_id"]

    def test_bad_phone_and_search(self, as_organizer):
        InstructorFactory(name="李明")
        assert list(field_errors(as_organizer.post("instructors", {"name": "x", "phone": "123"}))) == ["phone"]
        assert as_organizer.get("instructors", {"q": "李"}).json()["count"] == 1


class TestCourses:
    def test_create_with_sites_and_instructors(self, as_organizer):
        site, teacher = SiteFactory(), InstructorFactory()
        response = as_organizer.post("courses", {
            "code": "dabie-spirit", "form": "onsite_teaching", "title_zh": "大别山精神", "default_hours": "2.5",
            "sites": [site.pk], "instructors": [teacher.pk],
        })
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["sites"] == [site.pk] and body["instructors"] == [teacher.pk] and body["default_hours"] == 2.5
        course = Course.objects.get(code="dabie-spirit")
        assert list(course.sites.all()) == [site]

    def test_unknown_and_repeated_ids_name_the_field(self, as_organizer):
        site = SiteFactory()
        base = {"code": "c", "form": "lecture", "title_zh": "课"}
        assert list(field_errors(as_organizer.post("courses", {**base, "sites": [999999]}))) == ["sites"]
        assert list(field_errors(as_organizer.post("courses", {**base, "sites": [site.pk, site.pk]}))) == ["sites"]
        assert list(field_errors(as_organizer.post("courses", {**base, "form": "party"}))) == ["form"]
        assert list(field_errors(as_organizer.post("courses", {**base, "default_hours": 2.25}))) == ["default_hours"]
        assert not Course.objects.exists()

    def test_filters_and_update(self, as_organizer):
        lecture = CourseFactory(form="lecture")
        visit = CourseFactory(form="site_visit", active=False)
        assert ids(as_organizer.get("courses", {"form": "site_visit"})) == [visit.pk]
        assert ids(as_organizer.get("courses", {"active": "true"})) == [lecture.pk]
        assert len(ids(as_organizer.get("courses"))) == 2
        response = as_organizer.patch(f"courses/{visit.pk}", {"active": True, "instructors": []})
        assert response.json()["active"] is True


# Programs ----------------------------------------------------------------------------------------

PROGRAM = {
    "title": "2022年南阳市直机关新任党组织书记培训班", "year": 2022,
    "legal_basis": "《中国共产党党和国家机关基层组织工作条例》第三十一条",
    "target_population": "新任党组织书记", "requirement": "induction", "planned_participants": 110,
    "phase_count": 2, "cost_per_person_day": "550.00",
}


class TestPrograms:
    def test_create_a_draft_with_the_default_hours(self, as_organizer, organ, venue):
        response = as_organizer.post("programs", {**PROGRAM, "organizer_id": organ.pk, "venue_id": venue.pk})
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["status"] == "draft" and body["hours_per_day"] == 7.5 and body["cost_per_person_day"] == 550
        assert body["venue"]["name_zh"] == "大别山干部学院" and body["organizer"]["id"] == organ.pk
        assert body["allowed_transitions"] == ["submit"] and body["phases"] == [] and body["reviews"] == []
        assert AuditEntry.objects.filter(action="create", model="training.program").exists()

    def test_status_cannot_be_set_and_unknown_organ_is_named(self, as_organizer, organ):
        response = as_organizer.post("programs", {**PROGRAM, "organizer_id": organ.pk, "status": "approved"})
        assert list(field_errors(response)) == ["status"]
        response = as_organizer.post("programs", {**PROGRAM, "organizer_id": 999999})
        assert list(field_errors(response)) == ["organizer_id"]
        response = as_organizer.post("programs", {**PROGRAM, "organizer_id": organ.pk, "hours_per_day": "7.55"})
        assert list(field_errors(response)) == ["hours_per_day"]
        assert not Program.unscoped.exists()

    def test_list_filters(self, as_organizer, organ):
        draft = ProgramFactory(organizer=organ, year=2022)
        older = ProgramFactory(organizer=organ, year=2021, title="2021年党务干部培训班")
        approved = set_status(ProgramFactory(organizer=organ, year=2022), "approved")
        assert ids(as_organizer.get("programs", {"status": "approved"})) == [approved.pk]
        assert ids(as_organizer.get("programs", {"year": 2021})) == [older.pk]
        assert ids(as_organizer.get("programs", {"q": "党务"})) == [older.pk]
        assert set(ids(as_organizer.get("programs"))) == {draft.pk, older.pk, approved.pk}
        assert "status" in field_errors(as_organizer.get("programs", {"status": "done"}))
        assert as_organizer.get("programs").json()["items"][0]["phase_total"] == 0

    def test_detail_has_phases_reviews_and_transitions(self, as_organizer, program, phase, approver):
        set_status(program, "approved")
        ProgramReview.objects.create(program=program, decision="approved", decided_by=approver,
                                     decided_by_name="审批人", comments="同意", document_reference="宛发〔2022〕1号")
        body = as_organizer.get(f"programs/{program.pk}").json()
        assert [p["id"] for p in body["phases"]] == [phase.pk]
        assert body["phases"][0]["day_count"] == 5 and body["phase_total"] == 1
        assert body["reviews"][0]["comments"] == "同意" and body["reviews"][0]["document"] is None
        assert body["allowed_transitions"] == ["reopen", "open_enrollment"]

    def test_approved_plan_dates_cannot_change_without_resubmitting(self, as_organizer, program):
        set_status(program, "approved")
        response = as_organizer.patch(f"programs/{program.pk}", {"planned_participants": 200})
        body = problem(response, 422)
        assert list(field_errors(response)) == ["planned_participants"]
        assert in_language(Program.Status.APPROVED.label) in body["errors"][0]["message"]
        response = as_organizer.patch(f"programs/{program.pk}", {"venue_id": VenueFactory().pk})
        assert list(field_errors(response)) == ["venue_id"]
        assert as_organizer.patch(f"programs/{program.pk}", {"contact_name": "李四"}).status_code == 200
        program.refresh_from_db()
        assert program.planned_participants == 110 and program.contact_name == "李四"

    def test_delete_only_a_draft_never_submitted(self, as_organizer, organ):
        draft = ProgramFactory(organizer=organ)
        PhaseFactory(program=draft)
        assert as_organizer.delete(f"programs/{draft.pk}").status_code == 204
        assert not Program.unscoped.filter(pk=draft.pk).exists()
        returned = set_status(ProgramFactory(organizer=organ), "returned")
        assert problem(as_organizer.delete(f"programs/{returned.pk}"), 409)["detail"]
        assert Program.unscoped.filter(pk=returned.pk).exists()

    def test_unknown_program_is_404(self, as_organizer, db):
        assert problem(as_organizer.get("programs/999999"), 404)


class TestWorkflow:
    def test_the_whole_cycle(self, as_organizer, as_approver, program, phase):
        response = as_organizer.post(f"programs/{program.pk}/submit", {})
        assert response.status_code == 200, response.content
        assert response.json()["status"] == "submitted"
        assert as_approver.get(f"programs/{program.pk}").json()["allowed_transitions"] == ["approve", "return"]
        response = as_approver.post(f"programs/{program.pk}/return", {"comments": "补充预算"})
        assert response.json()["status"] == "returned"
        assert response.json()["reviews"][0]["decision"] == "returned"
        as_organizer.post(f"programs/{program.pk}/submit", {})
        response = as_approver.post(f"programs/{program.pk}/approve",
                                    {"comments": "同意", "document_reference": "宛文〔2022〕12号"})
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["status"] == "approved"
        assert body["reviews"][0]["decision"] == "approved" and body["reviews"][0]["decided_by_name"]
        assert body["reviews"][0]["document_reference"] == "宛文〔2022〕12号"
        make_current_pack(program)
        for action, status in [("open-enrollment", "enrollment_open"), ("start", "in_progress"),
                               ("close", "closed"), ("archive", "archived")]:
            response = as_organizer.post(f"programs/{program.pk}/{action}", {})
            assert response.status_code == 200, (action, response.content)
            assert response.json()["status"] == status
        phase.refresh_from_db()
        assert phase.status == Phase.Status.FINISHED
        statuses = [entry.changes["status"][1] for entry in AuditEntry.objects.filter(
            model="training.program", action="update").order_by("pk") if "status" in entry.changes]
        assert statuses == ["submitted", "returned", "submitted", "approved", "enrollment_open", "in_progress",
                            "closed", "archived"]

    def test_illegal_transition_is_a_409_with_the_service_message(self, as_organizer, program, phase):
        response = as_organizer.post(f"programs/{program.pk}/start", {})
        body = problem(response, 409)
        assert body["detail"] == in_language("A program that is “%(status)s” cannot be %(action)s.") % {
            "status": in_language(Program.Status.DRAFT.label), "action": in_language("started")}
        program.refresh_from_db()
        assert program.status == "draft"
        assert not AuditEntry.objects.exists()

    def test_approving_an_approved_plan_is_a_409(self, as_approver, program):
        set_status(program, "approved")
        assert problem(as_approver.post(f"programs/{program.pk}/approve", {}), 409)["detail"]
        assert not ProgramReview.objects.exists()

    def test_approving_as_organizer_is_403(self, as_organizer, program):
        set_status(program, "submitted")
        problem(as_organizer.post(f"programs/{program.pk}/approve", {"comments": "同意"}), 403)
        problem(as_organizer.post(f"programs/{program.pk}/return", {"comments": "x"}), 403)
        program.refresh_from_db()
        assert program.status == "submitted"

    def test_approver_does_not_see_a_draft(self, as_approver, program):
        problem(as_approver.post(f"programs/{program.pk}/approve", {}), 404)
        program.refresh_from_db()
        assert program.status == "draft" and not program.reviews.exists()

    def test_incomplete_plan_lists_what_is_missing(self, as_organizer, organ):
        program = ProgramFactory(organizer=organ, venue=None, phase_count=2)
        body = problem(as_organizer.post(f"programs/{program.pk}/submit", {}), 422)
        assert len(body["errors"]) == 2 and all(error["field"] is None for error in body["errors"])
        program.refresh_from_db()
        assert program.status == "draft" and program.submitted_at is None
        assert program.status == "draft"

    def test_return_needs_comments_and_reopen_a_reason(self, as_organizer, as_approver, program):
        set_status(program, "submitted")
        assert list(field_errors(as_approver.post(f"programs/{program.pk}/return", {"comments": " "}))) == [
            "comments"]
        assert list(field_errors(as_approver.post(f"programs/{program.pk}/return", {}))) == ["comments"]
        set_status(program, "approved")
        assert list(field_errors(as_organizer.post(f"programs/{program.pk}/reopen", {"reason": ""}))) == ["reason"]
        response = as_organizer.post(f"programs/{program.pk}/reopen", {"reason": "调整期次日期"})
        assert response.json()["status"] == "draft"
        entry = AuditEntry.objects.filter(model="training.program").latest("pk")
        assert entry.changes["comments"] == "调整期次日期"

    def test_unknown_field_in_a_transition_is_refused(self, as_approver, program):
        set_status(program, "submitted")
        response = as_approver.post(f"programs/{program.pk}/approve", {"comment": "同意"})
        assert list(field_errors(response)) == ["comment"]
        response = as_approver.post(f"programs/{program.pk}/return", {"comments": "x", "decision": "approved"})
        assert list(field_errors(response)) == ["decision"]
        program.refresh_from_db()
        assert program.status == "submitted"


class TestApprovalDocument:
    def _post(self, approver, program, name: str, content: bytes, **fields):
        client = ApiClient(approver)
        upload = io.BytesIO(content)
        upload.name = name
        return client.django.post(f"/api/v1/programs/{program.pk}/approve", {**fields, "document": upload})

    def test_multipart_with_a_pdf(self, approver, program, settings, tmp_path):
        settings.MEDIA_ROOT = tmp_path
        set_status(program, "submitted")
        response = self._post(approver, program, "批复.pdf", b"%PDF-1.7 approval", comments="同意",
                              document_reference="宛文〔2022〕12号")
        assert response.status_code == 200, response.content
        review = ProgramReview.objects.get()
        assert review.document and review.document_reference == "宛文〔2022〕12号" and review.comments == "同意"
        link = response.json()["reviews"][0]["document"]
        assert link == f"/api/v1/programs/{program.pk}/reviews/{review.pk}/document"
        download = ApiClient(approver).django.get(link)
        assert download.status_code == 200
        assert b"".join(download.streaming_content) == b"%PDF-1.7 approval"

    def test_a_file_that_is_not_a_pdf_or_image_is_refused(self, approver, program, settings, tmp_path):
        settings.MEDIA_ROOT = tmp_path
        set_status(program, "submitted")
        response = self._post(approver, program, "批复.pdf", b"MZ\x90\x00 not a pdf")
        assert list(field_errors(response)) == ["document"]
        response = self._post(approver, program, "批复.exe", b"%PDF-1.7")
        assert list(field_errors(response)) == ["document"]
        program.refresh_from_db()
        assert program.status == "submitted" and not ProgramReview.objects.exists()

    def test_organizer_gets_403_whatever_the_file(self, organizer, program):
        set_status(program, "submitted")
        response = self._post(organizer, program, "批复.txt", b"plain text")
        assert problem(response, 403)

    def test_unknown_form_field_is_refused(self, approver, program):
        set_status(program, "submitted")
        response = ApiClient(approver).django.post(f"/api/v1/programs/{program.pk}/approve", {"decision": "x"})
        assert list(field_errors(response)) == ["decision"]

    def test_no_document_is_a_404(self, as_approver, program, approver):
        set_status(program, "approved")
        review = ProgramReview.objects.create(program=program, decision="approved", decided_by=approver)
        problem(as_approver.get(f"programs/{program.pk}/reviews/{review.pk}/document"), 404)


class TestFormMixAndPlan:
    def test_form_mix(self, as_staff, program, phase):
        SessionFactory(phase=phase, form="lecture", hours=3)
        SessionFactory(phase=phase, form="site_visit", hours=3, starts_at=at(DAY2, "08:30"),
                       ends_at=at(DAY2, "11:30"))
        SessionFactory(phase=phase, form="opening", hours=1, starts_at=at(DAY1, "14:00"), ends_at=at(DAY1, "15:00"))
        body = as_staff.get(f"programs/{program.pk}/form-mix").json()
        assert body["total_hours"] == 7 and body["theory_share"] == 50 and body["practice_share"] == 50
        assert {row["code"]: row["hours"] for row in body["forms"]} == {"lecture": 3, "site_visit": 3, "opening": 1}
        assert {row["code"]: row["share"] for row in body["categories"]} == {
            "theory": 50, "practice": 50, "exchange": 0, "other": None}
        assert body["phases"] == [{"phase_id": phase.pk, "number": 1, "hours": 7, "days": 5,
                                   "hours_by_days": 37.5}]

    def test_plan_pdf(self, as_approver, program, fake_documents):
        set_status(program, "submitted")
        response = as_approver.get(f"programs/{program.pk}/plan.pdf")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")
        assert "inline" in response["Content-Disposition"]
        assert fake_documents == [("plan", {"program": program})]


# Phases ------------------------------------------------------------------------------------------

class TestPhases:
    def test_create_numbers_the_next_phase(self, as_organizer, program, phase):
        response = as_organizer.post("phases", {"program_id": program.pk, "starts_on": "2022-10-17",
                                                "ends_on": "2022-10-21", "capacity": 55})
        assert response.status_code == 201, response.content
        assert response.json()["number"] == 2 and response.json()["day_count"] == 5

    def test_refusals_name_the_field(self, as_organizer, program, phase):
        base = {"program_id": program.pk, "starts_on": "2022-10-17", "ends_on": "2022-10-16"}
        assert list(field_errors(as_organizer.post("phases", base))) == ["ends_on"]
        assert list(field_errors(as_organizer.post("phases", {**base, "ends_on": "2022-10-32"}))) == ["ends_on"]
        assert list(field_errors(as_organizer.post("phases", {**base, "ends_on": "2022-10-20", "number": 1}))) == [
            "number"]
        assert list(field_errors(as_organizer.post("phases", {**base, "program_id": 999999}))) == ["program_id"]
        assert program.phases.count() == 1

    def test_an_approved_plan_gets_no_new_phase(self, as_organizer, program):
        set_status(program, "approved")
        response = as_organizer.post("phases", {"program_id": program.pk, "starts_on": "2022-10-17",
                                                "ends_on": "2022-10-21"})
        assert "重新开启" in problem(response, 409)["detail"]
        assert not program.phases.exists()

    def test_college_staff_set_the_head_teacher_and_classroom_but_not_the_dates(self, as_staff, college_staff,
                                                                                 phase, venue):
        room = ClassroomFactory(venue=venue)
        response = as_staff.patch(f"phases/{phase.pk}", {"head_teacher_id": college_staff.pk,
                                                         "classroom_id": room.pk, "status": "in_progress"})
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["head_teacher"]["id"] == college_staff.pk and body["classroom"] == {"id": room.pk,
                                                                                          "name": room.name}
        problem(as_staff.patch(f"phases/{phase.pk}", {"ends_on": "2022-10-15"}), 403)
        elsewhere = ClassroomFactory()
        assert list(field_errors(as_staff.patch(f"phases/{phase.pk}", {"classroom_id": elsewhere.pk}))) == [
            "classroom_id"]

    def test_dates_of_an_approved_plan_are_refused(self, as_organizer, program, phase):
        set_status(program, "approved")
        response = as_organizer.patch(f"phases/{phase.pk}", {"ends_on": "2022-10-15"})
        assert list(field_errors(response)) == ["ends_on"]
        phase.refresh_from_db()
        assert phase.ends_on == datetime.date(2022, 10, 14)

    def test_new_dates_may_not_strand_sessions(self, as_organizer, phase):
        SessionFactory(phase=phase, starts_at=at(datetime.date(2022, 10, 14), "08:30"),
                       ends_at=at(datetime.date(2022, 10, 14), "11:30"))
        response = as_organizer.patch(f"phases/{phase.pk}", {"ends_on": "2022-10-13"})
        assert list(field_errors(response)) == ["starts_on"]

    def test_list_by_program(self, as_organizer, program, phase):
        second = PhaseFactory(program=program, number=2)
        other = PhaseFactory()
        assert ids(as_organizer.get("phases", {"program": program.pk})) == [phase.pk, second.pk]
        assert set(ids(as_organizer.get("phases"))) == {phase.pk, second.pk, other.pk}
        assert ids(as_organizer.get("phases", {"program": 999999})) == []

    def test_delete(self, as_organizer, program, phase):
        assert as_organizer.delete(f"phases/{phase.pk}").status_code == 204
        second = PhaseFactory(program=program)
        set_status(program, "approved")
        assert problem(as_organizer.delete(f"phases/{second.pk}"), 409)["detail"]


class TestGroups:
    def test_crud(self, as_organizer, phase, organ):
        leader, deputy = PersonFactory(organ=organ), PersonFactory(organ=organ)
        response = as_organizer.post(f"phases/{phase.pk}/groups", {"leader_id": leader.pk,
                                                                   "deputy_leader_id": deputy.pk})
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["number"] == 1 and body["leader"] == {"id": leader.pk, "name": leader.name}
        group_id = body["id"]
        response = as_organizer.patch(f"phases/{phase.pk}/groups/{group_id}", {"name": "第一组"})
        assert response.json()["label"] == "第一组"
        assert ids(as_organizer.get(f"phases/{phase.pk}/groups")) == [group_id]
        assert as_organizer.delete(f"phases/{phase.pk}/groups/{group_id}").status_code == 204

    def test_english_name(self, as_organizer, phase):
        response = as_organizer.post(f"phases/{phase.pk}/groups", {"name": "第一组", "name_en": "Group 1"})
        assert response.status_code == 201, response.content
        assert (response.json()["name"], response.json()["name_en"]) == ("第一组", "Group 1")
        group_id = response.json()["id"]
        response = as_organizer.patch(f"phases/{phase.pk}/groups/{group_id}", {"name_en": "First group"})
        assert response.json()["name_en"] == "First group"
        assert Group.objects.get(pk=group_id).name_en == "First group"

    def test_refusals(self, as_organizer, phase, organ):
        person = PersonFactory(organ=organ)
        response = as_organizer.post(f"phases/{phase.pk}/groups", {"leader_id": person.pk,
                                                                   "deputy_leader_id": person.pk})
        assert list(field_errors(response)) == ["deputy_leader_id"]
        group = GroupFactory(phase=phase, number=3)
        assert list(field_errors(as_organizer.post(f"phases/{phase.pk}/groups", {"number": 3}))) == ["number"]
        SessionFactory(phase=phase, group=group, form="discussion")
        assert problem(as_organizer.delete(f"phases/{phase.pk}/groups/{group.pk}"), 409)["detail"]
        other_phase_group = GroupFactory()
        problem(as_organizer.get(f"phases/{phase.pk}/groups/{other_phase_group.pk}"), 404)

    def test_college_staff_pick_people_already_in_the_class_only(self, as_staff, phase, organ):
        response = as_staff.post(f"phases/{phase.pk}/groups", {"name": "第二组"})
        assert response.status_code == 201, response.content
        group_id = response.json()["id"]
        stranger = PersonFactory(organ=organ)
        response = as_staff.patch(f"phases/{phase.pk}/groups/{group_id}", {"leader_id": stranger.pk})
        assert list(field_errors(response)) == ["leader_id"]
        assert list(field_errors(as_staff.post(f"phases/{phase.pk}/committee",
                                               {"person_id": stranger.pk, "role": "study"}))) == ["person_id"]
        monitor = ClassCommitteeMember.objects.create(phase=phase, person=PersonFactory(organ=organ), role="monitor",
                                                      started_on=phase.starts_on, ended_on=phase.ends_on).person
        response = as_staff.patch(f"phases/{phase.pk}/groups/{group_id}", {"leader_id": monitor.pk})
        assert response.status_code == 200, response.content
        assert response.json()["leader"]["id"] == monitor.pk
        # In another phase the monitor is not in the class.
        other = PhaseFactory(program=phase.program, number=2)
        response = as_staff.post(f"phases/{other.pk}/groups", {"leader_id": monitor.pk})
        assert list(field_errors(response)) == ["leader_id"]


class TestClassCommittee:
    def test_appoint_list_remove(self, as_organizer, phase, organ):
        person = PersonFactory(organ=organ)
        response = as_organizer.post(f"phases/{phase.pk}/committee", {"person_id": person.pk, "role": "monitor"})
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["started_on"] == "2022-10-10" and body["ended_on"] == "2022-10-14"
        assert body["person"]["name"] == person.name and body["organ"] == organ.name_zh
        assert ids(as_organizer.get(f"phases/{phase.pk}/committee")) == [body["id"]]
        duplicate = as_organizer.post(f"phases/{phase.pk}/committee", {"person_id": person.pk, "role": "monitor"})
        assert problem(duplicate, 422)["errors"]
        assert list(field_errors(as_organizer.post(f"phases/{phase.pk}/committee",
                                                   {"person_id": person.pk, "role": "captain"}))) == ["role"]
        assert as_organizer.delete(f"phases/{phase.pk}/committee/{body['id']}").status_code == 204
        assert not ClassCommitteeMember.objects.exists()

    def test_member_of_another_phase_is_404(self, as_organizer, phase, organ):
        other = ClassCommitteeMember.objects.create(
            phase=PhaseFactory(), person=PersonFactory(organ=organ), role="monitor",
            started_on=DAY1, ended_on=DAY2)
        problem(as_organizer.delete(f"phases/{phase.pk}/committee/{other.pk}"), 404)
        assert ClassCommitteeMember.objects.filter(pk=other.pk).exists()


class TestTemporaryBranch:
    def test_set_up_appoint_and_remove(self, as_organizer, phase, organ):
        problem(as_organizer.get(f"phases/{phase.pk}/temporary-branch"), 404)
        response = as_organizer.post(f"phases/{phase.pk}/temporary-branch", {})
        assert response.status_code == 201, response.content
        branch = PartyOrganization.unscoped.get(pk=response.json()["id"])
        assert branch.org_type == PartyOrganization.Type.TEMPORARY_BRANCH and branch.organ == phase.program.organizer
        assert branch.name.startswith(phase.program.title)
        problem(as_organizer.post(f"phases/{phase.pk}/temporary-branch", {"name": "第二个"}), 409)

        person = PersonFactory(organ=organ)
        response = as_organizer.post(f"phases/{phase.pk}/temporary-branch/posts",
                                     {"person_id": person.pk, "role": "secretary"})
        assert response.status_code == 201, response.content
        post = Post.unscoped.get(pk=response.json()["id"])
        assert post.ended_on == phase.ends_on and post.method == Post.Method.APPOINTED
        body = as_organizer.get(f"phases/{phase.pk}/temporary-branch").json()
        assert [p["id"] for p in body["posts"]] == [post.pk] and body["posts"][0]["person_name"] == person.name
        response = as_organizer.post(f"phases/{phase.pk}/temporary-branch/posts",
                                     {"person_id": person.pk, "role": "secretary", "portfolio": "publicity"})
        assert list(field_errors(response)) == ["portfolio"]
        assert as_organizer.delete(f"phases/{phase.pk}/temporary-branch/posts/{post.pk}").status_code == 204
        assert not Post.unscoped.exists()

    def test_posts_need_the_branch_first(self, as_organizer, phase, organ):
        response = as_organizer.post(f"phases/{phase.pk}/temporary-branch/posts",
                                     {"person_id": PersonFactory(organ=organ).pk, "role": "secretary"})
        assert problem(response, 422)["errors"][0]["message"]

    def test_another_organizations_post_is_404(self, as_organizer, phase, organ):
        as_organizer.post(f"phases/{phase.pk}/temporary-branch", {})
        unrelated = PostFactory(person=PersonFactory(organ=organ))
        problem(as_organizer.delete(f"phases/{phase.pk}/temporary-branch/posts/{unrelated.pk}"), 404)
        assert Post.unscoped.filter(pk=unrelated.pk).exists()


class TestCopyTimetable:
    def test_copy_shifted_to_the_target_dates(self, as_staff, program, phase):
        target = PhaseFactory(program=program, number=2, starts_on=datetime.date(2022, 10, 17),
                              ends_on=datetime.date(2022, 10, 21))
        SessionFactory(phase=phase, title="开班式", form="opening")
        GroupFactory(phase=phase, number=1)
        response = as_staff.post(f"phases/{phase.pk}/copy-timetable", {"target_phase": target.pk})
        assert response.status_code == 200, response.content
        assert response.json() == {"copied": 1, "warnings": []}
        copied = target.sessions.get()
        assert timezone.localtime(copied.starts_at) == at(datetime.date(2022, 10, 17), "08:30")

    def test_refusals(self, as_staff, program, phase):
        target = PhaseFactory(program=program, number=2, starts_on=datetime.date(2022, 10, 17),
                              ends_on=datetime.date(2022, 10, 21))
        SessionFactory(phase=phase)
        SessionFactory(phase=target)
        response = as_staff.post(f"phases/{phase.pk}/copy-timetable", {"target_phase": target.pk})
        assert problem(response, 422)["errors"][0]["field"] is None
        assert target.sessions.count() == 1
        response = as_staff.post(f"phases/{phase.pk}/copy-timetable", {"target_phase": target.pk, "replace": True})
        assert response.json() == {"copied": 1, "warnings": []}
        not_mine = PhaseFactory()  # at a venue the college staff do not work for
        response = as_staff.post(f"phases/{phase.pk}/copy-timetable", {"target_phase": not_mine.pk})
        assert list(field_errors(response)) == ["target_phase"]


class TestTimetableDocuments:
    def test_pdf_xlsx_ics(self, as_staff, college_staff, phase, fake_documents):
        SessionFactory(phase=phase)
        pdf = as_staff.get(f"phases/{phase.pk}/timetable.pdf")
        assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
        xlsx = as_staff.get(f"phases/{phase.pk}/timetable.xlsx")
        assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats") and "attachment" in xlsx[
            "Content-Disposition"]
        ics = as_staff.get(f"phases/{phase.pk}/timetable.ics")
        assert ics["Content-Type"] == "text/calendar" and ics.content.startswith(b"BEGIN:VCALENDAR")
        assert [kind for kind, _ in fake_documents] == ["pdf", "xlsx", "ics"]
        assert fake_documents[0][1]["phase"] == phase
        assert list(fake_documents[0][1]["sessions"]) == list(selectors.phase_sessions(phase=phase, user=college_staff))
        assert [s.pk for s in fake_documents[2][1]["sessions"]] == [phase.sessions.get().pk]

    def test_instructor_calendar_has_only_their_sessions(self, api_as, phase, fake_documents):
        login = UserFactory(roles=["instructor"])
        mine = SessionFactory(phase=phase)
        mine.instructors.add(InstructorFactory(user=login))
        SessionFactory(phase=phase, starts_at=at(DAY2, "08:30"), ends_at=at(DAY2, "11:30"))
        client = api_as(login)
        assert client.get(f"phases/{phase.pk}/timetable.ics").status_code == 200
        assert client.get("sessions.ics").status_code == 200
        assert [[s.pk for s in kwargs["sessions"]] for _, kwargs in fake_documents] == [[mine.pk], [mine.pk]]


# Sessions ----------------------------------------------------------------------------------------

class TestSessions:
    def test_create_with_instructors_and_sites_in_order(self, as_staff, phase):
        first, second = SiteFactory(), SiteFactory()
        teacher = InstructorFactory()
        response = as_staff.post("sessions", {
            "phase_id": phase.pk, "starts_at": "2022-10-11T08:30:00+08:00", "ends_at": "2022-10-11T11:30:00+08:00",
            "form": "onsite_teaching", "title": "鄂豫皖苏区首府现场教学", "hours": "3",
            "instructors": [teacher.pk], "sites": [second.pk, first.pk],
        })
        assert response.status_code == 201, response.content
        body = response.json()
        assert [s["id"] for s in body["sites"]] == [second.pk, first.pk]
        assert body["instructors"] == [{"id": teacher.pk, "name": teacher.name, "title": teacher.title}]
        assert body["starts_at"] == "2022-10-11T08:30:00+08:00" and body["warnings"] == []
        assert body["category"] == "practice" and body["program_id"] == phase.program_id
        session = Session.unscoped.get(pk=body["id"])
        assert [stop.site for stop in session.stops.order_by("order")] == [second, first]
        assert AuditEntry.objects.filter(action="create", model="training.session").exists()

    def test_times_without_offset_are_local(self, as_staff, phase):
        response = as_staff.post("sessions", {"phase_id": phase.pk, "starts_at": "2022-10-10T08:30",
                                              "ends_at": "2022-10-10T11:30", "form": "lecture", "title": "专题课"})
        assert response.status_code == 201, response.content
        session = Session.unscoped.get()
        assert session.starts_at == at(DAY1, "08:30")
        assert session.venue == phase.program.venue  # no place given: the program's venue

    def test_course_gives_the_defaults(self, as_staff, phase):
        site, teacher = SiteFactory(), InstructorFactory()
        course = CourseFactory(form="onsite_teaching", title_zh="大别山精神", default_hours=2.5)
        course.sites.add(site)
        course.instructors.add(teacher)
        response = as_staff.post("sessions", {"phase_id": phase.pk, "course_id": course.pk,
                                              "starts_at": "2022-10-10T14:30", "ends_at": "2022-10-10T17:00"})
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["title"] == "大别山精神" and body["form"] == "onsite_teaching" and body["hours"] == 2.5
        assert [s["id"] for s in body["sites"]] == [site.pk] and [i["id"] for i in body["instructors"]] == [teacher.pk]

    @pytest.mark.parametrize(("change", "field"), [
        ({"ends_at": "2022-10-10T08:00"}, "ends_at"),
        ({"starts_at": "2022-10-20T08:30", "ends_at": "2022-10-20T11:30"}, "starts_at"),
        ({"form": None, "title": "x"}, "form"),
        ({"title": ""}, "title"),
        ({"course_id": 999999}, "course_id"),
        ({"sites": [999999]}, "sites"),
        ({"instructors": [999999]}, "instructors"),
        ({"hours": "30"}, "hours"),
        ({"starts_at": "tomorrow"}, "starts_at"),
        ({"phase_id": 999999}, "phase_id"),
        ({"phase": 1}, "phase"),
    ])
    def test_bad_input_names_the_field(self, as_staff, phase, change, field):
        payload = {"phase_id": phase.pk, "starts_at": "2022-10-10T08:30", "ends_at": "2022-10-10T11:30",
                   "form": "lecture", "title": "专题课", **change}
        payload = {key: value for key, value in payload.items() if value is not None}
        response = as_staff.post("sessions", payload)
        assert problem(response, 422)
        assert list(field_errors(response)) == [field]
        assert not Session.unscoped.exists()

    def test_conflicts_name_the_field(self, as_staff, phase, program):
        teacher = InstructorFactory()
        SessionFactory(phase=phase, title="开班式")
        base = {"phase_id": phase.pk, "form": "lecture", "title": "专题课"}
        response = as_staff.post("sessions", {**base, "starts_at": "2022-10-10T09:00", "ends_at": "2022-10-10T10:00"})
        assert list(field_errors(response)) == ["starts_at"]
        assert "开班式" in field_errors(response)["starts_at"]
        elsewhere = SessionFactory(phase=PhaseFactory(), starts_at=at(DAY1, "14:00"), ends_at=at(DAY1, "16:00"))
        elsewhere.instructors.add(teacher)
        response = as_staff.post("sessions", {**base, "starts_at": "2022-10-10T14:30", "ends_at": "2022-10-10T15:30",
                                              "instructors": [teacher.pk]})
        assert list(field_errors(response)) == ["instructors"]
        assert teacher.name in field_errors(response)["instructors"]
        other_group = GroupFactory()
        response = as_staff.post("sessions", {**base, "form": "discussion", "starts_at": "2022-10-10T19:00",
                                              "ends_at": "2022-10-10T21:00", "group_id": other_group.pk})
        assert list(field_errors(response)) == ["group_id"]
        assert phase.sessions.count() == 1

    def test_travel_time_warning(self, as_staff, phase, venue):
        site = SiteFactory()
        TravelTime.objects.create(from_venue=venue, to_site=site, minutes=60)
        SessionFactory(phase=phase, venue=venue, title="专题讲座")  # 08:30-11:30 at the college
        response = as_staff.post("sessions", {"phase_id": phase.pk, "form": "site_visit", "title": "参观",
                                              "starts_at": "2022-10-10T12:00", "ends_at": "2022-10-10T13:00",
                                              "sites": [site.pk]})
        assert response.status_code == 201, response.content
        assert len(response.json()["warnings"]) == 1 and "60" in response.json()["warnings"][0]

    def test_update_move_delete(self, as_staff, phase):
        session = SessionFactory(phase=phase)
        teacher = InstructorFactory()
        response = as_staff.patch(f"sessions/{session.pk}", {"title": "新标题", "instructors": [teacher.pk]})
        assert response.status_code == 200, response.content
        assert response.json()["title"] == "新标题"
        assert [i["id"] for i in response.json()["instructors"]] == [teacher.pk]
        response = as_staff.post(f"sessions/{session.pk}/move", {"starts_at": "2022-10-12T14:30"})
        assert response.status_code == 200, response.content
        assert response.json()["starts_at"] == "2022-10-12T14:30:00+08:00"
        assert response.json()["ends_at"] == "2022-10-12T17:30:00+08:00"  # same length
        assert list(field_errors(as_staff.patch(f"sessions/{session.pk}", {"phase_id": 1}))) == ["phase_id"]
        assert list(field_errors(as_staff.patch(f"sessions/{session.pk}", {"form": None}))) == ["form"]
        assert list(field_errors(as_staff.patch(f"sessions/{session.pk}", {"sites": None}))) == ["sites"]
        assert as_staff.delete(f"sessions/{session.pk}").status_code == 204
        assert not Session.unscoped.exists()

    def test_move_into_another_session_is_refused(self, as_staff, phase):
        SessionFactory(phase=phase, starts_at=at(DAY2, "08:30"), ends_at=at(DAY2, "11:30"))
        session = SessionFactory(phase=phase)
        response = as_staff.post(f"sessions/{session.pk}/move", {"starts_at": "2022-10-11T09:00"})
        assert list(field_errors(response)) == ["starts_at"]
        session.refresh_from_db()
        assert session.starts_at == at(DAY1, "08:30")

    def test_closed_program_timetable_is_frozen(self, as_organizer, program, phase):
        session = SessionFactory(phase=phase)
        set_status(program, "closed")
        assert problem(as_organizer.delete(f"sessions/{session.pk}"), 409)["detail"]
        assert problem(as_organizer.patch(f"sessions/{session.pk}", {"title": "x"}), 409)["detail"]
        assert Session.unscoped.filter(pk=session.pk, title=session.title).exists()

    def test_filters(self, as_organizer, phase, program):
        teacher = InstructorFactory()
        lecture = SessionFactory(phase=phase, form="lecture")
        lecture.instructors.add(teacher)
        visit = SessionFactory(phase=phase, form="site_visit", starts_at=at(DAY2, "08:30"), ends_at=at(DAY2, "11:30"))
        other = SessionFactory()
        assert ids(as_organizer.get("sessions")) == [lecture.pk, other.pk, visit.pk]  # by start
        assert ids(as_organizer.get("sessions", {"program": program.pk})) == [lecture.pk, visit.pk]
        assert ids(as_organizer.get("sessions", {"phase": phase.pk, "form": "site_visit"})) == [visit.pk]
        assert ids(as_organizer.get("sessions", {"instructor": teacher.pk})) == [lecture.pk]
        assert ids(as_organizer.get("sessions", {"program": program.pk, "since": "2022-10-11"})) == [visit.pk]
        assert list(field_errors(as_organizer.get("sessions", {"since": "2022-13-01"}))) == ["since"]

    def test_instructor_sees_only_their_sessions(self, api_as, phase):
        login = UserFactory(roles=["instructor"])
        mine = SessionFactory(phase=phase)
        mine.instructors.add(InstructorFactory(user=login))
        theirs = SessionFactory(phase=phase, starts_at=at(DAY2, "08:30"), ends_at=at(DAY2, "11:30"))
        client = api_as(login)
        assert ids(client.get("sessions")) == [mine.pk]
        assert client.get(f"sessions/{mine.pk}").status_code == 200
        problem(client.get(f"sessions/{theirs.pk}"), 404)
        problem(client.patch(f"sessions/{mine.pk}", {"title": "x"}), 403)
        assert ids(client.get("programs")) == [phase.program_id]

    def test_college_staff_cannot_add_to_another_venues_program(self, as_staff, db):
        elsewhere = PhaseFactory()
        response = as_staff.post("sessions", {"phase_id": elsewhere.pk, "starts_at": "2022-10-10T08:30",
                                              "ends_at": "2022-10-10T11:30", "form": "lecture", "title": "x"})
        assert list(field_errors(response)) == ["phase_id"]
        assert not Session.unscoped.exists()


# Documentation -----------------------------------------------------------------------------------

def test_openapi_lists_the_training_paths(db):
    response = ApiClient().get("openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in ["/api/v1/venues", "/api/v1/venues/{venue_id}/classrooms", "/api/v1/sites", "/api/v1/travel-times",
                 "/api/v1/instructors", "/api/v1/courses", "/api/v1/programs", "/api/v1/programs/{program_id}",
                 "/api/v1/programs/{program_id}/approve", "/api/v1/programs/{program_id}/form-mix",
                 "/api/v1/programs/{program_id}/plan.pdf", "/api/v1/phases", "/api/v1/phases/{phase_id}/groups",
                 "/api/v1/phases/{phase_id}/committee", "/api/v1/phases/{phase_id}/temporary-branch",
                 "/api/v1/phases/{phase_id}/copy-timetable", "/api/v1/phases/{phase_id}/timetable.ics",
                 "/api/v1/sessions", "/api/v1/sessions/{session_id}/move"]:
        assert path in paths, path
    assert set(paths["/api/v1/sessions/{session_id}"]) == {"get", "patch", "delete"}
    approve = paths["/api/v1/programs/{program_id}/approve"]["post"]
    assert set(approve["requestBody"]["content"]) == {"application/json", "multipart/form-data"}
    assert "409" in approve["responses"]


def test_an_instructor_gets_only_their_own_sessions_in_the_timetable_files(db, api_as, monkeypatch):
    """B5: the phase's timetable files follow the pages' rule (selectors.phase_sessions): an instructor
    who holds no other role gets their own sessions, not the whole phase."""
    from tests.factories import InstructorFactory, UserFactory

    teacher_user = UserFactory(roles=["instructor"])
    mine = SessionFactory()
    mine.instructors.add(InstructorFactory(user=teacher_user))
    other = SessionFactory(phase=mine.phase, starts_at=mine.starts_at + datetime.timedelta(days=1),
                           ends_at=mine.ends_at + datetime.timedelta(days=1), title="别人的课")
    seen = {}
    monkeypatch.setattr(documents, "phase_timetable_xlsx",
                        lambda *, phase, sessions: seen.setdefault("xlsx", list(sessions)) and b"x")
    monkeypatch.setattr(documents, "phase_timetable_pdf",
                        lambda *, phase, sessions: seen.setdefault("pdf", list(sessions)) and b"%PDF")
    client = api_as(teacher_user)
    assert client.get(f"phases/{mine.phase_id}/timetable.xlsx").status_code == 200
    assert client.get(f"phases/{mine.phase_id}/timetable.pdf").status_code == 200
    assert seen["xlsx"] == [mine] and seen["pdf"] == [mine]
    assert other not in seen["xlsx"]


# Sessions for every group at once, copying a program, the approver's warnings ---------------------------

class TestGroupSessions:
    def test_one_session_per_group_in_each_groups_room(self, as_staff, venue, phase):
        rooms = [ClassroomFactory(venue=venue, name=f"研讨室{letter}") for letter in "AB"]
        groups = [GroupFactory(phase=phase, number=n) for n in (1, 2)]
        SessionFactory(phase=phase, group=groups[0], form="discussion", classroom=rooms[0], venue=venue,
                       starts_at=at(DAY1, "19:30"), ends_at=at(DAY1, "21:00"))
        course = CourseFactory(form="discussion", title_zh="分组研讨", default_hours="1.5")
        response = as_staff.post(f"phases/{phase.pk}/group-sessions", {
            "starts_at": "2022-10-11T19:30", "ends_at": "2022-10-11T21:00", "course_id": course.pk,
            "classroom_id": rooms[1].pk})
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["warnings"] == []
        assert [(s["group"]["id"], s["classroom"]["id"], s["title"], s["hours"], s["instructors"])
                for s in body["sessions"]] == [(groups[0].pk, rooms[0].pk, "分组研讨", 1.5, []),
                                               (groups[1].pk, rooms[1].pk, "分组研讨", 1.5, [])]
        assert Session.unscoped.filter(phase=phase, course=course).count() == 2

    def test_refusals(self, as_staff, as_organizer, phase, program):
        no_groups = as_staff.post(f"phases/{phase.pk}/group-sessions", {
            "starts_at": "2022-10-11T19:30", "ends_at": "2022-10-11T21:00", "form": "discussion", "title": "研讨"})
        problem(no_groups, 422)
        assert list(field_errors(no_groups)) == ["group_id"]
        GroupFactory(phase=phase, number=1)
        unknown = as_staff.post(f"phases/{phase.pk}/group-sessions", {
            "starts_at": "2022-10-11T19:30", "ends_at": "2022-10-11T21:00", "form": "discussion", "title": "研讨",
            "instructors": [1]})
        assert problem(unknown, 422)  # no such input: instructors are not given for every group
        set_status(program, Program.Status.CLOSED)
        closed = as_organizer.post(f"phases/{phase.pk}/group-sessions", {
            "starts_at": "2022-10-11T19:30", "ends_at": "2022-10-11T21:00", "form": "discussion", "title": "研讨"})
        problem(closed, 409)
        assert not Session.unscoped.filter(phase=phase).exists()


class TestProgramCopy:
    def test_copy_for_next_year(self, as_organizer, program, phase):
        set_status(program, Program.Status.CLOSED)
        GroupFactory(phase=phase, number=1, name="第一组")
        SessionFactory(phase=phase, title="专题讲座", starts_at=at(DAY1, "08:30"), ends_at=at(DAY1, "11:30"))
        response = as_organizer.post(f"programs/{program.pk}/copy", {"year": 2023})
        assert response.status_code == 201, response.content
        body = response.json()
        copy = Program.unscoped.get(pk=body["id"])
        assert (body["status"], body["year"], body["warnings"]) == ("draft", 2023, [])
        assert body["allowed_transitions"] == ["submit"]
        assert [(p["number"], p["starts_on"], p["ends_on"]) for p in body["phases"]] == [
            (1, "2023-10-09", "2023-10-13")]  # 52 weeks later: Monday to Friday again
        assert copy.phases.get().sessions.get().title == "专题讲座"

    def test_to_a_first_day_and_refusals(self, as_organizer, as_approver, program, phase):
        response = as_organizer.post(f"programs/{program.pk}/copy", {"year": program.year})
        problem(response, 422)
        assert list(field_errors(response)) == ["first_day"]
        response = as_organizer.post(f"programs/{program.pk}/copy", {"year": 2023, "first_day": "2023-03-06",
                                                                     "title": "2023年春季培训班"})
        assert response.status_code == 201, response.content
        assert (response.json()["title"], response.json()["phases"][0]["starts_on"]) == ("2023年春季培训班",
                                                                                           "2023-03-06")
        set_status(program, Program.Status.SUBMITTED)
        problem(as_approver.post(f"programs/{program.pk}/copy", {"year": 2023}), 403)
        assert Program.unscoped.count() == 2


class TestApprovalWarnings:
    def test_the_approver_reads_them_in_the_program(self, as_approver, as_organizer, program, phase):
        SessionFactory(phase=phase, form="onsite_teaching", hours=20, starts_at=at(DAY1, "08:00"),
                       ends_at=at(DAY1, "17:00"))
        set_status(program, Program.Status.SUBMITTED)
        warnings = as_approver.get(f"programs/{program.pk}").json()["approval_warnings"]
        assert warnings == [in_language(
            "Phase %(number)s: the timetable holds %(hours)s hours, far below the %(credited)s hours its "
            "%(days)d days credit (less than %(share)d %%).") % {
                "number": 1, "hours": "20", "credited": "37.5", "days": 5, "share": 80},
            in_language("The timetable has no theory teaching (thematic lectures or case teaching).")]
        assert as_organizer.get(f"programs/{program.pk}").json()["approval_warnings"] == []  # not theirs to decide
