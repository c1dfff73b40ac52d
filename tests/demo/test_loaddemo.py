"""`loaddemo` tells the seed's story: the Nanyang registry (68 organs, the 110+ secretaries appointed in 2022),
one login per role, the training program approved by the demo approver — two five-day phases in October 2022
at the Dabie college, the timetable of timetable_phase.csv on both, groups of 8-10 —, the portal with the report
drafted from the program; and loading it again changes nothing.

loaddemo takes seconds: it runs once for this module (and once more in the test of loading twice)."""

import csv
import datetime
from decimal import Decimal
from io import StringIO
from itertools import combinations

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.core.models import AuditEntry
from dangjian.demo.training import DATA, PROGRAM_TITLE
from dangjian.organizations.models import Organ, PartyOrganization, Person, Post
from dangjian.portal.models import ArticlePage
from dangjian.training import selectors, services
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
    SessionStop,
    Site,
    TravelTime,
    Venue,
)

pytestmark = pytest.mark.django_db
COLLEGE = "河南大别山干部学院"


def read(name):
    with open(DATA / name, encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


TIMETABLE = read("timetable_phase.csv")


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    """loaddemo once for the module (it takes seconds); rolled back at the end so no other test sees it.
    Each test runs in its own savepoint inside this transaction."""
    with django_db_blocker.unblock(), transaction.atomic():
        out = StringIO()
        call_command("loaddemo", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def program(loaded):
    return Program.unscoped.select_related("organizer", "venue").get(title=PROGRAM_TITLE)


def local(value):
    from django.utils import timezone

    return timezone.localtime(value)


def test_the_registry_and_the_logins_tell_the_seed_story(loaded):
    assert "organizer" in loaded and "dangjian-demo-2022" in loaded
    assert "News portal: 5 channels" in loaded  # the portal demo (dangjian.portal.demo)
    assert Organ.unscoped.count() == 68
    edu = Organ.unscoped.get(name_zh="南阳市教育局")
    assert edu.party_organizations.filter(org_type="committee").exists()
    assert 380 <= Person.unscoped.count() <= 420
    secretaries_2022 = Post.unscoped.filter(role="secretary", started_on__year=2022).values("person").distinct()
    assert 110 <= secretaries_2022.count() <= 130
    # Every party organization has a current secretary (temporary branches of the classes excepted).
    assert Post.unscoped.current().filter(role="secretary").count() == PartyOrganization.unscoped.exclude(
        org_type="temporary_branch").count()
    # Every demo row passes the models' validation.
    for model in (Organ, PartyOrganization, Person, Post):
        for obj in model.unscoped.all():
            obj.full_clean()
    # One demo login per role.
    roles = set()
    for user in User.objects.all():
        roles |= user.roles
    assert roles == {"organizer", "approver", "unit_admin", "college_staff", "instructor", "participant", "editor",
                     "reviewer"}
    assert User.objects.get(username="unitadmin").organs.filter(code="edu-bureau").exists()
    assert User.objects.get(username="participant").person is not None


def test_the_portal_holds_the_draft_report_of_the_program(program):
    report = ArticlePage.objects.get(slug__startswith=f"peixun-{program.pk}-baodao")
    assert not report.live and report.live_revision is None and report.latest_revision is not None
    assert report.get_parent().slug == "shixian-dongtai"
    text = "".join(str(block.value) for block in report.body)
    assert f"共{program.planned_participants}名学员参加培训" in text and "培训分两期进行" in text
    assert report.source == program.organizer.name_zh


def test_the_program_is_approved_by_the_demo_approver_held_and_closed(program, loaded):
    assert program.status == Program.Status.CLOSED
    review = ProgramReview.objects.get(program=program)
    assert review.decision == ProgramReview.Decision.APPROVED
    assert review.decided_by.username == "approver"
    assert review.comments and review.document_reference
    # The plan as the seed describes it.
    assert program.year == 2022
    assert program.organizer.code == "organs-working-committee"
    assert program.venue.name_zh == COLLEGE
    assert "第三十一条" in program.legal_basis
    assert program.requirement == Program.Requirement.INDUCTION
    assert program.planned_participants == 112 and program.phase_count == 2
    assert program.hours_per_day == Decimal(str(settings.DANGJIAN_RULES["hours_per_day"])) == Decimal("7.5")
    assert program.cost_per_person_day > 0 and program.contact_name and program.contact_phone
    # Submitted by the organizer and approved by the approver, in the audit trail.
    status_changes = [
        (entry.actor.username, entry.changes["status"])
        for entry in AuditEntry.objects.filter(model="training.program", object_pk=str(program.pk), action="update")
        .select_related("actor").order_by("id") if "status" in entry.changes
    ]
    assert status_changes == [("organizer", ["draft", "submitted"]), ("approver", ["submitted", "approved"]),
                              ("organizer", ["approved", "enrollment_open"]),
                              ("organizer", ["enrollment_open", "in_progress"]),
                              ("organizer", ["in_progress", "closed"])]


def test_two_five_day_phases_in_october_2022_at_the_college(program):
    phases = list(program.phases.select_related("head_teacher").order_by("number"))
    assert [(p.starts_on, p.ends_on) for p in phases] == [
        (datetime.date(2022, 10, 8), datetime.date(2022, 10, 12)),
        (datetime.date(2022, 10, 17), datetime.date(2022, 10, 21)),
    ]
    assert all(p.day_count == 5 and p.capacity == 56 for p in phases)
    assert all(p.head_teacher.username == "college" for p in phases)


def expected_slots():
    """The CSV's rows on a phase's days: (day number, start, end, form, title) per session; a group
    discussion runs once per group (6 groups)."""
    slots = []
    for row in TIMETABLE:
        copies = 6 if row["form"] == "discussion" else 1
        slots += [(int(row["day"]), row["start"], row["end"], row["form"], row["title_zh"])] * copies
    return sorted(slots)


def test_each_phase_has_the_timetable_of_the_csv(program):
    expected = expected_slots()
    assert len(expected) == len(TIMETABLE) + 2 * 5  # two group discussions, six groups each
    for phase in program.phases.all():
        sessions = list(selectors.phase_sessions(phase=phase))
        actual = sorted(
            ((local(s.starts_at).date() - phase.starts_on).days + 1, f"{local(s.starts_at):%H:%M}",
             f"{local(s.ends_at):%H:%M}", s.form, s.title)
            for s in sessions
        )
        assert actual == expected
        discussions = [s for s in sessions if s.form == "discussion"]
        assert all(s.group is not None and s.group.phase_id == phase.pk for s in discussions)
        assert {s.group.number for s in discussions} == set(range(1, 7))
        assert all(s.group is None for s in sessions if s.form != "discussion")


def test_places_courses_and_instructors_follow_the_csv(program):
    phase = program.phases.get(number=1)
    rows = {(row["day"], row["start"]): row for row in TIMETABLE}
    for session in selectors.phase_sessions(phase=phase):
        row = rows[(str((local(session.starts_at).date() - phase.starts_on).days + 1),
                    f"{local(session.starts_at):%H:%M}")]
        stops = [stop.site.name_zh for stop in session.stops.all()]
        if row["form"] == "travel":
            assert session.place_note == row["place"] and session.venue is None and not stops
            assert session.course is None
            continue
        if row["form"] == "site_visit":  # visits without a lecture: the shared catalog has no entry for them
            assert session.course is None
        else:
            assert session.course is not None and session.course.form == session.form
        if row["place"] == COLLEGE:
            assert session.venue.name_zh == COLLEGE and not stops and session.classroom is not None
        else:
            assert stops == row["place"].split("|")
        if session.form in ("lecture", "case_teaching", "interview"):
            assert session.instructors.exists(), session.title
    # A group discussion per group, each in its own seminar room.
    rooms = Session.unscoped.filter(phase=phase, form="discussion").values_list("starts_at", "classroom__name")
    assert len(set(rooms)) == 12


def test_the_timetable_shows_the_four_teaching_forms_of_the_seed(program):
    """理论教学、参观学习、现场教学、交流研讨 (shared/seed/nanyang-training-article.txt), each in both phases."""
    for phase in program.phases.all():
        forms = set(phase.sessions.values_list("form", flat=True))
        assert {"lecture", "site_visit", "onsite_teaching", "discussion"} <= forms
    visits = Session.unscoped.filter(phase__program=program, form="site_visit")
    assert sorted({s.title for s in visits}) == ["参观学习：许世友将军故里（故居、墓园）",
                                                 "参观学习：鄂豫皖苏区首府革命博物馆"]
    # The rest of the museum's route keeps its course and its instructor.
    route = Session.unscoped.filter(phase__program=program,
                                    title__startswith="现场教学：中共中央鄂豫皖分局旧址").first()
    assert route.course.code == "ons-capital-museum-route" and route.instructors.exists()


def test_hours_per_phase_equal_the_csv_sum(program):
    csv_hours = sum(Decimal(row["hours"]) for row in TIMETABLE)
    assert csv_hours == 31
    mix = selectors.teaching_form_mix(program=program)
    assert [item["hours"] for item in mix["phases"]] == [csv_hours, csv_hours]
    assert mix["total_hours"] == 2 * csv_hours


def test_groups_branch_and_class_committee(program):
    secretaries_2022 = set(
        Post.unscoped.filter(role="secretary", started_on__year=2022)
        .exclude(party_organization__org_type="temporary_branch").values_list("person_id", flat=True)
    )
    people_by_phase = []
    for phase in program.phases.select_related("temporary_branch").order_by("number"):
        groups = list(Group.objects.filter(phase=phase).order_by("number"))
        assert len(groups) == 6 and all(g.leader_id for g in groups)
        assert 8 <= phase.capacity / len(groups) <= 10
        branch = phase.temporary_branch
        assert branch.org_type == PartyOrganization.Type.TEMPORARY_BRANCH
        assert branch.organ == program.organizer
        posts = list(branch.posts.all())
        assert sorted(p.role for p in posts) == ["committee_member", "deputy_secretary", "secretary"]
        assert all(p.started_on == phase.starts_on and p.ended_on == phase.ends_on for p in posts)
        assert all(p.method == Post.Method.APPOINTED for p in posts)
        committee = list(ClassCommitteeMember.objects.filter(phase=phase))
        assert sorted(m.role for m in committee) == ["deputy_monitor", "life", "monitor", "study"]
        assert all(m.ended_on == phase.ends_on for m in committee)
        people = {g.leader_id for g in groups} | {p.person_id for p in posts} | {m.person_id for m in committee}
        assert len(people) == 6 + 3 + 4
        assert people <= secretaries_2022
        people_by_phase.append(people)
    assert not people_by_phase[0] & people_by_phase[1]


def test_no_instructor_is_double_booked_and_no_travel_warning(program):
    sessions = list(Session.unscoped.filter(phase__program=program).prefetch_related("instructors", "stops__site"))
    taught = [s for s in sessions if s.instructors.all()]
    for a, b in combinations(taught, 2):
        if a.starts_at < b.ends_at and b.starts_at < a.ends_at:
            assert not set(a.instructors.all()) & set(b.instructors.all()), (a, b)
    for session in sessions:
        assert services.session_conflicts(session=session, instructors=list(session.instructors.all())) == {}
        assert services.travel_warnings(session=session, sites=[stop.site for stop in session.stops.all()]) == []


def test_college_and_instructor_users_see_the_program(program):
    college_user = User.objects.get(username="college")
    assert program.venue.staff.filter(pk=college_user.pk).exists()
    assert Program.objects.visible_to(college_user).filter(pk=program.pk).exists()
    assert college_user.has_perm("training.run_class", program)  # closed now: no longer manage_class
    instructor_user = User.objects.get(username="instructor")
    instructor = Instructor.objects.get(user=instructor_user)
    taught_phases = set(selectors.instructor_sessions(user=instructor_user).values_list("phase__number", flat=True))
    assert taught_phases == {1, 2}
    assert instructor.venue == program.venue
    assert Program.objects.visible_to(instructor_user).filter(pk=program.pk).exists()


def test_the_library(loaded):
    college = Venue.objects.get(code="dabie-cadre-college")
    assert college.name_zh == COLLEGE
    assert sorted(college.departments.values_list("code", flat=True)) == [
        "dabie-academic-affairs", "dabie-logistics", "dabie-office", "dabie-teaching-research",
        "dabie-training-liaison"]
    assert Venue.objects.filter(code="nanyang-party-school", kind="party_school").exists()
    rooms = dict(Classroom.objects.filter(venue=college).values_list("name", "capacity"))
    assert rooms["第一教室"] == 120 and rooms["报告厅"] == 300
    assert [rooms[f"研讨室{x}"] for x in "ABCDEF"] == [15] * 6
    assert Site.objects.count() == len(read("red_sites.csv")) == 23
    assert Course.objects.count() == len(read("course_catalog.csv"))
    route = Course.objects.get(code="ons-capital-museum-route")
    assert set(route.sites.values_list("name_zh", flat=True)) == {"鄂豫皖苏区首府革命博物馆", "中共中央鄂豫皖分局旧址",
                                                                   "红四方面军总部旧址"}
    assert Course.objects.get(code="ons-28th-army-hq").sites.get().code == "twenty-eighth-army-hq"
    assert 10 <= Instructor.objects.count() <= 12
    assert all("演示" in bio for bio in Instructor.objects.values_list("bio", flat=True))
    xinxian = Site.objects.filter(county="新县")
    to_xinxian = TravelTime.objects.filter(from_venue=college, to_site__in=xinxian)
    assert to_xinxian.count() == xinxian.count()
    assert all(15 <= t.minutes <= 40 for t in to_xinxian)
    assert services.travel_minutes(college, Venue.objects.get(code="nanyang-party-school")) == 240


def test_loading_twice_creates_nothing_new_and_fills_what_an_older_demo_lacks(program):
    """The second run (the only one besides the module's): nothing is created twice — not the registry, the
    logins, the program, the audit trail nor the drafted report —, and a demo loaded before groups and
    classrooms had English names gets them."""
    models = (Organ, PartyOrganization, Person, Post, Venue, Classroom, Site, TravelTime, Instructor, Course,
              Program, ProgramReview, Phase, Group, ClassCommitteeMember, Session, SessionStop, User)
    Classroom.objects.update(name_en="")
    Group.objects.update(name_en="")
    before = {model: model._default_manager.count() for model in models}
    created_before = AuditEntry.objects.filter(action="create").count()
    out = StringIO()
    call_command("loaddemo", stdout=out)
    assert {model: model._default_manager.count() for model in models} == before
    assert AuditEntry.objects.filter(action="create").count() == created_before  # the names filled in: updates
    assert "already loaded" in out.getvalue()
    assert ArticlePage.objects.filter(slug__startswith=f"peixun-{program.pk}-baodao").count() == 1
    assert not Classroom.objects.filter(venue__code="dabie-cadre-college", name_en="").exists()
    assert sorted(set(Group.objects.filter(phase__program=program).values_list("name_en", flat=True))) == [
        f"Group {n}" for n in range(1, 7)]


def test_groups_classrooms_and_users_read_well_in_either_language(program):
    from django.utils import translation

    from dangjian.training.selectors import head_teacher_choices

    phase = program.phases.get(number=1)
    with translation.override("en"):
        assert [str(group) for group in phase.groups.order_by("number")] == [f"Group {n}" for n in range(1, 7)]
        assert phase.classroom.display_name == "Classroom 1"
        assert [user.affiliated_name for user in head_teacher_choices(program=program)] == [
            "陈静 (Henan Dabie Mountain Cadre College)"]
    with translation.override("zh-hans"):
        assert str(phase.groups.get(number=1)) == "第一组" and phase.classroom.display_name == "第一教室"
        assert [user.affiliated_name for user in head_teacher_choices(program=program)] == [
            "陈静（河南大别山干部学院）"]
    assert program.organizer.name_en == "Working Committee of Organs Directly under the CPC Nanyang Municipal Committee"


def test_the_printed_counts_are_what_the_pages_show(loaded, program, client):
    """loaddemo's summary, checked against the pages an organizer opens: the start page's registry
    figures, the library lists and the timetables of the phases."""
    import re

    from django.urls import reverse

    client.force_login(User.objects.get(username="organizer"))
    printed = {name: int(number) for number, name in re.findall(
        r"(\d+) (organs|party organizations|people|venues|red-education sites|courses|instructors|phases|sessions)"
        r"\b", loaded)}
    home = client.get(reverse("home")).context
    assert (printed["organs"], printed["party organizations"], printed["people"]) == (
        home["organ_count"], home["party_org_count"], home["person_count"])
    assert "(2 of them temporary branches of the training classes)" in loaded
    for name, url in (("venues", "venue_list"), ("red-education sites", "site_list"), ("courses", "course_list"),
                      ("instructors", "instructor_list")):
        assert printed[name] == client.get(reverse(url)).context["page"].paginator.count, name
    phases = program.phases.all()
    assert printed["phases"] == len(phases)
    assert printed["sessions"] == sum(client.get(reverse("phase_timetable", args=[phase.pk])).context["session_count"]
                                      for phase in phases)


def test_the_outbox_holds_drafts_to_preview_and_send(loaded):
    from dangjian.outbox.models import Message

    assert "Outbox:" in loaded
    notices = Message.unscoped.filter(kind="nomination_opened")
    assert {message.organ.code for message in notices} == {"edu-bureau", "sci-tech-bureau"}
    assert all(message.channel == "email" and message.address == "unitadmin@example.org" for message in notices)
    reminders = Message.unscoped.filter(kind="induction_due")
    assert reminders.exists() and all(message.channel == "sms" and message.person_id for message in reminders)
    # Nothing sent while loading: the drafts wait; the 2022 admission notices are history (marked sent, as then).
    assert set(Message.unscoped.exclude(kind="admission_notice").values_list("status", flat=True)) == {"draft"}
    assert all("{" not in message.body for message in Message.unscoped.all())


def test_the_2022_class_has_its_admission_notices_and_the_open_program_a_reminder(loaded):
    """A few admission notices of 2022, sent then, each with its PDF (Chinese text, the activation link); the
    program open for enrollment has a deadline reminder to the organs that have not nominated, as a draft."""
    import io

    import pypdf

    from dangjian.outbox.models import Message

    notices = list(Message.unscoped.filter(kind="admission_notice").select_related("program"))
    assert len(notices) == 3 and {m.status for m in notices} == {"sent"} and {m.channel for m in notices} == {"email"}
    assert {m.program.year for m in notices} == {2022}
    with notices[0].attachment.open("rb") as pdf:
        text = "".join("".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf.read())).pages).split())
    assert "入学通知" in text and notices[0].recipient_name in text and "/activate/" in text
    assert "请携带本通知、身份证" in text  # the program's admission notes
    reminder = Message.unscoped.get(kind="deadline_reminder")
    assert reminder.status == "draft" and reminder.program.status == "enrollment_open"
