"""Placing confirmed participants into the phases (期次) and groups (小组) of a program with OR-Tools CP-SAT.

Built from data only (a `Problem` of plain dataclasses, no ORM), so that it is unit-tested on small constructed
cases and benchmarked at province scale (bench/allocation.py). The services turn a program into a `Problem`
and a `Result` into a proposal.

Hard constraints
    - every participant in exactly one phase and one group of that phase, or unplaced with the reason in words;
    - a phase's capacity (and at most groups × the largest group size);
    - every group's size between the smallest and the largest size of the settings;
    - no phase overlapping the dates a participant cannot attend;
    - a locked placement stays (its phase, and its group when it has one);
    - at most k people of one organ in the same phase. When an organ cannot keep it (more of its people can only
      attend some phases than k per phase allows), the limit becomes a cost for that organ and is reported.

Costs (weights in `Weights`; shown on the page)
    - a participant left unplaced (far above the rest: people are placed whenever there is room);
    - stability: a participant moved from their current phase, or from their current group within a phase;
    - an organ's (or the nomination's) preferred phase not kept;
    - diversity inside groups, with per-organ counts per group (no pairwise terms): people of one organ beyond an
      even spread over the groups (one per group when they fit), sectors, genders and age bands beyond an even
      spread (between the floor and the ceiling of their count divided by the number of groups);
    - group sizes beyond an even spread.

Two levels. Participants who share every attribute the phases see (organ, the phases they can attend, their
preferred phase, their current phase) are interchangeable for the phases: the first level counts how many of each
such kind go to each phase. Every cost there is convex in one count, so it is solved exactly as a min-cost flow
(kind -> organ and phase -> phase -> sink; the CP-SAT counts model only decides when the flow cannot fill the
groups' minima). People of one organ beyond one per group are already counted there (an organ with n people in
a phase of G groups has at least n - G people beyond one per group, and dealing the people round the groups
reaches that). Then each phase is split into its groups, again with counts per kind (organ, sector, gender, age
band, current group): first a search for a split that costs nothing (optimal, since no cost is negative), then
the cheapest split. Status, objective and bound are the sums over the levels: optimal when every one is proven
optimal. Costs of the second level are given the phases of the first (a change of phase to balance groups better
is not weighed against the first level's costs). docs/allocation.md has the details and the figures.
"""

import bisect
import itertools
import math
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext as _
from ortools.graph.python import min_cost_flow
from ortools.sat.python import cp_model

OPTIMAL, FEASIBLE, INFEASIBLE, UNKNOWN = "optimal", "feasible", "infeasible", "unknown"
# Below this share of the time limit a phase's groups are not worth a solver run: the first split is kept.
MIN_GROUP_SECONDS = 0.05  # a search for a split of cost 0 takes 0.01–0.05 s at 250 people


# --- The problem, as data --------------------------------------------------------------------------

@dataclass(frozen=True)
class Participant:
    id: int
    organ: int
    sector: str = ""
    gender: str = ""
    age: int | None = None
    unavailable: tuple[tuple[date, date], ...] = ()  # (first day, last day), inclusive
    preferred_phase: int | None = None  # the nomination's, else the organ's (quota)
    current_phase: int | None = None
    current_group: int | None = None
    locked: bool = False
    name: str = ""


@dataclass(frozen=True)
class PhaseSpec:
    id: int
    number: int
    starts_on: date
    ends_on: date
    capacity: int
    groups: tuple[int, ...] = ()  # group ids, in their order


@dataclass(frozen=True)
class Weights:
    unplaced: int = 1000
    organ_over_limit: int = 500  # per person beyond k of one organ in a phase, where k cannot hold
    phase_move: int = 20
    group_move: int = 4
    preferred_phase: int = 5
    organ: int = 10
    sector: int = 2
    gender: int = 2
    age: int = 1
    size: int = 3


@dataclass(frozen=True)
class Settings:
    group_min: int = 0
    group_max: int | None = None
    max_per_organ_per_phase: int | None = None
    weights: Weights = field(default_factory=Weights)
    age_bands: tuple[int, ...] = (40, 50)  # under 40, 40–49, 50 and over
    time_limit: float = 10.0  # seconds, for all the models together
    num_workers: int = 2


