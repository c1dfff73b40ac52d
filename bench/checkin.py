"""1,000 participants of one session check in by QR code through the API, from concurrent clients, against a
running server on PostgreSQL; then every one is verified recorded exactly once. Target: 1,000 in 10 s.

    .venv/bin/python bench/checkin.py                       # 1,000 participants, 16 client threads, 5 servers
    .venv/bin/python bench/checkin.py --participants 2000 --clients 16 --servers 1 --keep

What it does:
1. creates the PostgreSQL database `dangjian_checkin` (bench/provincedb.py: a copy of the migrated template
   database, C.UTF-8) and writes a program in progress with one phase and one session that started a minute ago,
   N confirmed participants placed in it, each with a participant login and an API token (`Authorization:
   Bearer`, api/auth.py) — the phone of each participant;
2. starts the server: Django's `runserver --noreload` (threaded; gunicorn is not installed here, docs/deploy.md
   runs gunicorn with several workers), `--servers` processes on consecutive ports, the clients spread over them
   as a gunicorn master would spread requests over its workers; production settings (DEBUG off);
3. from `--clients` threads, each participant POSTs /api/v1/attendance/check-in with the session's current code
   (made as the code screen makes it: attendance.checkin.make_code) on a kept-alive connection; every answer
   must be 200 with `created: true`;
4. prints the throughput and the p50/p95/max latency, then checks the database: N marks for the session, one per
   participant, all "qr", N audit entries; then sends 100 of the check-ins again (a second scan) and checks that
   nothing was written twice.
"""

import argparse
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
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


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
    parser.add_argument("--servers", type=int, default=5,
                        help="server processes, like gunicorn -w (its documentation: 2 x cores + 1)")
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
    ports = _free_ports(options.servers)
    servers = [subprocess.Popen([sys.executable, "-m", "django", "runserver", f"127.0.0.1:{port}", "--noreload"],
                                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for port in ports]
    try:
        for port in ports:
            _wait_for(port)
        cpu_before = sum(_cpu_seconds(server.pid) for server in servers)
        seconds, latencies, errors = run(ports, world["session"], world["tokens"], options.clients)
        cpu = sum(_cpu_seconds(server.pid) for server in servers) - cpu_before
        latencies.sort()
        p95 = latencies[max(0, round(0.95 * len(latencies)) - 1)] * 1000
        print(f"{len(latencies)} check-ins in {seconds:.2f} s from {options.clients} clients on {options.servers} "
              f"runserver process(es): {len(latencies) / seconds:.0f} check-ins/s; latency p50 "
              f"{statistics.median(latencies) * 1000:.0f} ms, p95 {p95:.0f} ms, max {latencies[-1] * 1000:.0f} ms; "
              f"{len(errors)} errors")
        load = os.getloadavg()[0]
        print(f"server CPU: {cpu * 1000 / len(latencies):.1f} ms per check-in (the Django processes; PostgreSQL's "
              f"own not counted); load average {load:.1f} on {os.cpu_count()} CPUs during the run")
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
            server.wait(timeout=20)
        if not options.keep:
            from django.db import connections

            connections.close_all()
            with provincedb._server() as server:
                server.execute(f'DROP DATABASE IF EXISTS "{options.database}" WITH (FORCE)')


if __name__ == "__main__":
    main()