def test_the_ledger_makes_compliance_realistic(loaded):
    """External records (online study, rotation training, earlier induction) and the requirements as data: the
    secretaries of 南阳市教育局 appointed in recent months are due, as the unit administrator will see them."""
    from dangjian.ledger import selectors
    from dangjian.ledger.models import Requirement, TrainingRecord

    assert TrainingRecord.unscoped.filter(source="imported", kind="online").count() > 300
    assert set(Requirement.objects.values_list("code", flat=True)) >= {
        "induction", "secretary-annual", "member-annual", "cadre-annual", "cadre-five-year", "cadre-online"}
    edu = Organ.unscoped.get(code="edu-bureau")
    recent = timezone.localdate() - datetime.timedelta(days=182)
    due = [p for p in selectors.due_for_induction(organ_ids=[edu.pk]) if p.first_secretary_on >= recent]
    assert due and all(p.induction_status == "due" for p in due)
    organizer = User.objects.get(username="organizer")
    counts = selectors.compliance_counts(user=organizer, requirement=Requirement.objects.get(code="secretary-annual"))
    assert counts["satisfied"] > 0 and counts["due"] > 0
    assert "Training-hours ledger:" in loaded


def test_the_2022_class_has_its_completed_enrollment_and_a_program_is_open_for_enrollment(loaded, program):
    """110+ confirmed participants from the organs, three substitutions, two withdrawals whose seats the
    waitlist took, each participant with an account and their induction credited; and a program of the coming
    months open for enrollment, with a quota for 南阳市教育局 covering its people due, which `unitadmin` nominates."""
    from dangjian.enrollment import selectors as enrollment
    from dangjian.enrollment.models import Nomination
    from dangjian.ledger.selectors import has_induction_credit

    rows = Nomination.unscoped.filter(program=program)
    confirmed = rows.filter(status="confirmed")
    assert confirmed.count() >= 110 and confirmed.values("organ").distinct().count() > 20
    assert rows.filter(status="substituted").count() == 3
    assert rows.filter(status="confirmed", replaces__isnull=False).count() == 3
    assert rows.filter(status="withdrawn").count() == 2
    promoted = confirmed.filter(decided_at__gt=min(confirmed.values_list("decided_at", flat=True)))
    assert promoted.count() == 2  # from the waitlist, after the withdrawals
    people = set(confirmed.values_list("person_id", flat=True))
    assert set(User.objects.filter(person__in=people, groups__name="participant").values_list(
        "person_id", flat=True)) == people
    # Credited when the class closed: everyone but the participant withdrawn (退学) for leave over the limit.
    withdrawn = set(Nomination.unscoped.filter(program=program, withdrawal__status="confirmed")
                    .values_list("person_id", flat=True))
    assert len(withdrawn) == 1 and has_induction_credit(people) == people - withdrawn
    coming = Program.unscoped.get(status="enrollment_open")
    edu = Organ.unscoped.get(code="edu-bureau")
    due = list(enrollment.people_due(organ_ids=[edu.pk]))
    quota = enrollment.quota_of(program=coming, organ=edu)
    assert due and quota.seats >= len(due)
    assert User.objects.get(username="unitadmin").has_perm("enrollment.nominate", quota)
    assert "Enrollment: the 2022 class has" in loaded


