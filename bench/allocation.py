"""Time the allocation of participants to phases and groups (dangjian.enrollment.allocation) on generated programs.

    .venv/bin/python bench/allocation.py                      # the three sizes of issue 11, 10 s each at most
    .venv/bin/python bench/allocation.py --sizes 120x2x6 --time-limit 5 --workers 2 --seed 7

Sizes are people × phases × groups per phase: 120×2×6 (the seed program), 2,000×10×8 and 10,000×40×8. Each
program is generated with realistic organs (most nominate one to three people, a few a dozen or more, as the
Nanyang demo's 68 organs and 110 secretaries), a sector per organ, genders and ages, one nominee in ten unable to
attend one or two consecutive phases, a fifth of the organs with a preferred phase, phase capacities 5 % above
the people, group sizes within ±2 of an even split, and a limit of people of one organ per phase. A second run
("re-run") adds one participant to the first run's placement and solves again: `moves` counts the people who
changed phase or group (stability).

Targets on two cores (num_workers=2): the seed size proven optimal in under 1 s; 10,000×40×8 proven optimal or
within 1 % of the bound in 10 s. Prints a Markdown table.
"""

import argparse
import dataclasses
import datetime
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

SECTORS = ["party", "government", "people_congress", "cppcc", "judicial", "mass_organization", "institution"]


def generate(people: int, phases: int, groups: int, seed: int = 1):
    from dangjian.enrollment.allocation import Participant, PhaseSpec, Problem, Settings

    rng = random.Random(seed)
    first = datetime.date(2027, 3, 1)
    phase_specs, group_id = [], 0
    per_phase = people / phases
    for number in range(1, phases + 1):
        starts = first + datetime.timedelta(days=14 * (number - 1))
        ids = tuple(range(group_id + 1, group_id + groups + 1))
        group_id += groups
        phase_specs.append(PhaseSpec(id=number, number=number, starts_on=starts,
                                     ends_on=starts + datetime.timedelta(days=4),
                                     capacity=int(per_phase * 1.05) + 1, groups=ids))
    limit = 4 if phases <= 2 else 2  # people of one organ per phase
    participants, organ = [], 0
    preferred = {}
    while len(participants) < people:
        organ += 1
        size = min(people - len(participants), limit * phases, int(rng.paretovariate(1.6)))
        sector = rng.choice(SECTORS)
        if rng.random() < 0.2:
            preferred[organ] = rng.randint(1, phases)
        for _ in range(size):
            unavailable = ()
            if rng.random() < 0.1:
                number = rng.randint(1, phases)
                last = min(phases, number + rng.randint(0, 1)) if phases > 2 else number  # never every phase
                unavailable = ((phase_specs[number - 1].starts_on, phase_specs[last - 1].ends_on),)
            participants.append(Participant(
                id=len(participants) + 1, organ=organ, sector=sector,
                gender="female" if rng.random() < 0.28 else "male", age=rng.randint(29, 58),
                unavailable=unavailable, preferred_phase=preferred.get(organ), name=f"P{len(participants) + 1}"))
    size = people / phases / groups
    settings = Settings(group_min=max(1, int(size) - 2), group_max=int(size) + 3,
                        max_per_organ_per_phase=limit)
    return Problem(participants=tuple(participants), phases=tuple(phase_specs), settings=settings,
                   organ_names={i: f"Organ {i}" for i in range(1, organ + 1)})


def rerun_with_one_more(problem, result):
    """The first run's placement as the current one, and one more participant."""
    participants = [dataclasses.replace(p, current_phase=result.placements.get(p.id, (None, None))[0],
                                        current_group=result.placements.get(p.id, (None, None))[1])
                    for p in problem.participants]
    newcomer = dataclasses.replace(problem.participants[0], id=len(participants) + 1, name="newcomer",
                                   organ=max(p.organ for p in participants) + 1, unavailable=(),
                                   current_phase=None, current_group=None, preferred_phase=None)
    return dataclasses.replace(problem, participants=(*participants, newcomer))


def moves(before, after) -> int:
    return sum(1 for pk, place in before.placements.items() if after.placements.get(pk) != place)


def row(name, problem, result, moved="") -> str:
    gap = "" if result.gap is None else f"{result.gap:.2%}"
    return (f"| {name} | {len(problem.participants)} | {result.status} | {result.objective} | {result.bound} | "
            f"{gap} | {result.wall_time:.2f} | {result.solutions} | {len(result.unplaced)} | {moved} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="120x2x6,2000x10x8,10000x40x8")
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-rerun", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")
    import django

    django.setup()
    from dangjian.enrollment.allocation import solve

    print("| instance | people | status | objective | bound | gap | wall time (s) | solutions | unplaced | moves |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for size in args.sizes.split(","):
        people, phases, groups = (int(n) for n in size.split("x"))
        began = time.perf_counter()
        problem = generate(people, phases, groups, seed=args.seed)
        problem = dataclasses.replace(problem, settings=dataclasses.replace(
            problem.settings, time_limit=args.time_limit, num_workers=args.workers))
        generated = time.perf_counter() - began
        result = solve(problem)
        print(row(f"{size} (generated in {generated:.1f} s)", problem, result), flush=True)
        for words in result.explanations[:3]:
            print(f"|   {words} |||||||||")
        if not args.no_rerun and result.placements:
            again = rerun_with_one_more(problem, result)
            second = solve(again)
            print(row(f"{size} re-run, one more", again, second, moves(result, second)), flush=True)


if __name__ == "__main__":
    main()
