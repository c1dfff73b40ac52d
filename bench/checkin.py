"""1,000 participants of one session check in by QR code through the API, from concurrent clients, against a
running server on PostgreSQL; then every one is verified recorded exactly once. Target: 1,000 in 10 s.

    .venv/bin/python bench/checkin.py                       # 1,000 participants, 16 client threads, gunicorn -w 2×cores
    .venv/bin/python bench/checkin.py --participants 2000 --clients 8 --workers 3 --keep
    .venv/bin/python bench/checkin.py --server runserver --workers 2   # Django's runserver processes instead

What it does:
1. creates the PostgreSQL database `dangjian_checkin` (bench/provincedb.py: a copy of the migrated template
   database, C.UTF-8) and writes a program in progress with one phase and one session that started a minute ago,
   N confirmed participants placed in it, each with a participant login and an API token (`Authorization:
   Bearer`, api/auth.py) — the phone of each participant;
2. starts the server as docs/deploy.md runs it: `gunicorn dangjian.wsgi -w N` (sync workers; N from `--workers`,
   default two per CPU), production settings (DEBUG off). `--server runserver`: N `runserver --noreload`
   processes on consecutive ports instead, the clients spread over them;
3. from `--clients` threads, each participant POSTs /api/v1/attendance/check-in with the session's current code
   (made as the code screen makes it: attendance.checkin.make_code) on its thread's connection (http.client,
   kept alive where the server keeps it: gunicorn's sync workers close it after each answer, and the client
   reconnects); every answer must be 200 with `created: true`;
4. prints the throughput and the p50/p95/max latency, and the CPU time per check-in of the server processes,
   of PostgreSQL's backends serving them and of this client, with the load average; then checks the database:
   N marks for the session, one per participant, all "qr", N audit entries; then sends 100 of the check-ins
   again (a second scan) and checks that nothing was written twice.
"""

import argparse
import contextlib
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import provincedb

DATABASE = "dangjian_checkin"


def _free_ports(count: int) -> list[int]:
    ports = []
    for _ in range(count):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            ports.append(sock.getsockname()[1])
    return ports


def prepare(participants: int) -> dict:
    """The class, its session and N participants with tokens; returns the session and the tokens."""
    import datetime

    from django.contrib.auth.models import Group
    from django.db import transaction
    from django.utils import timezone

    from dangjian.accounts.models import ApiToken, User
    from dangjian.accounts.roles import Role
    from dangjian.enrollment.models import Nomination, Placement
    from dangjian.training.models import Session
    from tests.factories import OrganFactory, PersonFactory, PhaseFactory, ProgramFactory

    now = timezone.now()
    with transaction.atomic():
        organs = [OrganFactory() for _ in range(10)]
        program = ProgramFactory(status="in_progress", title="扫码签到压力测试培训班")
        today = timezone.localdate()
        phase = PhaseFactory(program=program, number=1, starts_on=today, ends_on=today + datetime.timedelta(days=4),
                             capacity=participants)
        session = Session.unscoped.create(phase=phase, starts_at=now - datetime.timedelta(minutes=1),
                                          ends_at=now + datetime.timedelta(hours=3), form="lecture",
                                          title="学习贯彻党的二十大精神", hours=3)
        # One at a time: Person.save() normalizes the ID number and fills the sort key (a few seconds).
        people = [PersonFactory(organ=organs[index % len(organs)], name=f"学员{index:04d}")
                  for index in range(participants)]
        nominations = Nomination.unscoped.bulk_create([
            Nomination(program=program, person=person, organ=person.organ, status="confirmed") for person in people])
        Placement.unscoped.bulk_create([Placement(nomination=n, phase=phase) for n in nominations])
        users = User.objects.bulk_create([User(username=f"checkin{index:04d}", full_name=person.name, person=person)
                                          for index, person in enumerate(people)])
        group, _created = Group.objects.get_or_create(name=Role.PARTICIPANT)
        User.groups.through.objects.bulk_create([User.groups.through(user_id=u.pk, group_id=group.pk) for u in users])
        tokens = []
        for user in users:
            token = "dj_" + os.urandom(24).hex()
            tokens.append(ApiToken(user=user, name="bench", digest=ApiToken.digest_of(token), prefix=token[:8]))
            user.bench_token = token
        ApiToken.objects.bulk_create(tokens)
    return {"session": session, "tokens": [user.bench_token for user in users]}


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc); 0 when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _with_children(pids: list[int]) -> list[int]:
    """The processes and their children (gunicorn's master and its workers)."""
    result = []
    for pid in pids:
        result.append(pid)
        with contextlib.suppress(OSError):
            result += [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    return result


def _backends(database: str) -> list[int]:
    """The PostgreSQL backends connected to the bench database (the servers' connections, kept open:
    CONN_MAX_AGE)."""
    with provincedb._server() as server:
        return [row[0] for row in server.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s",
                                                 [database])]


