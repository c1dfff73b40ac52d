"""Time every staff page and API list at province scale, for the organizer and the unit administrator.

    .venv/bin/python bench/province.py                  # once: the registry in PostgreSQL (dangjian_province)
    .venv/bin/python bench/pages.py                     # every page, both roles, 20 requests each after a warm-up
    .venv/bin/python bench/pages.py --only people --requests 50 --role organizer
    .venv/bin/python bench/pages.py --only ledger --only enrollment --only outbox   # issue 10's pages

In process, with Django's test Client (no web server, no network), against the database that DATABASE_URL names
(bench/provincedb.py). Each page is requested once to warm up, with its queries counted,
then `--requests` times with the clock running. The table (Markdown) gives the status, the queries, the response
size and the p50 and p95 of the times in milliseconds; a p95 above the target (--target, 100 ms) is marked.

PAGES is the one list of what is timed. A later capability adds its pages there (a name, and a function of the
Subjects that gives the URL); Subjects.find looks up, for each role, records that role can see.
"""

import argparse
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import provincedb

ROLES = {"organizer": "organizer", "unit admin": "unitadmin", "head teacher": "college",
         "participant": "participant"}  # table label -> demo username
# The staff roles every page is timed for; a page timed for other roles names them (PAGES' third element).
STAFF_ROLES = ("organizer", "unit admin")
HEAD = ("organizer", "head teacher")  # the pages of those who run a class
RUNS = (*HEAD, "unit admin")  # and those unit administrators read for their own people


@dataclass
class Subjects:
    """Records to open detail pages on, each one the role may see: the biggest organ, a party committee, a
    person holding posts, the seed program and its first phase."""

    organ: int
    party_organization: int
    person: int
    program: int
    phase: int
    new_since: str
    job: int
    enrollment: int = 0  # the program with the most nominations the role sees
    message: int = 0  # the latest message of the outbox the role sees
    running: int = 0  # the class in progress (bench/province.py `delivery`) and a session of it that has ended
    session: int = 0
    closed: int = 0  # the closed class with the most participants who completed it (the follow-up's pages)


    @staticmethod
    def running_class(user) -> tuple[int, int]:
        """The class in progress the user sees, and its first whole-class session that has marks."""
        from django.db.models import Count

        from dangjian.enrollment.models import Nomination
        from dangjian.training.models import Program, Session

        # The class running this week (province.py `delivery`): the program in progress with the most people placed.
        running = (Program.objects.visible_to(user).filter(status="in_progress")
                   .annotate(placed=Count("phases__placements")).order_by("-placed", "pk").first())
        if running is None:  # a participant: the class they attend
            running = Program.unscoped.filter(pk__in=Nomination.objects.visible_to(user).filter(
                program__status="in_progress").values("program")).order_by("pk").first()
        if running is None:
            return 0, 0
        session = (Session.objects.visible_to(user).filter(phase__program=running, group=None)
                   .order_by("starts_at").values_list("pk", flat=True).first())
        return running.pk, session or 0

    @classmethod
    def find(cls, user) -> "Subjects":
        from django.db.models import Count

        from dangjian.enrollment.models import Nomination
        from dangjian.jobs.models import BackgroundJob
        from dangjian.organizations.models import Organ, PartyOrganization, Person
        from dangjian.organizations.selectors import newly_appointed_since_default
        from dangjian.outbox.models import Message
        from dangjian.training.models import Phase, Program

        running, session = cls.running_class(user)
        if not user.roles & {"organizer", "unit_admin"}:  # head teacher, participant: their few pages
            return cls(organ=0, party_organization=0, person=0, program=0, phase=0, new_since="", job=0,
                       running=running, session=session)
        organ = Organ.objects.visible_to(user).annotate(n=Count("party_organizations")).order_by("-n", "pk").first()
        committee = PartyOrganization.objects.visible_to(user).filter(organ=organ, parent=None).order_by("pk").first()
        person = (Person.objects.visible_to(user).filter(organ=organ).annotate(n=Count("posts"))
                  .order_by("-n", "pk").first())
        program = Program.objects.visible_to(user).annotate(n=Count("phases__sessions")).order_by("-n", "pk").first()
        phase = Phase.objects.filter(program=program).order_by("number").first() if program else None
        job = BackgroundJob.objects.visible_to(user).filter(requested_by=user).order_by("-pk").first()
        busiest = (Nomination.objects.visible_to(user).filter(program__status="enrollment_open").values("program")
                   .annotate(n=Count("pk")).order_by("-n").values_list("program", flat=True).first())
        closed = (Program.objects.visible_to(user).filter(status__in=("closed", "archived"))
                  .annotate(n=Count("completion_results")).order_by("-n", "pk").values_list("pk", flat=True).first())
        return cls(running=running, session=session, closed=closed or 0, organ=organ.pk,
                   party_organization=committee.pk, person=person.pk,
                   program=program.pk if program else 0, phase=phase.pk if phase else 0,
                   new_since=newly_appointed_since_default().isoformat(), job=job.pk if job else 0,
                   enrollment=busiest or program.pk,
                   message=Message.objects.visible_to(user).order_by("-pk").values_list("pk", flat=True).first() or 0)


