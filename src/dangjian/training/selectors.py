"""Reads of training programs, scoped by the user they are given, with their eager loading."""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.apps import apps
from django.db.models import Case, Count, F, IntegerField, Min, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, When
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.accounts.selectors import with_affiliation
from dangjian.organizations.models import Person, Post
from dangjian.organizations.scoping import organ_filter, sees_all_organs
from dangjian.training.enums import CLOSED_STATUSES
from dangjian.training.models import (
    FORM_CATEGORY,
    ClassCommitteeMember,
    Classroom,
    Course,
    FormCategory,
    Group,
    Instructor,
    Phase,
    Program,
    ProgramReview,
    Session,
    SessionStop,
    Site,
    TeachingForm,
    Venue,
)
from dangjian.training.scoping import class_runner_filter, staffed_venue_ids


def program_list(*, user, status: str = "", year: int | None = None, q: str = "") -> QuerySet[Program]:
    qs = (
        Program.objects.visible_to(user)
        .select_related("organizer", "venue")
        .annotate(phase_total=Count("phases", distinct=True))
    )
    if status:
        qs = qs.filter(status=status)
    if year:
        qs = qs.filter(year=year)
    if q.strip():
        qs = qs.filter(title__icontains=q.strip())
    return qs.order_by("-year", "-id")


# --- To-dos on the start page (web/views/dashboard.py): each one query, scoped to the user -----------

def plans_awaiting_decision(*, user) -> QuerySet[Program]:
    """The approver's to-do: plans submitted to them and not yet decided, the longest waiting first."""
    return (Program.objects.visible_to(user).filter(status=Program.Status.SUBMITTED)
            .select_related("organizer").order_by("submitted_at", "id"))


def returned_plans(*, user) -> QuerySet[Program]:
    """The organizer's to-do: plans the approver returned, each with the latest return's comments
    (`return_comments`), who returned it (`returned_by`) and when (`returned_at`); the latest first."""
    latest = ProgramReview.objects.filter(program=OuterRef("pk"), decision=ProgramReview.Decision.RETURNED).order_by(
        "-decided_at", "-id")
    return (
        Program.objects.visible_to(user).filter(status=Program.Status.RETURNED)
        .annotate(return_comments=Subquery(latest.values("comments")[:1]),
                  returned_by=Subquery(latest.values("decided_by_name")[:1]),
                  returned_at=Subquery(latest.values("decided_at")[:1]))
        .order_by(F("returned_at").desc(nulls_last=True), "-id")
    )


def coming_phases(*, user, today: datetime.date | None = None) -> QuerySet[Phase]:
    """College staff's to-do: phases not yet over of the programs whose class they run (training.run_class)
    and that are not closed, the soonest first."""
    today = today or timezone.localdate()
    programs = Program.objects.visible_to(user).filter(class_runner_filter(user)).exclude(
        status__in=CLOSED_STATUSES)
    return (
        Phase.objects.filter(program__in=programs, ends_on__gte=today)
        .select_related("program", "head_teacher", "classroom")
        .annotate(session_total=Count("sessions", distinct=True), group_total=Count("groups", distinct=True))
        .order_by("starts_on", "program_id", "number")
    )


def programs_open_for_enrollment(*, user) -> QuerySet[Program]:
    """Programs open for enrollment that the user sees (a unit administrator: where their organs will
    nominate), the soonest first phase first."""
    return (
        Program.objects.visible_to(user).filter(status=Program.Status.ENROLLMENT_OPEN)
        .select_related("organizer", "venue").annotate(first_day=Min("phases__starts_on"))
        .order_by(F("first_day").asc(nulls_last=True), "id")
    )


def program_get(*, user, pk: int) -> Program:
    return get_object_or_404(Program.objects.visible_to(user).select_related("organizer", "venue"), pk=pk)


