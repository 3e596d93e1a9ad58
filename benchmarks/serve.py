"""Portal throughput and latency on loopback, with and without its caches, measured by locust.

Builds a throw-away store with the demonstration editions, starts ``nevindex serve`` in its own
process (one worker, like the default), warms the caches, then runs locust (as a library: its
gevent HTTP client, ``FastHttpUser``) with 50 concurrent users at the ranking API and a brand page,
each for a bounded number of requests and at most ``--seconds``. Every target runs in the same
process against the same server, so the ratios are measured in one run:

- *cached*: an anonymous request, answered by the response cache in front of the application;
- *signed in*: the brand page with an analyst's session cookie: the cached anonymous page dressed
  with the user's bar (issue 16: p99 under 50 ms, printed beside the figure without a cookie);
- *no response cache*: the same request with an ``Authorization`` header, which the response cache
  never serves (the application's own cache of serialised answers and pages still does): the baseline;
- *revalidated*: the request with the ``ETag`` the client already has: a 304 without a body, what a
  proxy in front of the portal asks for once its copy is stale.

Latencies are every request's own time as locust reports it (``events.request``), so p50 and p99
are exact, not locust's rounded buckets. Target: p99 under 50 ms for the API.

    pip install -e '.[bench]'
    python benchmarks/serve.py [--users 50] [--requests 5000] [--seconds 20]
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import gevent
import numpy as np
from locust import FastHttpUser, constant, events, task
from locust.env import Environment

ROOT = Path(__file__).resolve().parents[1]
SRC = os.environ.get("PYTHONPATH") or str(ROOT / "src")
sys.path.insert(0, SRC)

API = "/api/v1/editions/latest/ranking?limit=50"
BRAND = "/editions/nev-2024/brands/byd/"
BYPASS = {"Authorization": "Bearer benchmark"}  # the response cache never serves such a request
USER, PASSWORD = "bench", "benchmark password"
#: name -> (path, headers, expected status); "{etag}" is replaced by the path's current ETag, "{session}"
#: by a signed-in session cookie.
TARGETS = {
    "ranking API, no response cache": (API, BYPASS, 200),
    "ranking API, cached": (API, {}, 200),
    "ranking API, revalidated (304)": (API, {"If-None-Match": "{etag}"}, 304),
    "brand page, no response cache": (BRAND, BYPASS, 200),
    "brand page, cached": (BRAND, {}, 200),
    "brand page, signed in (cookie)": (BRAND, {"Cookie": "{session}"}, 200),
    "brand page, revalidated (304)": (BRAND, {"If-None-Match": "{etag}"}, 304),
}
#: target -> the baseline its requests/s are divided by (measured just before it, in the same run)
BASELINE = {name: name.split(",")[0] + ", no response cache" for name in TARGETS if "no response" not in name}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def seed(db: Path) -> None:
    from nevindex.nev.publish import publish_demo_editions
    from nevindex.store.db import open_store
    from nevindex.web import auth

    with open_store(f"sqlite:///{db}") as store:
        publish_demo_editions(store)
        auth.create_user(store.engine, USER, PASSWORD)


def sign_in(base: str) -> str:
    """A signed-in session cookie (``name=value``), through the sign-in form as a browser gets one."""
    import re
    from urllib.parse import urlencode

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    with urllib.request.urlopen(base + "/admin/login", timeout=60) as r:
        anonymous = r.headers["set-cookie"].split(";")[0]
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', r.read().decode()).group(1)  # type: ignore[union-attr]
    form = urlencode({"username": USER, "password": PASSWORD, "csrf_token": csrf}).encode()
    request = urllib.request.Request(base + "/admin/login", data=form, headers={"Cookie": anonymous})
    try:
        urllib.request.build_opener(NoRedirect).open(request, timeout=60)
    except urllib.error.HTTPError as exc:  # the 303 to the dashboard, with the signed-in cookie
        assert exc.code == 303, exc.code
        return str(exc.headers["set-cookie"]).split(";")[0]
    raise SystemExit("signing in did not answer 303")


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str]]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=60) as r:
            r.read()
            return r.status, dict(r.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers)


def load(base: str, path: str, headers: dict[str, str], status: int, users: int, total: int,
         seconds: float) -> tuple[np.ndarray, float, int]:
    """``total`` GETs (at most ``seconds``) by ``users`` concurrent locust users; latencies in ms."""
    latencies: list[float] = []
    errors = 0

    class Visitor(FastHttpUser):
        host = base
        wait_time = constant(0)

        @task
        def fetch(self) -> None:
            nonlocal errors
            with self.client.get(path, headers=headers, catch_response=True) as r:
                if r.status_code != status:
                    errors += 1
                    r.failure(f"status {r.status_code}")
                else:
                    r.success()

    def record(response_time: float, exception: object, **_: object) -> None:
        latencies.append(response_time)

    env = Environment(user_classes=[Visitor], events=events)
    events.request.add_listener(record)
    try:
        runner = env.create_local_runner()
        started = time.perf_counter()
        runner.start(users, spawn_rate=users)
        deadline = started + seconds
        while len(latencies) < total and time.perf_counter() < deadline:
            gevent.sleep(0.05)
        runner.quit()
        elapsed = time.perf_counter() - started
    finally:
        events.request.remove_listener(record)
    return np.asarray(latencies), elapsed, errors


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--users", type=int, default=50, help="concurrent users (connections)")
    ap.add_argument("--requests", type=int, default=5000, help="requests per target (upper bound)")
    ap.add_argument("--seconds", type=float, default=20.0, help="time limit per target")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="nevindex-bench-") as tmp:
        db = Path(tmp) / "bench.db"
        t0 = time.perf_counter()
        seed(db)
        print(f"store with the demonstration editions built in {time.perf_counter() - t0:.1f} s")
        port = free_port()
        env = {**os.environ, "PYTHONPATH": SRC, "NEVINDEX_SECRET": "benchmark"}
        server = subprocess.Popen([sys.executable, "-m", "nevindex", "serve", "--db", str(db), "--port", str(port)],
                                  env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(300):
                try:
                    if get(base + "/api/v1/editions")[0] == 200:
                        break
                except OSError:
                    time.sleep(0.1)
            else:
                raise SystemExit("server did not start: " + server.stderr.read().decode()[-2000:])
            tags = {}
            for path in (API, BRAND):  # warm the caches (published editions are cached) and learn the ETags
                status, headers = get(base + path)
                assert status == 200, (path, status)
                tags[path] = headers["etag"]
            session = sign_in(base)
            status, headers = get(base + BRAND, {"Cookie": session})
            assert status == 200 and headers["cache-control"] == "no-store", (status, headers)
            print(f"locust {__import__('locust').__version__} (FastHttpUser), {args.users} concurrent users, "
                  f"up to {args.requests} requests or {args.seconds:.0f} s per target")
            print(f"{'target':34} {'requests':>8} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6} {'× base':>7}")
            rates: dict[str, float] = {}
            p99s: dict[str, float] = {}
            for name, (path, headers, status) in TARGETS.items():
                sent = {k: v.replace("{etag}", tags[path]).replace("{session}", session) for k, v in headers.items()}
                lat, elapsed, errors = load(base, path, sent, status, args.users, args.requests, args.seconds)
                rates[name] = len(lat) / elapsed
                p50, p99 = np.percentile(lat, [50, 99]) if len(lat) else (float("nan"), float("nan"))
                p99s[name] = p99
                ratio = f"{rates[name] / rates[BASELINE[name]]:6.1f}×" if name in BASELINE else ""
                print(f"{name:34} {len(lat):8d} {rates[name]:8.0f} {p50:8.1f} {p99:8.1f} {errors:6d} {ratio:>7}")
                if name == "ranking API, cached":
                    print(f"  → p99 {'meets' if p99 < 50 else 'MISSES'} the 50 ms target")
                if name == "brand page, signed in (cookie)":
                    print(f"  → brand page p99 with a session cookie {p99:.1f} ms, without a cookie "
                          f"{p99s['brand page, cached']:.1f} ms: {'meets' if p99 < 50 else 'MISSES'} the 50 ms target")
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
