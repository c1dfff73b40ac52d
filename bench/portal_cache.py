"""Throughput of a cached portal article page against a trivial Django view on the same server.

    .venv/bin/python bench/portal_cache.py                    # 5 s per measurement, 4 client threads
    .venv/bin/python bench/portal_cache.py --seconds 10 --threads 8 --keep

What it does:
1. makes a temporary var dir with its own SQLite database, migrates it and loads the portal demo (load_portal);
2. starts Django's development server (`runserver --noreload`, threaded; gunicorn is not installed here) with the
   project's settings plus one extra URL, /bench/trivial/, a view that returns "ok" (this file is also the
   server's settings and URLconf module: see the end of the file);
3. with a threaded HTTP client, measures requests per second of
   - the trivial view (the whole middleware stack, no template, no query),
   - the seed article, cached (every request after the first is a hit: X-Portal-Cache: hit),
   - the seed article, rendered every time (a new query string per request is a new cache key: a miss);
4. prints the three numbers and stops the server.

Both pages pass the same middleware (sessions, CSRF, CSP, language, axes, …), so the difference between the
trivial view and the cached article is what the cache leaves: a cache read and the per-visitor CSRF token.
"""

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED_URL = "/portal/dangjian-dongtai/dangjian-zixun/shixian-dongtai/xinren-shuji-peixunban-2022/"
TRIVIAL_URL = "/bench/trivial/"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _environment(var_dir: Path) -> dict:
    env = dict(os.environ)
    env.update({
        "DANGJIAN_VAR_DIR": str(var_dir), "DJANGO_SETTINGS_MODULE": "portal_cache", "DANGJIAN_DEBUG": "0",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "bench"), str(ROOT / "src"), env.get("PYTHONPATH", "")]),
    })
    env.pop("DATABASE_URL", None)
    return env


def _django(env, *args, **kwargs):
    return subprocess.run([sys.executable, "-m", "django", *args], env=env, check=True, **kwargs)


def _wait_for(base: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + TRIVIAL_URL, timeout=2).read()
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("the server did not start")


def measure(base: str, path_for, *, seconds: float, threads: int, expect_cache: str | None) -> float:
    """Requests per second of GETs of path_for(i) from `threads` client threads during `seconds`."""
    counter = {"done": 0, "errors": 0, "wrong": 0}
    lock = threading.Lock()
    stop = time.monotonic() + seconds
    sequence = iter(range(10**9))

    def worker():
        while time.monotonic() < stop:
            with lock:
                number = next(sequence)
            try:
                with urllib.request.urlopen(base + path_for(number), timeout=30) as response:
                    response.read()
                    wrong = expect_cache is not None and response.headers.get("X-Portal-Cache") != expect_cache
            except OSError:
                with lock:
                    counter["errors"] += 1
                continue
            with lock:
                counter["done"] += 1
                counter["wrong"] += wrong

    started = time.monotonic()
    pool = [threading.Thread(target=worker) for _index in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    elapsed = time.monotonic() - started
    if counter["errors"] or counter["wrong"]:
        print(f"  ({counter['errors']} errors, {counter['wrong']} responses not '{expect_cache}')")
    return counter["done"] / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="duration of each measurement")
    parser.add_argument("--threads", type=int, default=4, help="client threads")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    options = parser.parse_args()
    var_dir = Path(tempfile.mkdtemp(prefix="dangjian-bench-portal-"))
    env = _environment(var_dir)
    server = None
    try:
        print(f"Preparing {var_dir} (migrate, portal demo) …", flush=True)
        _django(env, "migrate", "-v0")
        _django(env, "shell", "-c", "from dangjian.portal.demo import load_portal; load_portal()",
                stdout=subprocess.DEVNULL)
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen([sys.executable, "-m", "django", "runserver", f"127.0.0.1:{port}", "--noreload"],
                                  env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait_for(base)
        first = urllib.request.urlopen(base + SEED_URL).headers.get("X-Portal-Cache")
        assert first in ("miss", "hit"), f"the seed article is not served through the cache ({first})"
        measure(base, lambda i: TRIVIAL_URL, seconds=1, threads=options.threads, expect_cache=None)  # warm-up
        print(f"runserver (threaded), {options.threads} client threads, {options.seconds:g} s each; "
              f"PORTAL_CACHE_SECONDS={os.environ.get('DANGJIAN_PORTAL_CACHE_SECONDS', '300')}")
        trivial = measure(base, lambda i: TRIVIAL_URL, seconds=options.seconds, threads=options.threads,
                          expect_cache=None)
        print(f"  trivial Django view      {trivial:8.1f} requests/s   {TRIVIAL_URL}")
        cached = measure(base, lambda i: SEED_URL, seconds=options.seconds, threads=options.threads,
                         expect_cache="hit")
        print(f"  article page, cached     {cached:8.1f} requests/s   {SEED_URL}")
        rendered = measure(base, lambda i: f"{SEED_URL}?bench={i}", seconds=options.seconds,
                           threads=options.threads, expect_cache="miss")
        print(f"  article page, rendered   {rendered:8.1f} requests/s   (a new query string each time: a miss)")
        print(f"cached / trivial = {cached / trivial:.2f}; cached / rendered = {cached / rendered:.1f}")
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        if options.keep:
            print(f"kept {var_dir}")
        else:
            shutil.rmtree(var_dir, ignore_errors=True)


# As the server's settings and URLconf module (DJANGO_SETTINGS_MODULE=portal_cache, PYTHONPATH=bench): the
# project's settings and URLs plus the trivial view. URLs are read lazily (PEP 562): they import models, which
# need the settings loaded first.
if os.environ.get("DJANGO_SETTINGS_MODULE") == "portal_cache" and __name__ == "portal_cache":
    from dangjian.settings import *  # noqa: F403

    ROOT_URLCONF = "portal_cache"

    def __getattr__(name):
        if name != "urlpatterns":
            raise AttributeError(name)
        from django.http import HttpResponse
        from django.urls import path

        from dangjian.urls import urlpatterns as project_urlpatterns

        def trivial(request):
            return HttpResponse("ok", content_type="text/plain")

        return [path("bench/trivial/", trivial), *project_urlpatterns]


if __name__ == "__main__":
    main()