def program_phases(*, program: Program) -> QuerySet[Phase]:
    return (
        program.phases.select_related("head_teacher", "classroom", "temporary_branch")
        .annotate(session_total=Count("sessions", distinct=True), group_total=Count("groups", distinct=True))
        .order_by("number")
    )


def program_reviews(*, program: Program):
    return program.reviews.select_related("decided_by").order_by("-decided_at", "-id")


def phase_get(*, user, pk: int) -> Phase:
    return get_object_or_404(
        Phase.objects.filter(program__in=Program.objects.visible_to(user)).select_related(
            "program", "program__venue", "program__organizer", "head_teacher", "classroom", "temporary_branch"),
        pk=pk,
    )


def session_get(*, user, pk: int) -> Session:
    return get_object_or_404(
        Session.objects.visible_to(user).select_related("phase", "phase__program", "phase__program__venue"),
        pk=pk,
    )


def session_prefetches():
    return (
        Prefetch("instructors", queryset=Instructor.objects.order_by("name", "id")),
        Prefetch("stops", queryset=SessionStop.objects.select_related("site").order_by("order")),
    )


def phase_sessions(*, phase: Phase, user=None) -> QuerySet[Session]:
    """The phase's timetable in time order, with everything a grid, a PDF or a calendar shows."""
    qs = phase.sessions.all()
    if user is not None:
        qs = qs.filter(pk__in=Session.objects.visible_to(user).filter(phase=phase).values("pk"))
    return qs.select_related("course", "venue", "classroom", "group").prefetch_related(
        *session_prefetches()).order_by("starts_at", "group__number", "id")


def session_list(*, user, program_id: int | None = None, phase_id: int | None = None,
                 instructor_id: int | None = None, form: str = "",
                 since: datetime.date | None = None) -> QuerySet[Session]:
    qs = Session.objects.visible_to(user)
    if program_id:
        qs = qs.filter(phase__program_id=program_id)
    if phase_id:
        qs = qs.filter(phase_id=phase_id)
    if instructor_id:
        qs = qs.filter(instructors__id=instructor_id)
    if form:
        qs = qs.filter(form=form)
    if since:
        qs = qs.filter(starts_at__gte=timezone.make_aware(datetime.datetime.combine(since, datetime.time())))
    return qs.select_related("phase", "phase__program", "course", "venue", "classroom", "group").prefetch_related(
        *session_prefetches()).order_by("starts_at", "id")


def instructor_sessions(*, user) -> QuerySet[Session]:
    """The sessions a logged-in instructor teaches (their own timetable)."""
    return (
        Session.unscoped.filter(instructors__user=user)
        .select_related("phase", "phase__program", "venue", "classroom", "group")
        .prefetch_related(*session_prefetches())
        .order_by("starts_at", "id")
    )


def timetable_source_choices(*, user, target: Phase) -> QuerySet[Phase]:
    """Phases whose timetable may be copied into `target`: those with sessions, of any program whose
    class the user runs (training.run_class), other than `target`; the target's own program first,
    then the latest years."""
    programs = Program.objects.visible_to(user).filter(class_runner_filter(user))
    return (
        Phase.objects.filter(program__in=programs).exclude(pk=target.pk)
        .annotate(session_total=Count("sessions")).filter(session_total__gt=0)
        .select_related("program")
        .order_by(Case(When(program_id=target.program_id, then=Value(0)), default=Value(1)),
                  "-program__year", "-program_id", "number")
    )


def phase_groups(*, phase: Phase) -> QuerySet[Group]:
    return phase.groups.select_related("leader", "deputy_leader").order_by("number")


def group_rooms(*, phase: Phase) -> dict[int, Classroom]:
    """Each group's room, where known: the classroom of its latest group session in the phase (group id
    -> classroom). Groups that never met in a classroom are missing."""
    rooms = {}
    sessions = (Session.unscoped.filter(phase=phase, group__isnull=False, classroom__isnull=False)
                .select_related("classroom").order_by("group_id", "-starts_at", "-id"))
    for session in sessions:
        rooms.setdefault(session.group_id, session.classroom)
    return rooms