def test_the_2022_class_was_held_with_a_roll_call_of_every_session(loaded, program):
    """Every participant on the roster of every session has a mark: mostly present, a few late or absent, the
    approved leaves (source leave) — and one participant whose leave passed the limit, withdrawn (退学) and off
    the roster after their leave."""
    from dangjian.attendance.models import Attendance, LeaveRequest, Withdrawal
    from dangjian.attendance.selectors import roster_placements
    from dangjian.completion.selectors import program_results

    marks = Attendance.unscoped.filter(session__phase__program=program)
    withdrawal = Withdrawal.unscoped.get(nomination__program=program)
    assert withdrawal.status == "confirmed" and withdrawal.decided_by.username == "organizer"
    for session in Session.unscoped.filter(phase__program=program):
        roster = {p.nomination_id for p in roster_placements(session)} - {withdrawal.nomination_id}
        assert roster <= set(marks.filter(session=session).values_list("nomination_id", flat=True))
    counts = {mark: marks.filter(mark=mark).count() for mark in ("present", "late", "absent", "on_leave")}
    assert counts["present"] > 0.9 * marks.count() and counts["late"] and counts["absent"] and counts["on_leave"]
    leaves = LeaveRequest.unscoped.filter(nomination__program=program, status="approved")
    assert leaves.count() == 6
    assert set(marks.filter(mark="on_leave").values_list("source", flat=True)) == {"leave"}
    results = {r.nomination.pk: r for r in program_results(program)}
    assert not results[withdrawal.nomination_id].completed
    assert [r.nomination.pk for r in results.values() if not r.completed] == [withdrawal.nomination_id]
    assert "Delivery: the 2022 class's roll calls" in loaded


