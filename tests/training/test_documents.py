"""The documents of a training program: the plan (培训方案) and a phase's timetable as PDF, Excel and iCal.

PDF renders cost 0.3–1 s each, so only four tests render one; the content rules are checked on the HTML
the PDFs are made from. The zh-Hans catalog of the document labels is filled in separately, so the
Chinese tests assert on data, numbering and Django's own date formats, not on translated labels.
"""

import datetime
import io
import shutil
import subprocess
from decimal import Decimal
from types import SimpleNamespace

import openpyxl
import pypdf
import pytest
from django.utils import timezone, translation
from icalendar import Calendar
from PIL import Image

from dangjian.organizations.models import Post
from dangjian.training import documents
from dangjian.training.models import ClassCommitteeMember, Program, ProgramReview, SessionStop, Site
from dangjian.training.selectors import phase_sessions
from tests.factories import (
    ClassroomFactory,
    GroupFactory,
    InstructorFactory,
    OrganFactory,
    PartyOrganizationFactory,
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

pytestmark = pytest.mark.django_db

PHASE1 = (datetime.date(2022, 10, 10), datetime.date(2022, 10, 14))
PHASE2 = (datetime.date(2022, 10, 17), datetime.date(2022, 10, 21))
TITLE = "2022年南阳市直机关新任党组织书记培训班"
LECTURE = "大别山“28年红旗不倒”的历史与启示"
ONSITE = "现场教学：鄂豫皖苏区首府革命博物馆→红四方面军总部旧址"
DISCUSSION = "分组研讨①：大别山精神与机关党员干部担当"


def add_timetable(phase, *, venue, sites, instructors, groups, shift_title: str = ""):
    """A small timetable of the seed's kind: travel, opening, a lecture, on-site teaching at two red
    sites, and a discussion held in two parallel groups."""
    day1, day2, day3 = (phase.starts_on + datetime.timedelta(days=i) for i in range(3))
    rows = [
        SessionFactory(phase=phase, starts_at=at(day1, "07:30"), ends_at=at(day1, "12:00"), form="travel",
                       title="南阳出发赴新县，报到", place_note="南阳市→新县", hours=0),
        SessionFactory(phase=phase, starts_at=at(day1, "14:30"), ends_at=at(day1, "15:20"), form="opening",
                       title="开班仪式", venue=venue, hours=1),
        SessionFactory(phase=phase, starts_at=at(day1, "15:30"), ends_at=at(day1, "18:00"), form="lecture",
                       title=LECTURE, title_en="History of the Dabie Mountains' red flag",
                       venue=venue, hours=Decimal("2.5")),
        SessionFactory(phase=phase, starts_at=at(day2, "08:30"), ends_at=at(day2, "12:00"), form="onsite_teaching",
                       title=ONSITE + shift_title, hours=Decimal("3.5")),
    ]
    rows[2].instructors.set(instructors)
    for order, site in enumerate(sites):
        SessionStop.objects.create(session=rows[3], site=site, order=order)
    for group in groups:
        rows.append(SessionFactory(phase=phase, starts_at=at(day3, "19:30"), ends_at=at(day3, "21:00"),
                                   form="discussion", title=DISCUSSION, venue=venue, group=group,
                                   hours=Decimal("1.5")))
    return rows


def build_program(*, status=Program.Status.APPROVED, identical: bool = True, **program_fields) -> SimpleNamespace:
    organ = OrganFactory()
    venue = VenueFactory(name_zh="河南大别山干部学院", name_en="Henan Dabie Mountain Cadre College",
                         province="河南省", city="信阳市", county="新县")
    sites = [Site.objects.filter(name_zh=name).first() or SiteFactory(name_zh=name, name_en="")
             for name in ("鄂豫皖苏区首府革命博物馆", "红四方面军总部旧址")]
    teacher = InstructorFactory(name="刘建华", title="教授")
    submitted = timezone.make_aware(datetime.datetime(2022, 9, 20, 10, 0))
    program = ProgramFactory(
        title=TITLE, organizer=organ, venue=venue, phase_count=2, planned_participants=110,
        cost_per_person_day=Decimal("550"), status=status,
        submitted_at=None if status == Program.Status.DRAFT else submitted, **program_fields,
    )
    phases = [PhaseFactory(program=program, number=n, starts_on=first, ends_on=last, capacity=55)
              for n, (first, last) in enumerate((PHASE1, PHASE2), start=1)]
    sessions = []
    for phase in phases:
        groups = [GroupFactory(phase=phase, number=n, name=f"第{n}组") for n in (1, 2)]
        shift = "" if identical or phase.number == 1 else "（第二期调整）"
        sessions += add_timetable(phase, venue=venue, sites=sites, instructors=[teacher], groups=groups,
                                  shift_title=shift)
    if status == Program.Status.APPROVED:
        ProgramReview.objects.create(program=program, decision=ProgramReview.Decision.APPROVED,
                                     decided_by=UserFactory(roles=["approver"]), decided_by_name="李审批",
                                     decided_at=timezone.make_aware(datetime.datetime(2022, 9, 28, 9, 0)),
                                     comments="同意。", document_reference="南市文〔2022〕35号")
    return SimpleNamespace(program=program, phases=phases, venue=venue, sites=sites, teacher=teacher,
                           sessions=sessions)


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages)


