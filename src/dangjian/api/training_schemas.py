"""Schemas of the training API (programs, phases, groups, class committee, temporary branch, sessions).

Input schemas refuse unknown fields; foreign keys come in as `<name>_id`, many-to-many fields as lists
of ids. The `*Patch` forms change only the fields sent. Outputs give times in Asia/Shanghai.
"""

import datetime
from decimal import Decimal
from typing import Annotated, Literal

from django.urls import reverse
from ninja import Field, Schema

from dangjian.api.inputs import Filters, Input
from dangjian.api.registry import Id, OrganRef, PostOut, Text, choice_type
from dangjian.api.training_library import Hours, LocalDateTime, Ref, VenueRef, partial
from dangjian.organizations.models import Post
from dangjian.training.models import ClassCommitteeMember, FormCategory, Phase, Program, ProgramReview, TeachingForm
from dangjian.training.services import TRANSITIONS

# The names of the program's workflow transitions (POST /programs/{id}/<name>, with - for _).
Transition = Literal[tuple(TRANSITIONS)]  # type: ignore[valid-type]


class PhaseOut(Schema):
    id: int
    program_id: int
    number: int
    starts_on: datetime.date
    ends_on: datetime.date
    day_count: int
    capacity: int
    head_teacher: Ref | None
    classroom: Ref | None
    status: choice_type(Phase.Status)
    temporary_branch: Ref | None
    session_total: int
    group_total: int

    @staticmethod
    def resolve_head_teacher(obj):
        user = obj.head_teacher
        return None if user is None else {"id": user.pk, "name": str(user)}

    @staticmethod
    def resolve_classroom(obj):
        room = obj.classroom
        return None if room is None else {"id": room.pk, "name": room.name}

    @staticmethod
    def resolve_temporary_branch(obj):
        branch = obj.temporary_branch
        return None if branch is None else {"id": branch.pk, "name": branch.name}

    @staticmethod
    def resolve_session_total(obj) -> int:
        total = getattr(obj, "session_total", None)
        return obj.sessions.count() if total is None else total

    @staticmethod
    def resolve_group_total(obj) -> int:
        total = getattr(obj, "group_total", None)
        return obj.groups.count() if total is None else total


class ReviewOut(Schema):
    id: int
    decision: choice_type(ProgramReview.Decision)
    decided_by_id: int | None
    decided_by_name: str
    decided_at: LocalDateTime
    comments: str
    document_reference: str
    document: str | None = Field(..., description="Where to download the approval document, if one is attached.")

    @staticmethod
    def resolve_document(obj) -> str | None:
        if not obj.document:
            return None
        return reverse("api-v1:program_review_document", args=[obj.program_id, obj.pk])


class ProgramOut(Schema):
    id: int
    title: str
    year: int
    organizer: OrganRef
    legal_basis: str
    purpose: str
    target_population: str
    requirement: choice_type(Program.Requirement, blank=True)
    content: str
    venue: VenueRef | None
    planned_participants: int
    phase_count: int = Field(..., description="Phases the plan announces.")
    phase_total: int = Field(..., description="Phases set up.")
    hours_per_day: float
    cost_per_person_day: float
    budget_estimate: float | None
    contact_name: str
    contact_phone: str
    status: choice_type(Program.Status)
    submitted_at: LocalDateTime | None

    @staticmethod
    def resolve_phase_total(obj) -> int:
        total = getattr(obj, "phase_total", None)
        return obj.phases.count() if total is None else total


class ProgramDetail(ProgramOut):
    allowed_transitions: list[Transition] = Field(..., description="Transitions the caller may apply now.")
    reviews: list[ReviewOut] = Field(..., description="The approver's decisions, latest first.")
    phases: list[PhaseOut]
    approval_warnings: list[str] = Field(..., description="For a caller who may approve the plan now: what to look "
                                                          "at first (a timetable far below the hours its days "
                                                          "credit, no theory teaching). Empty otherwise.")

    # Set by _detail(); a handler that forgets it fails loudly rather than showing stale data.
    @staticmethod
    def resolve_allowed_transitions(obj) -> list[str]:
        return obj.api_transitions

    @staticmethod
    def resolve_reviews(obj):
        return obj.api_reviews

    @staticmethod
    def resolve_phases(obj):
        return obj.api_phases

    @staticmethod
    def resolve_approval_warnings(obj) -> list[str]:
        return obj.api_approval_warnings


class ProgramCopyIn(Input):
    year: int = Field(..., ge=2000, le=2100, description="The year of the copy.")
    first_day: datetime.date | None = Field(
        None, description="First day of the first phase; empty: the phases move by the whole weeks nearest to "
                          "the years between, on the same weekdays.")
    title: Text = Field("", description="Empty: the title with its year replaced.")


class ProgramCopyOut(ProgramDetail):
    warnings: list[str] = Field(..., description="Instructors or rooms left out because they are booked at the "
                                                 "new time; a head teacher no longer at the college.")

    @staticmethod
    def resolve_warnings(obj) -> list[str]:
        return obj.api_warnings