@dataclass(frozen=True)
class Problem:
    participants: tuple[Participant, ...]
    phases: tuple[PhaseSpec, ...]
    settings: Settings = field(default_factory=Settings)
    organ_names: Mapping[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Progress:
    stage: str  # "phases", then "groups"
    phase_number: int | None
    solutions: int
    objective: float
    bound: float
    elapsed: float


@dataclass
class Result:
    status: str
    objective: int | None = None
    bound: int | None = None
    wall_time: float = 0.0
    solutions: int = 0
    placements: dict[int, tuple[int, int | None]] = field(default_factory=dict)  # participant -> (phase, group)
    unplaced: dict[int, str] = field(default_factory=dict)  # participant -> reason
    explanations: list[str] = field(default_factory=list)

    @property
    def gap(self) -> float | None:
        """(objective − bound) / objective: 0 when proven optimal."""
        if self.objective is None or self.bound is None:
            return None
        return max(0.0, (self.objective - self.bound) / max(1, abs(self.objective)))


# --- Words -------------------------------------------------------------------------------------------

def _phase_label(phases: list[PhaseSpec]) -> str:
    return _(", ").join(_("phase %(number)s") % {"number": phase.number} for phase in phases)


def _person(participant: Participant) -> str:
    return participant.name or f"#{participant.id}"


def _organ(problem: Problem, organ: int) -> str:
    return problem.organ_names.get(organ) or f"#{organ}"


# --- Preparation: who may go where, what is fixed, and the checks that explain -----------------------

@dataclass
class _Prepared:
    problem: Problem
    phases: dict[int, PhaseSpec]
    allowed: dict[int, tuple[int, ...]]  # participant -> phases they can attend
    fixed: dict[int, tuple[int, int | None]]  # locked participant -> (phase, group)
    free: list[Participant]
    room: dict[int, int]  # phase -> how many more people it takes (capacity, groups × largest, minus locked)
    soft_limit_organs: set[int]
    explanations: list[str]
    unplaced: dict[int, str]
    shortages: list[tuple[frozenset, str]]  # (phases, why people who can only attend those are left out)
    blocking: bool  # a hard constraint cannot hold whatever the solver does


def _overlaps(periods, phase: PhaseSpec) -> bool:
    return any(first <= phase.ends_on and last >= phase.starts_on for first, last in periods)


def _limit(phase: PhaseSpec, settings: Settings) -> int:
    if phase.groups and settings.group_max is not None:
        return min(phase.capacity, len(phase.groups) * settings.group_max)
    return phase.capacity


def _prepare(problem: Problem) -> _Prepared:
    settings = problem.settings
    phases = {phase.id: phase for phase in sorted(problem.phases, key=lambda phase: phase.number)}
    allowed, fixed, free, unplaced, explanations = {}, {}, [], {}, []
    for participant in problem.participants:
        allowed[participant.id] = tuple(pk for pk, phase in phases.items()
                                        if not _overlaps(participant.unavailable, phase))
        if participant.locked and participant.current_phase in phases:
            group = participant.current_group if participant.current_group in phases[
                participant.current_phase].groups else None
            fixed[participant.id] = (participant.current_phase, group)
        elif not allowed[participant.id]:
            unplaced[participant.id] = _("%(person)s cannot attend any phase: every phase overlaps the dates they "
                                         "cannot attend.") % {"person": _person(participant)}
        else:
            free.append(participant)
    blocking = False
    locked_in_phase = Counter(phase for phase, _group in fixed.values())
    locked_in_group = Counter(group for _phase, group in fixed.values() if group is not None)
    room = {}
    for pk, phase in phases.items():
        room[pk] = _limit(phase, settings) - locked_in_phase[pk]
        if room[pk] < 0:
            blocking = True
            explanations.append(_("%(phase)s takes %(limit)s people, but %(count)s are locked in it.") % {
                "phase": _phase_label([phase]), "limit": _limit(phase, settings), "count": locked_in_phase[pk]})
        for group in phase.groups:
            if settings.group_max is not None and locked_in_group[group] > settings.group_max:
                blocking = True
                explanations.append(_("A group of %(phase)s has %(count)s people locked in it, more than the "
                                      "largest group size (%(max)s).") % {
                    "phase": _phase_label([phase]), "count": locked_in_group[group], "max": settings.group_max})
    blocking |= _check_group_minimum(problem, phases, allowed, fixed, free, explanations)
    shortages = _check_room(phases, allowed, free, room, explanations)
    soft = _check_organ_limit(problem, phases, allowed, fixed, free, explanations)
    return _Prepared(problem=problem, phases=phases, allowed=allowed, fixed=fixed, free=free, room=room,
                     soft_limit_organs=soft, explanations=explanations, unplaced=unplaced, shortages=shortages,
                     blocking=blocking)


def _check_group_minimum(problem, phases, allowed, fixed, free, explanations) -> bool:
    """Every group needs its smallest size: a phase needs groups × minimum people who can attend it."""
    minimum = problem.settings.group_min
    if not minimum:
        return False
    blocking = False
    for pk, phase in phases.items():
        need = len(phase.groups) * minimum
        can = sum(1 for p in free if pk in allowed[p.id]) + sum(1 for f, _g in fixed.values() if f == pk)
        if need > can:
            blocking = True
            explanations.append(_("%(phase)s has %(groups)s groups of at least %(min)s people (%(need)s in all), "
                                  "but only %(count)s participants can attend it.") % {
                "phase": _phase_label([phase]), "groups": len(phase.groups), "min": minimum, "need": need,
                "count": can})
    need = sum(len(phase.groups) * minimum for phase in phases.values())
    count = len(free) + len(fixed)
    if need > count and not blocking:
        blocking = True
        explanations.append(_("The groups need at least %(need)s participants in all, but there are %(count)s.")
                            % {"need": need, "count": count})
    return blocking


def _check_room(phases, allowed, free, room, explanations) -> list[tuple[frozenset, str]]:
    """Hall's condition on the kinds of availability: people who can only attend the phases of a set need no
    more places than those phases have left. Each set that fails explains who is left out."""
    signatures = Counter(frozenset(allowed[p.id]) for p in free)
    sets = set(signatures) | {frozenset(phases)}
    shortages = []
    for phase_set in sorted(sets, key=lambda s: (len(s), sorted(phases[pk].number for pk in s))):
        demand = sum(n for signature, n in signatures.items() if signature <= phase_set)
        places = sum(max(0, room[pk]) for pk in phase_set)
        if demand <= places:
            continue
        labels = [phases[pk] for pk in sorted(phase_set, key=lambda pk: phases[pk].number)]
        if len(phase_set) == 1:
            words = _("%(phase)s has room for %(room)s people, but %(count)s people can only attend %(phase)s.") % {
                "phase": _phase_label(labels), "room": places, "count": demand}
        elif phase_set == frozenset(phases):
            words = _("The phases have room for %(room)s people, but there are %(count)s participants to place.") % {
                "room": places, "count": demand}
        else:
            words = _("%(phases)s have room for %(room)s people, but %(count)s people can only attend these "
                      "phases.") % {"phases": _phase_label(labels), "room": places, "count": demand}
        explanations.append(words)
        shortages.append((phase_set, words))
    return shortages


def _check_organ_limit(problem, phases, allowed, fixed, free, explanations) -> set[int]:
    """At most k people of one organ in a phase. An organ whose people can only attend a set of phases that holds
    fewer than k per phase cannot keep it: for that organ the limit becomes a cost, and it is said."""
    k = problem.settings.max_per_organ_per_phase
    if k is None:
        return set()
    people = defaultdict(list)
    for p in free:
        people[p.organ].append(p)
    organ_of = {p.id: p.organ for p in problem.participants}
    locked = Counter((organ_of[pk], phase) for pk, (phase, _group) in fixed.items())
    soft = set()
    for organ, members in people.items():
        sets = {frozenset(allowed[p.id]) for p in members} | {frozenset(phases)}
        for phase_set in sorted(sets, key=len):
            demand = sum(1 for p in members if set(allowed[p.id]) <= phase_set)
            demand += sum(locked[(organ, pk)] for pk in phase_set)
            if demand > k * len(phase_set):
                soft.add(organ)
                labels = [phases[pk] for pk in sorted(phase_set, key=lambda pk: phases[pk].number)]
                explanations.append(_("%(organ)s: %(count)s participants can only attend %(phases)s, more than "
                                      "%(k)s per phase: the limit cannot hold for this organ.") % {
                    "organ": _organ(problem, organ), "count": demand,
                    "phases": _phase_label(labels), "k": k})
                break
    return soft


# --- Solving -----------------------------------------------------------------------------------------

class _Watcher(cp_model.CpSolverSolutionCallback):
    """Reports each solution found (count, objective, bound) to `progress`."""

    def __init__(self, report: Callable[[int, float, float], None]):
        super().__init__()
        self.report = report
        self.solutions = 0

    def on_solution_callback(self) -> None:
        self.solutions += 1
        self.report(self.solutions, self.objective_value, self.best_objective_bound)


@dataclass
class _Solved:
    status: str
    objective: int = 0
    bound: int = 0
    solutions: int = 0


def _solve(model: cp_model.CpModel, settings: Settings, seconds: float, report) -> tuple[cp_model.CpSolver, _Solved]:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.05, seconds)
    solver.parameters.num_workers = settings.num_workers
    # With two workers CP-SAT runs one full-problem subsolver whose bound may stall on these models; the one with
    # the stronger linear relaxation proves them optimal (measured in bench/allocation.py).
    solver.parameters.extra_subsolvers.append("max_lp")
    watcher = _Watcher(report)
    code = solver.solve(model, watcher)
    status = {cp_model.OPTIMAL: OPTIMAL, cp_model.FEASIBLE: FEASIBLE,
              cp_model.INFEASIBLE: INFEASIBLE}.get(code, UNKNOWN)
    solved = _Solved(status=status, solutions=watcher.solutions)
    if status in (OPTIMAL, FEASIBLE):
        solved.objective = round(solver.objective_value)
        solved.bound = math.ceil(solver.best_objective_bound - 1e-6)
    return solver, solved


