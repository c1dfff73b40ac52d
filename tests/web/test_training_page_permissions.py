"""The permission matrix of the training library and program pages: every URL of web/urls_programs.py x
every role (and anonymous), with the expected status.

anonymous                        -> 302 to the login page
participant, editor, reviewer    -> 403 everywhere
library                          organizers read and change; college staff read (403 on changes); others 403
programs                         a program outside the user's scope is 404 (approver: submitted ones; unit
                                 admin: enrollment open and later; college staff: at their venue; instructor:
                                 where they teach); inside it, the action's permission decides (403 or done)

Every POST carries valid data and its outcome is read again from the database: done, it changed what EFFECTS
names; refused (401, 403, 404, or a redirect with an error message), no row of the platform changed at all.
The transitions start from a status they may start from (BEFORE), so that a refusal is the role's, not the
status's.
"""

import datetime
from types import SimpleNamespace

import pytest
from django.contrib.messages import constants as message_levels
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from dangjian.organizations.models import Post
from dangjian.portal import drafts
from dangjian.portal.models import ArticlePage, ChannelPage, HomePage, NoticePage
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
from dangjian.training.scoping import PUBLISHED_STATUSES
from tests.completion.closing_world import make_current_pack
from tests.conftest import ROLES
from tests.denials import assert_matrix_answer
from tests.factories import (
    ClassroomFactory,
    CourseFactory,
    GroupFactory,
    InstructorFactory,
    OrganFactory,
    PersonFactory,
    PhaseFactory,
    ProgramFactory,
    SessionFactory,
    SiteFactory,
    VenueFactory,
)
from tests.portal.conftest import publish
from tests.shared_world import world_per_module
from tests.state import db_state, state_diff

pytestmark = pytest.mark.django_db

ALL_ROLES = [*ROLES, "anonymous"]

# (url name, method, which record of the `records` fixture the URL takes, or None)
PAGES = [
    # Library
    ("library_index", "get", None),
    ("venue_list", "get", None),
    ("venue_create", "get", None),
    ("venue_detail", "get", "venue"),
    ("venue_edit", "get", "venue"),
    ("venue_delete", "post", "spare_venue"),
    ("classroom_create", "post", "venue"),
    ("classroom_edit", "get", "classroom"),
    ("classroom_delete", "post", "classroom"),
    ("site_list", "get", None),
    ("site_create", "get", None),
    ("site_edit", "get", "site"),
    ("site_delete", "post", "spare_site"),
    ("travel_time_list", "get", None),
    ("travel_time_delete", "post", "travel_time"),
    ("instructor_list", "get", None),
    ("instructor_create", "get", None),
    ("instructor_edit", "get", "instructor"),
    ("instructor_delete", "post", "instructor"),
    ("course_list", "get", None),
    ("course_create", "get", None),
    ("course_edit", "get", "course"),
    ("course_delete", "post", "course"),
    # Programs
    ("program_list", "get", None),
    ("program_create", "get", None),
    ("program_detail", "get", "program"),
    ("program_detail", "get", "submitted"),
    ("program_detail", "get", "draft"),
    ("program_edit", "get", "program"),
    ("program_edit", "get", "draft"),
    ("program_delete", "post", "draft"),
    ("program_delete", "post", "submitted"),
    ("program_submit", "post", "draft"),
    ("program_approve", "post", "submitted"),
    ("program_approve", "post", "draft"),
    ("program_return", "post", "submitted"),
    ("program_reopen", "post", "program"),
    ("program_open_enrollment", "post", "program"),
    ("program_start", "get", "program"),  # steps that cannot be undone: the confirmation page
    ("program_start", "post", "program"),
    ("program_close", "get", "program"),
    ("program_close", "post", "program"),
    ("program_archive", "get", "program"),
    ("program_archive", "post", "program"),
    ("program_reopen_class", "post", "program"),
    ("program_copy", "get", "program"),
    ("program_copy", "get", "draft"),
    ("program_copy", "post", "program"),
    ("review_document", "get", "review"),
    ("program_notice_draft", "post", "program"),
    ("program_report_draft", "post", "program"),
    ("program_report_draft", "post", "draft"),
    # Phases and the class
    ("phase_create", "get", "draft"),
    ("phase_create", "get", "program"),
    ("phase_detail", "get", "phase"),
    ("phase_detail", "get", "draft_phase"),
    ("phase_edit", "get", "phase"),
    ("phase_edit", "get", "draft_phase"),
    ("phase_delete", "post", "draft_phase"),
    ("group_create", "post", "phase"),
    ("group_edit", "get", "group"),
    ("group_delete", "post", "group"),
    ("committee_appoint", "post", "phase"),
    ("committee_remove", "post", "member"),
    ("branch_create", "post", "phase2"),
    ("branch_appoint", "post", "phase"),
    ("branch_post_remove", "post", "branch_post"),
]

