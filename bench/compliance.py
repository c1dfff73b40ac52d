"""Time compliance at province scale: the city report (every organ's counts under a rule, and per sector) and one
organ's page (its people under a rule, with the reason), on the database bench/province.py filled.

    .venv/bin/python bench/province.py                          # once: registry and 300,000 ledger records
    .venv/bin/python bench/compliance.py                        # every rule in effect, 5 runs each
    .venv/bin/python bench/compliance.py --database other --requests 10

Targets (issue 10): the city report in 1 s, one organ's page in 100 ms, on PostgreSQL. The organ is the unit
administrator's first organ (南阳市教育局 in the demo logins). Prints a Markdown table of the medians and maxima.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import provincedb


def _time(work, runs: int) -> tuple[float, float, object]:
    result = work()  # warm-up
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        result = work()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times), max(times), result


def run(*, runs: int = 5) -> list[tuple]:
    from dangjian.accounts.models import User
    from dangjian.ledger import compliance, selectors
    from dangjian.ledger.models import TrainingRecord
    from dangjian.organizations.models import Organ, Person

    organizer = User.objects.get(username="organizer")
    unit_admin = User.objects.get(username="unitadmin")
    organ = Organ.objects.visible_to(unit_admin).order_by("pk").first()
    print(f"{Person.unscoped.count():,} people, {TrainingRecord.unscoped.count():,} ledger records; "
          f"the organ: {organ} ({Person.unscoped.filter(organ=organ).count()} people)", flush=True)
    rows = []
    for requirement in compliance.in_effect(compliance.timezone.localdate()):
        def city(requirement=requirement):
            return selectors.compliance_by_organ(user=organizer, requirement=requirement)

        def sectors(requirement=requirement):
            return selectors.compliance_by_sector(user=organizer, requirement=requirement)

        def organ_page(requirement=requirement):
            people = selectors.compliance_people(user=unit_admin, requirement=requirement, organ_id=organ.pk)
            page = list(people[:25])
            return page, people.count(), selectors.compliance_counts(user=unit_admin, requirement=requirement,
                                                                    organ_id=organ.pk)

        city_p50, city_max, organs = _time(city, runs)
        sector_p50, _sector_max, _ = _time(sectors, runs)
        organ_p50, organ_max, (_page, subject, _counts) = _time(organ_page, runs)
        people = sum(row.total for row in organs)
        rows.append((requirement.code, people, city_p50, city_max, sector_p50, organ_p50, organ_max, subject))
        print(f"{requirement.code}: city {city_p50:.0f} ms, organ {organ_p50:.0f} ms", flush=True)
    return rows


def table(rows) -> str:
    lines = ["| rule | people under it | city report p50 / max (ms) | per sector p50 (ms) | "
             "one organ's page p50 / max (ms) | the organ's people under it |", "|---|---:|---:|---:|---:|---:|"]
    for code, people, city_p50, city_max, sector_p50, organ_p50, organ_max, subject in rows:
        mark_city = " ⚠" if city_max > 1000 else ""
        mark_organ = " ⚠" if organ_max > 100 else ""
        lines.append(f"| {code} | {people:,} | {city_p50:.0f} / {city_max:.0f}{mark_city} | {sector_p50:.0f} | "
                     f"{organ_p50:.0f} / {organ_max:.0f}{mark_organ} | {subject:,} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default=provincedb.DEFAULT_DATABASE)
    parser.add_argument("--requests", type=int, default=5)
    options = parser.parse_args()
    provincedb.setup_django(options.database)
    print(table(run(runs=options.requests)))


if __name__ == "__main__":
    main()
