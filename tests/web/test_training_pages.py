"""Client tests of the training pages: the library, programs and their workflow, phases and the class.

Pages are requested in English (the language cookie) so that messages can be asserted by their msgids;
the zh-Hans catalog is filled in separately.
"""

import datetime
import json
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from dangjian.core.models import AuditEntry
from dangjian.organizations.models import Post
from dangjian.training import services
from dangjian.training.models import (
    ClassCommitteeMember,
    Classroom,
    Course,
    Group,
    Instructor,
    Phase,
    Program,
    ProgramReview,
    Site,
    TravelTime,
    Venue,
)
from tests.completion.closing_world import make_current_pack
from tests.factories import (
    ClassroomFactory,
    CourseFactory,
    GroupFactory,
    InstructorFactory,
    PersonFactory,
    PhaseFactory,
    ProgramFactory,
    SessionFactory,
    SiteFactory,
    UserFactory,
    VenueFactory,
    at,
)

pytestmark = pytest.mark.django_db

Status = Program.Status
DAY1, DAY2, DAY5 = datetime.date(2022, 10, 10), datetime.date(2022, 10, 11), datetime.date(2022, 10, 14)


@pytest.fixture(autouse=True)
def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def approver(db):
    return UserFactory(username="approver", roles=["approver"])


@pytest.fixture
def staff_user(db):
    return UserFactory(username="college", full_name="班主任 王老师", roles=["college_staff"])


@pytest.fixture
def venue(staff_user):
    venue = VenueFactory(code="dabie-cadre-college", name_zh="河南大别山干部学院", county="新县")
    venue.staff.add(staff_user)
    return venue


@pytest.fixture
def plan(venue):
    """A complete draft plan at the venue: one phase of five days (2022-10-10 to 10-14)."""
    program = ProgramFactory(title="2022年南阳市直机关新任党组织书记培训班", venue=venue, phase_count=1,
                             planned_participants=110, cost_per_person_day=Decimal("550"))
    PhaseFactory(program=program, number=1, starts_on=DAY1, ends_on=DAY5, capacity=55)
    return program


@pytest.fixture
def login(client):
    def as_user(user):
        client.force_login(user)
        return client

    return as_user


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def listed(response) -> list:
    return list(response.context["page"])


def submitted(program, organizer):
    services.program_submit(program=program, by=organizer)
    program.refresh_from_db()
    return program


def approved(program, organizer, approver):
    submitted(program, organizer)
    services.program_approve(program=program, by=approver)
    program.refresh_from_db()
    return program


def program_data(program: Program, **changes) -> dict:
    data = {
        "title": program.title, "year": program.year, "organizer": program.organizer_id,
        "legal_basis": program.legal_basis, "purpose": program.purpose,
        "target_population": program.target_population, "requirement": program.requirement,
        "content": program.content, "venue": program.venue_id or "",
        "planned_participants": program.planned_participants, "phase_count": program.phase_count,
        "hours_per_day": program.hours_per_day, "cost_per_person_day": program.cost_per_person_day,
        "budget_estimate": "" if program.budget_estimate is None else program.budget_estimate,
        "contact_name": program.contact_name, "contact_phone": program.contact_phone,
    }
    data.update(changes)
    return data


def phase_data(phase: Phase, **changes) -> dict:
    data = {"number": phase.number, "starts_on": phase.starts_on.isoformat(), "ends_on": phase.ends_on.isoformat(),
            "capacity": phase.capacity, "head_teacher": phase.head_teacher_id or "",
            "classroom": phase.classroom_id or "", "status": phase.status}
    data.update(changes)
    return data


# Library: venues and classrooms ----------------------------------------------------------------

def test_venue_list_and_search(login, organizer, venue):
    other = VenueFactory(name_zh="中共南阳市委党校", kind="party_school")
    ClassroomFactory(venue=venue)
    client = login(organizer)
    response = client.get(reverse("venue_list"))
    assert response.status_code == 200
    assert {v.pk: v.classroom_total for v in listed(response)} == {venue.pk: 1, other.pk: 0}
    response = client.get(reverse("venue_list"), {"q": "党校"})
    assert listed(response) == [other]


def test_venue_create_with_staff_and_edit(login, organizer, staff_user):
    client = login(organizer)
    assert client.get(reverse("venue_create")).status_code == 200
    response = client.post(reverse("venue_create"), {
        "code": "nanyang-party-school", "name_zh": "中共南阳市委党校", "name_en": "Party School",
        "kind": "party_school", "city": "南阳市", "province": "河南省", "staff": [staff_user.pk],
    })
    venue = Venue.objects.get(code="nanyang-party-school")
    assert response.status_code == 302 and response["Location"] == reverse("venue_detail", args=[venue.pk])
    assert list(venue.staff.all()) == [staff_user]
    assert AuditEntry.objects.filter(action="create", model="training.venue", object_pk=str(venue.pk)).exists()

    response = client.post(reverse("venue_edit", args=[venue.pk]), {
        "code": "nanyang-party-school", "name_zh": "中共南阳市委党校", "kind": "party_school", "address": "卧龙区",
    })
    assert response.status_code == 302
    venue.refresh_from_db()
    assert venue.address == "卧龙区" and not venue.staff.exists()


def test_venue_code_must_be_unique_on_the_field(login, organizer, venue):
    response = login(organizer).post(reverse("venue_create"), {
        "code": venue.code, "name_zh": "另一个学院", "kind": "college"})
    assert response.status_code == 400
    assert "code" in response.context["form"].errors
    assert Venue.objects.count() == 1


def test_venue_page_shows_classrooms_departments_and_staff(login, organizer, venue):
    ClassroomFactory(venue=venue, name="第一教室", capacity=120)
    department = VenueFactory(parent=venue, kind="department", name_zh="教务部")
    content = login(organizer).get(reverse("venue_detail", args=[venue.pk])).content.decode()
    assert "第一教室" in content and "120" in content
    assert "教务部" in content and reverse("venue_detail", args=[department.pk]) in content
    assert "班主任 王老师" in content
    assert reverse("classroom_create", args=[venue.pk]) in content


def test_college_staff_read_the_venue_without_edit_controls(login, staff_user, venue):
    classroom = ClassroomFactory(venue=venue)
    response = login(staff_user).get(reverse("venue_detail", args=[venue.pk]))
    content = response.content.decode()
    assert response.status_code == 200 and classroom.name in content
    assert reverse("venue_edit", args=[venue.pk]) not in content
    assert reverse("classroom_create", args=[venue.pk]) not in content
    assert reverse("classroom_delete", args=[classroom.pk]) not in content