def reflection_url() -> str:
    """The head teacher's reading page of a reflection of the running class (province.py `after_the_class`)."""
    from dangjian.completion.models import Reflection

    first = Reflection.unscoped.filter(nomination__program__status="in_progress").order_by("pk").first()
    return f"/completion/reflections/{first.pk if first else 0}/"


def verify_url() -> str:
    """The verification page of a stored certificate (or of an unknown serial: the same neutral page). The bench
    asks more often than the public rate limit allows one address, so the limit is lifted for it."""
    from django.conf import settings

    from dangjian.certificates.models import Certificate

    settings.CERTIFICATE_VERIFY_RATE = (10**9, 60)
    serial = Certificate.unscoped.order_by("pk").values_list("serial", flat=True).first() or "NY2022-0001-XXXXXXXX"
    return f"/verify/{serial}/"


# (name, URL of the Subjects). Staff pages, then the API's lists. Pages a role may not open answer 403 there.
PAGES = [
    ("start page", lambda s: "/"),
    ("organs", lambda s: "/organs/"),
    ("organs, search", lambda s: "/organs/?q=教育"),
    ("organ", lambda s: f"/organs/{s.organ}/"),
    ("new organ (form)", lambda s: "/organs/new/"),
    ("party organizations", lambda s: "/party-organizations/"),
    ("party organizations, page 400", lambda s: "/party-organizations/?page=400"),
    ("party organizations, elections due", lambda s: "/party-organizations/?warnings=1"),
    ("party organization", lambda s: f"/party-organizations/{s.party_organization}/"),
    ("new party organization (form)", lambda s: "/party-organizations/new/"),
    ("people", lambda s: "/people/"),
    ("people, page 500", lambda s: "/people/?page=500"),
    ("people, search 王伟", lambda s: "/people/?q=王伟"),
    ("people, search ID 411302", lambda s: "/people/?q=411302"),
    ("people, by organ", lambda s: f"/people/?organ={s.organ}"),
    ("people, newly appointed secretaries", lambda s: f"/people/?new_since={s.new_since}&role=secretary"),
    ("people, by first secretary post", lambda s: "/people/?sort=-appointed"),
    ("person", lambda s: f"/people/{s.person}/"),
    ("new person (form)", lambda s: "/people/new/"),
    ("new post (form)", lambda s: f"/people/{s.person}/posts/new/"),
    ("organ picker, search", lambda s: "/pickers/organs/?q=南阳市"),
    ("party organization picker, search", lambda s: "/pickers/party-organizations/?q=机关"),
    ("spreadsheets", lambda s: "/spreadsheets/"),
    ("import job (its row report)", lambda s: f"/jobs/{s.job}/"),
    ("import job, progress", lambda s: f"/jobs/{s.job}/status/"),
    ("audit trail", lambda s: "/audit/"),
    ("training library", lambda s: "/training/library/"),
    ("venues", lambda s: "/training/venues/"),
    ("red-education sites", lambda s: "/training/sites/"),
    ("instructors", lambda s: "/training/instructors/"),
    ("courses", lambda s: "/training/courses/"),
    ("programs", lambda s: "/training/programs/"),
    ("program", lambda s: f"/training/programs/{s.program}/"),
    ("new program (form)", lambda s: "/training/programs/new/"),
    ("copy program (form)", lambda s: f"/training/programs/{s.program}/copy/"),
    ("phase", lambda s: f"/training/phases/{s.phase}/"),
    ("timetable", lambda s: f"/training/phases/{s.phase}/timetable/"),
    ("copy timetable (form)", lambda s: f"/training/phases/{s.phase}/timetable/copy/"),
    ("outbox", lambda s: "/outbox/"),
    ("outbox, failed", lambda s: "/outbox/?status=failed"),
    ("outbox, by program", lambda s: f"/outbox/?program={s.program}"),
    ("outbox, SMS drafts, page 20", lambda s: "/outbox/?status=draft&channel=sms&page=20"),
    ("outbox, a message", lambda s: f"/outbox/{s.message}/"),
    ("enrollment", lambda s: f"/enrollment/programs/{s.enrollment}/"),
    ("enrollment, waitlist", lambda s: f"/enrollment/programs/{s.enrollment}/?status=waitlisted"),
    ("enrollment, by organ", lambda s: f"/enrollment/programs/{s.enrollment}/?organ={s.organ}"),
    ("enrollment, organs page 10", lambda s: f"/enrollment/programs/{s.enrollment}/?organs_page=10"),
    ("enrollment quotas (form)", lambda s: f"/enrollment/programs/{s.enrollment}/settings/"),
    ("enrollment quotas (form), search", lambda s: f"/enrollment/programs/{s.enrollment}/settings/?q=教育局"),
    ("enrollment quotas (form), page 10", lambda s: f"/enrollment/programs/{s.enrollment}/settings/?page=10"),
    ("nomination page", lambda s: f"/enrollment/programs/{s.enrollment}/organs/{s.organ}/nominate/"),
    ("allocation", lambda s: f"/enrollment/programs/{s.enrollment}/allocation/"),
    ("allocation, participants page 2", lambda s: f"/enrollment/programs/{s.enrollment}/allocation/?page=2"),
    ("allocation board, phase 1", lambda s: f"/enrollment/programs/{s.program}/allocation/phases/{s.phase}/board/"),
    ("nomination page, people search",
     lambda s: f"/enrollment/programs/{s.enrollment}/organs/{s.organ}/nominees/?q=%E7%8E%8B"),
    ("ledger: city compliance, induction", lambda s: "/ledger/compliance/"),
    ("ledger: city compliance, secretaries' hours", lambda s: "/ledger/compliance/?requirement=secretary-annual"),
    ("ledger: city compliance, one sector", lambda s: "/ledger/compliance/?sector=judicial"),
    ("ledger: city compliance, page 20", lambda s: "/ledger/compliance/?requirement=member-annual&page=20"),
    ("ledger: organ compliance, induction", lambda s: f"/ledger/compliance/organs/{s.organ}/"),
    ("ledger: organ compliance, members' hours",
     lambda s: f"/ledger/compliance/organs/{s.organ}/?requirement=member-annual"),
    ("ledger: a person's archive", lambda s: f"/ledger/people/{s.person}/"),
    ("ledger: new record (form)", lambda s: f"/ledger/people/{s.person}/records/new/"),
    ("ledger: new exemption (form)", lambda s: f"/ledger/people/{s.person}/exemptions/new/"),
    ("ledger: import", lambda s: "/ledger/import/"),
    ("ledger: annual statistics", lambda s: "/ledger/statistics/"),
    ("ledger: requirements", lambda s: "/ledger/requirements/"),
    ("ledger: induction forecast", lambda s: "/ledger/forecast/"),
    ("portal editor (Wagtail)", lambda s: "/cms/"),
    ("portal front page", lambda s: "/portal/"),
    ("portal search 书记", lambda s: "/portal/search/?q=书记"),
    ("roll call (a session of the running class)", lambda s: f"/attendance/sessions/{s.session}/",
     RUNS),
    ("QR check-in code screen", lambda s: f"/attendance/sessions/{s.session}/check-in-code/", HEAD),
    ("class attendance overview", lambda s: f"/attendance/programs/{s.running}/", RUNS),
    ("leave requests of the class", lambda s: f"/attendance/programs/{s.running}/leave/", RUNS),
    ("withdrawals of the class", lambda s: f"/attendance/programs/{s.running}/withdrawals/", RUNS),
    ("completion results of the class", lambda s: f"/completion/programs/{s.running}/results/", RUNS),
    ("completion rules (form)", lambda s: f"/completion/programs/{s.running}/rules/", ("organizer",)),
    ("assessment scores (grid)", lambda s: f"/completion/programs/{s.running}/assessments/", HEAD),
    ("reflections of the class", lambda s: f"/completion/programs/{s.running}/reflections/", HEAD),
    ("a reflection (reading and grading)", lambda s: reflection_url(), HEAD),
    ("reflections of the class, not graded yet",
     lambda s: f"/completion/programs/{s.running}/reflections/?grade=ungraded", HEAD),
    ("assessment import template (xlsx)", lambda s: f"/completion/programs/{s.running}/assessments/template.xlsx",
     HEAD),
    ("evaluation of the class (forms, response rates)", lambda s: f"/evaluation/programs/{s.running}/", HEAD),
    ("evaluation analysis of the class", lambda s: f"/evaluation/programs/{s.running}/analysis/", HEAD),
    ("evaluation analysis per session", lambda s: f"/evaluation/programs/{s.running}/analysis/?by=session", HEAD),
    ("API leave requests of the class", lambda s: f"/api/v1/leave/programs/{s.running}/requests", RUNS),
    ("API attendance overview", lambda s: f"/api/v1/leave/programs/{s.running}/attendance", RUNS),
    ("API completion results", lambda s: f"/api/v1/completion/programs/{s.running}/results", RUNS),
    ("API reflections of the class", lambda s: f"/api/v1/completion/programs/{s.running}/reflections", HEAD),
    ("API closing packs", lambda s: f"/api/v1/closing/programs/{s.running}/packs", HEAD),
    ("API evaluation response rates", lambda s: f"/api/v1/evaluation/programs/{s.running}/response-rates", HEAD),
    ("API evaluation analysis", lambda s: f"/api/v1/evaluation/programs/{s.running}/analysis", HEAD),
    ("API evaluation analysis per course", lambda s: f"/api/v1/evaluation/programs/{s.running}/analysis/course",
     HEAD),
    ("certificates of a program", lambda s: f"/certificates/programs/{s.program}/", ("organizer", "unit admin")),
    ("API certificates of a program", lambda s: f"/api/v1/certificates/programs/{s.program}",
     ("organizer", "unit admin")),
    ("public certificate verification", lambda s: verify_url(), ("organizer", "participant")),
    ("follow-up of a closed class", lambda s: f"/followup/programs/{s.closed}/", ("organizer",)),
    ("API follow-up overview", lambda s: f"/api/v1/followup/programs/{s.closed}/overview", ("organizer",)),
    ("follow-up reports to confirm", lambda s: "/followup/confirmations/", ("unit admin",)),
    ("API follow-up reports to confirm", lambda s: "/api/v1/followup/confirmations", ("unit admin",)),
    ("participant: start page (/my/)", lambda s: "/my/", ("participant",)),
    ("participant: my enrollment and archive", lambda s: "/my/enrollment/", ("participant",)),
    ("participant: my leave", lambda s: "/my/leave/", ("participant",)),
    ("participant: my evaluation cards", lambda s: "/my/evaluation/", ("participant",)),
    ("participant: my reflection", lambda s: f"/my/programs/{s.running}/reflection/", ("participant",)),
    ("participant: after the class (plan, follow-up)", lambda s: "/my/followup/", ("participant",)),
    ("API organs", lambda s: "/api/v1/organs"),
    ("API party organizations", lambda s: "/api/v1/party-organizations"),
    ("API party organizations, page 400", lambda s: "/api/v1/party-organizations?page=400"),
    ("API people", lambda s: "/api/v1/people"),
    ("API people, page 500", lambda s: "/api/v1/people?page=500"),
    ("API people, search 王伟", lambda s: "/api/v1/people?q=王伟"),
    ("API people, newly appointed", lambda s: f"/api/v1/people?newly_appointed_since={s.new_since}"),
    ("API posts", lambda s: "/api/v1/posts"),
    ("API posts, current", lambda s: "/api/v1/posts?current=true"),
    ("API programs", lambda s: "/api/v1/programs"),
    ("API outbox", lambda s: "/api/v1/outbox/messages"),
    ("API outbox, failed", lambda s: "/api/v1/outbox/messages?status=failed"),
    ("API phases", lambda s: "/api/v1/phases"),
    ("API sessions", lambda s: "/api/v1/sessions"),
    ("API venues", lambda s: "/api/v1/venues"),
    ("API sites", lambda s: "/api/v1/sites"),
    ("API instructors", lambda s: "/api/v1/instructors"),
    ("API courses", lambda s: "/api/v1/courses"),
    ("API import job", lambda s: f"/api/v1/jobs/{s.job}"),
    ("API nominations", lambda s: "/api/v1/enrollment/nominations"),
    ("API nominations of a program", lambda s: f"/api/v1/enrollment/nominations?program={s.enrollment}"),
    ("API quotas", lambda s: f"/api/v1/enrollment/programs/{s.enrollment}/quotas"),
    ("API waitlist", lambda s: f"/api/v1/enrollment/programs/{s.enrollment}/waitlist"),
    ("API people due", lambda s: f"/api/v1/enrollment/programs/{s.enrollment}/due?organ={s.organ}"),
    ("API ledger records", lambda s: "/api/v1/ledger/records"),
    ("API ledger compliance per organ", lambda s: "/api/v1/ledger/compliance/organs?requirement=secretary-annual"),
    ("API ledger compliance, an organ's people", lambda s: f"/api/v1/ledger/compliance/people?organ={s.organ}"),
    ("API ledger statistics", lambda s: "/api/v1/ledger/statistics?year=2026"),
    ("API ledger forecast", lambda s: "/api/v1/ledger/forecast"),
]


