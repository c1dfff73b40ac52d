"""Client tests of the timetable builder: the grid, htmx partials, adding, editing, moving, deleting,
copying and building from the catalog, each refusal shown where it belongs; an instructor's sessions.

Most tests ask for English pages (language cookie) so that they read the service's messages as written.
"""

import datetime
import re
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.urls import reverse

from dangjian.training.models import Program, Session, SessionStop, TravelTime
from tests.factories import (
    ClassroomFactory,
    CourseFactory,
    GroupFactory,
    InstructorFactory,
    PhaseFactory,
    ProgramFactory,
    SessionFactory,
    SiteFactory,
    UserFactory,
    VenueFactory,
    at,
)

pytestmark = pytest.mark.django_db

DAY1 = datetime.date(2022, 10, 10)
DAY2 = datetime.date(2022, 10, 11)
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def world():
    """An approved program at 大别山干部学院 with two five-day phases, two groups in each, a classroom,
    instructors, red-education sites and a catalog course; phase 1 has a lecture and an on-site visit."""
    venue = VenueFactory(name_zh="河南大别山干部学院", name_en="Henan Dabie Mountain Cadre College")
    classroom = ClassroomFactory(venue=venue, name="第一教室")
    program = ProgramFactory(title="2022年南阳市直机关新任党组织书记培训班", venue=venue, phase_count=2,
                             status=Program.Status.APPROVED)
    phase = PhaseFactory(program=program, number=1, starts_on=DAY1, ends_on=datetime.date(2022, 10, 14))
    phase2 = PhaseFactory(program=program, number=2, starts_on=datetime.date(2022, 10, 24),
                          ends_on=datetime.date(2022, 10, 28))
    groups = [GroupFactory(phase=phase, number=n) for n in (1, 2)]
    for n in (1, 2):
        GroupFactory(phase=phase2, number=n)
    teacher = InstructorFactory(name="王教授")
    guide = InstructorFactory(name="李讲解员")
    museum = SiteFactory(name_zh="鄂豫皖苏区首府革命博物馆", name_en="")
    bureau = SiteFactory(name_zh="中共中央鄂豫皖分局旧址", name_en="")
    army = SiteFactory(name_zh="红四方面军总部旧址", name_en="")
    course = CourseFactory(title_zh="大别山“28年红旗不倒”的历史与启示", title_en="28 years of the red flag",
                           form="onsite_teaching", default_hours=Decimal("3.5"))
    course.sites.set([museum, bureau])
    course.instructors.set([guide])
    lecture = SessionFactory(phase=phase, title="党支部标准化规范化建设实务", form="lecture",
                             starts_at=at(DAY1, "08:30"), ends_at=at(DAY1, "11:30"), hours=3, venue=venue,
                             classroom=classroom)
    lecture.instructors.set([teacher])
    visit = SessionFactory(phase=phase, title="现场教学：鄂豫皖苏区首府", form="onsite_teaching",
                           starts_at=at(DAY2, "08:30"), ends_at=at(DAY2, "12:00"), hours=Decimal("3.5"))
    for order, site in enumerate([army, museum]):
        SessionStop.objects.create(session=visit, site=site, order=order)
    return SimpleNamespace(venue=venue, classroom=classroom, program=program, phase=phase, phase2=phase2,
                           groups=groups, teacher=teacher, guide=guide, museum=museum, bureau=bureau, army=army,
                           course=course, lecture=lecture, visit=visit)


