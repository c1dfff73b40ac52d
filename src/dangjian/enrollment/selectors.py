"""Reads of the enrollment of a program, scoped by the user they are given, with their eager loading; and who
may be nominated (`nominee_choices`).

Who is due for induction training is the ledger's rule (dangjian.ledger.selectors.due_for_induction), never
computed here: `people_due` asks it; `induction_credited` asks the ledger who is credited already.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from dangjian.enrollment.enums import ACTIVE_STATUSES, NominationStatus
from dangjian.enrollment.models import Nomination, Placement, ProgramEnrollment, Quota, UnavailablePeriod
from dangjian.ledger.selectors import due_for_induction, has_induction_credit
from dangjian.organizations.models import Organ, PartyOrganization, Person, Post, organ_order
from dangjian.organizations.scoping import sees_all_organs
from dangjian.training.enums import ProgramStatus
from dangjian.training.models import Phase, Program

# --- The ledger's answers --------------------------------------------------------------------------


def people_due(*, organ_ids, on: datetime.date | None = None) -> QuerySet[Person]:
    """People of these organs (None: every organ) due or overdue for induction training, as the ledger says
    (annotated `induction_deadline` and `induction_status`)."""
    return due_for_induction(organ_ids=list(organ_ids) if organ_ids is not None else None, on=on)


def induction_credited(person_ids) -> set[int]:
    """Of these people, those already credited with induction training (the ledger)."""
    return set(has_induction_credit(list(person_ids)))


# --- Programs and their enrollment -----------------------------------------------------------------

def enrollment_program_get(*, user, pk: int) -> Program:
    """A program the user sees (404 otherwise), with its enrollment settings and phases loaded."""
    return get_object_or_404(
        Program.objects.visible_to(user).select_related("organizer", "venue", "enrollment")
        .prefetch_related(Prefetch("phases", queryset=Phase.objects.order_by("number"))),
        pk=pk)


def enrollment_settings(program: Program) -> ProgramEnrollment:
    """The program's settings row (unsaved, empty, when none was written yet)."""
    try:
        return program.enrollment
    except ProgramEnrollment.DoesNotExist:
        return ProgramEnrollment(program=program)


def program_capacity(program: Program) -> int:
    """Seats in the program: the sum of its phases' capacities (from the loaded phases when prefetched)."""
    return sum(phase.capacity for phase in program.phases.all())


@dataclass
class EnrollmentSummary:
    capacity: int
    quota_total: int
    counts: dict = field(default_factory=dict)  # status -> number of nominations

    @property
    def confirmed(self) -> int:
        return self.counts.get(NominationStatus.CONFIRMED, 0)

    @property
    def seats_left(self) -> int:
        return max(0, self.capacity - self.confirmed)

    @property
    def quota_over_capacity(self) -> int:
        return max(0, self.quota_total - self.capacity)


def enrollment_summary(*, program: Program, organ_ids=None) -> EnrollmentSummary:
    """Capacity, the sum of the quotas and the nominations per status (of these organs, if given): two queries."""
    nominations = Nomination.unscoped.filter(program=program)
    quotas = Quota.unscoped.filter(program=program)
    if organ_ids is not None:
        nominations, quotas = nominations.filter(organ__in=organ_ids), quotas.filter(organ__in=organ_ids)
    counts = dict(nominations.values_list("status").annotate(n=Count("id")).order_by())
    return EnrollmentSummary(capacity=program_capacity(program),
                             quota_total=quotas.aggregate(total=Sum("seats"))["total"] or 0, counts=counts)