def _deal(members: list, counts: dict) -> dict:
    """Give each key of `counts` that many of `members`, interleaved (members of one kind are spread over the
    keys rather than handed out in blocks)."""
    slots = sorted((i / count, position, key) for position, (key, count) in enumerate(counts.items())
                   for i in range(count))
    return {member: key for member, (_share, _position, key) in zip(members, slots, strict=False)}


def _age_band(participant: Participant, bands: tuple[int, ...]) -> int:
    return -1 if participant.age is None else bisect.bisect_right(bands, participant.age)


def _organ_sizes(prep: _Prepared) -> Counter:
    organ_of = {p.id: p.organ for p in prep.problem.participants}
    return Counter(organ_of[pk] for pk in prep.fixed) + Counter(p.organ for p in prep.free)


def _phase_kinds(prep: _Prepared) -> dict:
    """Participants who are interchangeable for the phases: (organ, allowed phases, preferred, current) -> people.
    An organ is part of the kind only where it can matter: when it has more people than the limit per phase, or
    than a phase has groups. The other organs' people are counted together (that keeps the models small at
    province scale)."""
    k = prep.problem.settings.max_per_organ_per_phase
    organ_sizes = _organ_sizes(prep)
    fewest_groups = min((len(phase.groups) for phase in prep.phases.values() if phase.groups), default=None)
    threshold = min(n for n in (k, fewest_groups) if n is not None) if (k, fewest_groups) != (None, None) else None
    kinds = defaultdict(list)
    for p in prep.free:
        allowed = prep.allowed[p.id]
        preferred = p.preferred_phase if p.preferred_phase in allowed else None
        current = p.current_phase if p.current_phase in allowed else None
        organ = p.organ if threshold is not None and organ_sizes[p.organ] > threshold else None
        kinds[(organ, allowed, preferred, current)].append(p)
    return kinds