def test_classroom_add_edit_delete_on_the_venue_page(login, organizer, venue):
    client = login(organizer)
    url = reverse("venue_detail", args=[venue.pk])
    response = client.post(reverse("classroom_create", args=[venue.pk]),
                           {"classroom-name": "报告厅", "classroom-capacity": "300"})
    assert response.status_code == 302 and response["Location"] == url
    classroom = Classroom.objects.get(venue=venue, name="报告厅")

    response = client.post(reverse("classroom_create", args=[venue.pk]),
                           {"classroom-name": "报告厅", "classroom-capacity": "20"})
    assert response.status_code == 400
    assert response.context["classroom_form"].non_field_errors()
    assert Classroom.objects.filter(venue=venue).count() == 1

    response = client.post(reverse("classroom_create", args=[venue.pk]),
                           {"classroom-name": "小教室", "classroom-capacity": "0"})
    assert response.status_code == 400 and "capacity" in response.context["classroom_form"].errors

    response = client.post(reverse("classroom_edit", args=[classroom.pk]), {"name": "报告厅", "capacity": "280"})
    assert response.status_code == 302 and response["Location"] == url
    classroom.refresh_from_db()
    assert classroom.capacity == 280

    response = client.post(reverse("classroom_delete", args=[classroom.pk]))
    assert response.status_code == 302 and not Classroom.objects.filter(pk=classroom.pk).exists()


def test_classrooms_and_groups_have_english_names_shown_in_english(login, organizer, plan, venue):
    """The venue page and the phase page (in English here) show the English names that the forms take."""
    client = login(organizer)
    client.post(reverse("classroom_create", args=[venue.pk]),
                {"classroom-name": "研讨室A", "classroom-name_en": "Seminar Room A", "classroom-capacity": "15"})
    assert Classroom.objects.get(venue=venue, name="研讨室A").name_en == "Seminar Room A"
    assert "Seminar Room A" in client.get(reverse("venue_detail", args=[venue.pk])).content.decode()
    phase = plan.phases.get()
    group = GroupFactory(phase=phase, number=1, name="第一组")
    response = client.post(reverse("group_edit", args=[group.pk]), {"number": "1", "name": "第一组",
                                                                    "name_en": "Group One"})
    assert response.status_code == 302, response.content
    group.refresh_from_db()
    assert group.name_en == "Group One"
    page = client.get(reverse("phase_detail", args=[phase.pk])).content.decode()
    assert "<td>Group One</td>" in page and "第一组" not in page


def test_venue_used_by_a_program_is_not_deleted(login, organizer, plan, venue):
    response = login(organizer).post(reverse("venue_delete", args=[venue.pk]), follow=True)
    assert Venue.objects.filter(pk=venue.pk).exists()
    assert response.redirect_chain[-1][0] == reverse("venue_detail", args=[venue.pk])
    assert "cannot be deleted while other records refer to it" in messages_of(response)[0]