def _wait_for(port: int, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/api/v1/openapi.json")
            connection.getresponse().read()
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"the server on port {port} did not start")


def run(ports: list[int], session, tokens: list[str], clients: int) -> tuple[float, list[float], list[str]]:
    """Every token checks in once, from `clients` threads; returns the wall time, the latencies and the errors."""
    from dangjian.attendance import checkin

    queue = list(enumerate(tokens))
    lock = threading.Lock()
    latencies: list[float] = []
    errors: list[str] = []

    def worker(number: int):
        port = ports[number % len(ports)]
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while True:
            with lock:
                if not queue:
                    break
                _index, token = queue.pop()
            body = json.dumps({"code": checkin.make_code(session)})
            headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
            began = time.perf_counter()
            try:
                connection.request("POST", "/api/v1/attendance/check-in", body, headers)
                response = connection.getresponse()
                answer = response.read()
            except (OSError, http.client.HTTPException) as error:
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                with lock:
                    errors.append(repr(error))
                continue
            elapsed = time.perf_counter() - began
            with lock:
                latencies.append(elapsed)
                if response.status != 200 or not json.loads(answer).get("created", False):
                    errors.append(f"{response.status} {answer[:200]!r}")
        connection.close()

    threads = [threading.Thread(target=worker, args=(number,)) for number in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, latencies, errors


def verify(session, participants: int) -> None:
    from django.db.models import Count

    from dangjian.attendance.models import Attendance
    from dangjian.core.models import AuditEntry

    marks = Attendance.unscoped.filter(session=session)
    per_person = marks.values("nomination").annotate(n=Count("pk")).filter(n__gt=1).count()
    total, qr = marks.count(), marks.filter(source="qr").count()
    audited = AuditEntry.objects.filter(model="attendance.attendance").count()
    print(f"recorded: {total} marks for {participants} participants, {qr} by QR, {per_person} participants "
          f"with more than one mark, {audited} audit entries")
    assert total == qr == participants == audited and per_person == 0, "not every check-in recorded exactly once"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=16, help="concurrent client threads")
    parser.add_argument("--server", choices=["gunicorn", "runserver"], default="gunicorn",
                        help="gunicorn with --workers sync workers (docs/deploy.md), or --workers runserver processes")
    parser.add_argument("--workers", type=int, default=0, help="server processes (default: two per CPU)")
    parser.add_argument("--database", default=DATABASE)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    options = parser.parse_args()

    sys.path.insert(0, str(provincedb.PROJECT))  # tests.factories
    os.environ.setdefault("DANGJIAN_DEBUG", "0")
    provincedb.setup_django(options.database)
    template = provincedb.migrated_template()
    provincedb.recreate_database(options.database, template=template)
    began = time.perf_counter()
    world = prepare(options.participants)
    print(f"{options.database}: {options.participants} participants with tokens, one session "
          f"({time.perf_counter() - began:.1f} s)", flush=True)

    env = dict(os.environ, DATABASE_URL=provincedb.database_url(options.database), DANGJIAN_DEBUG="0",
               DJANGO_SETTINGS_MODULE="dangjian.settings",
               PYTHONPATH=os.pathsep.join([str(provincedb.PROJECT / "src"), os.environ.get("PYTHONPATH", "")]))
    workers = options.workers or 2 * (os.cpu_count() or 1)
    if options.server == "gunicorn":
        ports = _free_ports(1)
        servers = [subprocess.Popen([sys.executable, "-m", "gunicorn", "dangjian.wsgi", "-w", str(workers),
                                     "-b", f"127.0.0.1:{ports[0]}", "--log-level", "warning"], env=env,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
        described = f"gunicorn -w {workers}"
    else:
        ports = _free_ports(workers)
        servers = [subprocess.Popen([sys.executable, "-m", "django", "runserver", f"127.0.0.1:{port}",
                                     "--noreload"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                   for port in ports]
        described = f"{workers} runserver processes"
    try:
        for port in ports:
            _wait_for(port)
        # Every worker opens its database connection before the clock starts: requests with an unknown token
        # (answered 401 after the token's lookup).
        run(ports, world["session"], ["warm-up"] * (4 * workers), options.clients)
        servers_before = {pid: _cpu_seconds(pid) for pid in _with_children([server.pid for server in servers])}
        backends_before = {pid: _cpu_seconds(pid) for pid in _backends(options.database)}
        client_before = time.process_time()
        seconds, latencies, errors = run(ports, world["session"], world["tokens"], options.clients)
        client_cpu = time.process_time() - client_before
        # Per process, since the start of the run (a process that started during it: all of its CPU time).
        server_cpu = sum(_cpu_seconds(pid) - servers_before.get(pid, 0)
                         for pid in _with_children([server.pid for server in servers]))
        database_cpu = sum(_cpu_seconds(pid) - backends_before.get(pid, 0) for pid in _backends(options.database))
        load = os.getloadavg()[0]
        latencies.sort()
        p95 = latencies[max(0, round(0.95 * len(latencies)) - 1)] * 1000
        count = len(latencies)
        print(f"{count} check-ins in {seconds:.2f} s from {options.clients} clients on {described}: "
              f"{count / seconds:.0f} check-ins/s; latency p50 {statistics.median(latencies) * 1000:.0f} ms, "
              f"p95 {p95:.0f} ms, max {latencies[-1] * 1000:.0f} ms; {len(errors)} errors")
        total = (server_cpu + database_cpu + client_cpu) * 1000 / count
        cpus = os.cpu_count() or 1
        print(f"CPU per check-in: server {server_cpu * 1000 / count:.1f} ms, PostgreSQL "
              f"{database_cpu * 1000 / count:.1f} ms, client {client_cpu * 1000 / count:.1f} ms, together "
              f"{total:.1f} ms; load average {load:.1f} on {cpus} CPUs after the run. With {cpus} CPUs free, "
              f"{count:,} check-ins need at least {total * count / 1000 / cpus:.1f} s of CPU on each.")
        for error in errors[:5]:
            print("  error:", error)
        verify(world["session"], options.participants)
        again = world["tokens"][:100]
        _seconds, _latencies, repeated = run(ports, world["session"], again, options.clients)
        created_again = [error for error in repeated if "200" not in error]
        print(f"100 second scans: {len(repeated)} answered created=false, {len(created_again)} other answers")
        verify(world["session"], options.participants)
        target = "met" if seconds <= 10 and not errors else "NOT met"
        print(f"target (1,000 in 10 s, every one recorded once): {target}")
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=30)
        if not options.keep:
            from django.db import connections

            connections.close_all()
            with provincedb._server() as server:
                server.execute(f'DROP DATABASE IF EXISTS "{options.database}" WITH (FORCE)')


if __name__ == "__main__":
    main()