@pytest.fixture
def en_client(client, organizer):
    client.force_login(organizer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def grid_url(phase):
    return reverse("phase_timetable", args=[phase.pk])


def new_url(phase, query=""):
    return reverse("timetable_session_create", args=[phase.pk]) + query


def session_data(**changes) -> dict:
    data = {"form": "lecture", "title": "《条例》解读", "title_en": "", "day": "2022-10-12", "start": "08:30",
            "end": "11:30", "hours": "", "place_note": ""}
    data.update(changes)
    return data


def field_error(content: str, field: str) -> str:
    """The error shown inside the wrapper of `field` in the rendered form ("" when none)."""
    start = content.index(f'data-field="{field}"')
    end = content.find('data-field="', start + 1)
    match = re.search(r'<div class="field-error" role="alert">(.*?)</div>', content[start:end], re.S)
    return match.group(1) if match else ""


# --- The grid -----------------------------------------------------------------------------------

def test_grid_shows_the_days_and_each_session_in_its_cell(en_client, world):
    response = en_client.get(grid_url(world.phase))
    assert response.status_code == 200
    content = response.content.decode()
    # Five day columns, the header, and the documents.
    assert content.count('class="tt-dayhead') == 5
    assert "2022-10-10" in content and "2022-10-14" in content
    assert world.program.title in content and "Timetable of phase 1" in content
    for name in ("phase_timetable_pdf", "phase_timetable_xlsx", "phase_timetable_ics"):
        assert f'href="{reverse(name, args=[world.phase.pk])}"' in content
    # The lecture: day 1 (col-1), 08:30 = 10th quarter hour after 06:00 (row-11), three hours (span-12).
    lecture = re.search(r'<a [^>]*class="tt-session form-lecture col-1 row-11 span-12"[^>]*>(.*?)</a>', content, re.S)
    assert lecture is not None
    block = lecture.group(1)
    assert "08:30–11:30" in block and "党支部标准化规范化建设实务" in block and "Theoretical teaching" in block
    assert "王教授" in block and "3 h" in block and "Henan Dabie Mountain Cadre College · 第一教室" in block
    # The visit: its sites in visiting order; day 2, 08:30–12:00 (span-14).
    visit = re.search(r'class="tt-session form-onsite_teaching col-2 row-11 span-14"[^>]*>(.*?)</a>', content, re.S)
    assert "红四方面军总部旧址 → 鄂豫皖苏区首府革命博物馆" in visit.group(1)
    assert "3.5 h" in visit.group(1)
    # Totals, the legend of the teaching forms, and the list by day for phones.
    assert "2 sessions" in content and "6.5 hours credited" in content
    assert 'class="tt-swatch form-discussion"' in content and "Exchange and research" in content
    assert content.count('class="tt-day"') == 5 and "No sessions on this day." in content


def test_program_link_in_the_header(en_client, world):
    from django.urls import NoReverseMatch

    content = en_client.get(grid_url(world.phase)).content.decode()
    try:
        program_url = reverse("program_detail", args=[world.program.pk])
    except NoReverseMatch:  # the program pages land separately; until then the title is plain text
        assert f'<a href="/training/programs/{world.program.pk}/' not in content
    else:
        assert f'href="{program_url}"' in content


def test_parallel_group_sessions_are_one_block_listing_the_groups_and_rooms(en_client, world):
    rooms = [ClassroomFactory(venue=world.venue, name=f"研讨室{letter}") for letter in "AB"]
    for group, room in zip(world.groups, rooms, strict=True):
        SessionFactory(phase=world.phase, group=group, form="discussion", title="分组研讨①", venue=world.venue,
                       classroom=room, starts_at=at(DAY1, "19:30"), ends_at=at(DAY1, "21:00"), hours=Decimal("1.5"))
    content = en_client.get(grid_url(world.phase)).content.decode()
    blocks = re.findall(r'<div class="tt-session tt-parallel form-discussion col-1 row-55 span-6[^"]*" '
                        r'data-parallel="2">(.*?)</details>', content, re.S)
    assert len(blocks) == 1  # one block, not a sliver per group
    block = blocks[0]
    assert "<summary" in block and "19:30–21:00" in block and "分组研讨①" in block and "2 groups" in block
    assert 'title="19:30–21:00 分组研讨① · Group 1: 研讨室A; Group 2: 研讨室B"' in block  # the rooms on hover
    for group, room in zip(world.groups, rooms, strict=True):  # and in the list that opens
        edit = reverse("timetable_session_edit", args=[group.sessions.get().pk])
        assert re.search(rf'<a href="{edit}"[^>]*>Group {group.number}</a>\s*<span class="tt-place">{room.name}</span>',
                         block)
    assert 'class="tt-session form-discussion' not in content  # no sliver left
    # The list by day shows one entry too; parallel group sessions are credited once.
    assert content.count('class="tt-entry tt-parallel-entry form-discussion"') == 1
    assert "8 hours credited" in content

    # A group starting later in another form is a block of its own, beside the first.
    third = GroupFactory(phase=world.phase, number=3)
    SessionFactory(phase=world.phase, group=third, form="site_visit", title="参观",
                   starts_at=at(DAY1, "20:00"), ends_at=at(DAY1, "21:30"), hours=Decimal("1.5"))
    content = en_client.get(grid_url(world.phase)).content.decode()
    lanes = re.findall(r'class="tt-session (?:tt-parallel )?form-\w+ col-1 row-\d+ span-6 (lane-\d+-of-\d+)', content)
    assert sorted(lanes) == ["lane-0-of-2", "lane-1-of-2"]


def test_a_parallel_block_late_in_the_day_opens_upwards(en_client, world):
    for group in world.groups:
        SessionFactory(phase=world.phase, group=group, form="discussion", title="晚间研讨",
                       starts_at=at(DAY2, "19:30"), ends_at=at(DAY2, "21:00"))
        SessionFactory(phase=world.phase, group=group, form="discussion", title="下午研讨",
                       starts_at=at(DAY1, "14:30"), ends_at=at(DAY1, "16:00"))
    content = en_client.get(grid_url(world.phase)).content.decode()
    assert re.search(r'tt-parallel form-discussion col-2 row-55 span-6 opens-up"', content)
    assert re.search(r'tt-parallel form-discussion col-1 row-35 span-6"', content)


def test_grid_partial_for_htmx(en_client, world):
    response = en_client.get(grid_url(world.phase), HTTP_HX_TARGET="timetable", **HX)
    content = response.content.decode()
    assert response.status_code == 200
    assert content.startswith('<div id="timetable"') and "<html" not in content
    assert "党支部标准化规范化建设实务" in content


def test_manager_sees_the_builder_controls(en_client, world):
    content = en_client.get(grid_url(world.phase)).content.decode()
    assert 'data-editable="1"' in content
    assert f'data-new-url="{new_url(world.phase)}"' in content
    assert f'data-move-url="{reverse("timetable_session_move", args=[world.lecture.pk])}"' in content
    assert 'draggable="true"' in content and 'data-day="2022-10-10" data-time="06:00"' in content
    assert "Add session" in content and "Build from catalog" in content
    assert '<script src="/static/dangjian/timetable.js" defer></script>' in content
    # Copying into phase 2 (phase 1 has sessions to copy from); phase 1 has no other phase to copy from.
    assert reverse("phase_timetable_copy", args=[world.phase.pk]) not in content
    phase2_page = en_client.get(grid_url(world.phase2)).content.decode()
    assert reverse("phase_timetable_copy", args=[world.phase2.pk]) in phase2_page


@pytest.mark.parametrize("role", ["approver", "unit_admin", "instructor"])
def test_read_only_grid_for_those_who_may_only_view(client, world, role):
    world.program.status = Program.Status.ENROLLMENT_OPEN
    world.program.submitted_at = at(DAY1, "08:00")
    world.program.save()
    user = UserFactory(roles=[role])
    if role == "instructor":
        world.teacher.user = user
        world.teacher.save()
    client.force_login(user)
    response = client.get(grid_url(world.phase))
    content = response.content.decode()
    assert response.status_code == 200
    assert "党支部标准化规范化建设实务" in content
    assert "data-editable" not in content and "draggable" not in content and "data-day=" not in content
    assert reverse("timetable_session_edit", args=[world.lecture.pk]) not in content
    assert new_url(world.phase) not in content
    # An instructor sees the sessions they teach, not the others'.
    assert ("现场教学：鄂豫皖苏区首府" in content) is (role != "instructor")


def test_closed_program_grid_is_read_only_even_for_organizers(en_client, world):
    Program.unscoped.filter(pk=world.program.pk).update(status=Program.Status.CLOSED)
    content = en_client.get(grid_url(world.phase)).content.decode()
    assert "data-editable" not in content and "draggable" not in content
    assert "The timetable of a program that is “Closed” cannot be changed." in content


def test_grid_has_no_inline_script_or_style(en_client, world):
    for url in [grid_url(world.phase), new_url(world.phase),
                reverse("timetable_session_edit", args=[world.lecture.pk]),
                reverse("timetable_catalog", args=[world.phase.pk]),
                reverse("phase_timetable_copy", args=[world.phase.pk])]:
        content = en_client.get(url).content.decode()
        assert "<style" not in content, url
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", content), url
        assert not re.search(r"\sstyle=\"", content), url
        assert not re.search(r"\son[a-z]+=\"", content), url


def test_grid_is_chinese_by_default(client, organizer, world):
    client.force_login(organizer)
    content = client.get(grid_url(world.phase)).content.decode()
    assert '<html lang="zh-hans">' in content and "星期一" in content


# --- Adding a session ---------------------------------------------------------------------------

def test_new_session_form_is_prefilled_with_the_clicked_slot(en_client, world):
    response = en_client.get(new_url(world.phase, "?day=2022-10-12&time=14:00"), **HX)
    content = response.content.decode()
    assert response.status_code == 200 and "<html" not in content
    assert '<option value="2022-10-12" selected>' in content
    assert 'name="start" value="14:00"' in content and 'name="end" value="17:00"' in content
    # Only this phase's groups; the catalog course carries its details for the browser.
    group_select = re.search(r'<select name="group".*?</select>', content, re.S).group(0)
    assert re.findall(r'<option value="(\d+)"', group_select) == [str(g.pk) for g in world.groups]
    assert f'data-sites="{world.museum.pk},{world.bureau.pk}"' in content or \
        f'data-sites="{world.bureau.pk},{world.museum.pk}"' in content
    assert f'data-instructors="{world.guide.pk}"' in content and 'data-hours="3.5"' in content
    assert f'hx-post="{new_url(world.phase)}"' in content


def test_new_session_form_without_htmx_is_a_page(en_client, world):
    response = en_client.get(new_url(world.phase, "?day=bad&time=25:99"))
    content = response.content.decode()
    assert response.status_code == 200 and "<html" in content
    # A bad slot falls back to the first day at 08:30.
    assert '<option value="2022-10-10" selected>' in content and 'name="start" value="08:30"' in content


def test_new_session_from_a_course_is_prefilled(en_client, world):
    content = en_client.get(new_url(world.phase, f"?day=2022-10-13&time=08:00&course={world.course.pk}"),
                            **HX).content.decode()
    assert re.search(rf'<option value="{world.course.pk}" selected data-form="onsite_teaching"', content)
    assert 'value="大别山“28年红旗不倒”的历史与启示"' in content
    assert 'name="end" value="11:30"' in content and 'name="hours" value="3.5"' in content
    assert f'<option value="{world.guide.pk}" selected>' in content
    stops = re.findall(r'<select name="sites".*?</select>', content, re.S)
    chosen = [re.search(r'<option value="(\d+)" selected>', stop) for stop in stops]
    assert [int(c.group(1)) for c in chosen if c] in ([world.museum.pk, world.bureau.pk],
                                                      [world.bureau.pk, world.museum.pk])


def test_add_session_with_htmx_rerenders_the_grid_and_closes_the_dialog(en_client, world):
    data = session_data(instructors=[world.teacher.pk], sites=[world.bureau.pk, world.army.pk],
                        group=world.groups[0].pk, form="discussion", title="分组研讨①", start="19:30",
                        end="21:00")
    response = en_client.post(new_url(world.phase), data, **HX)
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#timetable" and response["HX-Reswap"] == "outerHTML"
    assert "tt-close-dialog" in response["HX-Trigger"]
    session = Session.unscoped.get(title="分组研讨①")
    assert (session.phase, session.group, session.form) == (world.phase, world.groups[0], "discussion")
    assert session.starts_at == at(datetime.date(2022, 10, 12), "19:30")
    assert session.ends_at == at(datetime.date(2022, 10, 12), "21:00")
    assert list(session.instructors.all()) == [world.teacher]
    assert [stop.site for stop in session.stops.order_by("order")] == [world.bureau, world.army]
    assert session.hours == Decimal("1.5")  # session_hours_default: 90 minutes
    content = response.content.decode()
    assert content.startswith('<div id="timetable"') and "分组研讨①" in content
    assert "“分组研讨①” was added on Wed 2022-10-12." in content
    assert "中共中央鄂豫皖分局旧址 → 红四方面军总部旧址" in content


def test_add_session_without_htmx_redirects_with_a_message(en_client, world):
    response = en_client.post(new_url(world.phase), session_data(hours="2"), follow=True)
    assert response.redirect_chain[-1] == (grid_url(world.phase), 302)
    assert "“《条例》解读” was added on Wed 2022-10-12." in response.content.decode()
    assert Session.unscoped.get(title="《条例》解读").hours == Decimal("2")


def test_refused_session_without_htmx_shows_the_form_page(en_client, world):
    response = en_client.post(new_url(world.phase), session_data(day="2022-10-10", start="09:00", end="10:00"))
    assert response.status_code == 400
    content = response.content.decode()
    assert "<html" in content and "overlaps “党支部标准化规范化建设实务”" in field_error(content, "start")
    assert f'href="{grid_url(world.phase)}"' in content  # cancel goes back to the grid


def test_travel_counts_no_hours_by_default(en_client, world):
    en_client.post(new_url(world.phase), session_data(form="travel", title="返回南阳", place_note="新县→南阳市",
                                                      start="13:30", end="17:30"), **HX)
    session = Session.unscoped.get(title="返回南阳")
    assert session.hours == 0 and session.venue is None and session.place_note == "新县→南阳市"


def test_add_from_a_course_takes_its_details(en_client, world):
    response = en_client.post(new_url(world.phase), session_data(course=world.course.pk, form="", title="",
                                                                 start="14:30", end="17:30"), **HX)
    assert response.status_code == 200
    session = Session.unscoped.get(course=world.course)
    assert session.title == world.course.title_zh and session.title_en == "28 years of the red flag"
    assert session.form == "onsite_teaching" and session.hours == Decimal("3.5")
    assert list(session.instructors.all()) == [world.guide]
    assert {stop.site for stop in session.stops.all()} == {world.museum, world.bureau}


def test_missing_form_and_title_are_shown_next_to_their_fields(en_client, world):
    response = en_client.post(new_url(world.phase), session_data(form="", title="", end="08:00"), **HX)
    assert response.status_code == 400
    content = response.content.decode()
    assert "Choose the teaching form (or a catalog course)." in field_error(content, "form")
    assert "Give the title (or choose a catalog course)." in field_error(content, "title")
    assert "The session must end after it starts" in field_error(content, "end")
    assert not Session.unscoped.filter(phase=world.phase, starts_at__date=datetime.date(2022, 10, 12)).exists()


# --- Refusals of the service, next to the field ---------------------------------------------------

def test_overlap_is_refused_next_to_the_start(en_client, world):
    response = en_client.post(new_url(world.phase), session_data(day="2022-10-10", start="10:00", end="12:00"),
                              **HX)
    assert response.status_code == 400
    error = field_error(response.content.decode(), "start")
    assert "This time overlaps “党支部标准化规范化建设实务” (08:30–11:30) in the same class." in error
    assert Session.unscoped.filter(phase=world.phase).count() == 2


def test_instructor_double_booked_in_another_program_is_refused(en_client, world):
    other = SessionFactory(phase=PhaseFactory(program=ProgramFactory(title="另一个培训班"), starts_on=DAY1,
                                              ends_on=DAY1),
                           starts_at=at(datetime.date(2022, 10, 12), "09:00"),
                           ends_at=at(datetime.date(2022, 10, 12), "10:00"), title="别处的课")
    other.instructors.set([world.teacher])
    response = en_client.post(new_url(world.phase), session_data(instructors=[world.teacher.pk]), **HX)
    assert response.status_code == 400
    error = field_error(response.content.decode(), "instructors")
    assert "王教授 already teaches “别处的课” at this time (另一个培训班, phase" in error


def test_session_outside_the_phase_is_refused(en_client, world):
    response = en_client.post(new_url(world.phase), session_data(day="2022-10-20"), **HX)
    assert response.status_code == 400
    error = field_error(response.content.decode(), "start")
    assert "The session must lie within the phase (2022-10-10 to 2022-10-14)." in error


def test_classroom_booked_by_another_phase_is_refused(en_client, world):
    SessionFactory(phase=world.phase2, classroom=world.classroom, venue=world.venue, title="二期占用教室",
                   starts_at=at(datetime.date(2022, 10, 12), "08:00"), ends_at=at(datetime.date(2022, 10, 12), "12:00"))
    # (The second phase's dates do not matter to the booking check: the time does.)
    response = en_client.post(new_url(world.phase), session_data(classroom=world.classroom.pk,
                                                                 venue=world.venue.pk), **HX)
    assert response.status_code == 400
    assert "The classroom is booked for “二期占用教室” at this time." in field_error(
        response.content.decode(), "classroom")


def test_group_of_another_phase_cannot_be_chosen(en_client, world):
    other_group = world.phase2.groups.get(number=1)
    response = en_client.post(new_url(world.phase), session_data(group=other_group.pk), **HX)
    assert response.status_code == 400
    assert response.context["form"].has_error("group", code="invalid_choice")


def test_closed_program_refuses_new_sessions(en_client, world):
    Program.unscoped.filter(pk=world.program.pk).update(status=Program.Status.CLOSED)
    response = en_client.post(new_url(world.phase), session_data(), **HX)
    assert response.status_code == 400
    content = response.content.decode()
    assert 'class="errorbox" role="alert">The timetable of a program that is “Closed” cannot be changed.' in content
    assert not Session.unscoped.filter(title="《条例》解读").exists()


def test_short_travel_time_warning_is_shown_after_saving(en_client, world):
    TravelTime.objects.create(from_venue=world.venue, to_site=world.museum, minutes=60)
    response = en_client.post(new_url(world.phase), session_data(
        day="2022-10-10", start="11:45", end="12:30", form="site_visit", title="参观博物馆",
        sites=[world.museum.pk]), **HX)
    assert response.status_code == 200
    content = response.content.decode()
    assert Session.unscoped.filter(title="参观博物馆").exists()
    assert 'class="message warning">Only 15 minutes between “党支部标准化规范化建设实务” and “参观博物馆”' in content


# --- Editing, moving, deleting --------------------------------------------------------------------

def test_edit_form_shows_the_session(en_client, world):
    response = en_client.get(reverse("timetable_session_edit", args=[world.visit.pk]), **HX)
    content = response.content.decode()
    assert response.status_code == 200 and "Edit session" in content
    assert '<option value="2022-10-11" selected>' in content
    assert 'name="start" value="08:30"' in content and 'name="end" value="12:00"' in content
    stops = re.findall(r'<select name="sites".*?</select>', content, re.S)
    chosen = [re.search(r'<option value="(\d+)" selected>', stop) for stop in stops]
    assert [int(c.group(1)) for c in chosen if c] == [world.army.pk, world.museum.pk]
    assert reverse("timetable_session_delete", args=[world.visit.pk]) in content


def test_edit_session_with_the_keyboard_fields_moves_and_changes_it(en_client, world):
    url = reverse("timetable_session_edit", args=[world.lecture.pk])
    data = session_data(title="改名的讲座", day="2022-10-13", start="14:30", end="17:30", hours="3",
                        instructors=[world.teacher.pk, world.guide.pk], venue=world.venue.pk,
                        classroom=world.classroom.pk)
    response = en_client.post(url, data, **HX)
    assert response.status_code == 200 and response["HX-Retarget"] == "#timetable"
    world.lecture.refresh_from_db()
    assert world.lecture.title == "改名的讲座"
    assert world.lecture.starts_at == at(datetime.date(2022, 10, 13), "14:30")
    assert set(world.lecture.instructors.all()) == {world.teacher, world.guide}
    assert "“改名的讲座” was saved." in response.content.decode()


def test_edit_keeps_a_course_that_is_no_longer_in_use(en_client, world):
    world.course.active = False
    world.course.save()
    world.visit.course = world.course
    world.visit.save()
    url = reverse("timetable_session_edit", args=[world.visit.pk])
    assert re.search(rf'<option value="{world.course.pk}" selected', en_client.get(url, **HX).content.decode())
    response = en_client.post(url, session_data(course=world.course.pk, form="onsite_teaching", title="改期的现场教学",
                                                day="2022-10-11", start="08:30", end="12:00"), **HX)
    assert response.status_code == 200
    world.visit.refresh_from_db()
    assert world.visit.title == "改期的现场教学" and world.visit.course == world.course


def test_edit_refused_keeps_the_session(en_client, world):
    url = reverse("timetable_session_edit", args=[world.lecture.pk])
    response = en_client.post(url, session_data(day="2022-10-11", start="09:00", end="10:00"), **HX)
    assert response.status_code == 400
    assert "overlaps “现场教学：鄂豫皖苏区首府”" in field_error(response.content.decode(), "start")
    world.lecture.refresh_from_db()
    assert world.lecture.starts_at == at(DAY1, "08:30") and world.lecture.title == "党支部标准化规范化建设实务"


def test_move_by_drag_and_drop_keeps_the_length(en_client, world):
    url = reverse("timetable_session_move", args=[world.lecture.pk])
    response = en_client.post(url, {"day": "2022-10-14", "time": "14:00"}, **HX)
    assert response.status_code == 200
    world.lecture.refresh_from_db()
    assert world.lecture.starts_at == at(datetime.date(2022, 10, 14), "14:00")
    assert world.lecture.ends_at == at(datetime.date(2022, 10, 14), "17:00")
    content = response.content.decode()
    assert content.startswith('<div id="timetable"')
    assert "was moved to Fri 2022-10-14 14:00." in content
    assert 'class="tt-session form-lecture col-5 row-33 span-12"' in content
    assert "HX-Retarget" not in response  # the drop targets the grid itself


def test_move_onto_another_session_is_refused(en_client, world):
    url = reverse("timetable_session_move", args=[world.lecture.pk])
    response = en_client.post(url, {"day": "2022-10-11", "time": "10:00"}, **HX)
    assert response.status_code == 400
    content = response.content.decode()
    assert 'class="message error">“党支部标准化规范化建设实务” was not moved: This time overlaps' in content
    world.lecture.refresh_from_db()
    assert world.lecture.starts_at == at(DAY1, "08:30")


def test_move_outside_the_phase_or_without_a_slot_is_refused(en_client, world):
    url = reverse("timetable_session_move", args=[world.lecture.pk])
    response = en_client.post(url, {"day": "2022-10-15", "time": "08:30"}, **HX)
    assert response.status_code == 400 and "must lie within the phase" in response.content.decode()
    response = en_client.post(url, {"day": "", "time": "8"}, **HX)
    assert response.status_code == 400
    assert "Give the day and the start time to move the session to." in response.content.decode()
    world.lecture.refresh_from_db()
    assert world.lecture.starts_at == at(DAY1, "08:30")


def test_move_without_htmx_redirects(en_client, world):
    url = reverse("timetable_session_move", args=[world.lecture.pk])
    response = en_client.post(url, {"day": "2022-10-12", "time": "08:30"}, follow=True)
    assert response.redirect_chain[-1] == (grid_url(world.phase), 302)
    assert "was moved to Wed 2022-10-12 08:30." in response.content.decode()


def test_delete_session(en_client, world):
    response = en_client.post(reverse("timetable_session_delete", args=[world.lecture.pk]), **HX)
    assert response.status_code == 200 and "tt-close-dialog" in response["HX-Trigger"]
    assert not Session.unscoped.filter(pk=world.lecture.pk).exists()
    assert "“党支部标准化规范化建设实务” was deleted." in response.content.decode()


def test_delete_refused_in_a_closed_program(en_client, world):
    Program.unscoped.filter(pk=world.program.pk).update(status=Program.Status.CLOSED)
    response = en_client.post(reverse("timetable_session_delete", args=[world.lecture.pk]), follow=True)
    assert "The timetable of a program that is “Closed” cannot be changed." in response.content.decode()
    assert Session.unscoped.filter(pk=world.lecture.pk).exists()


# --- Building from the catalog ------------------------------------------------------------------

def test_catalog_lists_courses_to_add_at_the_slot(en_client, world):
    CourseFactory(title_zh="体验教学：重走志仁小道", form="experiential", default_hours=Decimal("1.5"))
    CourseFactory(title_zh="停用的课程", active=False)
    url = reverse("timetable_catalog", args=[world.phase.pk]) + "?day=2022-10-12&time=14:00"
    response = en_client.get(url, **HX)
    content = response.content.decode()
    assert response.status_code == 200 and "<html" not in content
    assert "大别山“28年红旗不倒”的历史与启示" in content and "体验教学：重走志仁小道" in content
    assert "停用的课程" not in content
    assert "Add 14:00–17:30" in content and "Add 14:00–15:30" in content
    assert "鄂豫皖苏区首府革命博物馆 → 中共中央鄂豫皖分局旧址" in content or \
        "中共中央鄂豫皖分局旧址 → 鄂豫皖苏区首府革命博物馆" in content
    # Filters: by teaching form and by title.
    content = en_client.get(url + "&form=experiential", **HX).content.decode()
    assert "体验教学：重走志仁小道" in content and "红旗不倒" not in content
    content = en_client.get(url + "&q=红旗", **HX).content.decode()
    assert "红旗不倒" in content and "志仁小道" not in content


def test_adding_from_the_catalog_creates_the_session_at_the_slot(en_client, world):
    url = reverse("timetable_catalog", args=[world.phase.pk]) + "?day=2022-10-12&time=14:00"
    content = en_client.get(url, **HX).content.decode()
    # Post the picker's own form for the course, as the browser does.
    form = re.search(r'<form method="post" action="[^"]+" hx-post[^>]*>(.*?)</form>', content, re.S).group(1)
    data = {}
    for name, value in re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form):
        data.setdefault(name, []).append(value)
    response = en_client.post(new_url(world.phase), data, **HX)
    assert response.status_code == 200 and response["HX-Retarget"] == "#timetable"
    session = Session.unscoped.get(course=world.course)
    assert session.starts_at == at(datetime.date(2022, 10, 12), "14:00")
    assert session.ends_at == at(datetime.date(2022, 10, 12), "17:30")
    assert session.hours == Decimal("3.5") and list(session.instructors.all()) == [world.guide]