def _phase_flow(prep: _Prepared, kinds: dict, soft_organs: set[int]) -> dict | None:
    """The phases' model solved exactly as a min-cost flow: kind -> (organ, phase) -> phase -> sink, with an arc
    from each kind to the sink for the people left unplaced. Every cost of the phases' model is a convex function
    of one arc's flow (preferred and current phase per kind and phase, the limit per organ and its cost, people of
    an organ beyond one per group, unplaced), so the flow's optimum is the model's optimum: 0.3 s at 10,000
    people, where CP-SAT did not improve on its first placement in 5 s (bench/allocation.py). A group's smallest
    size makes the first places of each phase worth a large bonus; when the optimum does not fill them (the minima
    cannot all hold with these organs' limits), None."""
    settings, weights = prep.problem.settings, prep.problem.settings.weights
    k = settings.max_per_organ_per_phase
    organ_of = {p.id: p.organ for p in prep.problem.participants}
    organ_sizes = _organ_sizes(prep)
    organ_locked = Counter((organ_of[pk], phase) for pk, (phase, _group) in prep.fixed.items())
    locked = Counter(phase for phase, _group in prep.fixed.values())
    total = sum(len(members) for members in kinds.values())
    bonus = total * (weights.unplaced + weights.preferred_phase + weights.phase_move + weights.organ_over_limit
                     + weights.organ) + 1
    flow = min_cost_flow.SimpleMinCostFlow()
    node = {}

    def node_of(key):
        return node.setdefault(key, len(node))

    sink = node_of("sink")
    arcs = {}
    for kind, members in kinds.items():
        organ, allowed, preferred, current = kind
        size = len(members)
        source = node_of(("kind", kind))
        flow.set_node_supply(source, size)
        for pk in allowed:
            cost = (weights.preferred_phase * (preferred is not None and pk != preferred)
                    + weights.phase_move * (current is not None and pk != current))
            target = node_of(("phase", pk) if organ is None else ("organ", organ, pk))
            arcs[(kind, pk)] = flow.add_arc_with_capacity_and_unit_cost(source, target, size, cost)
        flow.add_arc_with_capacity_and_unit_cost(source, sink, size, weights.unplaced + weights.preferred_phase * (
            preferred is not None) + weights.phase_move * (current is not None))
    for key in [key for key in node if key[0] == "organ"]:
        _tag, organ, pk = key
        already = organ_locked[(organ, pk)]
        hard = k is not None and organ not in soft_organs
        most = max(0, k - already) if hard else organ_sizes[organ]
        groups = len(prep.phases[pk].groups)
        steps = {0, most}
        if groups and organ_sizes[organ] > groups:
            steps.add(min(most, max(0, groups - already)))
        if k is not None and not hard:
            steps.add(min(most, max(0, k - already)))
        steps = sorted(steps)
        for low, high in itertools.pairwise(steps):
            count = already + low + 1  # the organ's people in the phase with the first unit of this step
            cost = (weights.organ * (bool(groups) and organ_sizes[organ] > groups and count > groups)
                    + weights.organ_over_limit * (k is not None and not hard and count > k))
            flow.add_arc_with_capacity_and_unit_cost(node[key], node_of(("phase", pk)), high - low, cost)
    minimum = settings.group_min
    needed = {}
    for pk, phase in prep.phases.items():
        room = max(0, prep.room[pk])
        need = max(0, len(phase.groups) * minimum - locked[pk]) if phase.groups else 0
        if need > room:
            return None
        here = node_of(("phase", pk))
        needed[pk] = (flow.add_arc_with_capacity_and_unit_cost(here, sink, need, -bonus), need)
        flow.add_arc_with_capacity_and_unit_cost(here, sink, room - need, 0)
    flow.set_node_supply(sink, -total)
    if flow.solve() != flow.OPTIMAL:
        return None
    if any(flow.flow(arc) < need for arc, need in needed.values()):
        return None
    return {kind: {pk: flow.flow(arcs[(kind, pk)]) for pk in kind[1]} for kind in kinds}


