"""The evaluation analysis page of a big class: 120 participants × 60 sessions, every card answered (7,200 anonymous
answers, a third of them with an open answer, and 120 program questionnaires with their choices). Target: the
analysis page in ≤ 200 ms (issue 13, item 9).

    .venv/bin/python bench/evaluation.py                      # PostgreSQL (bench/provincedb.py), 20 requests each
    .venv/bin/python bench/evaluation.py --participants 200 --sessions 80 --requests 50

What it does: creates the PostgreSQL database `dangjian_evalbench` (its own: not a `dangjian_bench_*` template that
other runs may drop) and migrates it, writes the class (courses, instructors, sessions that ended last week, the
participants placed, receipts and answers written with bulk_create as the demo does), then times in process with
Django's test Client, signed in as an organizer: the analysis page grouped by course and by session, the drill-down
of one course, the API summary and the PDF and Excel reports (once each). The first row empties the cache before
each request (the per-session counts are cached while the answers stay the same: evaluation.analysis). Each URL is
requested once to warm up (jieba's dictionary loads on the first page), with its queries counted, then `--requests`
times. Prints a table with p50 and p95 in milliseconds.
"""

import argparse
import datetime
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import provincedb

DATABASE = "dangjian_evalbench"
TARGET_MS = 200


def prepare(participants: int, sessions: int):
    from django.db import transaction
    from django.utils import timezone

    from dangjian.enrollment.models import Nomination, Placement
    from dangjian.evaluation.demo import snippets
    from dangjian.evaluation.enums import FormKind
    from dangjian.evaluation.models import EvaluationAnswer, EvaluationReceipt
    from dangjian.evaluation.selectors import program_forms
    from dangjian.training.models import Course, Instructor, Session
    from tests.factories import OrganFactory, PersonFactory, PhaseFactory, ProgramFactory, UserFactory

    rng = random.Random(13)
    gains, suggestions = snippets()
    today = timezone.localdate()
    first = today - datetime.timedelta(days=sessions // 4 + 8)
    with transaction.atomic():
        organs = [OrganFactory() for _ in range(10)]
        program = ProgramFactory(status="in_progress", title="评估分析压力测试培训班")
        phase = PhaseFactory(program=program, number=1, starts_on=first, ends_on=today - datetime.timedelta(days=1),
                             capacity=participants)
        courses = Course.objects.bulk_create([Course(code=f"evalbench-{i}", form="lecture", title_zh=f"专题课程{i}",
                                                     default_hours=3) for i in range(sessions // 3)])
        instructors = Instructor.objects.bulk_create([Instructor(name=f"教师{i}") for i in range(12)])
        rows = []
        for index in range(sessions):
            day = first + datetime.timedelta(days=index // 4)
            start = timezone.make_aware(datetime.datetime.combine(day, datetime.time(8 + 3 * (index % 4))))
            rows.append(Session(phase=phase, starts_at=start, ends_at=start + datetime.timedelta(hours=2),
                                form="lecture" if index % 5 else "onsite_teaching", title=f"第{index + 1}课",
                                course=courses[index % len(courses)], hours=2))
        made = Session.unscoped.bulk_create(rows)
        Session.instructors.through.objects.bulk_create([
            Session.instructors.through(session_id=s.pk, instructor_id=instructors[i % len(instructors)].pk)
            for i, s in enumerate(made)])
        people = [PersonFactory(organ=organs[index % len(organs)], name=f"学员{index:04d}")
                  for index in range(participants)]
        nominations = Nomination.unscoped.bulk_create([
            Nomination(program=program, person=person, organ=person.organ, status="confirmed") for person in people])
        Placement.unscoped.bulk_create([Placement(nomination=n, phase=phase) for n in nominations])
        forms = program_forms(program)
        card, questionnaire = forms[FormKind.SESSION_CARD], forms[FormKind.PROGRAMME]
        dims = [row["id"] for row in card.definition["dimensions"]]
        onsite = [row["id"] for row in card.definition["onsite_dimensions"]]
        receipts, answers = [], []
        for session in made:
            quality = 3.0 + rng.random() * 0.8
            for nomination in nominations:
                scores = {d: max(1, min(4, round(rng.gauss(quality, 0.6))))
                          for d in dims + (onsite if session.form == "onsite_teaching" else [])}
                texts = {"main_gain": rng.choice(gains)} if rng.random() < 0.33 else {}
                receipts.append(EvaluationReceipt(nomination=nomination, form=card, session=session,
                                                  answered_on=session.ends_at.date()))
                answers.append(EvaluationAnswer(form=card, program=program, session=session,
                                                answered_on=session.ends_at.date(), scores=scores, texts=texts))
        for nomination in nominations:
            receipts.append(EvaluationReceipt(nomination=nomination, form=questionnaire, answered_on=today))
            answers.append(EvaluationAnswer(
                form=questionnaire, program=program, answered_on=today,
                scores={row["id"]: rng.choice((3, 4)) for row in questionnaire.definition["dimensions"]},
                choices={"most_satisfied": [str(s.pk) for s in rng.sample(made, 3)],
                         "least_satisfied": [str(rng.choice(made).pk)], "topics_wanted": ["regulations"]},
                texts={"other_suggestions": rng.choice(suggestions)} if rng.random() < 0.3 else {}))
        EvaluationReceipt.objects.bulk_create(receipts, batch_size=2000)
        EvaluationAnswer.objects.bulk_create(answers, batch_size=2000)
        organizer = UserFactory(username="evalbench-organizer", roles=["organizer"])
    return program, courses[0], organizer, len(answers)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--participants", type=int, default=120)
    parser.add_argument("--sessions", type=int, default=60)
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args()
    provincedb.recreate_database(DATABASE)
    provincedb.setup_django(DATABASE)
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    started = time.monotonic()
    call_command("migrate", verbosity=0)
    print(f"migrated in {time.monotonic() - started:.0f} s", flush=True)
    started = time.monotonic()
    program, course, organizer, answers = prepare(args.participants, args.sessions)
    print(f"{args.participants} participants × {args.sessions} sessions: {answers} answers written in "
          f"{time.monotonic() - started:.0f} s", flush=True)
    client = Client(HTTP_HOST="localhost")
    client.force_login(organizer)
    base = f"/evaluation/programs/{program.pk}"
    urls = [("analysis page, counts not cached", f"{base}/analysis/", args.requests),
            ("analysis page (by course)", f"{base}/analysis/", args.requests),
            ("analysis page (by session)", f"{base}/analysis/?by=session", args.requests),
            ("drill-down: a course's answers", f"{base}/analysis/course/{course.pk}/", args.requests),
            ("API analysis summary", f"/api/v1/evaluation/programs/{program.pk}/analysis", args.requests),
            ("report PDF", f"{base}/report.pdf", 1),
            ("report Excel", f"{base}/report.xlsx", 1)]
    print("| page | status | queries | KB | p50 ms | p95 ms |")
    print("|---|---|---|---|---|---|")
    worst = 0.0
    for label, url, count in urls:
        queries: list[str] = []

        def counted(execute, sql, *rest, queries=queries):
            queries.append(sql)
            return execute(sql, *rest)

        with connection.execute_wrapper(counted):
            response = client.get(url)
        times = []
        for _ in range(count):
            if "not cached" in label:
                cache.clear()
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
        times.sort()
        p50 = statistics.median(times)
        p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
        if label.startswith("analysis page"):
            worst = max(worst, p95)
        mark = " ⚠" if label.startswith("analysis page") and p95 > TARGET_MS else ""
        print(f"| {label} | {response.status_code} | {len(queries)} | {len(response.content) // 1024} | "
              f"{p50:.0f} | {p95:.0f}{mark} |", flush=True)
    print(f"\nanalysis page p95: {worst:.0f} ms (target ≤ {TARGET_MS} ms)")


if __name__ == "__main__":
    main()