def test_adding_from_the_catalog_onto_a_busy_slot_shows_the_form(en_client, world):
    url = reverse("timetable_catalog", args=[world.phase.pk]) + "?day=2022-10-10&time=09:00"
    content = en_client.get(url, **HX).content.decode()
    form = re.search(r'<form method="post" action="[^"]+" hx-post[^>]*>(.*?)</form>', content, re.S).group(1)
    data = {}
    for name, value in re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form):
        data.setdefault(name, []).append(value)
    response = en_client.post(new_url(world.phase), data, **HX)
    assert response.status_code == 400
    content = response.content.decode()
    assert "overlaps “党支部标准化规范化建设实务”" in field_error(content, "start")
    assert 'value="大别山“28年红旗不倒”的历史与启示"' in content  # the course's details stay in the form


# --- A course held per group, for every group at once ----------------------------------------------

def test_a_group_discussion_from_the_catalog_is_added_for_every_group(en_client, world):
    rooms = [ClassroomFactory(venue=world.venue, name=f"研讨室{letter}") for letter in "AB"]
    for group, room in zip(world.groups, rooms, strict=True):  # each group's room, known from a session
        SessionFactory(phase=world.phase, group=group, form="discussion", title="分组研讨①", venue=world.venue,
                       classroom=room, starts_at=at(DAY1, "19:30"), ends_at=at(DAY1, "21:00"))
    course = CourseFactory(title_zh="分组研讨②：我如何当好新任书记", form="discussion", default_hours=Decimal("1.5"))
    course.instructors.set([world.teacher])
    url = reverse("timetable_catalog", args=[world.phase.pk]) + "?day=2022-10-12&time=19:30&form=discussion"
    content = en_client.get(url, **HX).content.decode()
    assert "Add 19:30–21:00 for each of 2 groups" in content
    form = re.search(r'<form method="post" action="[^"]+" hx-post[^>]*>(.*?)</form>', content, re.S).group(1)
    assert 'name="each_group" value="on"' in form and 'name="instructors"' not in form
    data = {}
    for name, value in re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form):
        data.setdefault(name, []).append(value)
    response = en_client.post(new_url(world.phase), data, **HX)
    assert response.status_code == 200 and response["HX-Retarget"] == "#timetable"
    page = response.content.decode()
    assert "“分组研讨②：我如何当好新任书记” was added on Wed 2022-10-12 for each of 2 groups." in page
    assert "The course&#x27;s usual instructors were not assigned" in page
    added = Session.unscoped.filter(course=course).order_by("group__number")
    assert [(s.group.number, s.classroom.name) for s in added] == [(1, "研讨室A"), (2, "研讨室B")]
    assert all(not s.instructors.exists() for s in added)
    assert page.count('data-parallel="2"') == 2  # the new block, beside the first evening's