def test_an_unused_venue_is_deleted(login, organizer):
    venue = VenueFactory()
    response = login(organizer).post(reverse("venue_delete", args=[venue.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("venue_list")
    assert not Venue.objects.filter(pk=venue.pk).exists()


# Library: sites, travel times, instructors, courses ------------------------------------------------

def test_site_list_filters_by_region_and_name(login, staff_user):
    museum = SiteFactory(name_zh="鄂豫皖苏区首府革命博物馆", region="Dabie")
    memorial = SiteFactory(name_zh="南阳烈士陵园", region="Nanyang", county="宛城区")
    client = login(staff_user)
    assert set(listed(client.get(reverse("site_list")))) == {museum, memorial}
    assert listed(client.get(reverse("site_list"), {"region": "Nanyang"})) == [memorial]
    assert listed(client.get(reverse("site_list"), {"q": "博物馆"})) == [museum]
    assert listed(client.get(reverse("site_list"), {"q": "博物馆", "region": "Nanyang"})) == []
    # An unknown region is no filter rather than an empty list.
    assert len(listed(client.get(reverse("site_list"), {"region": "nowhere"}))) == 2


def test_site_create_edit_delete(login, organizer):
    client = login(organizer)
    response = client.post(reverse("site_create"), {
        "code": "eyw-generals-hall", "name_zh": "鄂豫皖苏区将帅馆", "county": "新县", "region": "Dabie",
        "theme": "将帅风范与党性修养", "typical_use": "现场教学"})
    assert response.status_code == 302 and response["Location"] == reverse("site_list")
    site = Site.objects.get(code="eyw-generals-hall")
    response = client.post(reverse("site_edit", args=[site.pk]), {
        "code": site.code, "name_zh": site.name_zh, "region": "Dabie", "typical_use": "现场教学（将军墙）"})
    assert response.status_code == 302
    site.refresh_from_db()
    assert site.typical_use == "现场教学（将军墙）"
    response = client.post(reverse("site_create"), {"code": "dup", "name_zh": site.name_zh, "region": "Dabie"})
    assert response.status_code == 400 and "name_zh" in response.context["form"].errors
    assert client.post(reverse("site_delete", args=[site.pk])).status_code == 302
    assert not Site.objects.filter(pk=site.pk).exists()


def test_travel_time_create_between_a_venue_and_a_site_and_delete(login, organizer, venue):
    site = SiteFactory(name_zh="鄂豫皖苏区首府烈士陵园")
    client = login(organizer)
    response = client.get(reverse("travel_time_list"))
    content = response.content.decode()
    assert f'value="venue:{venue.pk}"' in content and f'value="site:{site.pk}"' in content
    response = client.post(reverse("travel_time_list"), {
        "origin": f"venue:{venue.pk}", "destination": f"site:{site.pk}", "minutes": "25"})
    assert response.status_code == 302
    travel = TravelTime.objects.get()
    assert (travel.from_venue, travel.to_site, travel.minutes) == (venue, site, 25)
    assert travel.from_site is None and travel.to_venue is None
    content = client.get(reverse("travel_time_list")).content.decode()
    assert site.name_en in content and ">25<" in content  # the English name on an English page

    response = client.post(reverse("travel_time_list"), {
        "origin": f"site:{site.pk}", "destination": f"site:{site.pk}", "minutes": "5"})
    assert response.status_code == 400 and "destination" in response.context["form"].errors
    response = client.post(reverse("travel_time_list"), {
        "origin": "site:999999", "destination": f"venue:{venue.pk}", "minutes": "5"})
    assert response.status_code == 400 and "origin" in response.context["form"].errors
    assert TravelTime.objects.count() == 1

    assert client.post(reverse("travel_time_delete", args=[travel.pk])).status_code == 302
    assert not TravelTime.objects.exists()


def test_college_staff_cannot_record_travel_times(login, staff_user, venue):
    site = SiteFactory()
    client = login(staff_user)
    assert "<form method=\"post\" class=\"inline-form\"" not in client.get(reverse("travel_time_list")).content.decode()
    response = client.post(reverse("travel_time_list"), {
        "origin": f"venue:{venue.pk}", "destination": f"site:{site.pk}", "minutes": "25"})
    assert response.status_code == 403 and not TravelTime.objects.exists()


def test_instructor_list_search_create_edit_delete(login, organizer, venue):
    InstructorFactory(name="李老师")
    teacher_login = UserFactory(username="teacher", roles=["instructor"])
    person = PersonFactory(name="张教授")
    client = login(organizer)
    response = client.post(reverse("instructor_create"), {
        "name": "张教授", "kind": "external", "title": "教授", "organization": "郑州大学",
        "person": person.pk, "user": teacher_login.pk, "phone": "", "bio": ""})
    assert response.status_code == 302 and response["Location"] == reverse("instructor_list")
    instructor = Instructor.objects.get(name="张教授")
    assert (instructor.kind, instructor.person, instructor.user) == ("external", person, teacher_login)

    response = client.get(reverse("instructor_list"), {"q": "张"})
    assert listed(response) == [instructor]
    assert "郑州大学" in response.content.decode()

    response = client.post(reverse("instructor_edit", args=[instructor.pk]), {
        "name": "张教授", "kind": "internal", "title": "副教授", "venue": venue.pk, "phone": "12345"})
    assert response.status_code == 400 and "phone" in response.context["form"].errors
    response = client.post(reverse("instructor_edit", args=[instructor.pk]), {
        "name": "张教授", "kind": "internal", "title": "副教授", "venue": venue.pk})
    assert response.status_code == 302
    instructor.refresh_from_db()
    assert (instructor.kind, instructor.title, instructor.venue, instructor.user) == (
        "internal", "副教授", venue, None)

    assert client.post(reverse("instructor_delete", args=[instructor.pk])).status_code == 302
    assert not Instructor.objects.filter(pk=instructor.pk).exists()


def test_instructor_form_lists_only_instructor_logins(login, organizer):
    teacher_login = UserFactory(username="teacher", roles=["instructor"])
    other = UserFactory(username="someone", roles=["participant"])
    form = login(organizer).get(reverse("instructor_create")).context["form"]
    assert list(form.fields["user"].queryset) == [teacher_login]
    response = login(organizer).post(reverse("instructor_create"), {"name": "王", "kind": "internal",
                                                                     "user": other.pk})
    assert response.status_code == 400 and "user" in response.context["form"].errors


def test_people_search_narrows_the_person_picker(login, organizer):
    wanted = PersonFactory(name="欧阳明")
    PersonFactory(name="李四")
    response = login(organizer).get(reverse("instructor_create"), {"people": "欧阳"})
    choices = [value for value, _label in response.context["form"].fields["person"].widget.choices if value]
    assert choices == [wanted.pk]


def test_course_list_filters_by_teaching_form(login, staff_user):
    lecture = CourseFactory(form="lecture", title_zh="大别山精神及其时代价值")
    onsite = CourseFactory(form="onsite_teaching", title_zh="从分局旧址看党的组织建设")
    site = SiteFactory(name_zh="中共中央鄂豫皖分局旧址")
    onsite.sites.add(site)
    client = login(staff_user)
    response = client.get(reverse("course_list"))
    assert set(listed(response)) == {lecture, onsite}
    assert "中共中央鄂豫皖分局旧址" in response.content.decode()
    assert listed(client.get(reverse("course_list"), {"form": "onsite_teaching"})) == [onsite]
    assert listed(client.get(reverse("course_list"), {"q": "大别山"})) == [lecture]


def test_course_create_with_sites_and_instructors_edit_delete(login, organizer):
    site = SiteFactory()
    teacher = InstructorFactory()
    client = login(organizer)
    response = client.post(reverse("course_create"), {
        "code": "onsite-subbureau", "form": "onsite_teaching", "title_zh": "从分局旧址看党的组织建设",
        "default_hours": "2.5", "sites": [site.pk], "instructors": [teacher.pk], "active": "on"})
    assert response.status_code == 302
    course = Course.objects.get(code="onsite-subbureau")
    assert list(course.sites.all()) == [site] and list(course.instructors.all()) == [teacher]

    response = client.post(reverse("course_edit", args=[course.pk]), {
        "code": course.code, "form": "onsite_teaching", "title_zh": course.title_zh, "default_hours": "30"})
    assert response.status_code == 400 and "default_hours" in response.context["form"].errors
    response = client.post(reverse("course_edit", args=[course.pk]), {
        "code": course.code, "form": "onsite_teaching", "title_zh": course.title_zh, "default_hours": "3",
        "instructors": [teacher.pk]})
    assert response.status_code == 302
    course.refresh_from_db()
    assert course.default_hours == Decimal("3") and not course.sites.exists() and not course.active
    assert AuditEntry.objects.filter(model="training.course", object_pk=str(course.pk), action="update").exists()

    assert client.post(reverse("course_delete", args=[course.pk])).status_code == 302
    assert not Course.objects.filter(pk=course.pk).exists()


# Programs: list, create, edit, delete --------------------------------------------------------------

def test_program_list_filters_by_status_year_and_title(login, organizer, venue):
    old = ProgramFactory(title="2021年机关党务干部轮训班", year=2021, venue=venue)
    new = ProgramFactory(title="2022年新任党组织书记培训班", year=2022, venue=venue, status=Status.APPROVED,
                         submitted_at=timezone.now())
    client = login(organizer)
    response = client.get(reverse("program_list"))
    assert listed(response) == [new, old]
    assert response.context["years"] == [2022, 2021]
    assert listed(client.get(reverse("program_list"), {"status": "approved"})) == [new]
    assert listed(client.get(reverse("program_list"), {"year": "2021"})) == [old]
    assert listed(client.get(reverse("program_list"), {"q": "书记"})) == [new]
    assert len(listed(client.get(reverse("program_list"), {"year": "abc", "status": "nonsense"}))) == 2


def test_program_list_is_paginated(login, organizer, settings):
    settings.PAGE_SIZE = 2
    programs = [ProgramFactory(year=2022) for _ in range(3)]
    client = login(organizer)
    assert listed(client.get(reverse("program_list"))) == [programs[2], programs[1]]
    assert listed(client.get(reverse("program_list"), {"page": 2})) == [programs[0]]


def test_program_list_is_scoped(login, unit_admin, venue):
    published = ProgramFactory(status=Status.ENROLLMENT_OPEN, submitted_at=timezone.now())
    ProgramFactory(status=Status.DRAFT)
    ProgramFactory(status=Status.SUBMITTED, submitted_at=timezone.now())
    assert listed(login(unit_admin).get(reverse("program_list"))) == [published]


def test_program_create(login, organizer, organ, venue):
    client = login(organizer)
    form = client.get(reverse("program_create")).context["form"]
    assert form["hours_per_day"].value() == Decimal("7.5")
    response = client.post(reverse("program_create"), {
        "title": "2023年市直机关党务干部培训班", "year": "2023", "organizer": organ.pk, "venue": venue.pk,
        "legal_basis": "《中国共产党党和国家机关基层组织工作条例》第三十一条", "requirement": "rotation",
        "target_population": "市直机关党务干部\r\n（专职副书记）", "planned_participants": "100", "phase_count": "2",
        "hours_per_day": "7.5", "cost_per_person_day": "500"})
    program = Program.unscoped.get(title="2023年市直机关党务干部培训班")
    assert response.status_code == 302 and response["Location"] == program.get_absolute_url()
    assert program.status == Status.DRAFT and program.target_population == "市直机关党务干部\n（专职副书记）"
    assert AuditEntry.objects.filter(model="training.program", object_pk=str(program.pk), action="create").exists()


def test_program_create_reports_field_errors(login, organizer, organ):
    response = login(organizer).post(reverse("program_create"), {
        "title": "", "year": "1999", "organizer": organ.pk, "planned_participants": "10", "phase_count": "1",
        "hours_per_day": "20", "cost_per_person_day": "0"})
    assert response.status_code == 400
    assert {"title", "year", "hours_per_day"} <= set(response.context["form"].errors)
    assert not Program.unscoped.exists()


def test_editing_a_draft_plan(login, organizer, plan):
    response = login(organizer).post(reverse("program_edit", args=[plan.pk]),
                                     program_data(plan, hours_per_day="8", budget_estimate="300000"))
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.hours_per_day == Decimal("8") and plan.budget_estimate == Decimal("300000")


def test_editing_an_approved_plan_is_refused_on_the_field(login, organizer, approver, plan):
    approved(plan, organizer, approver)
    client = login(organizer)
    response = client.get(reverse("program_edit", args=[plan.pk]))
    assert "reopened" in response.context["intro"]
    response = client.post(reverse("program_edit", args=[plan.pk]), program_data(plan, planned_participants="120"))
    assert response.status_code == 400
    assert response.context["form"].errors["planned_participants"] == [
        "The plan is Approved: reopen it and submit it again to change it."]
    plan.refresh_from_db()
    assert plan.planned_participants == 110

    # An untouched plan with browser line ends, and a changed contact, are accepted.
    plan.legal_basis = "第一行\n第二行"
    plan.save()
    response = client.post(reverse("program_edit", args=[plan.pk]),
                           program_data(plan, legal_basis="第一行\r\n第二行", contact_name="李四"))
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.contact_name == "李四"


def test_editing_an_approved_phase_dates_is_refused_on_the_field(login, organizer, approver, plan):
    approved(plan, organizer, approver)
    phase = plan.phases.get()
    client = login(organizer)
    form = client.get(reverse("phase_edit", args=[phase.pk])).context["form"]
    assert form.fields["starts_on"].disabled and form.fields["ends_on"].disabled  # training.change_plan
    client.post(reverse("phase_edit", args=[phase.pk]),
                phase_data(phase, starts_on="2022-10-17", ends_on="2022-10-21"))
    phase.refresh_from_db()
    assert phase.starts_on == DAY1


def test_deleting_a_draft_and_refusing_a_submitted_one(login, organizer, plan):
    client = login(organizer)
    other = ProgramFactory()
    response = client.post(reverse("program_delete", args=[other.pk]), follow=True)
    assert response.redirect_chain == [(reverse("program_list"), 302)]
    assert messages_of(response) == [f"Deleted {other.title}."]
    assert not Program.unscoped.filter(pk=other.pk).exists()

    submitted(plan, organizer)
    response = client.post(reverse("program_delete", args=[plan.pk]), follow=True)
    assert Program.unscoped.filter(pk=plan.pk).exists()
    assert messages_of(response) == ["Only a draft that was never submitted can be deleted."]


# Programs: the page -------------------------------------------------------------------------------

def test_program_page_shows_the_plan_with_a_computed_budget(login, organizer, plan):
    response = login(organizer).get(plan.get_absolute_url())
    assert response.status_code == 200
    content = response.content.decode()
    for text in (plan.title, plan.legal_basis, plan.purpose, plan.target_population, "河南大别山干部学院",
                 "Induction training of newly appointed secretaries", "张三", "0377-63000000"):
        assert text in content
    assert response.context["budget"]["amount"] == Decimal("302500.00")  # 110 × 5 × 550
    assert "302500.00" in content and "computed" in content and "110 participants × 5 days × 550" in content
    assert reverse("program_plan_pdf", args=[plan.pk]) in content
    phase = plan.phases.get()
    for name in ("phase_timetable", "phase_timetable_pdf", "phase_timetable_xlsx", "phase_timetable_ics",
                 "phase_detail"):
        assert reverse(name, args=[phase.pk]) in content


def test_program_page_shows_the_entered_budget_estimate(login, organizer, plan):
    plan.budget_estimate = Decimal("280000")
    plan.save()
    response = login(organizer).get(plan.get_absolute_url())
    content = response.content.decode()
    assert "280000.00" in content and "computed" not in content


def test_program_page_phases_table(login, organizer, plan, staff_user, venue):
    phase = plan.phases.get()
    phase.head_teacher = staff_user
    phase.classroom = ClassroomFactory(venue=venue, name="第三教室")
    phase.save()
    GroupFactory(phase=phase, number=1)
    GroupFactory(phase=phase, number=2)
    SessionFactory(phase=phase)
    response = login(organizer).get(plan.get_absolute_url())
    [row] = response.context["phases"]
    assert (row.session_total, row.group_total, row.day_count) == (1, 2, 5)
    content = response.content.decode()
    assert "班主任 王老师" in content and "第三教室" in content and "2022-10-10" in content


def _mix_sessions(phase):
    SessionFactory(phase=phase, form="lecture", starts_at=at(DAY1, "08:30"), ends_at=at(DAY1, "11:30"),
                   hours=Decimal("3"))
    SessionFactory(phase=phase, form="onsite_teaching", starts_at=at(DAY1, "14:30"), ends_at=at(DAY1, "17:30"),
                   hours=Decimal("3"))
    # Two groups discuss in parallel: a participant is in one, so the slot counts once.
    for number in (1, 2):
        SessionFactory(phase=phase, form="discussion", group=GroupFactory(phase=phase, number=number),
                       starts_at=at(DAY2, "08:30"), ends_at=at(DAY2, "10:30"), hours=Decimal("2"))
    SessionFactory(phase=phase, form="opening", starts_at=at(DAY2, "14:30"), ends_at=at(DAY2, "15:00"),
                   hours=Decimal("0.5"))


def test_program_page_teaching_form_mix_table_and_chart_data(login, organizer, plan):
    _mix_sessions(plan.phases.get())
    response = login(organizer).get(plan.get_absolute_url())
    content = response.content.decode()
    forms_table = re.search(r'<table class="table mix-forms">.*?</table>', content, re.S).group(0)
    rows = re.findall(r'<span class="form-chip form-(\w+)">.*?<td class="num">([\d.]+)</td>', forms_table, re.S)
    assert rows == [("opening", "0.5"), ("lecture", "3.0"), ("onsite_teaching", "3.0"), ("discussion", "2.0")]
    categories = re.search(r'<table class="table mix-categories">.*?</table>', content, re.S).group(0)
    assert re.search(r"Theory</td><td class=\"num\">3.0</td><td class=\"num\">37.5%", categories)
    assert re.search(r"Practice</td><td class=\"num\">3.0</td><td class=\"num\">37.5%", categories)
    assert re.search(r"Exchange</td><td class=\"num\">2.0</td><td class=\"num\">25.0%", categories)
    phases = re.search(r'<table class="table mix-phases">.*?</table>', content, re.S).group(0)
    assert "8.5" in phases and "5 × 7.5 = 37.5" in phases and "fewer hours than the days credit" in phases

    data = json.loads(re.search(r'<script id="form-mix-data" type="application/json">(.*?)</script>', content,
                                re.S).group(1))
    assert {row["name"]: row["value"] for row in data["forms"]} == {
        "Opening ceremony": 0.5, "Theoretical teaching": 3.0, "On-site teaching": 3.0, "Exchange and research": 2.0}
    assert [(row["name"], row["share"]) for row in data["categories"]] == [
        ("Theory", 37.5), ("Practice", 37.5), ("Exchange", 25.0)]
    assert '<script src="/static/vendor/echarts/echarts.min.js"></script>' in content
    assert '<script src="/static/dangjian/form-mix-chart.js"></script>' in content


def test_program_page_without_sessions_draws_no_chart(login, organizer, plan):
    content = login(organizer).get(plan.get_absolute_url()).content.decode()
    assert "No sessions in the timetable yet." in content
    assert "form-mix-data" not in content and "echarts" not in content


def test_program_page_has_no_inline_script_or_style(login, organizer, approver, plan):
    _mix_sessions(plan.phases.get())
    submitted(plan, organizer)
    for user in (organizer, approver):
        content = login(user).get(plan.get_absolute_url()).content.decode()
        assert " style=" not in content and "<style" not in content
        for tag in re.findall(r"<script[^>]*>", content):
            assert " src=" in tag or 'type="application/json"' in tag, tag


def test_transition_buttons_follow_the_role_and_status(login, organizer, approver, plan):
    def buttons(user):
        return login(user).get(plan.get_absolute_url()).context["transitions"]

    assert buttons(organizer) == ["submit"]
    submitted(plan, organizer)
    assert buttons(organizer) == []
    assert buttons(approver) == ["approve", "return"]
    content = login(approver).get(plan.get_absolute_url()).content.decode()
    assert reverse("program_approve", args=[plan.pk]) in content and 'enctype="multipart/form-data"' in content
    assert reverse("program_edit", args=[plan.pk]) not in content


# Programs: the workflow ---------------------------------------------------------------------------

def test_submit_an_incomplete_plan_shows_what_is_missing(login, organizer, plan):
    plan.phase_count = 2
    plan.target_population = ""
    plan.save()
    client = login(organizer)
    response = client.get(plan.get_absolute_url())
    assert "Describe the target participants." in response.context["plan_problems"]
    response = client.post(reverse("program_submit", args=[plan.pk]), follow=True)
    assert messages_of(response) == ["Describe the target participants.",
                                     "The plan announces 2 phase(s) but 1 are set up."]
    plan.refresh_from_db()
    assert plan.status == Status.DRAFT


def test_submit_then_approve_with_a_document(login, organizer, approver, plan, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = login(organizer).post(reverse("program_submit", args=[plan.pk]), follow=True)
    assert messages_of(response) == ["The plan was submitted for approval."]
    plan.refresh_from_db()
    assert plan.status == Status.SUBMITTED and plan.submitted_at is not None

    client = login(approver)
    response = client.post(reverse("program_approve", args=[plan.pk]), {
        "approve-comments": "同意。", "approve-document_reference": "宛组〔2022〕88号",
        "approve-document": SimpleUploadedFile("批复.pdf", b"%PDF-1.4 approval", content_type="application/pdf"),
    }, follow=True)
    assert messages_of(response) == ["The plan was approved."]
    plan.refresh_from_db()
    assert plan.status == Status.APPROVED
    review = plan.reviews.get()
    assert (review.decision, review.decided_by, review.comments, review.document_reference) == (
        "approved", approver, "同意。", "宛组〔2022〕88号")
    content = response.content.decode()
    document_url = reverse("review_document", args=[review.pk])
    assert document_url in content and "宛组〔2022〕88号" in content and "同意。" in content
    assert "/media/" not in content

    download = login(organizer).get(document_url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 approval"
    assert "attachment" in download["Content-Disposition"]
    assert AuditEntry.objects.filter(model="training.program", object_pk=str(plan.pk),
                                     changes__status=["submitted", "approved"]).exists()


def test_approval_document_of_the_wrong_kind_is_refused(login, organizer, approver, plan):
    submitted(plan, organizer)
    response = login(approver).post(reverse("program_approve", args=[plan.pk]), {
        "approve-document": SimpleUploadedFile("批复.exe", b"MZ")}, follow=True)
    assert messages_of(response) == ["Approval document: Upload a PDF, OFD, JPEG or PNG file."]
    plan.refresh_from_db()
    assert plan.status == Status.SUBMITTED and not plan.reviews.exists()


def test_approving_as_organizer_is_forbidden(login, organizer, plan):
    submitted(plan, organizer)
    assert login(organizer).post(reverse("program_approve", args=[plan.pk])).status_code == 403
    plan.refresh_from_db()
    assert plan.status == Status.SUBMITTED


def test_approving_twice_shows_the_message(login, organizer, approver, plan):
    approved(plan, organizer, approver)
    response = login(approver).post(reverse("program_approve", args=[plan.pk]), follow=True)
    assert response.redirect_chain[-1][0] == plan.get_absolute_url()
    assert messages_of(response) == ["A program that is “Approved” cannot be approved."]
    plan.refresh_from_db()
    assert plan.status == Status.APPROVED and plan.reviews.count() == 1


def test_a_reopened_plan_is_not_the_approvers_until_submitted_again(login, organizer, approver, plan):
    approved(plan, organizer, approver)
    services.program_reopen(program=plan, by=organizer, reason="调整日期")
    client = login(approver)
    assert client.get(plan.get_absolute_url()).status_code == 404  # unsubmitted edits are not theirs to read
    assert client.post(reverse("program_approve", args=[plan.pk])).status_code == 404
    plan.refresh_from_db()
    assert plan.status == Status.DRAFT and plan.reviews.count() == 1
    services.program_submit(program=plan, by=organizer)
    assert client.get(plan.get_absolute_url()).status_code == 200


def test_return_requires_comments(login, organizer, approver, plan):
    submitted(plan, organizer)
    client = login(approver)
    response = client.post(reverse("program_return", args=[plan.pk]), {"return-comments": "  "}, follow=True)
    assert messages_of(response) == ["Say what must be revised."]
    plan.refresh_from_db()
    assert plan.status == Status.SUBMITTED

    response = client.post(reverse("program_return", args=[plan.pk]), {"return-comments": "请补充经费测算依据。"},
                           follow=True)
    assert messages_of(response) == ["The plan was returned for revision."]
    assert response.redirect_chain[-1][0] == reverse("program_list")  # no longer theirs to read until resubmitted
    plan.refresh_from_db()
    assert plan.status == Status.RETURNED
    review = plan.reviews.get()
    assert (review.decision, review.comments) == (ProgramReview.Decision.RETURNED, "请补充经费测算依据。")


def test_reopen_requires_a_reason(login, organizer, approver, plan):
    approved(plan, organizer, approver)
    client = login(organizer)
    response = client.post(reverse("program_reopen", args=[plan.pk]), {"reopen-reason": ""}, follow=True)
    assert messages_of(response) == ["Say why the approved plan must change."]
    response = client.post(reverse("program_reopen", args=[plan.pk]), {"reopen-reason": "第二期改期"}, follow=True)
    plan.refresh_from_db()
    assert plan.status == Status.DRAFT
    assert messages_of(response) == ["The plan was reopened; submit it again after the changes."]


def test_run_the_program_to_the_archive(login, organizer, approver, plan):
    approved(plan, organizer, approver)
    make_current_pack(plan)
    client = login(organizer)
    for name, status in [("program_open_enrollment", Status.ENROLLMENT_OPEN), ("program_start", Status.IN_PROGRESS),
                         ("program_close", Status.CLOSED), ("program_archive", Status.ARCHIVED)]:
        assert client.post(reverse(name, args=[plan.pk])).status_code == 302
        plan.refresh_from_db()
        assert plan.status == status
    assert plan.phases.get().status == Phase.Status.FINISHED
    response = client.get(plan.get_absolute_url())
    assert response.context["transitions"] == [] and not response.context["can_change"]
    # Once archived, starting again is refused with the service's message.
    response = client.post(reverse("program_start", args=[plan.pk]), follow=True)
    assert messages_of(response) == ["A program that is “Archived” cannot be started."]


# Phases and the class -----------------------------------------------------------------------------

def test_phase_create_numbers_the_next_phase(login, organizer, plan):
    client = login(organizer)
    assert client.get(reverse("phase_create", args=[plan.pk])).status_code == 200
    response = client.post(reverse("phase_create", args=[plan.pk]), {
        "number": "", "starts_on": "2022-10-17", "ends_on": "2022-10-21", "capacity": "55"})
    phase = plan.phases.get(number=2)
    assert response.status_code == 302 and response["Location"] == reverse("phase_detail", args=[phase.pk])
    response = client.post(reverse("phase_create", args=[plan.pk]), {
        "number": "", "starts_on": "2022-10-21", "ends_on": "2022-10-17", "capacity": "55"})
    assert response.status_code == 400 and "ends_on" in response.context["form"].errors


def test_phase_create_after_approval_is_refused(login, organizer, approver, plan):
    approved(plan, organizer, approver)
    client = login(organizer)
    assert not client.get(plan.get_absolute_url()).context["can_add_phase"]
    # The form does not open (it would only fail on save): back to the program, saying why.
    response = client.get(reverse("phase_create", args=[plan.pk]), follow=True)
    assert response.redirect_chain == [(plan.get_absolute_url(), 302)]
    assert "reopen it and submit it again to change it" in response.content.decode()
    response = client.post(reverse("phase_create", args=[plan.pk]), {
        "starts_on": "2022-10-17", "ends_on": "2022-10-21", "capacity": "55"})
    assert response.status_code == 302
    assert plan.phases.count() == 1


def test_phase_delete(login, organizer, plan):
    phase = PhaseFactory(program=plan, number=2, starts_on=datetime.date(2022, 10, 17),
                         ends_on=datetime.date(2022, 10, 21))
    response = login(organizer).post(reverse("phase_delete", args=[phase.pk]))
    assert response.status_code == 302 and response["Location"] == plan.get_absolute_url()
    assert not Phase.objects.filter(pk=phase.pk).exists()


def test_college_staff_set_head_teacher_and_classroom_but_not_the_dates(login, staff_user, organizer, approver,
                                                                        plan, venue):
    approved(plan, organizer, approver)
    phase = plan.phases.get()
    classroom = ClassroomFactory(venue=venue, name="第一教室")
    ClassroomFactory(name="别处的教室")  # another venue's: not offered
    client = login(staff_user)
    form = client.get(reverse("phase_edit", args=[phase.pk])).context["form"]
    assert list(form.fields["classroom"].queryset) == [classroom]
    assert list(form.fields["head_teacher"].queryset) == [staff_user]
    assert form.fields["starts_on"].disabled and not form.fields["classroom"].disabled
    response = client.post(reverse("phase_edit", args=[phase.pk]), phase_data(
        phase, head_teacher=staff_user.pk, classroom=classroom.pk, starts_on="2022-11-01", ends_on="2022-11-05"))
    assert response.status_code == 302
    phase.refresh_from_db()
    assert (phase.head_teacher, phase.classroom, phase.starts_on) == (staff_user, classroom, DAY1)


def test_create_several_groups_then_edit_and_delete(login, organizer, plan):
    phase = plan.phases.get()
    leader, deputy = PersonFactory(name="组长甲"), PersonFactory(name="副组长乙")
    client = login(organizer)
    response = client.post(reverse("group_create", args=[phase.pk]), {"groups-count": "3"})
    assert response.status_code == 302 and response["Location"] == reverse("phase_detail", args=[phase.pk])
    assert list(phase.groups.values_list("number", flat=True)) == [1, 2, 3]
    response = client.post(reverse("group_create", args=[phase.pk]), {"groups-count": "0"})
    assert response.status_code == 400 and "count" in response.context["groups_form"].errors

    group = phase.groups.get(number=2)
    response = client.post(reverse("group_edit", args=[group.pk]), {
        "number": "2", "name": "第二组", "leader": leader.pk, "deputy_leader": leader.pk})
    assert response.status_code == 400
    assert response.context["form"].errors["deputy_leader"] == ["The deputy leader must be another person."]
    response = client.post(reverse("group_edit", args=[group.pk]), {
        "number": "2", "name": "第二组", "leader": leader.pk, "deputy_leader": deputy.pk})
    assert response.status_code == 302
    group.refresh_from_db()
    assert (group.name, group.leader, group.deputy_leader) == ("第二组", leader, deputy)
    content = client.get(reverse("phase_detail", args=[phase.pk])).content.decode()
    assert "第二组" in content and "组长甲" in content and "副组长乙" in content

    SessionFactory(phase=phase, group=group, form="discussion")
    response = client.post(reverse("group_delete", args=[group.pk]), follow=True)
    assert Group.objects.filter(pk=group.pk).exists()
    assert messages_of(response) == [
        "This group still has sessions in the timetable; delete or reassign them first."]
    response = client.post(reverse("group_delete", args=[phase.groups.get(number=3).pk]))
    assert response.status_code == 302 and phase.groups.count() == 2


def test_class_committee_appoint_and_remove(login, organizer, plan):
    phase = plan.phases.get()
    monitor = PersonFactory(name="班长丙")
    client = login(organizer)
    response = client.post(reverse("committee_appoint", args=[phase.pk]),
                           {"committee-person": monitor.pk, "committee-role": "monitor"})
    assert response.status_code == 302
    member = ClassCommitteeMember.objects.get(phase=phase)
    assert (member.person, member.role, member.started_on, member.ended_on) == (monitor, "monitor", DAY1, DAY5)
    response = client.post(reverse("committee_appoint", args=[phase.pk]),
                           {"committee-person": monitor.pk, "committee-role": "monitor"})
    assert response.status_code == 400 and response.context["committee_form"].errors
    response = client.post(reverse("committee_appoint", args=[phase.pk]), {"committee-role": "study"})
    assert response.status_code == 400 and "person" in response.context["committee_form"].errors
    content = client.get(reverse("phase_detail", args=[phase.pk])).content.decode()
    assert "班长丙" in content and "Class monitor" in content

    assert client.post(reverse("committee_remove", args=[member.pk])).status_code == 302
    assert not ClassCommitteeMember.objects.exists()


def test_temporary_branch_create_appoint_and_remove(login, organizer, plan):
    phase = plan.phases.get()
    secretary = PersonFactory(name="书记丁")
    client = login(organizer)
    response = client.post(reverse("branch_appoint", args=[phase.pk]),
                           {"appoint-person": secretary.pk, "appoint-role": "secretary"})
    assert response.status_code == 400
    assert response.context["appoint_form"].non_field_errors() == ["Set up the temporary party branch first."]

    assert client.post(reverse("branch_create", args=[phase.pk]), {"branch-name": ""}).status_code == 302
    phase.refresh_from_db()
    branch = phase.temporary_branch
    assert branch.org_type == "temporary_branch" and branch.organ == plan.organizer
    response = client.post(reverse("branch_create", args=[phase.pk]), {"branch-name": "又一个"})
    assert response.status_code == 400
    assert response.context["branch_form"].non_field_errors() == ["This phase already has a temporary party branch."]

    response = client.post(reverse("branch_appoint", args=[phase.pk]),
                           {"appoint-person": secretary.pk, "appoint-role": "secretary"})
    assert response.status_code == 302
    post = Post.unscoped.get(party_organization=branch)
    assert (post.person, post.role, post.started_on, post.ended_on) == (secretary, "secretary", DAY1, DAY5)
    content = client.get(reverse("phase_detail", args=[phase.pk])).content.decode()
    assert branch.name in content and "书记丁" in content

    assert client.post(reverse("branch_post_remove", args=[post.pk])).status_code == 302
    assert not Post.unscoped.filter(pk=post.pk).exists()


def test_college_staff_manage_the_class_of_their_venue(login, staff_user, plan):
    """College staff see no registry people: the pickers offer those already in the class (and, with
    enrollment, the participants); the management forms are there and work."""
    phase = plan.phases.get()
    leader = PersonFactory(name="组长戊")
    group = GroupFactory(phase=phase, number=1, leader=leader)
    PersonFactory(name="不相干的人")
    client = login(staff_user)
    response = client.get(reverse("phase_detail", args=[phase.pk]))
    assert response.context["can_manage"] and not response.context["can_change_plan"]
    choices = [value for value, _label in response.context["committee_form"].fields["person"].widget.choices
               if value]
    assert choices == [leader.pk]
    response = client.post(reverse("committee_appoint", args=[phase.pk]),
                           {"committee-person": leader.pk, "committee-role": "monitor"})
    assert response.status_code == 302
    response = client.post(reverse("group_create", args=[phase.pk]), {"groups-count": "2"})
    assert response.status_code == 302 and phase.groups.count() == 3
    assert reverse("phase_delete", args=[phase.pk]) not in client.get(
        reverse("phase_detail", args=[phase.pk])).content.decode()
    assert group.pk


def test_unit_admin_reads_a_published_phase_without_management_forms(login, unit_admin, plan):
    plan.status = Status.ENROLLMENT_OPEN
    plan.submitted_at = timezone.now()
    plan.save()
    phase = plan.phases.get()
    response = login(unit_admin).get(reverse("phase_detail", args=[phase.pk]))
    assert response.status_code == 200 and not response.context["can_manage"]
    assert reverse("group_create", args=[phase.pk]) not in response.content.decode()


# Menu and overview --------------------------------------------------------------------------------

@pytest.mark.parametrize("roles, expected", [
    (["organizer"], ["program_list", "library_index"]),
    (["college_staff"], ["program_list", "library_index"]),
    (["approver"], ["program_list"]),
    (["unit_admin"], ["program_list"]),
    (["instructor"], ["program_list", "my_sessions"]),
    (["participant"], []),
    (["editor"], []),
])
def test_menu_entries_by_role(login, roles, expected):
    user = UserFactory(roles=roles)
    response = login(user).get(reverse("home"), follow=True)  # a participant lands on /my/
    urls = [url for _label, url, _key in response.context["nav_items"]]
    training = {"program_list", "library_index", "my_sessions"}
    assert [name for name in ("program_list", "library_index", "my_sessions") if reverse(name) in urls] == expected
    assert training >= set(expected)
    card = 'class="button" href="{}"'.format(reverse("program_list"))
    assert (card in response.content.decode()) == ("program_list" in expected)


def test_menu_marks_the_current_section(login, organizer):
    response = login(organizer).get(reverse("site_list"))
    assert re.search(r'<a href="{}" class="active">'.format(reverse("library_index")), response.content.decode())
    response = login(organizer).get(reverse("program_list"))
    assert re.search(r'<a href="{}" class="active">'.format(reverse("program_list")), response.content.decode())


def test_pages_render_in_chinese(client, organizer, plan):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    client.force_login(organizer)
    response = client.get(plan.get_absolute_url())
    assert response.status_code == 200 and response["Content-Language"] == "zh-hans"
    content = response.content.decode()
    assert '<html lang="zh-hans">' in content and plan.title in content


# Steps that cannot be undone ask first; the approver is warned of a thin timetable ------------------

def test_start_close_and_archive_ask_for_confirmation_on_the_page(login, organizer, approver, plan):
    approved(plan, organizer, approver)
    services.program_open_enrollment(program=plan, by=organizer)
    client = login(organizer)
    content = client.get(plan.get_absolute_url()).content.decode()
    start = reverse("program_start", args=[plan.pk])
    # A link to the confirmation page (no script), opening a <dialog> with the same question (confirm.js).
    assert f'<a class="button transition" href="{start}" data-confirm="confirm-start">Start the program…</a>' in content
    dialog = re.search(r'<dialog id="confirm-start".*?</dialog>', content, re.S).group(0)
    assert "The approved plan can no longer be reopened" in dialog and "This cannot be undone." in dialog
    assert f'<form method="post" action="{start}">' in dialog and '<form method="dialog">' in dialog
    assert '<script src="/static/dangjian/confirm.js" defer></script>' in content
    # Without script: the link's page says what will happen and asks; nothing changes until confirmed.
    response = client.get(start)
    page = response.content.decode()
    assert response.status_code == 200 and "The program becomes “In progress”." in page
    assert f'<form method="post" action="{start}" class="actions">' in page and "Yes: Start the program" in page
    plan.refresh_from_db()
    assert plan.status == Status.ENROLLMENT_OPEN
    assert client.post(start).status_code == 302
    plan.refresh_from_db()
    assert plan.status == Status.IN_PROGRESS
    close = reverse("program_close", args=[plan.pk])
    assert "every phase is marked finished" in client.get(close).content.decode()
    assert 'data-confirm="confirm-close"' in client.get(plan.get_absolute_url()).content.decode()


def test_reversible_steps_are_plain_buttons_and_have_no_confirmation_page(login, organizer, plan):
    content = login(organizer).get(plan.get_absolute_url()).content.decode()
    assert "data-confirm" not in content and "confirm.js" not in content
    assert login(organizer).get(reverse("program_submit", args=[plan.pk])).status_code == 405


def test_the_confirmation_page_of_a_step_not_possible_now_says_why(login, organizer, plan):
    response = login(organizer).get(reverse("program_close", args=[plan.pk]), follow=True)
    assert response.redirect_chain[-1][0] == plan.get_absolute_url()
    assert messages_of(response) == ["A program that is “Draft” cannot be closed."]


def test_the_approver_is_warned_of_a_thin_timetable_without_theory(login, organizer, approver, plan):
    phase = plan.phases.get()
    SessionFactory(phase=phase, form="onsite_teaching", title="现场教学", hours=Decimal("20"),
                   starts_at=at(DAY1, "08:00"), ends_at=at(DAY1, "17:00"))
    submitted(plan, organizer)
    content = login(approver).get(plan.get_absolute_url()).content.decode()
    form = re.search(r'<form method="post" action="[^"]*/approve/".*?</form>', content, re.S).group(0)
    warnings = re.search(r'<div class="notice approval-warnings".*?</div>', form, re.S).group(0)
    assert "Phase 1: the timetable holds 20 hours, far below the 37.5 hours its 5 days credit (less than 80 %)." \
        in warnings
    assert "The timetable has no theory teaching (thematic lectures or case teaching)." in warnings
    # The organizer's page has no approval form, hence no warning.
    assert "approval-warnings" not in login(organizer).get(plan.get_absolute_url()).content.decode()


def test_no_approval_warning_for_a_full_timetable(login, organizer, approver, plan):
    phase = plan.phases.get()
    for day in range(5):
        date = DAY1 + datetime.timedelta(days=day)
        SessionFactory(phase=phase, form="lecture", hours=Decimal("7"), starts_at=at(date, "08:00"),
                       ends_at=at(date, "16:00"))
    submitted(plan, organizer)
    response = login(approver).get(plan.get_absolute_url())
    assert response.context["approval_warnings"] == []
    assert "approval-warnings" not in response.content.decode()


# Copy a program for another year -------------------------------------------------------------------

def test_copy_a_program_for_next_year(login, organizer, approver, plan, staff_user):
    phase = plan.phases.get()
    group = GroupFactory(phase=phase, number=1, name="第一组")
    lecture = SessionFactory(phase=phase, title="专题讲座", starts_at=at(DAY1, "08:30"), ends_at=at(DAY1, "11:30"))
    SessionFactory(phase=phase, group=group, form="discussion", title="分组研讨", starts_at=at(DAY2, "19:30"),
                   ends_at=at(DAY2, "21:00"))
    teacher = InstructorFactory(name="刘强")
    lecture.instructors.set([teacher])
    approved(plan, organizer, approver)
    client = login(organizer)
    page = client.get(plan.get_absolute_url()).content.decode()
    url = reverse("program_copy", args=[plan.pk])
    assert f'href="{url}"' in page and "Copy this program" in page
    form = client.get(url)
    content = form.content.decode()
    assert form.status_code == 200 and 'name="year" value="2023"' in content
    assert 'placeholder="2023年南阳市直机关新任党组织书记培训班"' in content and "Copy the program" in content
    response = client.post(url, {"year": "2023", "first_day": "", "title": ""}, follow=True)
    copy = Program.unscoped.get(year=2023)
    assert response.redirect_chain[-1] == (copy.get_absolute_url(), 302)
    assert messages_of(response) == ["“2022年南阳市直机关新任党组织书记培训班” was copied as a draft for 2023: "
                                     "check the dates, then submit the plan."]
    assert (copy.title, copy.status) == ("2023年南阳市直机关新任党组织书记培训班", Status.DRAFT)
    copied_phase = copy.phases.get()
    assert (copied_phase.starts_on, copied_phase.ends_on) == (datetime.date(2023, 10, 9), datetime.date(2023, 10, 13))
    assert copied_phase.starts_on.weekday() == DAY1.weekday()
    assert [(s.title, s.group.name if s.group else None) for s in copied_phase.sessions.order_by("starts_at")] == [
        ("专题讲座", None), ("分组研讨", "第一组")]
    assert list(copied_phase.sessions.get(title="专题讲座").instructors.all()) == [teacher]


def test_copy_reports_what_was_left_out_and_refuses_bad_input(login, organizer, plan):
    client = login(organizer)
    url = reverse("program_copy", args=[plan.pk])
    response = client.post(url, {"year": "2022"})
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "first_day": ["A copy in the same year needs other dates: give the first day."]}
    assert Program.unscoped.count() == 1
    response = client.post(url, {"year": "1999"})
    assert response.status_code == 400 and "year" in response.context["form"].errors
    # Copied onto dates where the lecture's instructor teaches elsewhere: copied without them, and said so.
    lecture = SessionFactory(phase=plan.phases.get(), title="专题讲座", starts_at=at(DAY1, "08:30"),
                             ends_at=at(DAY1, "11:30"))
    teacher = InstructorFactory(name="刘强")
    lecture.instructors.set([teacher])
    elsewhere = SessionFactory(title="别处的课", starts_at=at(datetime.date(2022, 10, 24), "08:00"),
                               ends_at=at(datetime.date(2022, 10, 24), "12:00"),
                               phase=PhaseFactory(starts_on=datetime.date(2022, 10, 24),
                                                  ends_on=datetime.date(2022, 10, 24)))
    elsewhere.instructors.set([teacher])
    response = client.post(url, {"year": "2022", "first_day": "2022-10-24", "title": "2022年第二轮培训班"}, follow=True)
    assert "“专题讲座” on 2022-10-24 was copied without 刘强: 刘强 already teaches “别处的课” at this time" in \
        messages_of(response)[1]
    assert Program.unscoped.get(title="2022年第二轮培训班").phases.get().starts_on == datetime.date(2022, 10, 24)


def test_only_organizers_see_the_copy_button(login, staff_user, approver, organizer, plan):
    submitted(plan, organizer)
    for user in (staff_user, approver):
        client = login(user)
        assert reverse("program_copy", args=[plan.pk]) not in client.get(plan.get_absolute_url()).content.decode()
        assert client.get(reverse("program_copy", args=[plan.pk])).status_code == 403