def test_the_2022_class_was_closed_with_its_pack_and_the_hours_credited(loaded, program):
    """Closed through the services: a closing pack made before closing, a result for each participant, and a
    ledger record of the hours credited for each who completed (days attended × 7.5)."""
    from dangjian.completion.models import ClosingPack, CompletionResult
    from dangjian.ledger.models import TrainingRecord

    pack = ClosingPack.unscoped.get(program=program)
    assert pack.page_count > 100 and pack.pdf.read(5) == b"%PDF-"
    results = CompletionResult.unscoped.filter(program=program)
    assert results.count() == 112 and results.filter(completed=False).count() == 1
    credited = TrainingRecord.unscoped.filter(program=program, source="platform")
    assert credited.count() == 111
    assert {r.credited_hours for r in results.filter(completed=True)} <= {Decimal("30.0"), Decimal("37.5")}
    assert sorted(credited.values_list("hours", flat=True)) == sorted(
        results.filter(completed=True).values_list("credited_hours", flat=True))


def test_a_class_runs_this_week_with_the_demo_participant(loaded):
    from django.utils import timezone

    from dangjian.attendance.models import Attendance
    from dangjian.enrollment.models import Nomination

    running = Program.unscoped.get(status=Program.Status.IN_PROGRESS, year=timezone.localdate().year)
    participant = User.objects.get(username="participant")
    assert Nomination.unscoped.filter(program=running, person=participant.person, status="confirmed").exists()
    today = timezone.localdate()
    sessions = Session.unscoped.filter(phase__program=running)
    assert any(s.local_day == today for s in sessions)
    held = Attendance.unscoped.filter(session__phase__program=running)
    assert held.exists() and all(a.session.local_day < today for a in held.select_related("session"))