def _phase_cost(prep: _Prepared, kinds, rows) -> int:
    """The phases' costs of a placement (the flow's arc costs; tests check them against a CP-SAT model)."""
    settings, weights = prep.problem.settings, prep.problem.settings.weights
    k = settings.max_per_organ_per_phase
    organ_of = {p.id: p.organ for p in prep.problem.participants}
    organ_sizes = Counter(organ_of[pk] for pk in prep.fixed) + Counter(p.organ for p in prep.free)
    keyed = {kind[0] for kind in kinds if kind[0] is not None}
    per_phase = Counter((organ_of[pk], phase) for pk, (phase, _group) in prep.fixed.items()
                        if organ_of[pk] in keyed)
    cost = 0
    for kind, members in kinds.items():
        organ, _allowed, preferred, current = kind
        row, size = rows[kind], len(members)
        cost += weights.unplaced * (size - sum(row.values()))
        if preferred is not None:
            cost += weights.preferred_phase * (size - row.get(preferred, 0))
        if current is not None:
            cost += weights.phase_move * (size - row.get(current, 0))
        if organ is not None:
            per_phase.update({(organ, pk): n for pk, n in row.items()})
    for (organ, pk), n in per_phase.items():
        if k is not None and organ in prep.soft_limit_organs:
            cost += weights.organ_over_limit * max(0, n - k)
        groups = len(prep.phases[pk].groups)
        if groups and organ_sizes[organ] > groups:
            cost += weights.organ * max(0, n - groups)
    return cost


def _group_model(prep: _Prepared, phase: PhaseSpec, people: list[Participant], fixed_group: dict[int, int],
                 hint: dict[int, int] | None, *, organs: bool = True, zero: bool = False):
    """Counts per kind of participant and group, inside one phase; `hint` is a first split. Without `organs`, the
    organs' terms are left out: a much smaller model whose optimum is a lower bound of the whole one. With `zero`,
    only splits that cost nothing: a search for a feasible split, which CP-SAT settles (found, or proven to cost
    at least 1) in a hundredth of the time it takes to prove a zero optimum of the minimisation."""
    settings, weights = prep.problem.settings, prep.problem.settings.weights
    groups = phase.groups
    model = cp_model.CpModel()
    organs_here = Counter(p.organ for p in people)
    kinds = defaultdict(list)
    for p in people:
        if p.id in fixed_group:
            continue
        current = p.current_group if p.current_phase == phase.id and p.current_group in groups else None
        organ = p.organ if organs and organs_here[p.organ] > 1 else None  # alone: no organ term to weigh
        kinds[(organ, p.sector, p.gender, _age_band(p, settings.age_bands), current)].append(p)
    counts, costs = {}, []
    attributes = {"organ": lambda p: p.organ, "sector": lambda p: p.sector, "gender": lambda p: p.gender,
                  "age": lambda p: _age_band(p, settings.age_bands)}
    terms = {name: defaultdict(list) for name in attributes}  # name -> (value, group) -> [vars or 1]
    sizes = defaultdict(list)
    for kind, members in kinds.items():
        organ, sector, gender, band, current = kind
        row = {group: model.new_int_var(0, len(members), "") for group in groups}
        counts[kind] = row
        model.add(cp_model.LinearExpr.sum(list(row.values())) == len(members))
        if current is not None:
            costs.append(weights.group_move * (len(members) - row[current]))
        if hint:
            placed = Counter(hint[p.id] for p in members)
            for group, var in row.items():
                model.add_hint(var, placed[group])
        values = {"organ": organ, "sector": sector, "gender": gender, "age": band}
        for group, var in row.items():
            sizes[group].append(var)
            for name, value in values.items():
                terms[name][(value, group)].append(var)
    constant = Counter()
    for p in people:
        group = fixed_group.get(p.id)
        if group is None:
            continue
        constant[("size", group)] += 1
        for name, value_of in attributes.items():
            constant[(name, value_of(p), group)] += 1
    count = len(groups)
    total = len(people)
    for group in groups:
        size = cp_model.LinearExpr.sum(sizes[group]) + constant[("size", group)]
        if settings.group_min:
            model.add(size >= settings.group_min)
        if settings.group_max is not None:
            model.add(size <= settings.group_max)
        costs.extend(_spread(model, size, total, count, weights.size, both=True))
    for name, value_of in attributes.items():
        weight = getattr(weights, name)
        values = Counter(value_of(p) for p in people)
        for value, n in values.items():
            if name == "organ" and (n < 2 or not organs):
                continue
            for group in groups:
                expr = cp_model.LinearExpr.sum(terms[name][(value, group)]) + constant[(name, value, group)]
                costs.extend(_spread(model, expr, n, count, weight, both=name != "organ"))
    model.minimize(cp_model.LinearExpr.sum(costs))
    if zero:
        model.add(cp_model.LinearExpr.sum(costs) <= 0)
    return model, kinds, counts


def _fixed_groups(prep: _Prepared, people: list[Participant]) -> dict[int, int]:
    """The locked participants of a phase who are locked in a group too."""
    return {p.id: prep.fixed[p.id][1] for p in people if p.id in prep.fixed and prep.fixed[p.id][1]}