def test_the_session_form_offers_every_group_for_a_new_session_only(en_client, world):
    content = en_client.get(new_url(world.phase), **HX).content.decode()
    assert 'name="each_group"' in content and "Every group at the same time (2 groups)" in content
    course = CourseFactory(form="discussion", title_zh="分组研讨")
    content = en_client.get(new_url(world.phase, f"?course={course.pk}"), **HX).content.decode()
    assert re.search(r'<input type="checkbox" name="each_group"[^>]*checked', content)  # ticked for the course
    assert 'data-group-form="1"' in content  # choosing such a course in the form ticks it (timetable.js)
    edit = reverse("timetable_session_edit", args=[world.lecture.pk])
    assert 'name="each_group"' not in en_client.get(edit, **HX).content.decode()
    no_groups = PhaseFactory(program=world.program, number=3, starts_on=datetime.date(2022, 11, 7),
                             ends_on=datetime.date(2022, 11, 11))
    assert 'name="each_group"' not in en_client.get(new_url(no_groups), **HX).content.decode()


def test_every_group_with_a_group_or_instructors_is_refused_on_the_fields(en_client, world):
    data = session_data(form="discussion", title="分组研讨", day="2022-10-12", start="19:30", end="21:00",
                        each_group="on", group=world.groups[0].pk, instructors=[world.teacher.pk])
    response = en_client.post(new_url(world.phase), data, **HX)
    assert response.status_code == 400
    content = response.content.decode()
    assert field_error(content, "group") == "Choose a group, or every group, not both."
    assert field_error(content, "instructors").startswith("Sessions of every group at once take no instructor")
    assert not Session.unscoped.filter(title="分组研讨").exists()


