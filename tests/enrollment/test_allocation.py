"""The allocation solver (enrollment/allocation.py) on small constructed programs, from data only: each hard
constraint (capacity, group sizes, unavailable dates, locked placements, the limit per organ and phase), the
infeasible cases and the words that explain them, the costs (diversity, preferred phase) and stability."""

import dataclasses
import datetime
from collections import Counter, defaultdict

import pytest
from ortools.sat.python import cp_model

from dangjian.enrollment import allocation
from dangjian.enrollment.allocation import (
    FEASIBLE,
    INFEASIBLE,
    OPTIMAL,
    Participant,
    PhaseSpec,
    Problem,
    Settings,
    solve,
)

MARCH = datetime.date(2027, 3, 1)
PHASE1 = PhaseSpec(id=1, number=1, starts_on=MARCH, ends_on=MARCH + datetime.timedelta(days=4), capacity=10,
                   groups=(11, 12))
PHASE2 = PhaseSpec(id=2, number=2, starts_on=MARCH + datetime.timedelta(days=14),
                   ends_on=MARCH + datetime.timedelta(days=18), capacity=10, groups=(21, 22))
AWAY_IN_PHASE1 = ((MARCH + datetime.timedelta(days=2), MARCH + datetime.timedelta(days=3)),)
AWAY_IN_PHASE2 = ((PHASE2.starts_on, PHASE2.starts_on),)


def people(count, start=1, organ=None, **kwargs):
    return [Participant(id=i, organ=organ if organ is not None else i, name=f"P{i}", **kwargs)
            for i in range(start, start + count)]


def problem(participants, phases=(PHASE1, PHASE2), **settings):
    settings.setdefault("time_limit", 5)
    return Problem(participants=tuple(participants), phases=tuple(phases), settings=Settings(**settings),
                   organ_names={1: "市教育局", 2: "市财政局"})


def phase_of(result, pk):
    return result.placements[pk][0]


def group_sizes(result):
    return Counter(group for _phase, group in result.placements.values())


def test_everyone_is_placed_in_one_phase_and_one_group_of_it():
    result = solve(problem(people(16), group_min=3, group_max=5))
    assert result.status == OPTIMAL and result.gap == 0
    assert sorted(result.placements) == list(range(1, 17)) and not result.unplaced
    groups_of = {1: {11, 12}, 2: {21, 22}}
    assert all(group in groups_of[phase] for phase, group in result.placements.values())
    assert all(3 <= size <= 5 for size in group_sizes(result).values())


def test_unavailable_dates_exclude_the_phases_they_overlap():
    away = people(3, unavailable=AWAY_IN_PHASE1) + people(3, start=4, unavailable=AWAY_IN_PHASE2)
    result = solve(problem(away + people(4, start=7)))
    assert [phase_of(result, pk) for pk in range(1, 7)] == [2, 2, 2, 1, 1, 1]


def test_someone_who_can_attend_no_phase_is_unplaced_with_the_reason():
    result = solve(problem([*people(4), *people(1, start=5, unavailable=((MARCH, PHASE2.ends_on),))]))
    assert result.status == OPTIMAL and 5 not in result.placements
    assert result.unplaced == {5: "P5 cannot attend any phase: every phase overlaps the dates they cannot attend."}


def test_beyond_a_phase_capacity_people_are_unplaced_and_the_reason_names_the_numbers():
    small = dataclasses.replace(PHASE1, capacity=5)
    result = solve(problem(people(7, unavailable=AWAY_IN_PHASE2) + people(3, start=8), phases=(small, PHASE2)))
    assert result.status == OPTIMAL
    assert sum(1 for pk in range(1, 8) if pk in result.placements) == 5
    assert set(result.unplaced.values()) == {
        "phase 1 has room for 5 people, but 7 people can only attend phase 1."}
    assert result.explanations == ["phase 1 has room for 5 people, but 7 people can only attend phase 1."]
    assert all(phase_of(result, pk) == 2 for pk in (8, 9, 10))


def test_group_sizes_bound_a_phase_and_a_minimum_that_cannot_be_met_is_explained():
    result = solve(problem(people(18), group_min=2, group_max=4))  # 2 phases × 2 groups × 4 = 16 places
    assert len(result.unplaced) == 2 and max(group_sizes(result).values()) == 4
    infeasible = solve(problem(people(4, unavailable=AWAY_IN_PHASE2) + people(8, start=5), group_min=4))
    assert infeasible.status == INFEASIBLE and not infeasible.placements
    assert infeasible.explanations == ["phase 2 has 2 groups of at least 4 people (8 in all), but only 8 "
                                       "participants can attend it."] or infeasible.explanations == [
        "The groups need at least 16 participants in all, but there are 12."]