def _choice_order(field: str, choices) -> Case:
    """Order by the position of a choice in its declaration (班长 before 副班长, 书记 before 委员)."""
    return Case(*[When(**{field: value}, then=Value(i)) for i, value in enumerate(choices.values)],
                default=Value(len(choices.values)), output_field=IntegerField())


def phase_committee(*, phase: Phase) -> QuerySet[ClassCommitteeMember]:
    return phase.committee_members.select_related("person", "person__organ").order_by(
        _choice_order("role", ClassCommitteeMember.Role), "id")


def phase_branch_posts(*, phase: Phase):
    if not phase.temporary_branch_id:
        return []
    return phase.temporary_branch.posts.select_related("person", "person__organ").order_by(
        _choice_order("role", Post.Role), "id")


# --- Timetable grid -------------------------------------------------------------------------------

GRID_START = datetime.time(6, 0)
GRID_END = datetime.time(22, 0)
GRID_SLOT_MINUTES = 15


@dataclass
class ParallelSessions:
    """Sessions of one teaching form held at the same time by several groups of a phase (分组研讨 in six
    seminar rooms): one block in the grid and one entry in the list by day, not six slivers."""

    sessions: list[Session]
    is_parallel = True  # templates tell it from a Session

    @property
    def first(self) -> Session:
        return self.sessions[0]

    @property
    def group_count(self) -> int:
        return len(self.sessions)

    @property
    def common_title(self) -> str:
        """The title when every group has the same one (the usual case), else empty."""
        titles = {session.display_title for session in self.sessions}
        return self.first.display_title if len(titles) == 1 else ""


def parallel_key(session: Session) -> tuple | None:
    """What makes group sessions parallel: the same start, end and teaching form (whole-class sessions
    have no key)."""
    return (session.starts_at, session.ends_at, session.form) if session.group_id else None


def group_parallel_sessions(sessions) -> list[Session | ParallelSessions]:
    """The sessions in their order, with the group sessions of one slot and form gathered into one
    ParallelSessions where the first of them stood (a lone group session stays itself)."""
    members = defaultdict(list)
    for session in sessions:
        if (key := parallel_key(session)) is not None:
            members[key].append(session)
    result = []
    for session in sessions:
        key = parallel_key(session)
        if key is None or len(members[key]) == 1:
            result.append(session)
        elif members[key][0] is session:
            result.append(ParallelSessions(sessions=members[key]))
    return result