NO_TRAINING_ROLE = {"participant", "editor", "reviewer"}
LIBRARY_READ = {"library_index", "venue_list", "venue_detail", "site_list", "travel_time_list", "instructor_list",
                "course_list"}
LIBRARY_CHANGE = {"venue_create", "venue_edit", "venue_delete", "classroom_create", "classroom_edit",
                  "classroom_delete", "site_create", "site_edit", "site_delete", "travel_time_delete",
                  "instructor_create", "instructor_edit", "instructor_delete", "course_create", "course_edit",
                  "course_delete"}
# Who sees which program (the records' scoping), and which program each record belongs to.
SEES = {
    "program": {"organizer", "approver", "unit_admin", "college_staff", "instructor"},  # enrollment open, at V
    "submitted": {"organizer", "approver", "college_staff"},  # submitted, at V
    "draft": {"organizer"},  # never submitted, at another venue
}
PROGRAM_OF = {"phase": "program", "phase2": "program", "group": "program", "member": "program",
              "branch_post": "program", "review": "program", "draft_phase": "draft"}
# Which roles may act, given that they see the program.
VIEW = {"program_list", "program_detail", "phase_detail", "review_document"}
ORGANIZER_ONLY = {"program_create", "program_copy", "program_edit", "program_delete", "program_submit",
                  "program_reopen", "program_open_enrollment", "program_start", "program_close", "program_archive",
                  "program_reopen_class", "phase_create", "phase_delete", "program_notice_draft",
                  "program_report_draft"}
REVIEW = {"program_approve", "program_return"}
MANAGE_CLASS = {"phase_edit", "group_create", "group_edit", "group_delete", "committee_appoint", "committee_remove",
                "branch_create", "branch_appoint", "branch_post_remove"}
# The status `program` has before the request, for the transitions that cannot start from "enrollment open".
BEFORE = {
    "program_open_enrollment": Program.Status.APPROVED,
    "program_close": Program.Status.IN_PROGRESS,
    "program_archive": Program.Status.CLOSED,
    "program_reopen_class": Program.Status.CLOSED,
}
# POSTs that a rule of the workflow refuses even to the role that may act: they answer with a redirect and an
# error message, and change nothing.
RULE_REFUSED = {
    ("program_delete", "submitted"),  # only a draft never submitted may be deleted
    # The form does not even open (it could only fail on save): the plan of `program` is approved.
    ("phase_create", "program"),
}


def _post_data(name: str, records) -> dict:
    """Valid form data for each POST (those not listed send none)."""
    person = records.member.person_id  # already in the class: college staff may pick them too
    return {
        "classroom_create": {"classroom-name": "新教室", "classroom-capacity": "50"},
        "program_approve": {"approve-comments": "同意"},
        "program_return": {"return-comments": "请补充经费测算依据。"},
        "program_reopen": {"reopen-reason": "第二期改期"},
        "program_reopen_class": {"reopen_class-reason": "补录纸质签到表"},
        "program_copy": {"year": "2023"},
        "group_create": {"groups-count": "1"},
        "committee_appoint": {"committee-person": person, "committee-role": "study"},
        "branch_create": {"branch-name": ""},
        "branch_appoint": {"appoint-person": person, "appoint-role": "committee_member"},
    }.get(name, {})


def _exists(model):
    return lambda records, record: model._base_manager.filter(pk=record.pk).exists()


def _status(records, program):
    return Program.unscoped.get(pk=program.pk).status