def test_certificates_for_everyone_who_completed_one_of_them_reissued(program):
    from dangjian.certificates.models import Certificate
    from dangjian.completion.models import CompletionResult

    completed = CompletionResult.unscoped.filter(program=program, completed=True).count()
    assert completed > 100
    assert Certificate.unscoped.filter(program=program, status="valid").count() == completed
    revoked = Certificate.unscoped.get(program=program, status="revoked")
    assert revoked.revoke_reason == "姓名有误，重新颁发" and revoked.replaced_by.status == "valid"
    assert revoked.revoked_at > revoked.issued_at


def test_the_2022_class_followed_up_in_daily_work(program):
    """Implementation plans from most who completed, three-month follow-ups from about two thirds, most confirmed by
    their unit, a few with comments; dated late 2022 / early 2023; the demo unit administrator has one to confirm."""
    from dangjian.completion.models import CompletionResult
    from dangjian.followup.models import FollowUpReport, ImplementationPlan, UnitConfirmation

    completed = CompletionResult.unscoped.filter(program=program, completed=True).count()
    plans = ImplementationPlan.unscoped.filter(program=program)
    reports = FollowUpReport.unscoped.filter(program=program)
    assert 0.75 * completed <= plans.count() < completed
    assert 0.55 * completed <= reports.count() <= 0.8 * completed
    decided = UnitConfirmation.unscoped.filter(report__program=program)
    assert decided.filter(decision="confirmed").count() > 0.6 * reports.count()
    assert 1 <= decided.filter(decision="commented").count() <= 0.2 * reports.count()
    assert all(2022 <= plan.submitted_at.year <= 2023 and plan.items for plan in plans)
    assert all(datetime.date(2022, 12, 1) <= report.submitted_at.date() <= datetime.date(2023, 3, 31)
               for report in reports)
    unit_admin = User.objects.get(username="unitadmin")
    assert reports.filter(nomination__organ__in=unit_admin.organ_ids, confirmation__isnull=True).exists()