def test_a_busy_group_refuses_every_group_naming_it(en_client, world):
    SessionFactory(phase=world.phase, group=world.groups[1], form="site_visit", title="二组参观",
                   starts_at=at(DAY2, "19:00"), ends_at=at(DAY2, "20:00"))
    data = session_data(form="discussion", title="分组研讨", day="2022-10-11", start="19:30", end="21:00",
                        each_group="on")
    response = en_client.post(new_url(world.phase), data, **HX)
    assert response.status_code == 400
    assert "Group 2: This time overlaps “二组参观” (19:00–20:00) in the same group." in response.content.decode()
    assert not Session.unscoped.filter(title="分组研讨").exists()


# --- Copying a phase's timetable ----------------------------------------------------------------

def test_copy_a_timetable_into_another_phase(en_client, world):
    url = reverse("phase_timetable_copy", args=[world.phase2.pk])
    content = en_client.get(url).content.decode()
    assert f'<option value="{world.phase.pk}">Phase 1 (2022-10-10 to 2022-10-14, 2 sessions)</option>' in content
    assert f'<optgroup label="{world.program.title}">' in content
    assert f'<option value="{world.phase2.pk}">' not in content  # not itself
    response = en_client.post(url, {"source": world.phase.pk}, follow=True)
    assert response.redirect_chain[-1] == (grid_url(world.phase2), 302)
    assert f"2 sessions were copied from {world.program.title}, phase 1." in response.content.decode()
    copied = world.phase2.sessions.order_by("starts_at")
    assert [s.starts_at for s in copied] == [at(datetime.date(2022, 10, 24), "08:30"),
                                             at(datetime.date(2022, 10, 25), "08:30")]