# What each POST changes, read from the database (the records, and the URL's record).
EFFECTS = {
    "venue_delete": _exists(Venue),
    "classroom_create": lambda records, venue: Classroom.objects.filter(venue=venue).count(),
    "classroom_delete": _exists(Classroom),
    "site_delete": _exists(Site),
    "travel_time_delete": _exists(TravelTime),
    "instructor_delete": _exists(Instructor),
    "course_delete": _exists(Course),
    "program_delete": _exists(Program),
    "program_copy": lambda records, program: Program.unscoped.count(),
    "program_submit": _status,
    "program_approve": lambda records, program: (_status(records, program), program.reviews.count()),
    "program_return": lambda records, program: (_status(records, program), program.reviews.count()),
    "program_reopen": _status,
    "program_open_enrollment": _status,
    "program_start": _status,
    "program_close": _status,
    "program_archive": _status,
    "program_reopen_class": _status,
    "program_notice_draft": lambda records, program: NoticePage.objects.count(),
    "program_report_draft": lambda records, program: ArticlePage.objects.count(),
    "phase_delete": _exists(Phase),
    "group_create": lambda records, phase: Group.objects.filter(phase=phase).count(),
    "group_delete": _exists(Group),
    "committee_appoint": lambda records, phase: ClassCommitteeMember.objects.filter(phase=phase).count(),
    "committee_remove": _exists(ClassCommitteeMember),
    "branch_create": lambda records, phase: Phase.objects.get(pk=phase.pk).temporary_branch_id,
    "branch_appoint": lambda records, phase: Post.unscoped.filter(party_organization__training_phase=phase).count(),
    "branch_post_remove": _exists(Post),
}


def _allowed(role: str, name: str) -> bool:
    if name in VIEW:
        return True
    if name in ORGANIZER_ONLY:
        return role == "organizer"
    if name in REVIEW:
        return role == "approver"
    if name in MANAGE_CLASS:
        return role in {"organizer", "college_staff"}
    raise AssertionError(f"{name} has no rule in the matrix")


def _sees(role: str, name: str, program: str) -> bool:
    if program == "program" and role == "unit_admin":  # from enrollment on
        return BEFORE.get(name, Program.Status.ENROLLMENT_OPEN) in PUBLISHED_STATUSES
    return role in SEES[program]


def expected_status(role: str, name: str, method: str, target: str | None) -> int:
    if role == "anonymous":
        return 302
    if role in NO_TRAINING_ROLE:
        return 403
    done = 302 if method == "post" else 200
    if name in LIBRARY_READ:
        return 200 if role in {"organizer", "college_staff"} else 403
    if name in LIBRARY_CHANGE:
        return done if role == "organizer" else 403
    program = PROGRAM_OF.get(target, target)
    if program is not None and not _sees(role, name, program):
        return 404
    if not _allowed(role, name):
        return 403
    return 302 if (name, target) in RULE_REFUSED else done


def expected_done(role: str, name: str, method: str, target: str | None) -> bool:
    """Whether the POST is carried out (its effect shows in the database)."""
    return (method == "post" and role != "anonymous" and expected_status(role, name, method, target) == 302
            and (name, target) not in RULE_REFUSED)


def _cases():
    for name, method, target in PAGES:
        for role in ALL_ROLES:
            status = expected_status(role, name, method, target)
            outcome = ""
            if method == "post":
                outcome = " done" if expected_done(role, name, method, target) else " refused"
            case_id = f"{method.upper()} {name}{'(' + target + ')' if target else ''} as {role} -> {status}{outcome}"
            yield pytest.param(role, name, method, target, status, id=case_id)