def test_a_phase_that_too_few_can_attend_is_explained():
    result = solve(problem(people(10, unavailable=AWAY_IN_PHASE2) + people(2, start=11), group_min=2))
    assert result.status == INFEASIBLE
    assert result.explanations == ["phase 2 has 2 groups of at least 2 people (4 in all), but only 2 participants "
                                   "can attend it."]


def test_locked_placements_stay_even_against_a_preference():
    locked = Participant(id=1, organ=1, preferred_phase=2, current_phase=1, current_group=12, locked=True)
    result = solve(problem([locked, *people(7, start=2, preferred_phase=2)]))
    assert result.placements[1] == (1, 12)
    too_many = [dataclasses.replace(locked, id=i, organ=i) for i in range(1, 5)]
    refused = solve(problem(too_many, group_max=3))
    assert refused.status == INFEASIBLE
    assert refused.explanations == ["A group of phase 1 has 4 people locked in it, more than the largest group "
                                    "size (3)."]


def test_at_most_k_people_of_one_organ_in_a_phase_when_it_can_hold():
    result = solve(problem(people(4, organ=1) + people(4, start=5), max_per_organ_per_phase=2))
    assert result.status == OPTIMAL and not result.explanations
    assert Counter(phase_of(result, pk) for pk in range(1, 5)) == {1: 2, 2: 2}


def test_an_organ_limit_that_cannot_hold_becomes_a_cost_and_is_reported():
    result = solve(problem(people(5, organ=1) + people(3, start=6), max_per_organ_per_phase=2))
    assert result.status == OPTIMAL and not result.unplaced
    assert result.explanations[0] == ("市教育局: 5 participants can only attend phase 1, phase 2, more than 2 per "
                                      "phase: the limit cannot hold for this organ.")
    assert result.explanations[1] in ("市教育局 has 3 people in phase 1, more than 2.",
                                      "市教育局 has 3 people in phase 2, more than 2.")


def test_people_of_one_organ_and_of_one_gender_are_spread_over_the_groups():
    one_phase = (dataclasses.replace(PHASE1, groups=(11, 12, 13)),)
    organ = people(3, organ=1, gender="female")
    others = people(6, start=4, gender="male")
    result = solve(problem(organ + others, phases=one_phase))
    assert result.status == OPTIMAL and result.objective == 0
    assert {result.placements[pk][1] for pk in (1, 2, 3)} == {11, 12, 13}
    assert set(group_sizes(result).values()) == {3}


def test_an_organs_preferred_phase_is_kept_where_there_is_room():
    result = solve(problem(people(6, preferred_phase=2) + people(6, start=7)))
    assert all(phase_of(result, pk) == 2 for pk in range(1, 7))


def test_a_rerun_with_one_more_participant_moves_nobody_or_almost():
    participants = [Participant(id=i, organ=1 + i // 3, gender="female" if i % 4 == 0 else "male", age=30 + i % 25,
                                sector=("party", "government", "institution")[i % 3]) for i in range(1, 37)]
    phases = (dataclasses.replace(PHASE1, capacity=20, groups=(11, 12, 13)),
              dataclasses.replace(PHASE2, capacity=20, groups=(21, 22, 23)))
    first = solve(problem(participants, phases=phases, group_min=4, group_max=8, max_per_organ_per_phase=2))
    assert first.status == OPTIMAL
    current = [dataclasses.replace(p, current_phase=first.placements[p.id][0], current_group=first.placements[p.id][1])
               for p in participants]
    newcomer = Participant(id=99, organ=99, gender="female", age=40, sector="party")
    second = solve(problem([*current, newcomer], phases=phases, group_min=4, group_max=8, max_per_organ_per_phase=2))
    assert second.status in (OPTIMAL, FEASIBLE) and 99 in second.placements
    moved = [pk for pk, place in first.placements.items() if second.placements[pk] != place]
    assert len(moved) <= 2


def test_progress_hears_of_each_solution_with_objective_and_bound():
    heard = []
    result = solve(problem(people(8)), progress=heard.append)
    assert result.solutions == len(heard) >= 2
    assert {report.stage for report in heard} == {"phases", "groups"}
    assert all(report.bound <= report.objective for report in heard)