def suggest_quotas(*, due_counts: dict[int, int], capacity: int) -> dict[int, int]:
    """Seats per organ suggested from the people due per organ and the capacity: everyone due when they fit;
    otherwise the capacity shared in proportion to the people due (largest remainders get the seats left over,
    ties to the organ with more people due, then the lower id), never more than an organ's people due."""
    total = sum(due_counts.values())
    if total <= capacity:
        return dict(due_counts)
    # Each share is count * capacity / total: its whole seats and its remainder (over the same denominator, so
    # remainders compare as integers: exact, like fractions, and cheaper for 2,000 organs).
    seats = {organ: count * capacity // total for organ, count in due_counts.items()}
    remainders = {organ: count * capacity % total for organ, count in due_counts.items()}
    left = capacity - sum(seats.values())
    order = sorted(due_counts, key=lambda organ: (-remainders[organ], -due_counts[organ], organ))
    for organ in order[:left]:
        seats[organ] += 1
    return seats


@dataclass
class QuotaRow:
    organ: Organ
    seats: int | None  # None: no quota set
    suggested: int
    due: int
    nominated: int  # active nominations (nominated, confirmed, waitlisted)
    confirmed: int
    preferred_phase_id: int | None = None


def quota_rows(*, user, program: Program, on: datetime.date | None = None) -> list[QuotaRow]:
    """One row per organ that has a quota, people due or nominations in the program (organs the user sees), in
    the official order: its quota, the suggestion, people due, nominations. Four queries whatever the number of
    organs."""
    organ_ids = None if sees_all_organs(user) else set(Organ.objects.visible_to(user).values_list("pk", flat=True))
    quotas = {quota.organ_id: quota for quota in Quota.unscoped.filter(program=program)
              if organ_ids is None or quota.organ_id in organ_ids}
    due = people_due(organ_ids=organ_ids, on=on)
    due_counts = dict(due.order_by().values_list("organ").annotate(n=Count("id")))
    active = (Nomination.unscoped.filter(program=program, status__in=ACTIVE_STATUSES)
              .values_list("organ").annotate(n=Count("id"), confirmed=Count(
                  "id", filter=Q(status=NominationStatus.CONFIRMED))).order_by())
    nominated = {organ: (n, confirmed) for organ, n, confirmed in active
                 if organ_ids is None or organ in organ_ids}
    suggestion = suggest_quotas(due_counts=due_counts, capacity=program_capacity(program))
    wanted = set(quotas) | set(due_counts) | set(nominated)
    rows = []
    # Read whole (less than an IN list of 2,000 ids), and only what a row shows and sorts by.
    organs = Organ.unscoped.only("id", "name_zh", "name_en", "sector", "sort_order", "name_sort") \
        .order_by(*organ_order())
    if organ_ids is not None:
        organs = organs.filter(pk__in=organ_ids)
    for organ in (organ for organ in organs if organ.pk in wanted):
        quota = quotas.get(organ.pk)
        rows.append(QuotaRow(
            organ=organ, seats=quota.seats if quota else None, suggested=suggestion.get(organ.pk, 0),
            due=due_counts.get(organ.pk, 0), nominated=nominated.get(organ.pk, (0, 0))[0],
            confirmed=nominated.get(organ.pk, (0, 0))[1],
            preferred_phase_id=quota.preferred_phase_id if quota else None))
    return rows


def quota_rows_for_form(rows: list[QuotaRow], *, q: str = "", sector: str = "") -> list[QuotaRow]:
    """The quotas form's rows: the organs with a quota, a suggestion or nominations first, then those with people
    due only (each in the official order); narrowed to organs whose name (Chinese or English) contains `q` and
    to a sector."""
    q = q.strip().lower()
    if q:
        rows = [row for row in rows if q in row.organ.name_zh.lower() or q in (row.organ.name_en or "").lower()]
    if sector:
        rows = [row for row in rows if row.organ.sector == sector]
    return sorted(rows, key=lambda row: not (row.seats is not None or row.suggested or row.nominated))


def quota_of(*, program: Program, organ: Organ) -> Quota:
    """The organ's quota in the program (unsaved, 0 seats, when none was set)."""
    return (Quota.unscoped.filter(program=program, organ=organ).select_related("program", "organ").first()
            or Quota(program=program, organ=organ, seats=0))


def quotas_of(*, program: Program, organs) -> list[Quota]:
    """The quotas of these organs in the program, in the official order of the organs (unsaved, 0 seats, for an
    organ without one): two queries."""
    stored = {quota.organ_id: quota for quota in Quota.unscoped.filter(program=program, organ__in=organs)}
    result = []
    for organ in organs.order_by(*organ_order()):
        quota = stored.get(organ.pk) or Quota(program=program, organ=organ, seats=0)
        quota.organ, quota.program = organ, program
        result.append(quota)
    return result


def quota_list(*, user, program: Program | None = None) -> QuerySet[Quota]:
    qs = Quota.objects.visible_to(user).select_related("program", "organ", "preferred_phase")
    if program is not None:
        qs = qs.filter(program=program)
    return qs.order_by("program_id", *organ_order("organ__"))


def organs_not_nominated(*, program: Program) -> QuerySet[Organ]:
    """Organs with seats in the program that have nominated nobody yet (the organizers' reminder list)."""
    return (Organ.unscoped.filter(quotas__program=program, quotas__seats__gt=0)
            .exclude(pk__in=Nomination.unscoped.filter(program=program).values("organ"))
            .order_by(*organ_order()))


# --- Nominations -----------------------------------------------------------------------------------

def _nomination_rows(qs):
    """With what a row shows and what its actions' rules ask (the program's phases: has the class started?)."""
    return qs.select_related("program", "person", "organ", "preferred_phase", "replaces__person").prefetch_related(
        Prefetch("unavailable_periods", queryset=UnavailablePeriod.objects.order_by("starts_on")),
        "program__phases")


def nomination_list(*, user, program: Program | None = None, organ_id: int | None = None, status: str = "",
                    person_id: int | None = None) -> QuerySet[Nomination]:
    """Nominations the user sees, filtered; the waitlist in its order, others by organ (official order) and
    nomination order."""
    qs = Nomination.objects.visible_to(user)
    if program is not None:
        qs = qs.filter(program=program)
    if organ_id:
        qs = qs.filter(organ_id=organ_id)
    if person_id:
        qs = qs.filter(person_id=person_id)
    if status:
        qs = qs.filter(status=status)
    order = ["waitlist_position", "id"] if status == NominationStatus.WAITLISTED else ["program_id", "organ_id", "id"]
    return _nomination_rows(qs).order_by(*order)


def nomination_get(*, user, pk: int) -> Nomination:
    return get_object_or_404(_nomination_rows(Nomination.objects.visible_to(user)), pk=pk)


def waitlist(*, program: Program) -> QuerySet[Nomination]:
    return _nomination_rows(Nomination.unscoped.filter(program=program, status=NominationStatus.WAITLISTED)) \
        .order_by("waitlist_position", "id")


def my_nominations(*, user) -> QuerySet[Nomination]:
    """A participant's own nominations (every program), the latest program first."""
    if not user.person_id:
        return Nomination.unscoped.none()
    return (_nomination_rows(Nomination.unscoped.filter(person_id=user.person_id)).select_related("placement")
            .order_by("-program__year", "-id"))


def my_records(*, user):
    """A participant's own training records (the ledger's rows of their Person), the latest first."""
    from dangjian.ledger.models import TrainingRecord

    if not user.person_id:
        return TrainingRecord.unscoped.none()
    return TrainingRecord.unscoped.filter(person_id=user.person_id).order_by("-starts_on", "-id")


def my_phases(*, nomination: Nomination) -> list[Phase]:
    """The phases a participant's schedule and admission notice show: the phase they are placed in (allocation),
    else their preferred phase when one is noted, else every phase of the program."""
    phases = sorted(nomination.program.phases.all(), key=lambda phase: phase.number)
    try:
        placed = nomination.placement.phase_id  # select_related by the lists (my_nominations)
    except Placement.DoesNotExist:
        placed = None
    chosen = placed or nomination.preferred_phase_id
    if chosen:
        return [phase for phase in phases if phase.pk == chosen] or phases
    return phases


def sessions_of_phases(phases) -> dict[int, list]:
    """The timetables of these phases in one query (phase id -> sessions in time order)."""
    from dangjian.training.models import Session
    from dangjian.training.selectors import session_prefetches

    found: dict[int, list] = {}
    if not phases:
        return found
    for session in (Session.unscoped.filter(phase__in=[phase.pk for phase in phases])
                    .select_related("course", "venue", "classroom", "group").prefetch_related(*session_prefetches())
                    .order_by("starts_at", "group__number", "id")):
        found.setdefault(session.phase_id, []).append(session)
    return found


def my_sessions(*, user) -> list:
    """A participant's own sessions in time order: of every confirmed nomination, the sessions of their phase
    (`my_phases`); once they are placed in a group, of the group sessions only their group's."""
    nominations = list(my_nominations(user=user).filter(status=NominationStatus.CONFIRMED)
                       .prefetch_related("program__phases"))
    phases = {phase.pk: (phase, nomination) for nomination in nominations for phase in my_phases(nomination=nomination)}
    sessions = sessions_of_phases([phase for phase, _nomination in phases.values()])
    mine = []
    for phase, nomination in phases.values():
        for session in sessions.get(phase.pk, []):
            if is_my_session(session, nomination):
                session.phase = phase  # with its program (prefetched): the calendar names them
                mine.append(session)
    return sorted(mine, key=lambda session: (session.starts_at, session.pk))


def my_agenda(*, user, now: datetime.datetime | None = None, upcoming: int = 5) -> tuple[list, list]:
    """The participant's sessions of today (local date), and the next `upcoming` of the following days."""
    today = timezone.localdate(now or timezone.now())
    sessions = my_sessions(user=user)
    todays = [session for session in sessions if timezone.localtime(session.starts_at).date() == today]
    later = [session for session in sessions if timezone.localtime(session.starts_at).date() > today]
    return todays, later[:upcoming]


def is_my_session(session, nomination: Nomination) -> bool:
    """A session of the participant's phase is theirs unless it is another group's (once they are placed in a
    group; before that every group's session is shown)."""
    try:
        placement = nomination.placement  # select_related by my_nominations
    except Placement.DoesNotExist:
        return True
    return session.group_id is None or placement.group_id in (None, session.group_id)


def open_quotas(*, user) -> QuerySet[Quota]:
    """The unit administrator's to-do: quotas of their organs in programs open for enrollment, before the
    deadline, with seats not yet filled (`nominated` annotated); the soonest deadline first."""
    today = timezone.localdate()
    nominated = (Nomination.unscoped.filter(program=OuterRef("program"), organ=OuterRef("organ"),
                                            status__in=ACTIVE_STATUSES)
                 .order_by().values("organ").annotate(n=Count("id")).values("n"))
    return (
        Quota.objects.visible_to(user).filter(program__status=ProgramStatus.ENROLLMENT_OPEN, seats__gt=0)
        .filter(Q(program__enrollment__isnull=True) | Q(program__enrollment__nomination_deadline__isnull=True)
                | Q(program__enrollment__nomination_deadline__gte=today))
        .annotate(nominated=Coalesce(Subquery(nominated), 0)).filter(nominated__lt=F("seats"))
        .select_related("program", "organ", "program__enrollment")
        .order_by(F("program__enrollment__nomination_deadline").asc(nulls_last=True), "program_id",
                  *organ_order("organ__"))
    )


# --- Who may be nominated -------------------------------------------------------------------------

def current_posts(on: datetime.date | None = None) -> QuerySet[Post]:
    """Posts held on `on` in the registry's party organizations (not a training class's temporary branch)."""
    return Post.unscoped.current(on).exclude(party_organization__org_type=PartyOrganization.Type.TEMPORARY_BRANCH)


def nominee_choices(*, user, program: Program, organ: Organ, on: datetime.date | None = None) -> QuerySet[Person]:
    """Who may be nominated for `program` by `organ`: people of that organ whom the user sees, who hold a post in
    one of the organ's party organizations now (not one who left it), and who hold no active nomination in the
    program. Forms list it, the API looks ids up in it, the service checks against it."""
    holds_post = current_posts(on).filter(person=OuterRef("pk"))
    taken = Nomination.unscoped.filter(program=program, person=OuterRef("pk"), status__in=ACTIVE_STATUSES)
    return (Person.objects.visible_to(user).filter(organ=organ).filter(Exists(holds_post)).exclude(Exists(taken))
            .order_by("name_sort", "id"))


def nominee_picker(*, user, program: Program, organ: Organ, q: str = "", limit: int = 30) -> tuple[list, bool]:
    """The nomination page's picker: people of `nominee_choices` whose name or position contains `q`, by name;
    at most `limit`, and whether there are more."""
    qs = nominee_choices(user=user, program=program, organ=organ)
    if q := (q or "").strip():
        qs = qs.filter(Q(name__icontains=q) | Q(position__icontains=q))
    rows = list(qs[: limit + 1])
    return rows[:limit], len(rows) > limit


def post_ended_on(person: Person) -> datetime.date | None:
    """When the person's last post in the registry ended (None: never held one, or still holds one)."""
    return (Post.unscoped.filter(person=person).exclude(
        party_organization__org_type=PartyOrganization.Type.TEMPORARY_BRANCH)
        .order_by("-ended_on").values_list("ended_on", flat=True).first())


def due_for_page(*, program: Program, organ: Organ, on: datetime.date | None = None) -> list[Person]:
    """The organ's people due for induction training who are not yet nominated in the program: the nomination
    page's prefill, with each person's current post (`current_post`)."""
    taken = Nomination.unscoped.filter(program=program, person=OuterRef("pk"), status__in=ACTIVE_STATUSES)
    people = list(people_due(organ_ids=[organ.pk], on=on).exclude(Exists(taken)).order_by("name_sort", "id"))
    posts = {}
    for post in current_posts(on).filter(person__in=[p.pk for p in people]).select_related(
            "party_organization").order_by("person_id", "-started_on"):
        posts.setdefault(post.person_id, post)
    for person in people:
        person.current_post = posts.get(person.pk)
    return people


# --- Allocation to phases and groups --------------------------------------------------------------

def placement_baseline(program: Program) -> dict[str, list]:
    """The confirmed participants and where they are now: nomination id (a string, as JSON keys are) ->
    [phase id, group id, locked], with None for a participant not placed yet. An allocation run starts from it;
    applying the run's proposal is refused when it changed meanwhile."""
    rows = Nomination.unscoped.filter(program=program, status=NominationStatus.CONFIRMED).values_list(
        "pk", "placement__phase_id", "placement__group_id", "placement__locked")
    return {str(pk): [phase, group, bool(locked)] for pk, phase, group, locked in rows}


def allocation_problem(*, program: Program, time_limit: float, num_workers: int = 2):
    """The program's confirmed participants, phases and groups as data for the solver (enrollment.allocation):
    each participant's organ and its sector, gender, age on the first day, unavailable dates, preferred phase
    (the nomination's, else the organ's quota's), current placement and lock. Four queries."""
    from dangjian.enrollment import allocation

    phases = list(program.phases.order_by("number").prefetch_related("groups"))
    first_day = min((phase.starts_on for phase in phases), default=timezone.localdate())
    nominations = (Nomination.unscoped.filter(program=program, status=NominationStatus.CONFIRMED)
                   .select_related("person", "organ", "placement")
                   .prefetch_related("unavailable_periods").order_by("pk"))
    preferred_of_organ = dict(Quota.unscoped.filter(program=program, preferred_phase__isnull=False)
                              .values_list("organ_id", "preferred_phase_id"))
    participants, organ_names = [], {}
    for nomination in nominations:
        person, placement = nomination.person, getattr(nomination, "placement", None)
        organ_names[nomination.organ_id] = nomination.organ.name_zh
        age = None
        if person.birth_date:
            age = first_day.year - person.birth_date.year - (
                (first_day.month, first_day.day) < (person.birth_date.month, person.birth_date.day))
        participants.append(allocation.Participant(
            id=nomination.pk, organ=nomination.organ_id, sector=nomination.organ.sector, gender=person.gender,
            age=age, name=person.name,
            unavailable=tuple((period.starts_on, period.ends_on) for period in nomination.unavailable_periods.all()),
            preferred_phase=nomination.preferred_phase_id or preferred_of_organ.get(nomination.organ_id),
            current_phase=placement.phase_id if placement else None,
            current_group=placement.group_id if placement else None,
            locked=bool(placement and placement.locked)))
    settings_row = enrollment_settings(program)
    settings = allocation.Settings(
        group_min=settings_row.group_size_min, group_max=settings_row.group_size_max,
        max_per_organ_per_phase=settings_row.max_per_organ_per_phase, time_limit=time_limit,
        num_workers=num_workers)
    return allocation.Problem(
        participants=tuple(participants), settings=settings, organ_names=organ_names,
        phases=tuple(allocation.PhaseSpec(id=phase.pk, number=phase.number, starts_on=phase.starts_on,
                                          ends_on=phase.ends_on, capacity=phase.capacity,
                                          groups=tuple(group.pk for group in phase.groups.all()))
                     for phase in phases))


def allocation_run_get(*, user, pk: int):
    """A run of a program the user sees (404 otherwise), with its program, job and people loaded."""
    from dangjian.enrollment.models import AllocationRun

    return get_object_or_404(
        AllocationRun.objects.select_related("program__venue", "job", "created_by", "decided_by")
        .filter(program__in=Program.objects.visible_to(user)), pk=pk)


def allocation_runs(*, program: Program, limit: int = 10):
    """The program's latest runs, newest first."""
    from dangjian.enrollment.models import AllocationRun

    return list(AllocationRun.objects.filter(program=program).select_related("created_by")[:limit])


@dataclass
class ProposalRow:
    nomination: Nomination
    current: tuple  # (phase, group) objects or None
    proposed: tuple
    reason: str = ""

    @property
    def moved(self) -> bool:
        return self.current != self.proposed


@dataclass
class GroupSummary:
    phase: Phase
    group: object  # training.Group, or None for the phase's participants without a group
    size: int = 0
    organs: int = 0
    most_of_one_organ: int = 0
    sectors: dict = field(default_factory=dict)
    women: int = 0
    ages: list = field(default_factory=list)

    @property
    def average_age(self) -> int | None:
        return round(sum(self.ages) / len(self.ages)) if self.ages else None


def _places(program: Program):
    phases = {phase.pk: phase for phase in program.phases.order_by("number").prefetch_related("groups")}
    groups = {group.pk: group for phase in phases.values() for group in phase.groups.all()}

    def place(phase_id, group_id):
        return None if phase_id is None else (phases.get(phase_id), groups.get(group_id))
    return phases, place


def proposal_rows(*, run) -> list[ProposalRow]:
    """Every confirmed participant of the run with their placement before the run and in its proposal (moved
    ones first), and the reason of those left unplaced. Three queries, whatever the number of people."""
    _phases, place = _places(run.program)
    ids = [int(pk) for pk in run.baseline]
    nominations = Nomination.unscoped.filter(pk__in=ids).select_related("person", "organ").order_by(
        "organ__sort_order", "person__name_sort", "pk")
    rows = []
    for nomination in nominations:
        key = str(nomination.pk)
        current = place(*run.baseline[key][:2])
        proposed = place(*run.proposal[key]) if key in run.proposal else None
        rows.append(ProposalRow(nomination=nomination, current=current, proposed=proposed,
                                reason=run.unplaced.get(key, "")))
    rows.sort(key=lambda row: not row.moved)
    return rows


def group_summaries(*, program: Program, placements: dict[int, tuple[int, int | None]]) -> list[GroupSummary]:
    """The composition of each group for a placement (nomination id -> (phase, group)): size, organs and the most
    people of one organ, sectors, women and average age. Three queries."""
    phases, _place = _places(program)
    first_day = min((phase.starts_on for phase in phases.values()), default=timezone.localdate())
    summaries = {(phase.pk, group.pk): GroupSummary(phase=phase, group=group)
                 for phase in phases.values() for group in phase.groups.all()}
    organs_in = {}
    people = Nomination.unscoped.filter(pk__in=list(placements)).values_list(
        "pk", "organ_id", "organ__sector", "person__gender", "person__birth_date")
    for pk, organ, sector, gender, birth in people:
        phase_id, group_id = placements[pk]
        if phase_id not in phases:
            continue
        summary = summaries.setdefault((phase_id, group_id), GroupSummary(phase=phases[phase_id], group=None))
        summary.size += 1
        organs_in.setdefault((phase_id, group_id), []).append(organ)
        summary.sectors[sector] = summary.sectors.get(sector, 0) + 1
        summary.women += gender == Person.Gender.FEMALE
        if birth:
            summary.ages.append(first_day.year - birth.year)
    for key, organs in organs_in.items():
        counts = {}
        for organ in organs:
            counts[organ] = counts.get(organ, 0) + 1
        summaries[key].organs, summaries[key].most_of_one_organ = len(counts), max(counts.values())
    return sorted(summaries.values(), key=lambda s: (s.phase.number, s.group is None, s.group.number if s.group else 0))


def current_placements(program: Program) -> dict[int, tuple[int, int | None]]:
    from dangjian.enrollment.models import Placement

    return {nomination: (phase, group) for nomination, phase, group in Placement.unscoped.filter(
        nomination__program=program, nomination__status=NominationStatus.CONFIRMED).values_list(
        "nomination_id", "phase_id", "group_id")}


def placement_nomination_get(*, user, pk: int) -> Nomination:
    """A confirmed participant of a program the user sees (404 otherwise), with their placement loaded."""
    return get_object_or_404(
        Nomination.unscoped.filter(program__in=Program.objects.visible_to(user), status=NominationStatus.CONFIRMED)
        .select_related("program__venue", "person", "organ", "placement__phase", "placement__group"), pk=pk)


@dataclass
class BoardColumn:
    """A group of a phase on the drag-and-drop board, with its members (or, group None: placed in the phase
    without a group)."""

    group: object
    members: list


def placement_board(*, phase) -> list[BoardColumn]:
    """The phase's groups in order, each with the participants placed in it, by organ and name; those placed in
    the phase without a group first. Two queries."""
    columns = {None: BoardColumn(group=None, members=[])}
    for group in phase.groups.order_by("number"):
        columns[group.pk] = BoardColumn(group=group, members=[])
    for nomination in (Nomination.unscoped.filter(placement__phase=phase, status=NominationStatus.CONFIRMED)
                       .select_related("person", "organ", "placement")
                       .order_by("organ__sort_order", "person__name_sort", "pk")):
        columns.get(nomination.placement.group_id, columns[None]).members.append(nomination)
    return [column for key, column in columns.items() if key is not None or column.members]


def participant_placements(*, program: Program) -> QuerySet[Nomination]:
    """The program's confirmed participants with their placement (phase, group, lock), by organ and name (the
    allocation page shows it by pages)."""
    return (Nomination.unscoped.filter(program=program, status=NominationStatus.CONFIRMED)
            .select_related("person", "organ", "placement__phase", "placement__group")
            .order_by("organ__sort_order", "person__name_sort", "pk"))