class ProgramIn(Input):
    title: Text
    year: int = Field(..., ge=2000, le=2100)
    organizer_id: Id = Field(..., description="Id of the organizing organ.")
    legal_basis: Text = Field("", description="Regulation and article.")
    purpose: Text = ""
    target_population: Text = ""
    requirement: choice_type(Program.Requirement, blank=True) = Field("", description="Training duty it satisfies.")
    content: Text = ""
    venue_id: Id | None = None
    planned_participants: int = Field(0, ge=0, le=100000)
    phase_count: int = Field(1, ge=1, le=50)
    hours_per_day: Annotated[Decimal, Field(ge=Decimal("0.5"), le=12, max_digits=3, decimal_places=1)] | None = Field(
        None, description="Hours credited per day; empty for the rule (7.5).")
    cost_per_person_day: Annotated[Decimal, Field(ge=0, max_digits=8, decimal_places=2)] = Field(
        Decimal("0"), description="Yuan per person and day.")
    budget_estimate: Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2)] | None = Field(
        None, description="Yuan; empty for participants × days × cost standard.")
    contact_name: Text = ""
    contact_phone: Text = ""


ProgramPatch = partial(ProgramIn, "ProgramPatch")


class ProgramFilters(Filters):
    status: choice_type(Program.Status) | None = None
    year: int | None = Field(None, ge=2000, le=2100)
    q: Text = Field("", description="Part of the title.")


class ApprovalIn(Input):
    comments: Text = ""
    document_reference: Text = Field("", description="Number of the approval document.")


class ReturnIn(Input):
    comments: Text = Field(..., description="What must be revised.")


class ReopenIn(Input):
    reason: Text = Field(..., description="Why the approved plan must change.")


class ReopenClassIn(Input):
    reason: Text = Field(..., description="Why the closed class must be reopened (the hours credited are taken back).")


class FormHours(Schema):
    code: str
    label: str
    hours: float
    category: str


class CategoryHours(Schema):
    code: str
    label: str
    hours: float
    share: float | None = Field(..., description="Percent of the teaching hours (theory, practice, exchange); "
                                                 "none for ceremonies, assessment and travel.")


class PhaseHours(Schema):
    phase_id: int
    number: int
    hours: float
    days: int
    hours_by_days: float = Field(..., description="Days × hours credited per day.")


class FormMixOut(Schema):
    total_hours: float
    forms: list[FormHours]
    categories: list[CategoryHours]
    theory_share: float
    practice_share: float
    phases: list[PhaseHours]


class PhaseIn(Input):
    number: int | None = Field(None, ge=1, le=32767, description="Empty for the next number.")
    starts_on: datetime.date = Field(..., description="First day.")
    ends_on: datetime.date = Field(..., description="Last day.")
    capacity: int = Field(0, ge=0, le=10000)
    head_teacher_id: Id | None = Field(None, description="A user holding the college staff or organizer role.")
    classroom_id: Id | None = None
    status: choice_type(Phase.Status) = Phase.Status.PLANNED.value


class PhaseCreateIn(PhaseIn):
    program_id: Id


PhasePatch = partial(PhaseIn, "PhasePatch")


class PhaseFilters(Filters):
    program: Id | None = Field(None, description="Program id.")


class GroupOut(Schema):
    id: int
    phase_id: int
    number: int
    name: str
    name_en: str
    label: str
    leader: Ref | None
    deputy_leader: Ref | None

    @staticmethod
    def resolve_label(obj) -> str:
        return str(obj)

    @staticmethod
    def resolve_leader(obj):
        return None if obj.leader is None else {"id": obj.leader.pk, "name": obj.leader.name}

    @staticmethod
    def resolve_deputy_leader(obj):
        person = obj.deputy_leader
        return None if person is None else {"id": person.pk, "name": person.name}


class GroupIn(Input):
    number: int | None = Field(None, ge=1, le=32767, description="Empty for the next number.")
    name: Text = ""
    name_en: Text = ""
    leader_id: Id | None = None
    deputy_leader_id: Id | None = None


GroupPatch = partial(GroupIn, "GroupPatch")


class CommitteeMemberOut(Schema):
    id: int
    phase_id: int
    person: Ref
    organ: str
    role: choice_type(ClassCommitteeMember.Role)
    started_on: datetime.date
    ended_on: datetime.date

    @staticmethod
    def resolve_person(obj):
        return {"id": obj.person.pk, "name": obj.person.name}

    @staticmethod
    def resolve_organ(obj) -> str:
        return obj.person.organ.name_zh


class CommitteeMemberIn(Input):
    person_id: Id
    role: choice_type(ClassCommitteeMember.Role)


class TemporaryBranchOut(Schema):
    id: int
    name: str
    organ_id: int
    founded_on: datetime.date | None
    posts: list[PostOut]

    @staticmethod
    def resolve_posts(obj):
        return obj.api_posts