@pytest.mark.parametrize("time_limit", [0.5])
def test_the_seed_size_is_solved_to_optimality_quickly(time_limit):
    participants = [Participant(id=i, organ=1 + i // 2, gender="female" if i % 3 == 0 else "male", age=30 + i % 28,
                                sector=("party", "government", "institution", "mass")[i % 4]) for i in range(120)]
    phases = (dataclasses.replace(PHASE1, capacity=64, groups=(11, 12, 13, 14, 15, 16)),
              dataclasses.replace(PHASE2, capacity=64, groups=(21, 22, 23, 24, 25, 26)))
    result = solve(problem(participants, phases=phases, group_min=8, group_max=12, max_per_organ_per_phase=3,
                           time_limit=5))
    assert result.status == OPTIMAL and not result.unplaced


def test_the_costs_of_a_split_made_without_the_solver_are_the_models_costs():
    """When a group model finds nothing in time, its greedy first split is kept and costed in Python: the same
    terms as the model (checked here on the solver's own solutions)."""
    participants = [Participant(id=i, organ=1 + i % 4, gender="female" if i % 3 == 0 else "male", age=30 + i,
                                sector=("party", "government")[i % 2], preferred_phase=1 if i < 6 else None,
                                current_phase=2 if i % 5 == 0 else None) for i in range(1, 19)]
    prep = allocation._prepare(problem(participants, max_per_organ_per_phase=2, group_max=5))
    people = participants[:9]
    fixed = allocation._fixed_groups(prep, people)
    model, group_kinds, group_counts = allocation._group_model(
        prep, PHASE1, people, fixed, allocation._greedy_groups(prep, PHASE1, people, fixed))
    solver, solved = allocation._solve(model, prep.problem.settings, 5, lambda *args: None)
    placed = {}
    for kind, members in group_kinds.items():
        row = {group: solver.value(var) for group, var in group_counts[kind].items()}
        placed.update(allocation._deal(members, {g: n for g, n in row.items() if n}))
    assert allocation._split_cost(prep, PHASE1, people, {p.id: g for p, g in placed.items()}) == solved.objective


