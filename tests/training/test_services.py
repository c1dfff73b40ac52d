"""Services of the training app: the program workflow, phases, groups, class committee, temporary
branch, and the timetable's validation rules (tests/training/test_models.py covers the model rules)."""

import datetime
import re
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from dangjian.core.models import AuditEntry
from dangjian.organizations import selectors as registry_selectors
from dangjian.organizations.models import PartyOrganization, Post
from dangjian.training import services
from dangjian.training.models import (
    ClassCommitteeMember,
    Group,
    Phase,
    Program,
    ProgramReview,
    Session,
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

Status = Program.Status
DAY1, DAY2, DAY3, DAY5 = (datetime.date(2022, 10, d) for d in (10, 11, 12, 14))


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English (the msgids); the zh-Hans catalog is filled in separately."""
    with translation.override("en"):
        yield


@pytest.fixture
def approver(db):
    return UserFactory(username="approver", roles=["approver"])


def make_program(status: str = Status.DRAFT, *, submitted: bool | None = None, **fields) -> Program:
    """A complete plan (one phase, as announced) in `status`; every status but a fresh draft has been
    submitted once (a draft reached by reopening has been, too: pass submitted=True)."""
    if submitted is None:
        submitted = status != Status.DRAFT
    program = ProgramFactory(status=status, submitted_at=timezone.now() if submitted else None, **fields)
    PhaseFactory(program=program, number=1)
    program.refresh_from_db()  # values as the database holds them (Decimal places), as a view loads them
    return program


def status_entries(program: Program) -> list:
    return [
        entry.changes["status"]
        for entry in AuditEntry.objects.filter(model="training.program", object_pk=str(program.pk), action="update")
        .order_by("id") if "status" in entry.changes
    ]


# --- The workflow: every allowed transition ---------------------------------------------------------

ACTOR = {"submit": "organizer", "approve": "approver", "return": "approver", "reopen": "organizer",
         "open_enrollment": "organizer", "start": "organizer", "close": "organizer", "archive": "organizer",
         "reopen_class": "organizer"}


def run(name: str, program: Program, by):
    if name == "submit":
        return services.program_submit(program=program, by=by)
    if name == "approve":
        return services.program_approve(program=program, by=by, comments="同意")
    if name == "return":
        return services.program_return(program=program, by=by, comments="请补充预算测算依据")
    if name == "reopen":
        return services.program_reopen(program=program, by=by, reason="第二期日期调整")
    if name == "reopen_class":
        return services.program_reopen_class(program=program, by=by, reason="补录签到表")
    if name == "close":
        make_current_pack(program)  # closing requires a current closing pack (tests/completion/test_closing.py)
    return getattr(services, f"program_{name}")(program=program, by=by)


ALLOWED = [(name, source) for name, (sources, _t, _p) in services.TRANSITIONS.items() for source in sources]
REFUSED = [
    (name, status) for name, (sources, _t, _p) in services.TRANSITIONS.items()
    for status in Status.values if status not in sources
    # The approver does not see a plan the organizer revises (it is not theirs until submitted again).
    and not (name in ("approve", "return") and status in ("draft", "returned"))
]


def test_the_transition_table_is_the_one_of_the_issue():
    assert {name: (set(sources), target) for name, (sources, target, _perm) in services.TRANSITIONS.items()} == {
        "submit": ({"draft", "returned"}, "submitted"),
        "approve": ({"submitted"}, "approved"),
        "return": ({"submitted"}, "returned"),
        "reopen": ({"approved", "enrollment_open"}, "draft"),
        "open_enrollment": ({"approved"}, "enrollment_open"),
        "start": ({"enrollment_open"}, "in_progress"),
        "close": ({"in_progress"}, "closed"),
        "archive": ({"closed"}, "archived"),
        "reopen_class": ({"closed"}, "in_progress"),
    }


@pytest.mark.parametrize(("name", "source"), ALLOWED)
def test_each_transition_in_its_allowed_status_changes_status_and_is_audited(name, source, organizer, approver):
    program = make_program(source)
    by = organizer if ACTOR[name] == "organizer" else approver
    run(name, program, by)
    target = services.TRANSITIONS[name][1]
    program.refresh_from_db()
    assert program.status == target
    assert status_entries(program) == [[source, target]]
    entry = AuditEntry.objects.filter(model="training.program", object_pk=str(program.pk)).latest("id")
    assert (entry.actor, entry.action) == (by, "update")


def test_the_whole_life_of_a_program(organizer, approver):
    program = services.program_create(
        by=organizer, title="2022年南阳市直机关新任党组织书记培训班", year=2022, organizer=OrganFactory(),
        venue=VenueFactory(), target_population="新任党组织书记", planned_participants=110, phase_count=2,
    )
    assert program.status == Status.DRAFT and program.hours_per_day == Decimal("7.5")
    services.phase_create(program=program, by=organizer, starts_on=DAY1, ends_on=DAY5)
    services.phase_create(program=program, by=organizer, starts_on=datetime.date(2022, 10, 17),
                          ends_on=datetime.date(2022, 10, 21))
    services.program_submit(program=program, by=organizer)
    first_submitted = program.submitted_at
    assert first_submitted is not None
    services.program_return(program=program, by=approver, comments="请补充预算")
    services.program_submit(program=program, by=organizer)
    assert Program.unscoped.get(pk=program.pk).submitted_at == first_submitted  # first submission is kept
    services.program_approve(program=program, by=approver, document_reference="宛文〔2022〕12号")
    services.program_open_enrollment(program=program, by=organizer)
    services.program_start(program=program, by=organizer)
    make_current_pack(program)
    services.program_close(program=program, by=organizer)
    services.program_archive(program=program, by=organizer)
    assert status_entries(program) == [
        ["draft", "submitted"], ["submitted", "returned"], ["returned", "submitted"], ["submitted", "approved"],
        ["approved", "enrollment_open"], ["enrollment_open", "in_progress"], ["in_progress", "closed"],
        ["closed", "archived"],
    ]
    assert Program.unscoped.get(pk=program.pk).status == Status.ARCHIVED


# --- Every refusal: from every status the transition is not allowed from --------------------------

@pytest.mark.parametrize(("name", "status"), REFUSED)
def test_each_transition_is_refused_from_every_other_status_with_a_clear_message(name, status, organizer, approver):
    program = make_program(status, submitted=True)
    by = organizer if ACTOR[name] == "organizer" else approver
    with pytest.raises(ValidationError) as error:
        run(name, program, by)
    label, verb = Status(status).label, services.TRANSITION_VERBS[name]()
    assert error.value.messages == [f"A program that is “{label}” cannot be {verb}."]
    program.refresh_from_db()
    assert program.status == status
    assert status_entries(program) == []
    assert not ProgramReview.objects.exists()


@pytest.mark.parametrize("status", [Status.DRAFT, Status.RETURNED])
def test_a_plan_being_revised_is_not_the_approvers_until_submitted_again(approver, status):
    program = make_program(status, submitted=True)  # returned or reopened: the approver has seen it before
    for decide in (services.program_approve, lambda **kw: services.program_return(comments="x", **kw)):
        with pytest.raises(PermissionDenied):
            decide(program=program, by=approver)
    program.refresh_from_db()
    assert program.status == status
    assert not ProgramReview.objects.exists()


def test_a_never_submitted_draft_is_not_the_approvers_business(approver):
    with pytest.raises(PermissionDenied):
        services.program_approve(program=make_program(Status.DRAFT), by=approver)


ROLES = ["organizer", "approver", "unit_admin", "college_staff", "instructor", "participant", "editor", "reviewer"]


@pytest.mark.parametrize(("name", "role"), [(n, r) for n in services.TRANSITIONS for r in ROLES if r != ACTOR[n]])
def test_wrong_role_is_denied_before_anything_else(name, role):
    """The role is checked first: a wrong role learns nothing about the status or the plan."""
    sources = services.TRANSITIONS[name][0]
    program = make_program(sources[0], submitted=True)
    user = UserFactory(roles=[role])
    if role == "college_staff":
        program.venue.staff.add(user)  # even the program's own college staff
    with pytest.raises(PermissionDenied):
        run(name, program, user)
    program.refresh_from_db()
    assert program.status == sources[0]
    assert status_entries(program) == []


def test_organizer_approving_and_approver_submitting_are_denied(organizer, approver):
    submitted = make_program(Status.SUBMITTED)
    with pytest.raises(PermissionDenied):
        services.program_approve(program=submitted, by=organizer)
    with pytest.raises(PermissionDenied):
        services.program_return(program=submitted, by=organizer, comments="x")
    draft = make_program(Status.DRAFT, submitted=True)
    with pytest.raises(PermissionDenied):
        services.program_submit(program=draft, by=approver)
    incomplete = ProgramFactory(venue=None, submitted_at=timezone.now())  # no phases, no venue
    with pytest.raises(PermissionDenied):  # not the plan's problems: the approver may not submit at all
        services.program_submit(program=incomplete, by=approver)
    with pytest.raises(PermissionDenied):
        services.program_reopen(program=make_program(Status.APPROVED), by=approver, reason="")


def test_allowed_transitions_follow_status_and_role(organizer, approver):
    approved = make_program(Status.APPROVED)
    assert services.allowed_transitions(program=approved, user=organizer) == ["reopen", "open_enrollment"]
    assert services.allowed_transitions(program=approved, user=approver) == []
    submitted = make_program(Status.SUBMITTED)
    assert services.allowed_transitions(program=submitted, user=approver) == ["approve", "return"]
    assert services.allowed_transitions(program=submitted, user=organizer) == []
    assert services.allowed_transitions(program=make_program(Status.DRAFT), user=organizer) == ["submit"]


# --- Submitting an incomplete plan; returning and reopening without saying why ---------------------

@pytest.mark.parametrize(("change", "message"), [
    ({"venue": None}, "Choose the venue."),
    ({"target_population": "  "}, "Describe the target participants."),
    ({"planned_participants": 0}, "Give the number of planned participants."),
    ({"phase_count": 2}, "The plan announces 2 phase(s) but 1 are set up."),
])
def test_an_incomplete_plan_cannot_be_submitted(change, message, organizer):
    program = make_program(Status.DRAFT)
    Program.unscoped.filter(pk=program.pk).update(**change)
    program.refresh_from_db()
    assert services.program_plan_problems(program=program) == [message]
    with pytest.raises(ValidationError) as error:
        services.program_submit(program=program, by=organizer)
    assert error.value.messages == [message]
    program.refresh_from_db()
    assert (program.status, program.submitted_at) == (Status.DRAFT, None)
    assert status_entries(program) == []


def test_all_problems_of_a_plan_are_listed_together(organizer):
    program = ProgramFactory(venue=None, target_population="", planned_participants=0, phase_count=1)
    with pytest.raises(ValidationError) as error:
        services.program_submit(program=program, by=organizer)
    assert len(error.value.messages) == 4


def test_a_complete_plan_has_no_problems():
    assert services.program_plan_problems(program=make_program()) == []


def test_the_status_is_checked_before_the_plan(organizer):
    program = make_program(Status.APPROVED)
    Program.unscoped.filter(pk=program.pk).update(phase_count=3)
    program.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        services.program_submit(program=program, by=organizer)
    assert error.value.messages == ["A program that is “Approved” cannot be submitted."]


@pytest.mark.parametrize("comments", ["", "   ", None])
def test_returning_needs_comments(comments, approver):
    program = make_program(Status.SUBMITTED)
    with pytest.raises(ValidationError) as error:
        services.program_return(program=program, by=approver, comments=comments)
    assert error.value.message_dict == {"comments": ["Say what must be revised."]}
    program.refresh_from_db()
    assert program.status == Status.SUBMITTED and not ProgramReview.objects.exists()


def test_returning_records_the_comments(approver):
    program = make_program(Status.SUBMITTED)
    review = services.program_return(program=program, by=approver, comments="请补充预算测算依据")
    assert (review.decision, review.decided_by, review.comments) == ("returned", approver, "请补充预算测算依据")
    entry = AuditEntry.objects.filter(model="training.program").latest("id")
    assert entry.changes == {"status": ["submitted", "returned"], "comments": "请补充预算测算依据"}


@pytest.mark.parametrize("reason", ["", "  "])
def test_reopening_needs_a_reason(reason, organizer):
    program = make_program(Status.APPROVED)
    with pytest.raises(ValidationError) as error:
        services.program_reopen(program=program, by=organizer, reason=reason)
    assert error.value.message_dict == {"reason": ["Say why the approved plan must change."]}
    program.refresh_from_db()
    assert program.status == Status.APPROVED


def test_reopening_records_the_reason_and_the_plan_becomes_editable(organizer):
    program = make_program(Status.ENROLLMENT_OPEN)
    services.program_reopen(program=program, by=organizer, reason="第二期日期调整")
    assert program.status == Status.DRAFT and program.plan_editable
    entry = AuditEntry.objects.filter(model="training.program").latest("id")
    assert entry.changes == {"status": ["enrollment_open", "draft"], "comments": "第二期日期调整"}
    services.program_update(program=program, by=organizer, title="改后的标题")
    assert Program.unscoped.get(pk=program.pk).title == "改后的标题"


# --- Approval records who, when, comments, document and number -----------------------------------

def test_approval_records_who_when_comments_document_and_number(approver, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    program = make_program(Status.SUBMITTED)
    document = SimpleUploadedFile("批复.pdf", b"%PDF-1.4 approval", content_type="application/pdf")
    moment = datetime.datetime(2022, 9, 20, 10, 30, tzinfo=datetime.UTC)
    with time_machine.travel(moment, tick=False):
        review = services.program_approve(program=program, by=approver, comments="同意举办",
                                          document=document, document_reference="宛文〔2022〕12号")
    review = ProgramReview.objects.get(pk=review.pk)
    assert review.program == program and review.decision == ProgramReview.Decision.APPROVED
    assert (review.decided_by, review.decided_by_name) == (approver, str(approver))
    assert review.decided_at == moment
    assert (review.comments, review.document_reference) == ("同意举办", "宛文〔2022〕12号")
    assert review.document.name.startswith("approvals/2022/") and review.document.name.endswith(".pdf")
    assert review.document.read() == b"%PDF-1.4 approval"
    assert Program.unscoped.get(pk=program.pk).status == Status.APPROVED


def test_an_invalid_approval_record_changes_nothing(approver):
    program = make_program(Status.SUBMITTED)
    with pytest.raises(ValidationError) as error:
        services.program_approve(program=program, by=approver, document_reference="号" * 101)
    assert "document_reference" in error.value.message_dict
    assert program.status == Status.SUBMITTED  # not even the object in hand
    program.refresh_from_db()
    assert program.status == Status.SUBMITTED
    assert status_entries(program) == [] and not ProgramReview.objects.exists()


def test_closing_finishes_every_phase(organizer):
    program = make_program(Status.IN_PROGRESS, phase_count=2)
    PhaseFactory(program=program, number=2, status=Phase.Status.IN_PROGRESS)
    make_current_pack(program)
    services.program_close(program=program, by=organizer)
    assert set(program.phases.values_list("status", flat=True)) == {Phase.Status.FINISHED}
    assert AuditEntry.objects.filter(model="training.phase", action="update").count() == 2


# --- Editing the plan ---------------------------------------------------------------------------

LOCKED = [Status.SUBMITTED, Status.APPROVED, Status.ENROLLMENT_OPEN, Status.IN_PROGRESS]


@pytest.mark.parametrize("status", LOCKED)
@pytest.mark.parametrize(("field", "value"), [
    ("title", "另一个标题"), ("planned_participants", 200), ("hours_per_day", Decimal("8")),
    ("year", 2023), ("legal_basis", "另一条"), ("budget_estimate", Decimal("1000")),
])
def test_a_plan_field_of_a_submitted_or_approved_plan_is_refused_on_its_field(status, field, value, organizer):
    program = make_program(status)
    before = getattr(program, field)
    with pytest.raises(ValidationError) as error:
        services.program_update(program=program, by=organizer, **{field: value})
    label = Status(status).label
    assert error.value.message_dict == {
        field: [f"The plan is {label}: reopen it and submit it again to change it."]}
    program.refresh_from_db()
    assert getattr(program, field) == before


def test_the_venue_of_an_approved_plan_is_refused(organizer):
    program = make_program(Status.APPROVED)
    with pytest.raises(ValidationError) as error:
        services.program_update(program=program, by=organizer, venue=VenueFactory())
    assert list(error.value.message_dict) == ["venue"]


def test_a_plan_field_already_set_on_the_instance_is_still_refused(organizer):
    """A bound ModelForm writes the new values into the instance before the service sees them."""
    program = make_program(Status.APPROVED)
    program.title = "表单里改的标题"
    with pytest.raises(ValidationError) as error:
        services.program_update(program=program, by=organizer, title="表单里改的标题")
    assert list(error.value.message_dict) == ["title"]
    assert Program.unscoped.get(pk=program.pk).title != "表单里改的标题"


@pytest.mark.parametrize("status", LOCKED)
def test_contacts_stay_editable_and_unchanged_plan_fields_pass(status, organizer):
    program = make_program(status)
    services.program_update(program=program, by=organizer, contact_name="李四", contact_phone="13812345678",
                            title=program.title)  # a form sends every field; the unchanged title is fine
    program.refresh_from_db()
    assert (program.contact_name, program.contact_phone) == ("李四", "13812345678")
    entry = AuditEntry.objects.filter(model="training.program", action="update").latest("id")
    assert set(entry.changes) == {"contact_name", "contact_phone"}


def test_a_textarea_posted_back_unchanged_is_no_change(organizer):
    program = make_program(Status.APPROVED)
    Program.unscoped.filter(pk=program.pk).update(purpose="第一，提高能力；\n第二，增强党性。")
    program.refresh_from_db()
    services.program_update(program=program, by=organizer, purpose="第一，提高能力；\r\n第二，增强党性。",
                            contact_name="李四")
    assert Program.unscoped.get(pk=program.pk).contact_name == "李四"


@pytest.mark.parametrize("status", [Status.DRAFT, Status.RETURNED])
def test_a_draft_or_returned_plan_is_editable(status, organizer):
    program = make_program(status)
    services.program_update(program=program, by=organizer, title="新标题", planned_participants=90)
    program.refresh_from_db()
    assert (program.title, program.planned_participants) == ("新标题", 90)


@pytest.mark.parametrize("status", [Status.CLOSED, Status.ARCHIVED])
def test_a_closed_program_cannot_be_changed_at_all(status, organizer):
    program = make_program(status)
    with pytest.raises(ValidationError, match=re.escape("A closed or archived program cannot be changed.")):
        services.program_update(program=program, by=organizer, contact_name="李四")


def test_the_status_cannot_be_set_by_editing(organizer):
    program = make_program(Status.DRAFT)
    services.program_update(program=program, by=organizer, status=Status.APPROVED, contact_name="王五")
    assert Program.unscoped.get(pk=program.pk).status == Status.DRAFT
    created = services.program_create(by=organizer, title="t", year=2022, organizer=OrganFactory(),
                                      status=Status.APPROVED)
    assert created.status == Status.DRAFT


def test_only_organizers_create_and_edit_programs(approver):
    with pytest.raises(PermissionDenied):
        services.program_create(by=approver, title="t", year=2022, organizer=OrganFactory())
    with pytest.raises(PermissionDenied):
        services.program_update(program=make_program(Status.SUBMITTED), by=approver, contact_name="x")


# --- Phases of an approved plan -------------------------------------------------------------------

@pytest.mark.parametrize("field", ["starts_on", "ends_on"])
def test_the_phase_dates_of_an_approved_plan_are_refused(field, organizer):
    program = make_program(Status.APPROVED)
    phase = program.phases.get()
    value = getattr(phase, field) + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        services.phase_update(phase=phase, by=organizer, **{field: value})
    assert error.value.message_dict == {
        field: ["The plan is Approved: reopen it and submit it again to change it."]}
    assert getattr(Phase.objects.get(pk=phase.pk), field) == value - datetime.timedelta(days=1)


def test_phase_dates_already_set_on_the_instance_are_still_refused(organizer):
    phase = make_program(Status.APPROVED).phases.get()
    phase.ends_on = datetime.date(2022, 10, 20)
    with pytest.raises(ValidationError):
        services.phase_update(phase=phase, by=organizer, ends_on=datetime.date(2022, 10, 20))
    assert Phase.objects.get(pk=phase.pk).ends_on == DAY5


def test_the_class_side_of_an_approved_phase_stays_editable(organizer):
    program = make_program(Status.APPROVED)
    phase = program.phases.get()
    staff = UserFactory(roles=["college_staff"])
    program.venue.staff.add(staff)
    teacher = UserFactory(roles=["college_staff"])
    program.venue.staff.add(teacher)  # a head teacher works for the college
    services.phase_update(phase=phase, by=staff, head_teacher=teacher, starts_on=phase.starts_on)
    assert Phase.objects.get(pk=phase.pk).head_teacher == teacher
    with pytest.raises(PermissionDenied):  # college staff never change the plan's dates
        services.phase_update(phase=phase, by=staff, ends_on=datetime.date(2022, 10, 15))


def test_phases_cannot_be_added_or_deleted_once_submitted(organizer):
    program = make_program(Status.SUBMITTED)
    with pytest.raises(ValidationError, match="reopen it and submit it again to change it"):
        services.phase_create(program=program, by=organizer, starts_on=DAY1, ends_on=DAY5)
    with pytest.raises(ValidationError, match="reopen it and submit it again to change it"):
        services.phase_delete(phase=program.phases.get(), by=organizer)
    assert program.phases.count() == 1


# --- Deleting a program -------------------------------------------------------------------------

@pytest.mark.parametrize("status", [s for s in Status.values if s != Status.DRAFT])
def test_a_submitted_program_cannot_be_deleted(status, organizer):
    program = make_program(status)
    with pytest.raises(ValidationError, match=re.escape("Only a draft that was never submitted can be deleted.")):
        services.program_delete(program=program, by=organizer)
    assert Program.unscoped.filter(pk=program.pk).exists()


def test_a_reopened_draft_cannot_be_deleted(organizer):
    program = make_program(Status.DRAFT, submitted=True)
    with pytest.raises(ValidationError):
        services.program_delete(program=program, by=organizer)


def test_a_fresh_draft_is_deleted_with_its_temporary_branches(organizer):
    program = make_program(Status.DRAFT)
    phase = program.phases.get()
    branch = services.temporary_branch_create(phase=phase, by=organizer)
    services.temporary_branch_appoint(phase=phase, person=PersonFactory(), role=Post.Role.SECRETARY, by=organizer)
    SessionFactory(phase=phase)
    services.program_delete(program=program, by=organizer)
    assert not Program.unscoped.filter(pk=program.pk).exists()
    assert not PartyOrganization.unscoped.filter(pk=branch.pk).exists() and not Post.unscoped.exists()
    assert not Session.unscoped.exists()
    assert AuditEntry.objects.filter(model="training.program", action="delete").count() == 1


def test_only_organizers_delete(approver):
    with pytest.raises(PermissionDenied):
        services.program_delete(program=make_program(Status.DRAFT), by=approver)


# --- Phases, groups, class committee, temporary branch -------------------------------------------

def test_phases_are_numbered_in_order_and_numbers_are_unique(organizer):
    program = ProgramFactory(phase_count=3)
    first = services.phase_create(program=program, by=organizer, starts_on=DAY1, ends_on=DAY5)
    second = services.phase_create(program=program, by=organizer, starts_on=DAY1, ends_on=DAY5)
    assert (first.number, second.number) == (1, 2)
    fifth = services.phase_create(program=program, by=organizer, number=5, starts_on=DAY1, ends_on=DAY5)
    assert services.phase_create(program=program, by=organizer, starts_on=DAY1, ends_on=DAY5).number == 6
    with pytest.raises(ValidationError) as error:
        services.phase_create(program=program, by=organizer, number=2, starts_on=DAY1, ends_on=DAY5)
    assert error.value.message_dict == {"number": ["This program already has a phase with this number."]}
    with pytest.raises(ValidationError) as error:
        services.phase_update(phase=fifth, by=organizer, number=1)
    assert error.value.message_dict == {"number": ["This program already has a phase with this number."]}
    assert Phase.objects.get(pk=fifth.pk).number == 5
    other = ProgramFactory()
    assert services.phase_create(program=other, by=organizer, starts_on=DAY1, ends_on=DAY5).number == 1


def test_a_phase_cannot_end_before_it_starts(organizer):
    with pytest.raises(ValidationError) as error:
        services.phase_create(program=ProgramFactory(), by=organizer, starts_on=DAY5, ends_on=DAY1)
    assert error.value.message_dict == {"ends_on": ["The last day cannot be before the first day."]}
    assert not Phase.objects.exists()


def test_groups_are_numbered_and_numbers_are_unique_in_a_phase(organizer):
    phase = PhaseFactory()
    leader, deputy = PersonFactory(), PersonFactory()
    first = services.group_create(phase=phase, by=organizer, leader=leader, deputy_leader=deputy)
    second = services.group_create(phase=phase, by=organizer, name="第二组")
    assert (first.number, second.number, str(second)) == (1, 2, "第二组")
    with pytest.raises(ValidationError) as error:
        services.group_create(phase=phase, by=organizer, number=1)
    assert error.value.message_dict == {"number": ["This phase already has a group with this number."]}
    with pytest.raises(ValidationError) as error:
        services.group_update(group=second, by=organizer, number=1)
    assert error.value.message_dict == {"number": ["This phase already has a group with this number."]}
    with pytest.raises(ValidationError) as error:
        services.group_update(group=first, by=organizer, deputy_leader=leader)
    assert error.value.message_dict == {"deputy_leader": ["The deputy leader must be another person."]}
    assert services.group_create(phase=PhaseFactory(), by=organizer).number == 1


def test_a_group_with_sessions_cannot_be_deleted(organizer):
    group = GroupFactory()
    SessionFactory(phase=group.phase, group=group, form="discussion")
    with pytest.raises(ValidationError, match="still has sessions"):
        services.group_delete(group=group, by=organizer)
    group.sessions.all().delete()
    services.group_delete(group=group, by=organizer)
    assert not Group.objects.filter(pk=group.pk).exists()


def test_the_temporary_branch_is_set_up_under_the_organizer_organ(organizer):
    program = make_program(Status.APPROVED)
    phase = program.phases.get()
    branch = services.temporary_branch_create(phase=phase, by=organizer)
    assert branch.organ == program.organizer and branch.parent is None
    assert branch.org_type == PartyOrganization.Type.TEMPORARY_BRANCH
    assert branch.founded_on == branch.term_started_on == phase.starts_on
    assert branch.name == f"{program.title} phase 1 temporary party branch"
    assert Phase.objects.get(pk=phase.pk).temporary_branch == branch
    with pytest.raises(ValidationError, match="already has a temporary party branch"):
        services.temporary_branch_create(phase=phase, by=organizer, name="另一个")


def test_appointing_in_the_branch_needs_the_branch(organizer):
    with pytest.raises(ValidationError, match=re.escape("Set up the temporary party branch first.")):
        services.temporary_branch_appoint(phase=PhaseFactory(), person=PersonFactory(), role="secretary",
                                          by=organizer)


def test_appointed_posts_end_with_the_phase_and_follow_its_dates(organizer):
    program = make_program(Status.DRAFT)
    phase = program.phases.get()
    services.temporary_branch_create(phase=phase, by=organizer, name="一期临时党支部")
    secretary = services.temporary_branch_appoint(phase=phase, person=PersonFactory(), role="secretary",
                                                  by=organizer)
    member = services.temporary_branch_appoint(phase=phase, person=PersonFactory(), role="committee_member",
                                               portfolio="publicity", by=organizer)
    monitor = services.class_committee_appoint(phase=phase, person=PersonFactory(), role="monitor", by=organizer)
    for post in (secretary, member):
        assert (post.started_on, post.ended_on, post.method) == (DAY1, DAY5, Post.Method.APPOINTED)
    assert (monitor.started_on, monitor.ended_on) == (DAY1, DAY5)

    new_start, new_end = datetime.date(2022, 10, 17), datetime.date(2022, 10, 21)
    services.phase_update(phase=phase, by=organizer, starts_on=new_start, ends_on=new_end)
    for post in Post.unscoped.all():
        assert (post.started_on, post.ended_on) == (new_start, new_end)
    assert ClassCommitteeMember.objects.values_list("started_on", "ended_on").get() == (new_start, new_end)
    branch = PartyOrganization.unscoped.get(pk=phase.temporary_branch_id)
    assert branch.founded_on == branch.term_started_on == new_start


def test_phase_dates_cannot_leave_sessions_behind(organizer):
    program = make_program(Status.DRAFT)
    phase = program.phases.get()
    services.class_committee_appoint(phase=phase, person=PersonFactory(), role="monitor", by=organizer)
    SessionFactory(phase=phase, starts_at=at(DAY5, "08:30"), ends_at=at(DAY5, "11:30"))
    with pytest.raises(ValidationError) as error:
        services.phase_update(phase=phase, by=organizer, ends_on=datetime.date(2022, 10, 13))
    assert error.value.message_dict == {
        "starts_on": ["1 session(s) would lie outside the new dates; move or delete them first."]}
    assert Phase.objects.get(pk=phase.pk).ends_on == DAY5
    assert ClassCommitteeMember.objects.get().ended_on == DAY5


def test_a_duplicate_class_committee_post_is_refused(organizer):
    phase = PhaseFactory()
    person = PersonFactory()
    services.class_committee_appoint(phase=phase, person=person, role="monitor", by=organizer)
    with pytest.raises(ValidationError):
        services.class_committee_appoint(phase=phase, person=person, role="monitor", by=organizer)
    services.class_committee_appoint(phase=phase, person=person, role="study", by=organizer)
    assert phase.committee_members.count() == 2


def test_the_temporary_branch_secretary_is_not_a_newly_appointed_secretary(organizer):
    organ = OrganFactory()
    program = make_program(Status.IN_PROGRESS, organizer=organ)
    phase = program.phases.get()
    services.temporary_branch_create(phase=phase, by=organizer)
    trainee = PersonFactory(organ=organ)
    services.temporary_branch_appoint(phase=phase, person=trainee, role="secretary", by=organizer)
    real = PersonFactory(organ=organ)
    PostFactory(person=real, party_organization=PartyOrganizationFactory(organ=organ),
                started_on=datetime.date(2022, 6, 1))
    since = datetime.date(2022, 1, 1)
    found = list(registry_selectors.people_list(user=organizer, newly_appointed_since=since))
    assert found == [real]
    # The post itself is in the registry, as an appointed post of the temporary branch.
    assert Post.unscoped.get(person=trainee).party_organization.org_type == "temporary_branch"


def test_removing_a_branch_post(organizer):
    phase = PhaseFactory()
    services.temporary_branch_create(phase=phase, by=organizer)
    post = services.temporary_branch_appoint(phase=phase, person=PersonFactory(), role="secretary", by=organizer)
    services.temporary_branch_remove_post(post=post, by=organizer)
    assert not Post.unscoped.filter(pk=post.pk).exists()
    registry_post = PostFactory()
    with pytest.raises(ValidationError, match="not in a temporary party branch"):
        services.temporary_branch_remove_post(post=registry_post, by=organizer)
    assert Post.unscoped.filter(pk=registry_post.pk).exists()


def test_college_staff_run_the_class_of_their_venue_only(organizer):
    program = make_program(Status.APPROVED)
    phase = program.phases.get()
    staff = UserFactory(roles=["college_staff"])
    program.venue.staff.add(staff)
    leader = PersonFactory()
    group = services.group_create(phase=phase, by=organizer, leader=leader)  # picked by the organizer
    services.group_update(group=group, by=staff, name="第一组")
    # College staff see no registry: they pick among the people already in the class.
    services.class_committee_appoint(phase=phase, person=leader, role="monitor", by=staff)
    services.temporary_branch_create(phase=phase, by=staff)
    stranger = UserFactory(roles=["college_staff"])
    VenueFactory().staff.add(stranger)
    for call in (
        lambda: services.group_create(phase=phase, by=stranger),
        lambda: services.group_update(group=group, by=stranger, name="x"),
        lambda: services.class_committee_appoint(phase=phase, person=PersonFactory(), role="study", by=stranger),
        lambda: services.session_create(phase=phase, by=stranger, starts_at=at(DAY1, "08:30"),
                                        ends_at=at(DAY1, "11:30"), form="lecture", title="x"),
    ):
        with pytest.raises(PermissionDenied):
            call()


# --- Sessions: each validation rule ------------------------------------------------------------

@pytest.fixture
def phase(db):
    """Phase 1 of an approved plan (the timetable is still editable), 2022-10-10 to 2022-10-14."""
    return make_program(Status.APPROVED).phases.get()


def add(phase, by, start="08:30", end="11:30", day=DAY1, **fields):
    fields.setdefault("form", "lecture")
    fields.setdefault("title", f"课程 {day} {start}")
    return services.session_create(phase=phase, by=by, starts_at=at(day, start), ends_at=at(day, end), **fields)


def test_a_session_is_created_with_the_programs_venue_and_audited(phase, organizer):
    session, warnings = add(phase, organizer, hours=Decimal("3"))
    assert warnings == []
    assert session.venue == phase.program.venue and session.hours == Decimal("3")
    entry = AuditEntry.objects.get(model="training.session", action="create")
    assert entry.changes["title"] == session.title and entry.changes["instructors"] == []


@pytest.mark.parametrize(("start", "end"), [("11:30", "08:30"), ("08:30", "08:30")])
def test_a_session_must_end_after_it_starts(start, end, phase, organizer):
    with pytest.raises(ValidationError) as error:
        add(phase, organizer, start, end)
    assert error.value.message_dict == {"ends_at": ["A session must end after it starts."]}
    assert not Session.unscoped.exists()


@pytest.mark.parametrize(("starts_at", "ends_at"), [
    (at(datetime.date(2022, 10, 9), "08:30"), at(datetime.date(2022, 10, 9), "11:30")),  # before the first day
    (at(datetime.date(2022, 10, 9), "23:00"), at(DAY1, "01:00")),  # from the day before, across midnight
    (at(datetime.date(2022, 10, 15), "08:30"), at(datetime.date(2022, 10, 15), "11:30")),  # after the last day
    (at(DAY5, "22:00"), at(datetime.date(2022, 10, 15), "01:00")),  # across midnight after the last day
])
def test_a_session_must_lie_within_the_phase(starts_at, ends_at, phase, organizer):
    with pytest.raises(ValidationError) as error:
        services.session_create(phase=phase, by=organizer, starts_at=starts_at, ends_at=ends_at, form="lecture",
                                title="夜课")
    assert error.value.message_dict == {
        "starts_at": ["The session must lie within the phase (2022-10-10 to 2022-10-14)."]}


def test_a_session_across_midnight_inside_the_phase_is_fine(phase, organizer):
    session, _warnings = services.session_create(phase=phase, by=organizer, starts_at=at(DAY1, "22:00"),
                                                 ends_at=at(DAY2, "00:30"), form="experiential", title="夜行军")
    assert session.pk


def test_whole_class_sessions_do_not_overlap(phase, organizer):
    add(phase, organizer, "08:30", "11:30", title="大别山精神")
    with pytest.raises(ValidationError) as error:
        add(phase, organizer, "11:00", "12:00")
    assert error.value.message_dict == {
        "starts_at": ["This time overlaps “大别山精神” (08:30–11:30) in the same class."]}
    add(phase, organizer, "11:30", "12:00")  # touching is not overlapping
    assert phase.sessions.count() == 2


def test_group_sessions_clash_with_whole_class_sessions_and_within_their_group(phase, organizer):
    group1, group2 = GroupFactory(phase=phase, number=1), GroupFactory(phase=phase, number=2)
    add(phase, organizer, "08:30", "11:30", title="全班讲座")
    with pytest.raises(ValidationError) as error:  # a group session during a whole-class session
        add(phase, organizer, "10:00", "12:00", group=group1, form="discussion")
    assert error.value.message_dict["starts_at"] == ["This time overlaps “全班讲座” (08:30–11:30) in the same class."]

    add(phase, organizer, "14:30", "17:30", group=group1, form="discussion", title="一组研讨")
    with pytest.raises(ValidationError) as error:  # the same group twice
        add(phase, organizer, "16:00", "18:00", group=group1, form="discussion")
    assert error.value.message_dict["starts_at"] == ["This time overlaps “一组研讨” (14:30–17:30) in the same group."]

    add(phase, organizer, "14:30", "17:30", group=group2, form="discussion", title="二组研讨")  # in parallel: fine

    with pytest.raises(ValidationError) as error:  # a whole-class session during group sessions
        add(phase, organizer, "17:00", "18:00", title="全班交流")
    assert "starts_at" in error.value.message_dict
    assert phase.sessions.count() == 3


def test_sessions_of_other_phases_do_not_clash(phase, organizer):
    other = PhaseFactory(program=phase.program, number=2)
    add(phase, organizer, "08:30", "11:30")
    add(other, organizer, "08:30", "11:30")
    assert Session.unscoped.count() == 2


def test_an_instructor_is_not_double_booked_across_phases_and_programs(phase, organizer):
    teacher = InstructorFactory(name="王教授")
    add(phase, organizer, "08:30", "11:30", title="党章解读", instructors=[teacher])
    same_program = PhaseFactory(program=phase.program, number=2)
    other_program = make_program(Status.APPROVED, title="另一个培训班").phases.get()
    for other in (same_program, other_program):
        with pytest.raises(ValidationError) as error:
            add(other, organizer, "10:00", "12:00", instructors=[InstructorFactory(), teacher])
        assert error.value.message_dict == {"instructors": [
            f"王教授 already teaches “党章解读” at this time ({phase.program.title}, phase 1)."]}
    right_after, _ = add(other_program, organizer, "11:30", "12:00", instructors=[teacher])  # fine
    someone_else, _ = add(other_program, organizer, "08:30", "11:30", instructors=[InstructorFactory()])  # fine
    assert set(other_program.sessions.all()) == {right_after, someone_else}


def test_an_instructor_cannot_teach_two_groups_at_once(phase, organizer):
    teacher = InstructorFactory()
    group1, group2 = GroupFactory(phase=phase, number=1), GroupFactory(phase=phase, number=2)
    add(phase, organizer, group=group1, form="discussion", instructors=[teacher])
    with pytest.raises(ValidationError) as error:
        add(phase, organizer, group=group2, form="discussion", instructors=[teacher])
    assert list(error.value.message_dict) == ["instructors"]


def test_a_classroom_is_not_double_booked(phase, organizer):
    room = ClassroomFactory(venue=phase.program.venue, name="第一报告厅")
    add(phase, organizer, classroom=room, title="讲座甲")
    other = make_program(Status.APPROVED, venue=phase.program.venue).phases.get()
    with pytest.raises(ValidationError) as error:
        add(other, organizer, "10:00", "11:00", classroom=room)
    assert error.value.message_dict == {"classroom": ["The classroom is booked for “讲座甲” at this time."]}
    elsewhere, _ = add(other, organizer, "10:00", "11:00", classroom=ClassroomFactory(venue=phase.program.venue))
    assert list(other.sessions.all()) == [elsewhere]


def test_a_group_of_another_phase_is_refused(phase, organizer):
    stranger = GroupFactory(phase=PhaseFactory(program=phase.program, number=2))
    with pytest.raises(ValidationError) as error:
        add(phase, organizer, group=stranger, form="discussion")
    assert error.value.message_dict == {"group": ["This group belongs to another phase."]}


def test_a_classroom_not_at_the_venue_is_refused(phase, organizer):
    elsewhere = ClassroomFactory()  # at another venue
    with pytest.raises(ValidationError) as error:
        add(phase, organizer, venue=phase.program.venue, classroom=elsewhere)
    assert error.value.message_dict == {"classroom": ["This classroom is not at the session's venue."]}


def test_a_classroom_without_a_venue_gives_the_venue(phase, organizer):
    department = VenueFactory(kind="department", parent=phase.program.venue)
    room = ClassroomFactory(venue=department, name="研讨室A")
    session, _ = add(phase, organizer, classroom=room)
    assert (session.venue, session.classroom) == (department, room)


@pytest.mark.parametrize("status", [Status.CLOSED, Status.ARCHIVED])
def test_the_timetable_of_a_closed_program_cannot_be_changed(status, organizer):
    program = make_program(Status.IN_PROGRESS)
    phase = program.phases.get()
    session, _ = add(phase, organizer)
    Program.unscoped.filter(pk=program.pk).update(status=status)
    program.refresh_from_db()
    phase = Phase.objects.select_related("program").get(pk=phase.pk)
    session = Session.unscoped.select_related("phase__program").get(pk=session.pk)
    message = f"The timetable of a program that is “{Status(status).label}” cannot be changed."
    for call in (
        lambda: add(phase, organizer, "14:30", "17:30"),
        lambda: services.session_update(session=session, by=organizer, title="改"),
        lambda: services.session_move(session=session, by=organizer, starts_at=at(DAY2, "08:30")),
        lambda: services.session_delete(session=session, by=organizer),
        lambda: services.phase_timetable_copy(source=phase, target=PhaseFactory(program=program, number=2),
                                              by=organizer),
    ):
        with pytest.raises(ValidationError) as error:
            call()
        assert error.value.messages == [message]
    assert Session.unscoped.get().title == session.title


def test_the_timetable_stays_editable_after_approval(organizer):
    for status in (Status.SUBMITTED, Status.APPROVED, Status.ENROLLMENT_OPEN, Status.IN_PROGRESS):
        phase = make_program(status).phases.get()
        session, _ = add(phase, organizer)
        services.session_update(session=session, by=organizer, title="改后")
        assert Session.unscoped.get(pk=session.pk).title == "改后", status


def test_session_update_validates_and_audits_the_change(phase, organizer):
    teacher, other_teacher = InstructorFactory(), InstructorFactory()
    first, _ = add(phase, organizer, "08:30", "11:30", instructors=[teacher])
    second, _ = add(phase, organizer, "14:30", "17:30")
    with pytest.raises(ValidationError):
        services.session_update(session=second, by=organizer, starts_at=at(DAY1, "10:00"))
    assert Session.unscoped.get(pk=second.pk).starts_at == at(DAY1, "14:30")
    services.session_update(session=first, by=organizer, title="新题目", instructors=[other_teacher])
    assert list(Session.unscoped.get(pk=first.pk).instructors.all()) == [other_teacher]
    entry = AuditEntry.objects.filter(model="training.session", action="update").latest("id")
    assert entry.changes["title"][1] == "新题目"
    assert entry.changes["instructors"] == [[teacher.pk], [other_teacher.pk]]


def test_session_move_keeps_the_length(phase, organizer):
    session, _ = add(phase, organizer, "08:30", "11:30")
    moved, warnings = services.session_move(session=session, by=organizer, starts_at=at(DAY3, "14:00"))
    moved = Session.unscoped.get(pk=session.pk)
    assert (moved.starts_at, moved.ends_at) == (at(DAY3, "14:00"), at(DAY3, "17:00"))
    assert warnings == []
    add(phase, organizer, "08:30", "09:30", day=DAY2)
    with pytest.raises(ValidationError):  # onto another session: refused, nothing moves
        services.session_move(session=moved, by=organizer, starts_at=at(DAY2, "08:00"))
    assert Session.unscoped.get(pk=session.pk).starts_at == at(DAY3, "14:00")
    with pytest.raises(ValidationError):  # off the phase's last day
        services.session_move(session=moved, by=organizer, starts_at=at(DAY5, "22:30"))


def test_session_delete_is_audited(phase, organizer):
    session, _ = add(phase, organizer)
    services.session_delete(session=session, by=organizer)
    assert not Session.unscoped.exists()
    assert AuditEntry.objects.filter(model="training.session", action="delete").count() == 1


def test_a_session_from_a_catalog_course_takes_its_defaults(phase, organizer):
    sites = [SiteFactory(), SiteFactory()]
    teachers = [InstructorFactory(), InstructorFactory()]
    course = CourseFactory(form="onsite_teaching", title_zh="现场教学：烈士陵园", title_en="On-site: cemetery",
                           default_hours=Decimal("3.5"))
    course.sites.set(sites)
    course.instructors.set(teachers)
    session, _ = services.session_create(phase=phase, by=organizer, course=course, starts_at=at(DAY2, "08:30"),
                                         ends_at=at(DAY2, "12:00"))
    session = Session.unscoped.get(pk=session.pk)
    assert (session.form, session.title, session.title_en, session.hours) == (
        "onsite_teaching", "现场教学：烈士陵园", "On-site: cemetery", Decimal("3.5"))
    assert [stop.site for stop in session.stops.order_by("order")] == sites
    assert set(session.instructors.all()) == set(teachers)
    assert session.venue is None  # held at the sites, not at the college


def test_given_values_win_over_the_courses(phase, organizer):
    course = CourseFactory(form="lecture", default_hours=Decimal("2.5"))
    course.instructors.set([InstructorFactory()])
    mine = InstructorFactory()
    session, _ = services.session_create(phase=phase, by=organizer, course=course, starts_at=at(DAY2, "08:30"),
                                         ends_at=at(DAY2, "11:30"), title="自定题目", hours=Decimal("3"),
                                         form="case_teaching", instructors=[mine])
    assert (session.title, session.hours, session.form) == ("自定题目", Decimal("3"), "case_teaching")
    assert list(session.instructors.all()) == [mine]
    # Empty values from a form mean "take the course's".
    session, _ = services.session_create(phase=phase, by=organizer, course=course, starts_at=at(DAY3, "08:30"),
                                         ends_at=at(DAY3, "11:30"), title="", form="", hours=None)
    assert (session.title, session.form, session.hours) == (course.title_zh, "lecture", Decimal("2.5"))


# --- Travel-time warnings ----------------------------------------------------------------------

@pytest.fixture
def trip(phase):
    """The college and a red site 60 minutes apart (recorded from the site to the college)."""
    site = SiteFactory(name_zh="许世友将军故里", name_en="")
    TravelTime.objects.create(from_site=site, to_venue=phase.program.venue, minutes=60)
    return phase, site


def test_a_short_gap_before_a_session_elsewhere_warns(trip, organizer):
    phase, site = trip
    add(phase, organizer, "08:30", "11:30", title="讲座")  # at the college
    session, warnings = add(phase, organizer, "12:00", "14:00", form="onsite_teaching", title="现场教学",
                            sites=[site])
    college = phase.program.venue
    assert warnings == [f"Only 30 minutes between “讲座” and “现场教学”, but the trip from {college} to "
                        "许世友将军故里 takes 60 minutes."]
    assert Session.unscoped.filter(pk=session.pk).exists()  # a warning, not a refusal


def test_a_short_gap_after_a_session_elsewhere_warns(trip, organizer):
    phase, site = trip
    add(phase, organizer, "12:00", "14:00", form="onsite_teaching", title="现场教学", sites=[site])
    _session, warnings = add(phase, organizer, "08:30", "11:30", title="讲座")
    college = phase.program.venue
    assert warnings == [f"Only 30 minutes between “讲座” and “现场教学”, but the trip from {college} to "
                        "许世友将军故里 takes 60 minutes."]


def test_the_trip_back_warns_too(trip, organizer):
    phase, site = trip
    add(phase, organizer, "08:00", "11:30", form="onsite_teaching", title="现场教学", sites=[site])
    _session, warnings = add(phase, organizer, "12:00", "13:00", title="讲座")
    assert len(warnings) == 1 and "from 许世友将军故里 to" in warnings[0]


def test_both_neighbours_can_warn(trip, organizer):
    phase, site = trip
    add(phase, organizer, "08:30", "10:00", title="上午讲座")
    add(phase, organizer, "14:30", "16:00", title="下午讲座")
    _session, warnings = add(phase, organizer, "10:30", "14:00", form="site_visit", sites=[site])
    assert len(warnings) == 2


@pytest.mark.parametrize("gap_start", ["12:30", "13:00"])
def test_no_warning_when_the_gap_is_long_enough(gap_start, trip, organizer):
    phase, site = trip
    add(phase, organizer, "08:30", "11:30")
    _session, warnings = add(phase, organizer, gap_start, "15:00", form="onsite_teaching", sites=[site])
    assert warnings == []


def test_no_warning_without_a_recorded_travel_time(phase, organizer):
    add(phase, organizer, "08:30", "11:30")
    _session, warnings = add(phase, organizer, "11:35", "14:00", form="onsite_teaching", sites=[SiteFactory()])
    assert warnings == []


def test_no_warning_at_the_same_place(trip, organizer):
    phase, site = trip
    add(phase, organizer, "08:30", "11:30")
    assert add(phase, organizer, "11:30", "12:00")[1] == []  # both at the college
    add(phase, organizer, "14:00", "15:00", form="onsite_teaching", sites=[site])
    assert add(phase, organizer, "15:00", "16:00", form="onsite_teaching", sites=[site])[1] == []


def test_no_warning_across_days_or_for_other_groups(trip, organizer):
    phase, site = trip
    group1, group2 = GroupFactory(phase=phase, number=1), GroupFactory(phase=phase, number=2)
    add(phase, organizer, "19:30", "21:00", day=DAY1)
    assert add(phase, organizer, "07:30", "09:00", day=DAY2, form="onsite_teaching", sites=[site])[1] == []
    add(phase, organizer, "14:00", "15:00", day=DAY3, group=group1, form="discussion")
    assert add(phase, organizer, "15:10", "16:00", day=DAY3, group=group2, form="site_visit", sites=[site])[1] == []
    assert add(phase, organizer, "15:10", "16:00", day=DAY3, group=group1, form="site_visit", sites=[site])[1] != []


# --- Copying a phase's timetable ---------------------------------------------------------------

@pytest.fixture
def two_phases(organizer):
    program = make_program(Status.APPROVED, phase_count=2)
    first = program.phases.get()
    second = PhaseFactory(program=program, number=2, starts_on=datetime.date(2022, 10, 17),
                          ends_on=datetime.date(2022, 10, 21))
    return first, second


def test_copying_shifts_dates_maps_groups_and_keeps_people_and_places(two_phases, organizer):
    first, second = two_phases
    for number in (1, 2):
        GroupFactory(phase=first, number=number)
        GroupFactory(phase=second, number=number)
    teacher, site = InstructorFactory(), SiteFactory()
    course = CourseFactory()
    course.instructors.set([InstructorFactory()])
    add(first, organizer, "08:30", "11:30", title="讲座", instructors=[teacher], course=course)
    add(first, organizer, "14:30", "17:30", day=DAY2, form="onsite_teaching", title="现场", sites=[site])
    for group in first.groups.all():
        add(first, organizer, "19:30", "21:00", day=DAY3, form="discussion", group=group, title=f"研讨{group.number}")
    add(first, organizer, "08:30", "09:00", day=DAY3, title="无教师的课", course=course)
    Session.unscoped.filter(title="无教师的课").get().instructors.clear()

    copied, warnings = services.phase_timetable_copy(source=first, target=second, by=organizer)

    assert copied == 5 and warnings == []
    copies = {s.title: s for s in second.sessions.select_related("group").prefetch_related("instructors")}
    assert (copies["讲座"].starts_at, copies["讲座"].ends_at) == (at(datetime.date(2022, 10, 17), "08:30"),
                                                                  at(datetime.date(2022, 10, 17), "11:30"))
    assert list(copies["讲座"].instructors.all()) == [teacher] and copies["讲座"].course == course
    assert [stop.site for stop in copies["现场"].stops.all()] == [site]
    assert copies["现场"].starts_at == at(datetime.date(2022, 10, 18), "14:30")
    for number in (1, 2):
        assert copies[f"研讨{number}"].group == second.groups.get(number=number)
    assert list(copies["无教师的课"].instructors.all()) == []  # a copy, not the course's defaults
    assert first.sessions.count() == 5


def test_copying_onto_sessions_needs_replace(two_phases, organizer):
    first, second = two_phases
    add(first, organizer, "08:30", "11:30", title="源课程")
    add(second, organizer, "08:30", "11:30", day=datetime.date(2022, 10, 18), title="旧课程")
    with pytest.raises(ValidationError) as error:
        services.phase_timetable_copy(source=first, target=second, by=organizer)
    assert error.value.messages == ["Phase 2 already has sessions; tick “replace” to overwrite them."]
    assert list(second.sessions.values_list("title", flat=True)) == ["旧课程"]
    assert services.phase_timetable_copy(source=first, target=second, by=organizer, replace=True) == (1, [])
    assert list(second.sessions.values_list("title", flat=True)) == ["源课程"]


def test_copying_is_all_or_nothing(organizer):
    program = make_program(Status.APPROVED, phase_count=2)
    first = program.phases.get()
    short = PhaseFactory(program=program, number=2, starts_on=datetime.date(2022, 10, 17),
                         ends_on=datetime.date(2022, 10, 19))
    kept, _ = add(short, organizer, "08:30", "09:00", day=datetime.date(2022, 10, 17), title="保留")
    add(first, organizer, "08:30", "11:30", title="第一天")
    add(first, organizer, "08:30", "11:30", day=DAY5, title="第五天")
    entries = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as error:
        services.phase_timetable_copy(source=first, target=short, by=organizer, replace=True)
    assert error.value.messages[0].startswith("“第五天” on 2022-10-21 cannot be copied: The session must lie")
    assert list(short.sessions.all()) == [kept]
    assert AuditEntry.objects.count() == entries


def test_copying_needs_the_groups_by_number(two_phases, organizer):
    first, second = two_phases
    add(first, organizer, form="discussion", group=GroupFactory(phase=first, number=3), title="三组研讨")
    with pytest.raises(ValidationError, match=re.escape("Phase 2 has no group 3 for “三组研讨”.")):
        services.phase_timetable_copy(source=first, target=second, by=organizer)
    assert not second.sessions.exists()


def test_copying_onto_itself_is_refused(two_phases, organizer):
    first, _second = two_phases
    with pytest.raises(ValidationError, match="Choose another phase"):
        services.phase_timetable_copy(source=first, target=first, by=organizer, replace=True)


def test_copying_from_a_program_one_cannot_see_is_denied(organizer):
    program = make_program(Status.APPROVED)
    staff = UserFactory(roles=["college_staff"])
    program.venue.staff.add(staff)
    foreign = make_program(Status.APPROVED).phases.get()  # at another college
    SessionFactory(phase=foreign)
    with pytest.raises(PermissionDenied):
        services.phase_timetable_copy(source=foreign, target=program.phases.get(), by=staff)
    assert not program.phases.get().sessions.exists()


@pytest.mark.parametrize(("start", "end", "hours"), [
    ("08:30", "11:30", "3.0"), ("14:30", "15:20", "1.0"), ("15:30", "18:00", "2.5"), ("08:00", "09:15", "1.5"),
    ("08:00", "08:10", "0.0"),
])
def test_session_hours_default_rounds_to_half_hours(start, end, hours):
    assert services.session_hours_default(starts_at=at(DAY1, start), ends_at=at(DAY1, end)) == Decimal(hours)


# --- The library ------------------------------------------------------------------------------

def test_only_organizers_keep_the_library(organizer):
    staff = UserFactory(roles=["college_staff"])
    with pytest.raises(PermissionDenied):
        services.library_create(model=Site, by=staff, code="x", name_zh="某基地")
    site = services.library_create(model=Site, by=organizer, code="xinxian-museum", name_zh="鄂豫皖苏区首府革命博物馆")
    assert AuditEntry.objects.filter(model="training.site", action="create", object_pk=str(site.pk)).exists()
    with pytest.raises(PermissionDenied):
        services.library_delete(instance=site, by=staff)


def test_library_many_to_many_changes_are_audited(organizer):
    course = CourseFactory()
    teacher = InstructorFactory()
    services.library_update(instance=course, by=organizer, m2m={"instructors": [teacher]}, default_hours=3)
    assert list(course.instructors.all()) == [teacher]
    changes = [e.changes for e in AuditEntry.objects.filter(model="training.course", action="update")]
    assert {"instructors": [[], [teacher.pk]]} in changes
    assert any("default_hours" in c for c in changes)


def test_a_library_record_in_use_cannot_be_deleted(organizer):
    venue = VenueFactory(name_zh="河南大别山干部学院")
    ProgramFactory(venue=venue)
    with pytest.raises(ValidationError) as error:
        services.library_delete(instance=venue, by=organizer)
    assert error.value.messages == [
        f"{venue} cannot be deleted while other records refer to it (1)."]
    assert Venue.objects.filter(pk=venue.pk).exists()
    assert not AuditEntry.objects.filter(model="training.venue", action="delete").exists()
    unused = VenueFactory()
    services.library_delete(instance=unused, by=organizer)
    assert not Venue.objects.filter(pk=unused.pk).exists()