def _build_records(users_by_role, _unit_admins_organ):
    """venue V (the college staff's) with a classroom; three programs:
    program    at V, enrollment open (submitted and approved), one phase with a group, a session taught by
               the instructor user, a class committee member, a temporary branch with a secretary, and an
               approval with its document;
    submitted  at V, submitted for approval;
    draft      at another venue, never submitted, with one phase."""
    organizer = users_by_role["organizer"]
    home = HomePage.objects.get()  # the portal's channels that the drafts go to
    publish(home, ChannelPage(title="通知公告", slug=drafts.NOTICE_CHANNEL_SLUG))
    publish(home, ChannelPage(title="市县动态", slug=drafts.REPORT_CHANNEL_SLUG))
    venue = VenueFactory()
    venue.staff.add(users_by_role["college_staff"])
    classroom = ClassroomFactory(venue=venue)
    organ = OrganFactory()
    submitted_at = timezone.now() - datetime.timedelta(days=30)
    program = ProgramFactory(venue=venue, organizer=organ, status=Program.Status.ENROLLMENT_OPEN,
                             submitted_at=submitted_at)
    phase = PhaseFactory(program=program, number=1)
    phase2 = PhaseFactory(program=program, number=2, starts_on=datetime.date(2022, 10, 17),
                          ends_on=datetime.date(2022, 10, 21))  # no temporary branch yet
    group = GroupFactory(phase=phase, number=1)
    teacher = InstructorFactory(user=users_by_role["instructor"])
    SessionFactory(phase=phase).instructors.add(teacher)
    member = services.class_committee_appoint(phase=phase, person=PersonFactory(organ=organ), role="monitor",
                                              by=organizer)
    services.temporary_branch_create(phase=phase, by=organizer)
    phase.refresh_from_db()
    branch_post = services.temporary_branch_appoint(phase=phase, person=PersonFactory(organ=organ),
                                                    role="secretary", by=organizer)
    review = ProgramReview.objects.create(
        program=program, decision=ProgramReview.Decision.APPROVED, decided_by=users_by_role["approver"],
        document=SimpleUploadedFile("批复.pdf", b"%PDF-1.4 approval"), document_reference="宛直工〔2022〕40号")
    submitted = ProgramFactory(venue=venue, organizer=organ, status=Program.Status.SUBMITTED,
                               submitted_at=submitted_at)
    make_current_pack(program)  # closing the class requires a current closing pack
    draft = ProgramFactory(venue=VenueFactory(), organizer=organ)
    draft_phase = PhaseFactory(program=draft, number=1)
    site = SiteFactory()
    return SimpleNamespace(
        venue=venue, spare_venue=VenueFactory(), classroom=classroom, site=site, spare_site=SiteFactory(),
        course=CourseFactory(), instructor=InstructorFactory(),
        travel_time=TravelTime.objects.create(from_venue=venue, to_site=site, minutes=30),
        program=program, submitted=submitted, draft=draft, phase=phase, phase2=phase2, draft_phase=draft_phase,
        group=group, member=member, branch_post=branch_post, review=review,
    )


_built_once, users_by_role, records = world_per_module(_build_records)


@pytest.mark.parametrize("role, name, method, target, status", list(_cases()))
def test_training_page_permission_matrix(client, users_by_role, records, role, name, method, target, status,
                                         caplog):
    user = users_by_role[role]
    if user is not None:
        client.force_login(user)
    if name in BEFORE:
        Program.unscoped.filter(pk=records.program.pk).update(status=BEFORE[name])
    record = getattr(records, target) if target else None
    url = reverse(name, args=[record.pk] if record else [])
    if method == "get":
        response = client.get(url)
    else:
        effect = EFFECTS[name]
        before, state_before = effect(records, record), db_state()
        response = client.post(url, _post_data(name, records))
    assert_matrix_answer(response, status=status, role=role, caplog=caplog)
    if method == "get":
        return
    errors = [m.message for m in response.wsgi_request._messages if m.level == message_levels.ERROR] \
        if role != "anonymous" else []
    if expected_done(role, name, method, target):
        assert errors == []
        assert effect(records, record) != before, f"{name} as {role}: {status}, but nothing changed"
    else:
        assert state_diff(state_before, db_state()) == {}
        if status == 302 and role != "anonymous":
            assert errors, "a refusal that redirects says why"


def test_every_url_of_the_training_pages_is_in_this_matrix():
    from dangjian.web.urls_programs import urlpatterns

    assert {p.name for p in urlpatterns} <= {name for name, _method, _target in PAGES}


def test_refused_transition_changes_nothing(client, users_by_role, records):
    """A 403 in the matrix is a real refusal: the college staff's approve leaves the plan submitted."""
    client.force_login(users_by_role["college_staff"])
    response = client.post(reverse("program_approve", args=[records.submitted.pk]))
    assert response.status_code == 403
    records.submitted.refresh_from_db()
    assert records.submitted.status == Program.Status.SUBMITTED
    assert not records.submitted.reviews.exists()
