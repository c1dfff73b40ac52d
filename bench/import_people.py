"""Time the import of a people workbook (default 10,000 people, each with a post) on a fresh SQLite database,
and measure the peak memory of the process that imports it.

    .venv/bin/python bench/import_people.py [--people 10000] [--organs 100] [--keep] [--no-export]

Creates a temporary directory with its own SQLite database (DATABASE_URL) and var dir, migrates it,
registers organs and party organizations, writes the workbook with the import template's headers,
then imports it in a fresh child process (as a background worker would) through `registry_import`
as an organizer, and prints rows per second and the child's peak resident memory (getrusage
ru_maxrss) before and after the import. The export of the same data (revealed) is timed as well,
in the parent process. See bench/README.md.
"""

import argparse
import datetime
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--organs", type=int, default=100)
    parser.add_argument("--keep", action="store_true", help="Keep the temporary directory (database, workbook).")
    parser.add_argument("--no-export", action="store_true", help="Skip timing the export.")
    parser.add_argument("--import-in", type=Path, help=argparse.SUPPRESS)  # the child process: import only
    options = parser.parse_args()

    if options.import_in:
        _environment(options.import_in)
        import_only(options.import_in, people=options.people)
        return
    workdir = Path(tempfile.mkdtemp(prefix="dangjian-bench-"))
    _environment(workdir)
    try:
        run(workdir, people=options.people, organs=options.organs, export=not options.no_export)
    finally:
        if options.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def _environment(workdir: Path) -> None:
    os.environ["DANGJIAN_VAR_DIR"] = str(workdir)
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))


def peak_rss_mb() -> float:
    """The peak resident memory of this process so far, in MB (Linux reports ru_maxrss in KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def id_number(serial: int) -> str:
    from dangjian.core.validators import id_number_check_char

    birth = datetime.date(1960, 1, 1) + datetime.timedelta(days=serial // 900)
    first17 = f"411302{birth:%Y%m%d}{100 + serial % 900:03d}"
    return first17 + id_number_check_char(first17)


def run(workdir: Path, *, people: int, organs: int, export: bool) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from openpyxl import Workbook

    from dangjian.accounts.models import User
    from dangjian.organizations.models import Organ, PartyOrganization
    from dangjian.organizations.spreadsheets import registry_export
    from dangjian.organizations.spreadsheets.layout import PEOPLE_SHEET, POST_SHEET

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    user = User.objects.create(username="bench")
    user.grant_role("organizer")
    Organ.unscoped.bulk_create(
        Organ(code=f"organ-{n:03d}", name_zh=f"测试单位{n:03d}", sector="government") for n in range(organs)
    )
    organ_list = list(Organ.unscoped.order_by("code"))
    committees = PartyOrganization.unscoped.bulk_create(
        PartyOrganization(organ=organ, name="机关党委", org_type="committee") for organ in organ_list
    )
    branches = PartyOrganization.unscoped.bulk_create(
        PartyOrganization(organ=committee.organ, name=f"第{b}党支部", org_type="branch", parent=committee)
        for committee in committees for b in range(1, 5)
    )
    print(f"setup: {organs} organs, {len(committees) + len(branches)} party organizations "
          f"({time.perf_counter() - started:.1f} s)")

    started = time.perf_counter()
    path = workdir / "people.xlsx"
    workbook = Workbook(write_only=True)
    people_sheet, post_sheet = workbook.create_sheet("人员"), workbook.create_sheet("任职")
    people_sheet.append(PEOPLE_SHEET.headers)
    post_sheet.append(POST_SHEET.headers)
    secretaries = set()
    for serial in range(people):
        branch = branches[serial % len(branches)]
        number = id_number(serial)
        people_sheet.append([f"测试{serial}", "", number, None, "汉族", datetime.date(2000, 7, 1),
                             f"138{serial:08d}", "大学本科", "科员", "科员", branch.organ.code])
        role = "委员" if branch.pk in secretaries else "书记"
        secretaries.add(branch.pk)
        post_sheet.append([number, f"测试{serial}", branch.organ.code, branch.name, role,
                           "组织委员" if role == "委员" and serial % 3 == 0 else "", datetime.date(2022, 3, 1), None,
                           "选举", f"工委〔2022〕{serial}号"])
    workbook.save(path)
    rows = 2 * people
    print(f"workbook: {people} people + {people} posts, {path.stat().st_size / 1e6:.1f} MB "
          f"({time.perf_counter() - started:.1f} s)")

    # The import runs in a child process, so that its peak memory is the import's alone (not the workbook's).
    subprocess.run([sys.executable, __file__, "--import-in", str(workdir), "--people", str(people)], check=True)
    if not export:
        return

    started = time.perf_counter()
    content = registry_export(kind="people", by=user, reveal=True)
    elapsed = time.perf_counter() - started
    print(f"export: {rows} rows, {len(content) / 1e6:.1f} MB in {elapsed:.2f} s = {rows / elapsed:,.0f} rows/s")


def import_only(workdir: Path, *, people: int) -> None:
    """The child process: import the workbook of `run` and report time and peak memory."""
    import django

    django.setup()
    from django.conf import settings

    from dangjian.accounts.models import User
    from dangjian.organizations.models import Person, Post
    from dangjian.organizations.spreadsheets import registry_import

    # The bench may go beyond the deployment's per-sheet row limit (settings.IMPORT_MAX_ROWS).
    settings.IMPORT_MAX_ROWS = max(settings.IMPORT_MAX_ROWS, people)
    settings.IMPORT_PROGRESS_EVERY = max(settings.IMPORT_PROGRESS_EVERY, people // 10)
    user = User.objects.get(username="bench")
    rows = 2 * people
    before = peak_rss_mb()

    def progress(done: int, total: int) -> None:
        print(f"  checked {done} of {total} rows ({peak_rss_mb():.0f} MB peak so far)", flush=True)

    started, cpu_started = time.perf_counter(), time.process_time()
    result = registry_import(kind="people", file=workdir / "people.xlsx", by=user, progress=progress)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    if not result.ok:
        for error in result.errors[:20]:
            print(error)
        raise SystemExit(f"import failed with {result.error_count} errors")
    assert Person.unscoped.count() == people and Post.unscoped.count() == people
    print(f"import: {result.counts} in {elapsed:.2f} s = {rows / elapsed:,.0f} rows/s "
          f"({people / elapsed:,.0f} people with their posts per second); {cpu:.1f} s of CPU time "
          f"(the measure to compare on a loaded machine)")
    print(f"memory: {before:.0f} MB peak before the import (Django loaded), {peak_rss_mb():.0f} MB peak after it")


if __name__ == "__main__":
    main()