def test_the_2022_class_has_graded_reflections_one_revised_and_one_a_portal_draft(loaded, program):
    """Most participants wrote a reflection (not the one withdrawn), graded mostly pass and some excellent; one was
    sent back for revision and passed when resubmitted; a few authors agreed to publish; one excellent reflection
    is a draft article in 理论学习 (not live) with its author's name."""
    from dangjian.attendance.models import Withdrawal
    from dangjian.completion.models import Reflection, ReflectionRevision
    from dangjian.portal.models import ArticlePage

    reflections = Reflection.unscoped.filter(nomination__program=program)
    withdrawn = Withdrawal.unscoped.get(nomination__program=program).nomination_id
    assert 80 < reflections.count() < 112 and not reflections.filter(nomination_id=withdrawn).exists()
    grades = {grade: reflections.filter(grade=grade).count() for grade in ("excellent", "pass", "revise", "")}
    assert grades["pass"] > grades["excellent"] > 5 and grades["revise"] == grades[""] == 0
    revision = ReflectionRevision.objects.get(reflection__nomination__program=program)
    assert revision.grade == "revise" and revision.reflection.version == 2 and revision.reflection.grade == "pass"
    assert 3 <= reflections.filter(consent_publish=True).count() < 30
    drafted = reflections.get(portal_page__isnull=False)
    page = ArticlePage.objects.get(pk=drafted.portal_page_id)
    assert page.title.startswith("学员心得｜") and not page.live and page.author == drafted.nomination.person.name
    assert len(drafted.text.split("\n\n")) >= 3