def test_copy_from_a_phase_of_another_program(en_client, world):
    """The timetable of any phase whose class the user runs, e.g. last year's; a booked instructor is
    left out and reported."""
    last_year = ProgramFactory(title="2021年培训班", year=2021, venue=world.venue, status=Program.Status.CLOSED)
    old_phase = PhaseFactory(program=last_year, number=1, starts_on=datetime.date(2021, 10, 11),
                             ends_on=datetime.date(2021, 10, 15))
    old = SessionFactory(phase=old_phase, title="去年的讲座", form="lecture", starts_at=at(datetime.date(2021, 10, 11),
                         "08:30"), ends_at=at(datetime.date(2021, 10, 11), "11:30"))
    busy = InstructorFactory(name="赵老师")
    old.instructors.set([busy, world.teacher])
    SessionFactory(phase=world.phase, title="已有安排", starts_at=at(datetime.date(2022, 10, 13), "08:00"),
                   ends_at=at(datetime.date(2022, 10, 13), "12:00")).instructors.set([busy])
    # A new phase from Thursday 13th: the lecture lands then, when 赵老师 teaches in phase 1.
    target = PhaseFactory(program=world.program, number=3, starts_on=datetime.date(2022, 10, 13),
                          ends_on=datetime.date(2022, 10, 17))
    url = reverse("phase_timetable_copy", args=[target.pk])
    content = en_client.get(url).content.decode()
    assert '<optgroup label="2021年培训班">' in content and f'<option value="{old_phase.pk}">' in content
    response = en_client.post(url, {"source": old_phase.pk}, follow=True)
    assert response.redirect_chain[-1] == (grid_url(target), 302)
    page = response.content.decode()
    assert "1 session was copied from 2021年培训班, phase 1." in page
    assert "“去年的讲座” on 2022-10-13 was copied without 赵老师: 赵老师 already teaches “已有安排”" in page
    copy = target.sessions.get()
    assert copy.title == "去年的讲座" and list(copy.instructors.all()) == [world.teacher]