@dataclass
class Timing:
    page: str
    role: str
    url: str
    status: int
    queries: int
    kilobytes: float
    p50: float
    p95: float


def time_page(client, url: str, requests: int) -> tuple[int, int, float, list[float]]:
    from django.db import DEFAULT_DB_ALIAS, connections

    # Counted with an execute wrapper: CaptureQueriesContext reads the connection's query log, which Django
    # empties when a request starts (the request_started signal), so it undercounts outside a test run.
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connections[DEFAULT_DB_ALIAS].execute_wrapper(count):
        response = client.get(url)  # the warm-up, counted
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    return response.status_code, len(queries), len(response.content) / 1024, times


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def run(*, requests: int, only: list[str], roles: list[str]) -> list[Timing]:
    from django.test import Client

    from dangjian.accounts.models import User

    results = []
    for role in roles:
        user = User.objects.get(username=ROLES[role])
        subjects = Subjects.find(user)
        client = Client()
        client.force_login(user)
        for name, url_of, *page_roles in PAGES:
            if only and not any(word.lower() in name.lower() for word in only):
                continue
            if role not in (page_roles[0] if page_roles else STAFF_ROLES):
                continue
            url = url_of(subjects)
            status, queries, kilobytes, times = time_page(client, url, requests)
            results.append(Timing(name, role, url, status, queries, kilobytes, statistics.median(times),
                                  percentile(times, 0.95)))
            print(f"  {role:<10} {name:<40} {status} {queries:>3} q  p95 {results[-1].p95:7.1f} ms", file=sys.stderr,
                  flush=True)
    return results