def random_problem(seed, count=24, k=2):
    """A small program with everything the models weigh: organs, sectors, genders, ages, unavailable dates,
    preferred and current phases and groups, and a locked placement."""
    import random

    rng = random.Random(seed)
    participants = []
    for i in range(1, count + 1):
        current_phase = rng.choice((None, 1, 2))
        current_group = rng.choice((11, 12)) if current_phase == 1 else rng.choice((21, 22)) if current_phase else None
        participants.append(Participant(
            id=i, organ=rng.randint(1, 6), sector=rng.choice(("party", "government", "institution")),
            gender=rng.choice(("female", "male", "male")), age=rng.randint(29, 58),
            unavailable=rng.choice(((), (), (), AWAY_IN_PHASE1, AWAY_IN_PHASE2)),
            preferred_phase=rng.choice((None, None, 1, 2)), current_phase=current_phase,
            current_group=current_group, locked=i == 1 and current_phase is not None, name=f"P{i}"))
    room = count // 2 + 2
    phases = (dataclasses.replace(PHASE1, capacity=room), dataclasses.replace(PHASE2, capacity=room))
    return problem(participants, phases=phases, group_min=3, group_max=count // 4 + 2, max_per_organ_per_phase=k)


def reference_phase_model(prep, kinds, soft_organs):
    """The phases' level as a CP-SAT model of counts per kind and phase (what the flow replaced): the reference
    the flow's optimum is checked against."""
    settings, weights = prep.problem.settings, prep.problem.settings.weights
    k = settings.max_per_organ_per_phase
    organ_of = {p.id: p.organ for p in prep.problem.participants}
    organ_sizes = allocation._organ_sizes(prep)
    model = cp_model.CpModel()
    counts, costs = {}, []
    load = defaultdict(list)
    organ_load = defaultdict(list)
    for kind, members in kinds.items():
        organ, allowed, preferred, current = kind
        size = len(members)
        most = min(size, k) if organ is not None and k is not None and organ not in soft_organs else size
        row = {pk: model.new_int_var(0, most, "") for pk in allowed}
        counts[kind] = row
        left_out = model.new_int_var(0, size, "")
        model.add(cp_model.LinearExpr.sum(list(row.values())) + left_out == size)
        costs.append(weights.unplaced * left_out)
        if preferred is not None:
            costs.append(weights.preferred_phase * (size - row[preferred]))
        if current is not None:
            costs.append(weights.phase_move * (size - row[current]))
        for pk, var in row.items():
            load[pk].append(var)
            if organ is not None:
                organ_load[(organ, pk)].append(var)
    locked = Counter(phase for phase, _group in prep.fixed.values())
    organ_locked = Counter((organ_of[pk], phase) for pk, (phase, _group) in prep.fixed.items())
    minimum = settings.group_min
    for pk, phase in prep.phases.items():
        total = cp_model.LinearExpr.sum(load[pk])
        model.add(total <= max(0, prep.room[pk]))
        if phase.groups and minimum:
            model.add(total + locked[pk] >= len(phase.groups) * minimum)
    for (organ, pk), variables in organ_load.items():
        people = cp_model.LinearExpr.sum(variables) + organ_locked[(organ, pk)]
        if k is not None and organ not in soft_organs:
            if len(variables) > 1 or organ_locked[(organ, pk)]:  # else the variable's domain says it
                model.add(people <= k)
        elif k is not None:
            over = model.new_int_var(0, organ_sizes[organ], "")
            model.add(over >= people - k)
            costs.append(weights.organ_over_limit * over)
        groups = len(prep.phases[pk].groups)
        if groups and organ_sizes[organ] > groups:
            beyond = model.new_int_var(0, organ_sizes[organ], "")
            model.add(beyond >= people - groups)
            costs.append(weights.organ * beyond)
    model.minimize(cp_model.LinearExpr.sum(costs))
    return model, counts


@pytest.mark.parametrize("seed", range(8))
def test_the_phases_flow_finds_the_optimum_of_the_phases_model(seed):
    """The phases are placed by a min-cost flow; on small programs CP-SAT's model of the same costs proves the
    same optimum (with the limit per organ hard, and as a cost where it cannot hold)."""
    prep = allocation._prepare(random_problem(seed, k=2 + seed % 2))
    kinds = allocation._phase_kinds(prep)
    rows = allocation._phase_flow(prep, kinds, prep.soft_limit_organs)
    model, _counts = reference_phase_model(prep, kinds, prep.soft_limit_organs)
    _solver, solved = allocation._solve(model, prep.problem.settings, 10, lambda *args: None)
    assert solved.status == OPTIMAL and rows is not None
    assert allocation._phase_cost(prep, kinds, rows) == solved.objective
    assert all(sum(row.values()) <= len(kinds[kind]) for kind, row in rows.items())


@pytest.mark.parametrize("seed", range(8))
def test_a_phases_split_into_groups_is_the_optimum_of_the_whole_group_model(seed):
    """The groups of a phase come from a search for a split that costs nothing, then from the model without the
    organs (a bound) and with them; the result is the whole model's optimum, proven."""
    prep = allocation._prepare(random_problem(seed))
    phase = dataclasses.replace(PHASE1, groups=(11, 12, 13))
    people = [p for p in prep.problem.participants if p.id in {q.id for q in prep.free} or p.id in prep.fixed]
    people = [p for p in people if 1 in prep.allowed[p.id]][:14]
    fixed = allocation._fixed_groups(prep, people)
    model, _kinds, _counts = allocation._group_model(prep, phase, people, fixed, None)
    _solver, whole = allocation._solve(model, prep.problem.settings, 10, lambda *args: None)
    solved, split = allocation._split_phase(prep, phase, people, 10, lambda *args: None)
    assert whole.status == OPTIMAL and solved.status == OPTIMAL
    assert solved.objective == solved.bound == whole.objective
    assert allocation._split_cost(prep, phase, people, split) == whole.objective
    assert sorted(split) == sorted(p.id for p in people)


def test_when_the_group_minima_need_more_of_an_organ_than_the_limit_it_becomes_a_cost():
    """The flow cannot fill phase 2's groups (2 × 3) within the limit of 2 people of 市教育局 per phase: the CP-SAT
    model decides, the limit becomes a cost and the result says which organ is above it."""
    only_phase1 = people(6, start=11, unavailable=AWAY_IN_PHASE2)
    flexible = people(4, organ=1) + people(2, start=5)
    result = solve(problem(only_phase1 + flexible, group_min=3, max_per_organ_per_phase=2))
    assert result.status == OPTIMAL and not result.unplaced
    assert Counter(phase for phase, _group in result.placements.values()) == {1: 6, 2: 6}
    assert result.explanations == ["市教育局 has 4 people in phase 2, more than 2."]


def test_group_minima_that_no_placement_fills_make_the_run_infeasible():
    small = dataclasses.replace(PHASE1, capacity=5)  # 2 groups of at least 3
    result = solve(problem(people(12), phases=(small, PHASE2), group_min=3))
    assert result.status == INFEASIBLE and not result.placements
    assert result.explanations == ["The constraints cannot all hold together: check the capacities, the group "
                                   "sizes and the locked placements."]