def timetable_grid(*, phase: Phase, sessions=None) -> dict:
    """A phase's sessions laid out on a day × time grid: one column per day, rows of 15 minutes from
    06:00 to 22:00; each item knows its column, first row and row span (CSS grid classes, no inline
    style). Parallel group sessions of one form (group_parallel_sessions) are one item, `parallel`; other
    group sessions that overlap in time sit side by side: each gets a lane and the number of lanes of its
    cluster."""
    sessions = list(sessions if sessions is not None else phase_sessions(phase=phase))
    days = phase.days
    day_index = {day: i for i, day in enumerate(days)}
    slots_per_hour = 60 // GRID_SLOT_MINUTES
    first_hour, last_hour = GRID_START.hour, GRID_END.hour
    row_count = (last_hour - first_hour) * slots_per_hour
    placed, group_items = [], defaultdict(list)
    for entry in group_parallel_sessions(sessions):
        parallel = entry if isinstance(entry, ParallelSessions) else None
        session = parallel.first if parallel else entry
        start, end = timezone.localtime(session.starts_at), timezone.localtime(session.ends_at)
        column = day_index.get(start.date())
        if column is None:
            continue
        start_minutes = (start.hour - first_hour) * 60 + start.minute
        end_minutes = (end.hour - first_hour) * 60 + end.minute if end.date() == start.date() else row_count * 15
        row = max(0, start_minutes // GRID_SLOT_MINUTES) + 1
        span = max(1, min(row_count + 1, -(-end_minutes // GRID_SLOT_MINUTES) + 1) - row)
        item = {"session": session, "parallel": parallel, "column": column + 1, "row": row, "span": span,
                "lane": 0, "lanes": 1}
        placed.append(item)
        if session.group_id:
            group_items[column].append(item)
    for items in group_items.values():
        _assign_lanes(sorted(items, key=lambda item: item["row"]))  # stable: keeps the group order
    hours = [
        {"label": f"{h:02d}:00", "row": (h - first_hour) * slots_per_hour + 1} for h in range(first_hour, last_hour)
    ]
    # Hundreds of empty slots: their classes and data values are strings made here, not by template filters.
    slots = [
        {"day": day, "day_iso": day.isoformat(), "column": i + 1, "row": r + 1,
         "time": f"{first_hour + r // slots_per_hour:02d}:{(r % slots_per_hour) * GRID_SLOT_MINUTES:02d}",
         "classes": f"col-{i + 1} row-{r + 1}" + (" hour-top" if r % slots_per_hour == 0 else "")}
        for i, day in enumerate(days) for r in range(row_count)
    ]
    return {"days": days, "rows": row_count, "hours": hours, "items": placed, "slots": slots}


def _assign_lanes(items: list[dict]) -> None:
    """Give overlapping items (sorted by first row) side-by-side lanes, reusing a lane once it is free;
    every item of a cluster of overlapping items gets the cluster's lane count."""
    cluster, cluster_end = [], 0
    for item in [*items, None]:
        if item is None or (cluster and item["row"] >= cluster_end):
            lane_free_from: list[int] = []
            for member in cluster:
                lane = next((i for i, free in enumerate(lane_free_from) if free <= member["row"]),
                            len(lane_free_from))
                if lane == len(lane_free_from):
                    lane_free_from.append(0)
                lane_free_from[lane] = member["row"] + member["span"]
                member["lane"] = lane
            for member in cluster:
                member["lanes"] = len(lane_free_from)
            cluster, cluster_end = [], 0
        if item is not None:
            cluster.append(item)
            cluster_end = max(cluster_end, item["row"] + item["span"])


# --- Teaching-form mix and hours ------------------------------------------------------------------

def credited_sessions(sessions) -> list[Session]:
    """Sessions as one participant lives them: parallel group sessions of one slot count once (the
    first in the given order, i.e. the lowest group when ordered by group number), even when the
    groups rotate between forms in that slot."""
    seen, result = set(), []
    for session in sessions:
        if session.group_id:
            key = (session.phase_id, session.starts_at, session.ends_at)
            if key in seen:
                continue
            seen.add(key)
        result.append(session)
    return result


def teaching_form_mix(*, program: Program) -> dict:
    """Hours per teaching form and per category (theory, practice, exchange, other) across the program's
    phases, with the theory vs practice shares the plan reports; and hours per phase against the
    hours credited per day."""
    sessions = Session.unscoped.filter(phase__program=program).only(
        "phase_id", "starts_at", "ends_at", "form", "hours", "group_id").order_by("starts_at", "group__number", "id")
    by_form = {form: Decimal("0") for form in TeachingForm.values}
    by_category = {category: Decimal("0") for category in FormCategory.values}
    by_phase = defaultdict(lambda: Decimal("0"))
    for session in credited_sessions(sessions):
        by_form[session.form] += session.hours
        by_category[FORM_CATEGORY[session.form]] += session.hours
        by_phase[session.phase_id] += session.hours
    total = sum(by_form.values(), Decimal("0"))
    teaching = by_category[FormCategory.THEORY] + by_category[FormCategory.PRACTICE] + by_category[
        FormCategory.EXCHANGE]

    def share(value: Decimal) -> float:
        return round(float(value / teaching * 100), 1) if teaching else 0.0

    phases = list(program.phases.order_by("number"))
    return {
        "total_hours": total,
        "forms": [
            {"code": form, "label": str(TeachingForm(form).label), "hours": hours,
             "category": FORM_CATEGORY[form]}
            for form, hours in by_form.items() if hours
        ],
        "categories": [
            # Shares are of the teaching hours; ceremonies, assessment and travel ("other") have none.
            {"code": c, "label": str(FormCategory(c).label), "hours": by_category[c],
             "share": None if c == FormCategory.OTHER else share(by_category[c])}
            for c in FormCategory.values
        ],
        "theory_share": share(by_category[FormCategory.THEORY]),
        "practice_share": share(by_category[FormCategory.PRACTICE]),
        "phases": [
            {"phase": phase, "hours": by_phase[phase.pk],
             "days": phase.day_count, "hours_by_days": phase.day_count * program.hours_per_day}
            for phase in phases
        ],
    }


# What the approver is warned of: a timetable with fewer hours than this share of the hours its days
# credit (days × hours per day) is "far below" them. A design choice, not a regulation: the seed's
# five days credit 37.5 hours and its timetable holds 31 (83 %), which is fine.
SHORT_TIMETABLE_SHARE = Decimal("0.8")


def approval_warnings(*, program: Program, mix: dict | None = None) -> list[str]:
    """What the approver should look at before approving: a phase whose timetable is far below the hours
    its days credit (under SHORT_TIMETABLE_SHARE), and a timetable without theory teaching (lectures,
    case teaching). `mix`: teaching_form_mix(program), when the caller has it already."""
    mix = mix if mix is not None else teaching_form_mix(program=program)
    warnings = []
    for row in mix["phases"]:
        if row["hours"] < row["hours_by_days"] * SHORT_TIMETABLE_SHARE:
            warnings.append(_(
                "Phase %(number)s: the timetable holds %(hours)s hours, far below the %(credited)s hours its "
                "%(days)d days credit (less than %(share)d %%).") % {
                "number": row["phase"].number, "hours": _number(row["hours"]),
                "credited": _number(row["hours_by_days"]), "days": row["days"],
                "share": int(SHORT_TIMETABLE_SHARE * 100)})
    if not any(row["hours"] for row in mix["categories"] if row["code"] == FormCategory.THEORY):
        warnings.append(_("The timetable has no theory teaching (thematic lectures or case teaching)."))
    return warnings


def _number(value: Decimal) -> str:
    return f"{value.normalize():f}"


# --- Library --------------------------------------------------------------------------------------

def venue_list() -> QuerySet[Venue]:
    return Venue.objects.select_related("parent").annotate(classroom_total=Count("classrooms")).order_by("code")


def site_list(*, region: str = "", q: str = "") -> QuerySet[Site]:
    qs = Site.objects.all()
    if region:
        qs = qs.filter(region=region)
    if q.strip():
        qs = qs.filter(name_zh__icontains=q.strip())
    return qs.order_by("region", "code")


def instructor_list(*, q: str = "") -> QuerySet[Instructor]:
    qs = Instructor.objects.select_related("venue", "person", "user")
    if q.strip():
        qs = qs.filter(name__icontains=q.strip())
    return qs.order_by("name", "id")


def course_list(*, form: str = "", q: str = "", active: bool | None = True) -> QuerySet[Course]:
    qs = Course.objects.prefetch_related("sites", "instructors")
    if form:
        qs = qs.filter(form=form)
    if active is not None:
        qs = qs.filter(active=active)
    if q.strip():
        qs = qs.filter(title_zh__icontains=q.strip())
    return qs.order_by("form", "code")


def program_budget(*, program: Program, phases) -> dict | None:
    """participants × days × cost standard per person and day. Each participant attends one phase, so
    the days are a phase's length (their mean when phases differ). None without phases. The page and
    the plan PDF both show this; a budget_estimate typed in the plan, when given, is the budget."""
    lengths = [phase.day_count for phase in phases]
    if not lengths:
        return None
    days = (Decimal(sum(lengths)) / len(lengths)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP).normalize()
    amount = (program.planned_participants * days * program.cost_per_person_day).quantize(Decimal("0.01"))
    return {"participants": program.planned_participants, "days": days, "cost": program.cost_per_person_day,
            "amount": amount}


# --- Who and what may be picked -------------------------------------------------------------------
# One named selector per choice: forms list it, the API looks choices up in it, services check against it.

def program_venue_choices() -> QuerySet[Venue]:
    """Venues that hold a program: colleges, party schools and other venues, never a college's department
    (教务部, 后勤保障部 …: offices that run the college's classes, not places of a program)."""
    return Venue.objects.exclude(kind=Venue.Kind.DEPARTMENT).order_by("code")


def venue_family_ids(venue: Venue | None) -> list[int]:
    """The venue, the college it belongs to and that college's departments."""
    if venue is None:
        return []
    root = venue.parent_id or venue.pk
    return list(Venue.objects.filter(Q(pk=root) | Q(parent_id=root)).values_list("pk", flat=True))


def _venues_in_reach(*, user, program: Program) -> set[int] | None:
    """Venues a user may book for a program's sessions: None (all) for organizers; college staff their
    own college's venues and the program's venue."""
    if sees_all_organs(user):
        return None
    return {*staffed_venue_ids(user), program.venue_id}


def session_venue_choices(*, user, program: Program) -> QuerySet[Venue]:
    """Where a session of the program may be held."""
    reach = _venues_in_reach(user=user, program=program)
    venues = Venue.objects.all() if reach is None else Venue.objects.filter(pk__in=reach)
    return venues.order_by("code")


def session_classroom_choices(*, user, program: Program) -> QuerySet[Classroom]:
    """Classrooms a session of the program may use (those of the venues in the user's reach)."""
    reach = _venues_in_reach(user=user, program=program)
    rooms = Classroom.objects.all() if reach is None else Classroom.objects.filter(venue_id__in=reach)
    return rooms.select_related("venue").order_by("venue__code", "name")


def phase_classroom_choices(*, program: Program) -> QuerySet[Classroom]:
    """The class's own classroom: one of the program's college (its venue, college or departments)."""
    return Classroom.objects.filter(venue_id__in=venue_family_ids(program.venue)).select_related(
        "venue").order_by("venue__code", "name")


def head_teacher_choices(*, program: Program, current=None):
    """Head teachers (班主任): active staff of the program's college (its venue, college or departments);
    the current head teacher stays listed."""
    from django.contrib.auth import get_user_model

    teachers = Q(venues__in=venue_family_ids(program.venue), is_active=True)
    if current is not None:
        teachers |= Q(pk=current.pk)
    return with_affiliation(get_user_model().objects.filter(teachers).distinct())


def class_nominee_choices(*, user, phase: Phase) -> QuerySet[Person]:
    """People who may be picked for a group's lead, the class committee or the temporary branch: once the program
    has confirmed participants (enrollment), those participants; before, those the user may see in the registry.
    Always also those already leading a group or holding a post in the class."""
    already = (
        Q(pk__in=Group.objects.filter(phase=phase).values("leader"))
        | Q(pk__in=Group.objects.filter(phase=phase).values("deputy_leader"))
        | Q(pk__in=ClassCommitteeMember.objects.filter(phase=phase).values("person"))
    )
    if phase.temporary_branch_id:
        already |= Q(pk__in=Post.unscoped.filter(party_organization_id=phase.temporary_branch_id).values("person"))
    participants = apps.get_model("enrollment", "Nomination").unscoped.filter(
        program_id=phase.program_id, status="confirmed")
    if participants.exists():
        return Person.unscoped.filter(Q(pk__in=participants.values("person")) | already)
    visible = organ_filter(user, "organ")
    if visible == Q():  # an organizer: every person (an empty Q would vanish in the OR below)
        return Person.unscoped.all()
    return Person.unscoped.filter(visible | already)