def test_copy_onto_a_phase_with_sessions_needs_replace(en_client, world):
    SessionFactory(phase=world.phase2, title="二期已有的课")
    url = reverse("phase_timetable_copy", args=[world.phase2.pk])
    response = en_client.post(url, {"source": world.phase.pk})
    assert response.status_code == 400
    assert "Phase 2 already has sessions; tick “replace” to overwrite them." in response.content.decode()
    assert world.phase2.sessions.count() == 1
    response = en_client.post(url, {"source": world.phase.pk, "replace": "on"})
    assert response.status_code == 302
    assert sorted(world.phase2.sessions.values_list("title", flat=True)) == sorted(
        ["党支部标准化规范化建设实务", "现场教学：鄂豫皖苏区首府"])


def test_copy_refuses_a_phase_the_user_does_not_run(client, world):
    """College staff copy only from the programs of their college; another college's phase is not a choice."""
    staff = UserFactory(roles=["college_staff"])
    world.venue.staff.add(staff)
    elsewhere = PhaseFactory(program=ProgramFactory(status=Program.Status.APPROVED))
    SessionFactory(phase=elsewhere)
    client.force_login(staff)
    url = reverse("phase_timetable_copy", args=[world.phase2.pk])
    assert f'value="{elsewhere.pk}"' not in client.get(url).content.decode()
    response = client.post(url, {"source": elsewhere.pk})
    assert response.status_code == 400
    assert response.context["form"].has_error("source", code="invalid_choice")
    assert world.phase2.sessions.count() == 0