def _greedy_groups(prep: _Prepared, phase: PhaseSpec, people: list[Participant], fixed_group) -> dict[int, int]:
    """A first split for the solver's hint: people who have a group stay in it; then one at a time, organs with
    most people first, each to the group where they add least beyond an even spread (the model's costs)."""
    settings, weights = prep.problem.settings, prep.problem.settings.weights
    groups, total = phase.groups, len(people)
    values = {"organ": lambda p: p.organ, "sector": lambda p: p.sector, "gender": lambda p: p.gender,
              "age": lambda p: _age_band(p, settings.age_bands)}
    spread = {name: Counter(value_of(p) for p in people) for name, value_of in values.items()}
    ceiling = {name: {value: -(-n // len(groups)) for value, n in counts.items()} for name, counts in spread.items()}
    size_ceiling = -(-total // len(groups))
    largest = settings.group_max if settings.group_max is not None else total
    placed, count, size = {}, Counter(), Counter()

    def put(p, group):
        placed[p.id] = group
        size[group] += 1
        for name, value_of in values.items():
            count[(name, value_of(p), group)] += 1

    def cost(p, group):
        beyond = sum(getattr(weights, name) for name, value_of in values.items()
                     if count[(name, value_of(p), group)] + 1 > ceiling[name][value_of(p)])
        # Full groups last, groups below the smallest size first (so the sizes hold whenever they can), then
        # the least cost, then the smallest group.
        return (size[group] >= largest, size[group] >= settings.group_min,
                beyond + weights.size * (size[group] + 1 > size_ceiling), size[group])

    waiting = []
    for p in people:
        group = fixed_group.get(p.id) or (p.current_group if p.current_phase == phase.id
                                          and p.current_group in groups else None)
        if group is not None:
            put(p, group)
        else:
            waiting.append(p)
    organ_sizes = spread["organ"]
    for p in sorted(waiting, key=lambda p: (-organ_sizes[p.organ], p.organ, p.gender, values["age"](p), p.id)):
        put(p, min(groups, key=lambda group: cost(p, group)))
    return placed


def _sizes_hold(settings: Settings, phase: PhaseSpec, placed: dict[int, int]) -> bool:
    sizes = Counter(placed.values())
    return all(settings.group_min <= sizes[group] and (settings.group_max is None or sizes[group] <= settings.group_max)
               for group in phase.groups)


def _split_cost(prep: _Prepared, phase: PhaseSpec, people: list[Participant], placed: dict[int, int]) -> int:
    """The group model's costs of a split made without the solver (the same terms as `_group_model`)."""
    settings, weights = prep.problem.settings, prep.problem.settings.weights
    groups = len(phase.groups)

    def beyond(count, total, both):
        low, high = total // groups, -(-total // groups)
        return max(0, count - high) + (max(0, low - count) if both else 0)

    sizes = Counter(placed[p.id] for p in people)
    cost = sum(weights.size * beyond(sizes[group], len(people), True) for group in phase.groups)
    values = {"organ": lambda p: p.organ, "sector": lambda p: p.sector, "gender": lambda p: p.gender,
              "age": lambda p: _age_band(p, settings.age_bands)}
    for name, value_of in values.items():
        totals = Counter(value_of(p) for p in people)
        counts = Counter((value_of(p), placed[p.id]) for p in people)
        for value, n in totals.items():
            if name == "organ" and n < 2:
                continue
            cost += sum(getattr(weights, name) * beyond(counts[(value, group)], n, name != "organ")
                        for group in phase.groups)
    cost += sum(weights.group_move for p in people if p.id not in prep.fixed and p.current_phase == phase.id
                and p.current_group in phase.groups and placed[p.id] != p.current_group)
    return cost


def _spread(model, expr, total: int, groups: int, weight: int, *, both: bool) -> list:
    """The cost of `expr` (a count in one group) outside [floor, ceil] of an even spread of `total` over
    `groups`; only above the ceiling when not `both`."""
    low, high = total // groups, -(-total // groups)
    over = model.new_int_var(0, total, "")
    model.add(over >= expr - high)
    costs = [weight * over]
    if both and low > 0:
        under = model.new_int_var(0, low, "")
        model.add(under >= low - expr)
        costs.append(weight * under)
    return costs


def _split_phase(prep: _Prepared, phase: PhaseSpec, people: list[Participant], seconds: float,
                 report) -> tuple[_Solved, dict[int, int] | None]:
    """The phase's people into its groups. The greedy split when it costs nothing (every cost is at least 0: it is
    optimal). Else, in turn until a split reaches the bound: a split that costs nothing, sought with the group
    model without the organs' terms (small: kinds of sector, gender, age band and current group), its counts dealt
    to people so that one organ's people go to different groups, then with the whole model; when there is none
    (the bound is then at least 1), the cheapest split, without the organs' terms (its optimum is a lower bound
    of the whole model's) and then with them, in the time left. Returns the split's costs and bound, or no split
    when none was found in time."""
    settings = prep.problem.settings
    deadline = time.monotonic() + seconds
    fixed_group = _fixed_groups(prep, people)
    split = _greedy_groups(prep, phase, people, fixed_group)
    best = _Solved(status=FEASIBLE, objective=_split_cost(prep, phase, people, split))
    if not _sizes_hold(settings, phase, split):
        split, best = None, _Solved(status=UNKNOWN)
    elif best.objective == 0:
        report(1, 0, 0)
        return _Solved(status=OPTIMAL, solutions=1), split
    bound, solutions = 0, 0
    for organs, zero in ((False, True), (True, True), (False, False), (True, False)):
        left = deadline - time.monotonic()
        if left < MIN_GROUP_SECONDS or (zero and bound > 0):
            continue
        model, kinds, counts = _group_model(prep, phase, people, fixed_group, split, organs=organs, zero=zero)
        solver, solved = _solve(model, settings, left / 2 if zero and organs else left, report)
        solutions += solved.solutions
        if solved.status == INFEASIBLE and zero:
            bound = 1  # no split costs nothing, and costs are whole numbers
            continue
        if solved.status == INFEASIBLE:
            return solved, None
        if solved.status not in (OPTIMAL, FEASIBLE):
            continue
        bound = max(bound, solved.bound)
        found = _split_from_counts(people, fixed_group, kinds, {
            kind: {group: solver.value(var) for group, var in row.items()} for kind, row in counts.items()})
        cost = _split_cost(prep, phase, people, found)
        if split is None or cost < best.objective:
            split, best = found, _Solved(status=FEASIBLE, objective=cost)
        if best.objective <= bound:
            break
    if split is None:
        return _Solved(status=UNKNOWN, solutions=solutions), None
    # A split kept from the greedy start, or one above the bound, is feasible; one at the bound is optimal.
    status = OPTIMAL if best.objective <= bound else FEASIBLE
    return _Solved(status=status, objective=best.objective, bound=min(bound, best.objective),
                   solutions=solutions), split


def _better_split(first: tuple[_Solved, dict | None], again: tuple[_Solved, dict | None]):
    """The cheaper of two splits of one phase, with the higher of their bounds (both hold)."""
    (one, split), (other, other_split) = first, again
    if other_split is None:
        return first
    if split is not None and one.objective <= other.objective:
        objective = one.objective
    else:
        split, objective = other_split, other.objective
    bound = min(objective, max(one.bound, other.bound))
    return _Solved(status=OPTIMAL if objective <= bound else FEASIBLE, objective=objective, bound=bound,
                   solutions=one.solutions + other.solutions), split


def _split_from_counts(people: list[Participant], fixed_group: dict[int, int], kinds: dict, rows: dict
                       ) -> dict[int, int]:
    """People of each kind to groups, as many to each group as the counts say: organs with most people first,
    each person to a group where their organ has fewest people so far (then their current group, then the
    group with most places left for the kind)."""
    split = dict(fixed_group)
    by_id = {p.id: p for p in people}
    organ_count = Counter((by_id[pk].organ, group) for pk, group in fixed_group.items())
    organ_sizes = Counter(p.organ for p in people)
    left = {kind: dict(row) for kind, row in rows.items()}
    kind_of = {p.id: kind for kind, members in kinds.items() for p in members}
    waiting = sorted((p for members in kinds.values() for p in members),
                     key=lambda p: (-organ_sizes[p.organ], p.organ, p.id))
    for p in waiting:
        slots, current = left[kind_of[p.id]], kind_of[p.id][-1]
        group = min((g for g, n in slots.items() if n),
                    key=lambda g: (organ_count[(p.organ, g)], g != current, -slots[g]))
        split[p.id] = group
        slots[group] -= 1
        organ_count[(p.organ, group)] += 1
    return split


def _place_phases(prep: _Prepared, kinds: dict, report) -> tuple[_Solved, dict | None]:
    """How many of each kind go to each phase: the min-cost flow, exact. When the groups' minima cannot hold with
    the limit per organ, the limit becomes a cost for every organ (the result names the organs above it); when
    they cannot hold even so, the placement is infeasible."""
    rows = _phase_flow(prep, kinds, prep.soft_limit_organs)
    if rows is None and prep.problem.settings.max_per_organ_per_phase is not None:
        everyone = {p.organ for p in prep.problem.participants}
        rows = _phase_flow(prep, kinds, everyone)
        if rows is not None:
            prep.soft_limit_organs = everyone
    if rows is None:
        return _Solved(status=INFEASIBLE), None
    cost = _phase_cost(prep, kinds, rows)
    report(1, cost, cost)
    return _Solved(status=OPTIMAL, objective=cost, bound=cost, solutions=1), rows


def solve(problem: Problem, progress: Callable[[Progress], None] | None = None) -> Result:
    """Place the participants of `problem`; `progress` hears of each solution found."""
    started = time.monotonic()
    settings = problem.settings
    prep = _prepare(problem)
    result = Result(status=UNKNOWN, explanations=list(prep.explanations), unplaced=dict(prep.unplaced))
    if prep.blocking:
        result.status = INFEASIBLE
        result.wall_time = time.monotonic() - started
        return result

    def reporter(stage, number):
        def report(solutions, objective, bound):
            if progress is not None:
                progress(Progress(stage=stage, phase_number=number, solutions=solutions, objective=objective,
                                  bound=bound, elapsed=time.monotonic() - started))
        return report

    kinds = _phase_kinds(prep)
    first, rows = _place_phases(prep, kinds, reporter("phases", None))
    if first.status == INFEASIBLE:
        result.status = INFEASIBLE
        result.explanations.append(_("The constraints cannot all hold together: check the capacities, the group "
                                     "sizes and the locked placements."))
        result.wall_time = time.monotonic() - started
        return result

    in_phase = defaultdict(list)
    for pk, (phase, _group) in prep.fixed.items():
        in_phase[phase].append(pk)
    for kind, members in kinds.items():
        row = dict(rows[kind])
        current = kind[3]
        ordered = sorted(members, key=lambda p: (p.gender, _age_band(p, settings.age_bands), p.id))
        if current is not None:
            for p in ordered[:row[current]]:
                in_phase[current].append(p.id)
            ordered = ordered[row[current]:]
            row[current] = 0
        dealt = _deal(ordered, {pk: n for pk, n in row.items() if n})
        for p in ordered:
            if p in dealt:
                in_phase[dealt[p]].append(p.id)
            else:
                result.unplaced[p.id] = _unplaced_reason(prep, p)
    result.objective, result.bound, result.solutions = first.objective, first.bound, first.solutions
    statuses = [first.status]

    by_id = {p.id: p for p in problem.participants}
    placements, jobs = {}, []
    for pk, phase in prep.phases.items():
        people = [by_id[i] for i in sorted(in_phase[pk])]
        if not phase.groups or not people:
            placements.update({p.id: (pk, prep.fixed.get(p.id, (pk, None))[1]) for p in people})
        else:
            jobs.append((phase, people))
    splits = {}
    for rank, (phase, people) in enumerate(jobs):
        share = (settings.time_limit - (time.monotonic() - started)) / (len(jobs) - rank)
        splits[phase.id] = _split_phase(prep, phase, people, share, reporter("groups", phase.number))
    # Most phases are settled in a fraction of their share: the time left goes to those not proven optimal, at
    # least the smallest useful share each, in turn while it lasts.
    unproven = [(phase, people) for phase, people in jobs if splits[phase.id][0].status in (FEASIBLE, UNKNOWN)]
    for rank, (phase, people) in enumerate(unproven):
        remaining = settings.time_limit - (time.monotonic() - started)
        if remaining < MIN_GROUP_SECONDS:
            break
        share = max(MIN_GROUP_SECONDS, remaining / (len(unproven) - rank))
        again = _split_phase(prep, phase, people, share, reporter("groups", phase.number))
        splits[phase.id] = _better_split(splits[phase.id], again)
    for phase, people in jobs:
        second, split = splits[phase.id]
        statuses.append(second.status)
        result.solutions += second.solutions
        if split is None:
            result.explanations.append(_("No split of %(phase)s into groups was found in time: its participants "
                                         "are placed in the phase without a group.") % {
                "phase": _phase_label([phase])})
            fixed_group = _fixed_groups(prep, people)
            placements.update({p.id: (phase.id, fixed_group.get(p.id)) for p in people})
            continue
        result.objective += second.objective
        result.bound += second.bound
        placements.update({i: (phase.id, group) for i, group in split.items()})
    result.placements = placements
    result.explanations.extend(_organs_over_limit(prep, placements))
    if any(status not in (OPTIMAL, FEASIBLE) for status in statuses):
        result.status = FEASIBLE
    else:
        result.status = OPTIMAL if all(status == OPTIMAL for status in statuses) else FEASIBLE
    result.wall_time = time.monotonic() - started
    return result


def _unplaced_reason(prep: _Prepared, participant: Participant) -> str:
    mine = frozenset(prep.allowed[participant.id])
    for phase_set, words in prep.shortages:
        if mine <= phase_set:
            return words
    labels = [prep.phases[pk] for pk in sorted(mine, key=lambda pk: prep.phases[pk].number)]
    k = prep.problem.settings.max_per_organ_per_phase
    if k is not None:
        return _("No place is left in the phases %(person)s can attend (%(phases)s) within their capacity and "
                 "the limit of %(k)s people of one organ per phase.") % {
            "person": _person(participant), "phases": _phase_label(labels), "k": k}
    return _("No place is left in the phases %(person)s can attend (%(phases)s).") % {
        "person": _person(participant), "phases": _phase_label(labels)}


def _organs_over_limit(prep: _Prepared, placements) -> list[str]:
    k = prep.problem.settings.max_per_organ_per_phase
    if k is None or not prep.soft_limit_organs:
        return []
    organ_of = {p.id: p.organ for p in prep.problem.participants}
    per_phase = Counter((organ_of[pk], phase) for pk, (phase, _group) in placements.items())
    return [_("%(organ)s has %(count)s people in %(phase)s, more than %(k)s.") % {
        "organ": _organ(prep.problem, organ), "count": count,
        "phase": _phase_label([prep.phases[phase]]), "k": k}
        for (organ, phase), count in sorted(per_phase.items(), key=lambda item: (item[0][1], item[0][0]))
        if count > k]