def test_the_2022_class_evaluated_its_sessions_and_the_report_quotes_the_feedback(program):
    """Most participants answered each session's card and the program questionnaire; scores differ by course;
    open answers come from the feedback snippets; the questionnaire's choices are counted; the news report draft
    quotes the feedback."""
    from dangjian.evaluation import analysis
    from dangjian.evaluation.demo import snippets
    from dangjian.evaluation.models import EvaluationAnswer

    result = analysis.program_analysis(program)
    assert result.roster and 0.75 <= result.answered / result.roster <= 0.95
    assert 0.75 <= result.questionnaire_answered / result.questionnaire_placed <= 0.95
    courses = [row.stats.overall for row in result.rows["course"] if not row.stats.hidden]
    assert len(courses) >= 10 and max(courses) - min(courses) >= 10  # points out of 100
    gains, suggestions = snippets()
    texts = {text for answer in EvaluationAnswer.objects.filter(program=program) for text in answer.texts.values()}
    assert texts and texts <= set(gains) | set(suggestions)
    choices = {choice.id: choice for choice in result.choices}
    assert choices["most_satisfied"].answered > 40 and len(choices["topics_wanted"].options) >= 3
    report = ArticlePage.objects.get(slug__startswith=f"peixun-{program.pk}-baodao")
    text = "".join(str(block.value) for block in report.body)
    assert "学员们纷纷表示" in text