def unwrapped(text: str) -> str:
    """The text without line breaks and spaces (a table cell wraps Chinese anywhere)."""
    return "".join(text.split())


def pdf_font_names(content: bytes) -> set[str]:
    names = set()
    for page in pypdf.PdfReader(io.BytesIO(content)).pages:
        for font in page["/Resources"]["/Font"].values():
            # Subset fonts are named ABCDEF+Noto-Serif-CJK-SC: compare without the subset tag and hyphens.
            names.add(str(font.get_object()["/BaseFont"]).split("+")[-1].replace("-", ""))
    return names


def first_page_png(content: bytes, tmp_path) -> Image.Image:
    assert shutil.which("pdftoppm"), "pdftoppm (poppler-utils) is needed to render the PDF"
    source = tmp_path / "document.pdf"
    source.write_bytes(content)
    subprocess.run(["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(source), str(tmp_path / "page")],
                   check=True, capture_output=True, timeout=60)
    [png] = tmp_path.glob("page*.png")
    return Image.open(png).convert("RGB")


def ink_share(image: Image.Image) -> float:
    """Share of pixels that are clearly not paper."""
    pixels = image.convert("L").tobytes()
    return sum(1 for value in pixels if value < 160) / len(pixels)


# --- The plan (PDF) ---------------------------------------------------------------------------------

def test_plan_pdf_reads_in_chinese_with_embedded_cjk_fonts(tmp_path):
    data = build_program()

    content = documents.program_plan_pdf(program=data.program)

    assert content.startswith(b"%PDF")
    text = unwrapped(pdf_text(content))
    assert "大别山干部学院" in text  # the venue, named 河南大别山干部学院
    assert TITLE in text
    for title in ("开班仪式", "南阳出发赴新县", "红四方面军总部旧址"):
        assert title in text
    assert "2022年10月10日" in text and "2022年10月17日" in text  # both phases' dates
    assert "南市文〔2022〕35号" in text and "李审批" in text  # the approval, with its document number
    assert "302,500" in text  # 110 participants × 5 days × 550 yuan
    fonts = pdf_font_names(content)
    assert any("NotoSerifCJK" in name for name in fonts), fonts
    assert any("NotoSansCJK" in name for name in fonts), fonts
    page = first_page_png(content, tmp_path)
    assert page.width < page.height  # A4 portrait
    assert ink_share(page) > 0.01  # text, not a blank page
    rgb = page.tobytes()
    red = sum(1 for i in range(0, len(rgb), 3) if rgb[i] > 150 and rgb[i + 1] < 90 and rgb[i + 2] < 90)
    assert red > 50  # the red masthead


def test_plan_pdf_in_english_uses_english_labels_and_names():
    data = build_program()

    with translation.override("en"):
        content = documents.program_plan_pdf(program=data.program)

    text = pdf_text(content)
    assert "1. Purpose of the training" in text and "9. Contacts" in text
    assert "Henan Dabie Mountain Cadre College" in text  # Venue.name in English
    assert "History of the Dabie Mountains' red flag" in text  # Session.display_title
    assert TITLE in text  # titles without an English field stay Chinese
    pages = len(pypdf.PdfReader(io.BytesIO(content)).pages)
    assert f"Page 1 of {pages}" in text and f"Page {pages} of {pages}" in text


# --- The plan (content, on its HTML) ------------------------------------------------------------------

def test_plan_sections_are_numbered_like_an_official_document():
    html = documents.program_plan_html(program=build_program().program)

    positions = [html.index(f"<h2>{numeral}、") for numeral in "一二三四五六七八九"]
    assert positions == sorted(positions)
    assert "<h2>十、" not in html


def test_plan_prints_an_identical_phase_once_with_its_dates():
    data = build_program(identical=True)

    with translation.override("en"):
        html = documents.program_plan_html(program=data.program)

    assert html.count(ONSITE) == 1  # phase 2 is not printed again
    assert "Phase 2 follows the timetable of Phase 1, shifted to its dates." in html
    assert "Oct. 17, 2022 to Oct. 21, 2022" in html  # but its dates are


def test_plan_prints_each_phase_whose_timetable_differs():
    data = build_program(identical=False)

    with translation.override("en"):
        html = documents.program_plan_html(program=data.program)

    assert html.count(ONSITE) == 2
    assert ONSITE + "（第二期调整）" in html
    assert "follows the timetable of" not in html


def test_plan_shows_the_approval_only_once_approved():
    with translation.override("en"):
        draft = documents.program_plan_html(program=build_program(status=Program.Status.DRAFT).program)
        approved = documents.program_plan_html(program=build_program().program)

    assert "Approved by" not in draft and "南市文" not in draft
    assert '<span class="stamp">Draft</span>' in draft
    assert "Approved by 李审批 on Sept. 28, 2022." in approved
    assert approved.count("南市文〔2022〕35号") == 2  # under the masthead and in the approval


def test_plan_prints_teaching_form_mix_with_shares():
    data = build_program()

    with translation.override("en"):
        context = documents.program_plan_context(program=data.program)

    # Per phase: opening 1, lecture 2.5, on-site 3.5, discussion 1.5 (two parallel groups count once).
    hours = {form["code"]: form["hours"] for form in context["forms"]}
    assert hours == {"opening": Decimal("2"), "lecture": Decimal("5"), "onsite_teaching": Decimal("7"),
                     "discussion": Decimal("3")}
    assert "travel" not in hours
    assert "The courses of all phases add up to 17 hours" in context["mix_sentence"]
    # Theory 5 and practice 7 of 15 teaching hours.
    assert "Theory and practice take 33.3% and 46.7% of the teaching hours." in context["mix_sentence"]


def test_plan_organization_lists_branch_groups_and_committee_in_order():
    data = build_program()
    phase = data.phases[0]
    branch = PartyOrganizationFactory(organ=data.program.organizer, org_type="temporary_branch",
                                      name="第一期临时党支部")
    phase.temporary_branch = branch
    phase.save()
    head = UserFactory(roles=["college_staff"], full_name="陈老师")
    phase.head_teacher = head
    phase.save()
    deputy = PostFactory(person=PersonFactory(name="钱副书记"), party_organization=branch,
                         role=Post.Role.DEPUTY_SECRETARY, started_on=phase.starts_on)
    PostFactory(person=PersonFactory(name="赵书记"), party_organization=branch, role=Post.Role.SECRETARY,
                started_on=phase.starts_on)
    group = phase.groups.get(number=1)
    group.leader = PersonFactory(name="孙组长")
    group.save()
    ClassCommitteeMember.objects.create(phase=phase, person=PersonFactory(name="李学习"), role="study",
                                        started_on=phase.starts_on, ended_on=phase.ends_on)
    ClassCommitteeMember.objects.create(phase=phase, person=PersonFactory(name="王班长"), role="monitor",
                                        started_on=phase.starts_on, ended_on=phase.ends_on)

    with translation.override("en"):
        [first, second] = documents.program_plan_context(program=data.program)["phases"]

    sentence = first["organization"]
    assert sentence.startswith("head teacher 陈老师; 第一期临时党支部 (Secretary 赵书记 (")
    assert sentence.index("赵书记") < sentence.index(deputy.person.name)  # the secretary first
    assert "2 study groups (第1组 leader 孙组长, 第2组)" in sentence
    assert sentence.endswith("class committee (Class monitor 王班长, Study officer 李学习).")
    assert second["organization"] == "2 study groups (第1组, 第2组)."


@pytest.mark.parametrize("estimate, total, differs", [(None, "302,500", False), (Decimal("280000"), "280,000", True)])
def test_budget_is_participants_days_and_cost_standard_or_the_estimate(estimate, total, differs):
    data = build_program(budget_estimate=estimate)

    budget = documents.plan_budget(program=data.program, phases=data.phases)

    assert budget["standard"] == "302,500"  # 110 × 5 × 550
    assert (budget["total"], budget["differs"]) == (total, differs)
    assert (budget["participants"], budget["days"], budget["cost"]) == (110, "5", "550")


def test_budget_of_phases_of_different_length_uses_their_mean():
    program = ProgramFactory(planned_participants=100, cost_per_person_day=Decimal("500"), budget_estimate=None)
    phases = [PhaseFactory(program=program, starts_on=PHASE1[0], ends_on=PHASE1[0] + datetime.timedelta(days=3)),
              PhaseFactory(program=program, starts_on=PHASE2[0], ends_on=PHASE2[1])]

    budget = documents.plan_budget(program=program, phases=phases)

    assert (budget["days"], budget["standard"]) == ("4.5", "225,000")


def test_plan_of_an_empty_draft_still_reads():
    program = ProgramFactory(status=Program.Status.DRAFT, venue=None, purpose="", legal_basis="", requirement="",
                             target_population="")

    with translation.override("en"):
        html = documents.program_plan_html(program=program)

    assert html.count("To be completed.") == 3  # purpose, basis, participants
    assert "No phases are set up yet." in html and "The timetable is not set up yet." in html
    assert "Attachment" not in html


def test_titles_cannot_break_out_of_the_pdf_stylesheet():
    phase = PhaseFactory(program=ProgramFactory(title='培训班"</style><script>x</script>'))

    html = documents.phase_timetable_html(phase=phase)

    assert "</style><script>" not in html
    assert "&lt;/style&gt;&lt;script&gt;" in html  # escaped in the body
    assert r'content: "培训班\"\3c /style>\3c script>x\3c /script>";' in html  # a CSS string in the footer


# --- The timetable of a phase -------------------------------------------------------------------------

def test_phase_timetable_pdf_is_a_landscape_table(tmp_path):
    data = build_program()

    content = documents.phase_timetable_pdf(phase=data.phases[1])

    text = unwrapped(pdf_text(content))
    assert TITLE in text and "河南大别山干部学院" in text
    assert ONSITE in text and "鄂豫皖苏区首府革命博物馆→红四方面军总部旧址" in text  # stops in visiting order
    assert "刘建华（教授）" in text
    assert "10月17日" in text and "2022年10月17日" in text
    page = pypdf.PdfReader(io.BytesIO(content)).pages[0]
    assert page.mediabox.width > page.mediabox.height  # A4 landscape
    assert ink_share(first_page_png(content, tmp_path)) > 0.01


def test_timetable_days_group_rows_with_the_day_hours():
    data = build_program()

    days = documents.timetable_days(phase_sessions(phase=data.phases[0]))

    assert [day.day for day in days] == [datetime.date(2022, 10, d) for d in (10, 11, 12)]
    assert [len(day.rows) for day in days] == [3, 1, 1]
    assert [day.hours for day in days] == [Decimal("3.5"), Decimal("3.5"), Decimal("1.5")]  # parallel groups once
    assert days[0].rows[0].time == "07:30–12:00"
    [discussion] = days[2].rows  # the two groups' parallel discussion prints as one row
    assert (discussion.title, discussion.group, discussion.hours) == (DISCUSSION, "第1组、第2组", Decimal("1.5"))
    assert discussion.place == "河南大别山干部学院"  # the same place for both groups: once


def test_parallel_group_sessions_in_different_rooms_list_each_groups_place():
    data = build_program()
    phase = data.phases[0]
    first, second = phase.sessions.filter(group__isnull=False).order_by("group__number")
    first.classroom = ClassroomFactory(venue=data.venue, name="研讨室A")
    first.save()
    second.classroom = ClassroomFactory(venue=data.venue, name="研讨室B")
    second.save()
    second.instructors.set([data.teacher, InstructorFactory(name="周红梅", title="")])
    first.instructors.set([data.teacher])

    [discussion] = documents.timetable_days(phase_sessions(phase=phase))[2].rows

    assert discussion.place == "河南大别山干部学院（第1组 研讨室A、第2组 研讨室B）"
    assert discussion.instructors == "刘建华（教授）、周红梅"


def test_session_place_names_stops_venue_and_classroom_or_free_text():
    data = build_program()
    opening = data.sessions[1]
    opening.classroom = ClassroomFactory(venue=data.venue, name="第一报告厅")
    opening.save()

    places = [documents.session_place(s) for s in phase_sessions(phase=data.phases[0])[:4]]

    assert places == ["南阳市→新县", "河南大别山干部学院 第一报告厅", "河南大别山干部学院",
                      "鄂豫皖苏区首府革命博物馆→红四方面军总部旧址"]


def test_phase_timetable_xlsx_has_a_title_header_rows_and_total():
    data = build_program()
    phase = data.phases[0]

    with translation.override("en"):
        workbook = openpyxl.load_workbook(io.BytesIO(documents.phase_timetable_xlsx(phase=phase)))

    assert len(workbook.sheetnames) == 1
    sheet = workbook.active
    title = sheet.cell(row=1, column=1)
    assert title.value == f"{phase.program.title} Phase 1 timetable"  # names the program and the phase
    assert title.font.bold and title.font.size == 14
    subtitle = sheet.cell(row=2, column=1).value
    assert "2022" in subtitle and "Henan Dabie Mountain Cadre College" in subtitle
    assert {str(cells) for cells in sheet.merged_cells.ranges} == {"A1:J1", "A2:J2"}
    header = [cell.value for cell in sheet[3]]
    assert header == ["Date", "Weekday", "Start", "End", "Teaching form", "Course content", "Group", "Place",
                      "Instructors", "Hours"]
    assert all(cell.font.bold for cell in sheet[3])
    assert sheet.freeze_panes == "A4"
    assert sheet.print_title_rows == "$3:$3"
    assert sheet.column_dimensions["F"].width >= 40
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    assert len(rows) == 6 + 1  # six sessions and the total
    first = rows[0]
    assert first[0] == datetime.datetime(2022, 10, 10) and first[1] == "Monday"
    assert (first[2], first[3]) == (datetime.time(7, 30), datetime.time(12, 0))
    assert first[4] == "Travel and registration" and first[7] == "南阳市→新县"
    lecture = rows[2]
    assert lecture[5] == "History of the Dabie Mountains' red flag" and lecture[8] == "刘建华（教授）"
    assert lecture[9] == 2.5 and isinstance(lecture[9], float)
    assert [row[6] for row in rows[4:6]] == ["第1组", "第2组"]  # no English names recorded: the Chinese ones
    assert rows[-1][0] == "Total" and rows[-1][9] == 8.5  # 1 + 2.5 + 3.5 + 1.5 (the groups once)
    assert sheet.cell(row=4, column=3).number_format == "hh:mm"
    assert sheet.cell(row=sheet.max_row, column=10).font.bold


def test_phase_timetable_xlsx_dates_have_no_time_part():
    data = build_program()
    sheet = openpyxl.load_workbook(io.BytesIO(documents.phase_timetable_xlsx(phase=data.phases[0]))).active
    dates = [row[0] for row in sheet.iter_rows(min_row=4, max_row=sheet.max_row - 1)]
    assert dates and all(cell.is_date and cell.number_format == "yyyy-mm-dd" for cell in dates)
    assert all(cell.value.time() == datetime.time(0) for cell in dates)  # a day, stored without a time


def test_phase_timetable_xlsx_title_is_chinese_in_chinese():
    data = build_program()
    sheet = openpyxl.load_workbook(io.BytesIO(documents.phase_timetable_xlsx(phase=data.phases[0]))).active
    assert sheet.cell(row=1, column=1).value == f"{data.program.title}第一期课程表"
    assert sheet.cell(row=3, column=1).value == "日期"
    assert [row[6].value for row in sheet.iter_rows(min_row=8, max_row=9)] == ["第1组", "第2组"]


def test_sessions_ical_parses_back_with_one_event_per_session_in_shanghai_time():
    data = build_program()
    phase = data.phases[0]
    sessions = list(phase_sessions(phase=phase))

    with translation.override("en"):
        content = documents.sessions_ical(sessions=sessions, name=documents.phase_calendar_name(phase))

    calendar = Calendar.from_ical(content)
    assert str(calendar["X-WR-CALNAME"]) == f"{TITLE} Phase 1"
    events = calendar.walk("VEVENT")
    assert len(events) == len(sessions) == 6
    assert [str(e["UID"]) for e in events] == [f"session-{s.pk}@dangjian" for s in sessions]
    assert all(e.decoded("DTSTART").utcoffset() == datetime.timedelta(hours=8) for e in events)
    assert all(e["DTSTART"].params["TZID"] == "Asia/Shanghai" for e in events)
    assert calendar.walk("VTIMEZONE")[0]["TZID"] == "Asia/Shanghai"
    lecture = events[2]
    assert lecture.decoded("DTSTART") == at(datetime.date(2022, 10, 10), "15:30")
    assert lecture.decoded("DTEND") == at(datetime.date(2022, 10, 10), "18:00")
    assert str(lecture["SUMMARY"]) == "History of the Dabie Mountains' red flag"
    assert str(lecture["LOCATION"]) == "Henan Dabie Mountain Cadre College"
    description = str(lecture["DESCRIPTION"])
    assert "Theoretical teaching" in description and "刘建华（教授）" in description
    assert str(events[3]["LOCATION"]) == "鄂豫皖苏区首府革命博物馆→红四方面军总部旧址"
    # Stable UIDs: exporting again updates the same events in a calendar instead of adding new ones.
    again = Calendar.from_ical(documents.sessions_ical(sessions=sessions, name="x"))
    assert [str(e["UID"]) for e in again.walk("VEVENT")] == [str(e["UID"]) for e in events]


# --- Helpers -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("number, numeral", [(1, "一"), (9, "九"), (10, "十"), (12, "十二"), (20, "二十"),
                                             (21, "二十一"), (99, "九十九"), (100, "100"), (123, "123")])
def test_chinese_number(number, numeral):
    assert documents.chinese_number(number) == numeral


def test_page_counter_css_follows_the_translation():
    with translation.override("en"):
        assert documents.page_counter_css() == '"Page " counter(page) " of " counter(pages)'


def test_file_names_are_the_program_title_without_path_characters():
    program = ProgramFactory.build(title="2022年/新任书记培训班")
    phase = PhaseFactory.build(program=program, number=2)

    with translation.override("en"):
        assert documents.program_plan_filename(program) == "2022年 新任书记培训班-training plan.pdf"
        assert documents.phase_timetable_filename(phase, "xlsx") == "2022年 新任书记培训班-Phase 2 timetable.xlsx"