def table(results: list[Timing], target: float) -> str:
    lines = ["| page | role | status | queries | KB | p50 ms | p95 ms |", "|---|---|---|---:|---:|---:|---:|"]
    for r in results:
        slow = " ⚠" if r.p95 > target and r.status == 200 else ""
        lines.append(f"| {r.page} | {r.role} | {r.status} | {r.queries} | {r.kilobytes:.0f} | {r.p50:.0f} | "
                     f"{r.p95:.0f}{slow} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default=provincedb.DEFAULT_DATABASE)
    parser.add_argument("--requests", type=int, default=20, help="Timed requests per page, after one warm-up.")
    parser.add_argument("--only", action="append", default=[],
                        help="Only the pages whose name contains this (repeatable: any of them).")
    parser.add_argument("--role", action="append", choices=list(ROLES), help="Default: every role.")
    parser.add_argument("--target", type=float, default=100.0, help="p95 in ms above which a page is marked.")
    options = parser.parse_args()
    provincedb.setup_django(options.database)
    results = run(requests=options.requests, only=options.only, roles=options.role or list(ROLES))
    print(table(results, options.target))
    slow = [r for r in results if r.p95 > options.target and r.status == 200]
    print(f"\n{len(results)} pages; {len(slow)} with a p95 above {options.target:.0f} ms.")


if __name__ == "__main__":
    main()