def test_copy_form_on_the_grid_lists_the_phases_to_copy_from(en_client, world):
    content = en_client.get(grid_url(world.phase2)).content.decode()
    section = re.search(r'<section class="card tt-copy">.*?</section>', content, re.S).group(0)
    assert f'<option value="{world.phase.pk}">Phase 1 (2022-10-10 to 2022-10-14, 2 sessions)</option>' in section


# --- An instructor's own sessions ---------------------------------------------------------------

def test_my_sessions_lists_the_instructors_sessions_by_day(client, world):
    user = UserFactory(roles=["instructor"])
    world.teacher.user = user
    world.teacher.save()
    SessionFactory(phase=world.phase2, title="二期讲座", starts_at=at(datetime.date(2022, 10, 24), "14:30"),
                   ends_at=at(datetime.date(2022, 10, 24), "17:30")).instructors.set([world.teacher])
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("my_sessions"))
    content = response.content.decode()
    assert response.status_code == 200
    assert content.index("党支部标准化规范化建设实务") < content.index("二期讲座")
    assert "现场教学：鄂豫皖苏区首府" not in content  # not theirs
    assert content.count('class="tt-day') == 2 and "2022-10-10" in content and "2022-10-24" in content
    assert f'href="{reverse("my_sessions_ics")}"' in content
    assert f'href="{grid_url(world.phase2)}"' in content
    assert "2 sessions" in content and "6 hours credited" in content


def test_my_sessions_is_for_instructors_only(client, organizer):
    client.force_login(organizer)
    assert client.get(reverse("my_sessions")).status_code == 403


def test_my_sessions_empty(client):
    client.force_login(UserFactory(roles=["instructor"]))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "You have no sessions in any timetable yet." in client.get(reverse("my_sessions")).content.decode()


# --- College staff -----------------------------------------------------------------------------

def test_college_staff_build_the_timetable_of_their_venue_only(client, world):
    staff = UserFactory(roles=["college_staff"])
    world.venue.staff.add(staff)
    client.force_login(staff)
    response = client.post(reverse("timetable_session_move", args=[world.lecture.pk]),
                           {"day": "2022-10-12", "time": "08:30"}, **HX)
    assert response.status_code == 200
    world.lecture.refresh_from_db()
    assert world.lecture.local_day == datetime.date(2022, 10, 12)
    elsewhere = SessionFactory()  # a program at another venue
    response = client.post(reverse("timetable_session_move", args=[elsewhere.pk]),
                           {"day": "2022-10-12", "time": "08:30"}, **HX)
    assert response.status_code == 404