class TemporaryBranchIn(Input):
    name: Text = Field("", description="Empty for “<program> phase <n> temporary party branch”.")


class BranchPostIn(Input):
    person_id: Id
    role: choice_type(Post.Role)
    portfolio: choice_type(Post.Portfolio, blank=True) = Field("", description="Only for a committee member.")


class CopyTimetableIn(Input):
    target_phase: Id = Field(..., description="Id of the phase to copy to (of this program or another).")
    replace: bool = Field(False, description="Delete the target phase's sessions first.")


class CopyTimetableOut(Schema):
    copied: int
    warnings: list[str] = Field(..., description="Instructors or rooms left out because they are booked at the "
                                                 "new time.")


class InstructorRef(Schema):
    id: int
    name: str
    title: str


class SiteRef(Schema):
    id: int
    code: str
    name_zh: str
    name_en: str


class SessionOut(Schema):
    id: int
    program_id: int
    phase_id: int
    phase_number: int
    starts_at: LocalDateTime
    ends_at: LocalDateTime
    form: choice_type(TeachingForm)
    category: choice_type(FormCategory) = Field(..., description="How the form counts in the mix.")
    title: str
    title_en: str
    course_id: int | None
    venue: VenueRef | None
    classroom: Ref | None
    place_note: str
    group: Ref | None
    hours: float
    instructors: list[InstructorRef]
    sites: list[SiteRef] = Field(..., description="Red-education sites in visiting order.")

    @staticmethod
    def resolve_program_id(obj) -> int:
        return obj.phase.program_id

    @staticmethod
    def resolve_phase_number(obj) -> int:
        return obj.phase.number

    @staticmethod
    def resolve_classroom(obj):
        return None if obj.classroom is None else {"id": obj.classroom.pk, "name": obj.classroom.name}

    @staticmethod
    def resolve_group(obj):
        return None if obj.group is None else {"id": obj.group.pk, "name": str(obj.group)}

    @staticmethod
    def resolve_instructors(obj):
        return obj.instructors.all()

    @staticmethod
    def resolve_sites(obj):
        return [stop.site for stop in obj.stops.all()]


class SessionWithWarnings(SessionOut):
    warnings: list[str] = Field(..., description="E.g. less time between two places than the trip takes.")

    @staticmethod
    def resolve_warnings(obj) -> list[str]:
        return obj.api_warnings


class SessionIn(Input):
    starts_at: LocalDateTime
    ends_at: LocalDateTime
    form: choice_type(TeachingForm) | None = Field(None, description="Empty for the course's form.")
    title: Text = Field("", description="Empty for the course's title.")
    title_en: Text = ""
    course_id: Id | None = Field(None, description="A catalog course: its title, form, hours, sites and instructors "
                                                   "are the defaults.")
    venue_id: Id | None = Field(None, description="Empty for the program's venue (unless at sites or travel).")
    classroom_id: Id | None = None
    place_note: Text = ""
    group_id: Id | None = Field(None, description="Only for a session held per group.")
    hours: Hours | None = Field(None, description="Hours credited; empty for the course's "
                                                                        "default.")
    instructors: list[Id] = Field([], description="Instructor ids.")
    sites: list[Id] = Field([], description="Red-education site ids, in visiting order.")


class SessionCreateIn(SessionIn):
    phase_id: Id


SessionPatch = partial(SessionIn, "SessionPatch")


class GroupSessionsIn(Input):
    """A session held by every group of the phase at the same time (group discussion): no group and no
    instructor are given; each group meets in its room if known, else in `classroom_id`."""

    starts_at: LocalDateTime
    ends_at: LocalDateTime
    form: choice_type(TeachingForm) | None = Field(None, description="Empty for the course's form.")
    title: Text = Field("", description="Empty for the course's title.")
    title_en: Text = ""
    course_id: Id | None = Field(None, description="A catalog course: its title, form, hours and sites are the "
                                                   "defaults (not its instructors).")
    venue_id: Id | None = Field(None, description="Empty for the program's venue (unless at sites).")
    classroom_id: Id | None = Field(None, description="The room of groups whose own room is not known.")
    place_note: Text = ""
    hours: Hours | None = Field(None, description="Hours credited; empty for the course's default.")
    sites: list[Id] = Field([], description="Red-education site ids, in visiting order.")


class GroupSessionsOut(Schema):
    sessions: list[SessionOut] = Field(..., description="One session per group, in group order.")
    warnings: list[str] = Field(..., description="E.g. a group's room booked at that time (left empty).")


class MoveIn(Input):
    starts_at: LocalDateTime


class SessionFilters(Filters):
    program: Id | None = Field(None, description="Program id.")
    phase: Id | None = Field(None, description="Phase id.")
    instructor: Id | None = Field(None, description="Instructor id.")
    form: choice_type(TeachingForm) | None = None
    since: datetime.date | None = Field(None, description="Sessions from this day on.")
