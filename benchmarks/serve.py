"""Portal throughput and latency on loopback: requests/s, p50 and p99 at 50 concurrent connections.

Builds a throw-away store with the demonstration editions, starts ``nevindex serve`` in its own
process (one worker, like the default), warms the caches, then fires a bounded number of requests
(stopping early at the time limit) at the ranking API and the ranking page over 50 keep-alive
connections. Target: p99 under 50 ms for the API on the demonstration edition.

The load generator is a minimal asyncio HTTP/1.1 client (one request in flight per connection,
``Content-Length`` bodies): httpx's async connection pool was itself the bottleneck at 50
connections on this 2-core machine (about 100 requests/s against a server that answers 2 000+),
so it measured the client, not the portal. ``--client httpx`` runs the same load through httpx.

    python benchmarks/serve.py [--requests 3000] [--concurrency 50] [--seconds 30]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
SRC = os.environ.get("PYTHONPATH") or str(ROOT / "src")
sys.path.insert(0, SRC)
#: name -> (path, extra request header). A cookie makes a request "personal": it bypasses the response
#: cache in front of the app (the app's own cache of serialised answers still serves it).
TARGETS = {
    "ranking API": ("/api/v1/editions/latest/ranking?limit=50", ""),
    "ranking API (filtered)": ("/api/v1/editions/latest/ranking?group=country:CN&sort=-score&limit=10", ""),
    "ranking API, no resp. cache": ("/api/v1/editions/latest/ranking?limit=50", "Cookie: visitor=1\r\n"),
    "ranking page": ("/", ""),
    "ranking page, no resp. cache": ("/", "Cookie: visitor=1\r\n"),
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def seed(db: Path) -> None:
    from nevindex.nev.publish import publish_demo_editions
    from nevindex.store.db import open_store

    with open_store(f"sqlite:///{db}") as store:
        publish_demo_editions(store)


async def hammer_raw(port: int, path: str, total: int, concurrency: int,
                     seconds: float, extra: str = "") -> tuple[list[float], float, int]:
    """Keep-alive HTTP/1.1 GETs over ``concurrency`` raw connections; latency per request."""
    latencies: list[float] = []
    errors = 0
    issued = 0
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: */*\r\n{extra}\r\n".encode()
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal issued, errors
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while issued < total and time.perf_counter() < deadline:
                issued += 1
                t0 = time.perf_counter()
                writer.write(request)
                await writer.drain()
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                await reader.readexactly(length)
                latencies.append(time.perf_counter() - t0)
                if not head.startswith(b"HTTP/1.1 200"):
                    errors += 1
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies, time.perf_counter() - started, errors


async def hammer(base: str, path: str, total: int, concurrency: int, seconds: float,
                 extra: str = "") -> tuple[list[float], float, int]:
    latencies: list[float] = []
    errors = 0
    issued = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    headers = dict(line.split(": ", 1) for line in extra.split("\r\n") if line)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        deadline = time.perf_counter() + seconds

        async def worker() -> None:
            nonlocal issued, errors
            while issued < total and time.perf_counter() < deadline:
                issued += 1
                t0 = time.perf_counter()
                r = await client.get(path, headers=headers)
                latencies.append(time.perf_counter() - t0)
                if r.status_code != 200:
                    errors += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return latencies, elapsed, errors


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=3000, help="requests per target (upper bound)")
    ap.add_argument("--concurrency", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=30.0, help="time limit per target")
    ap.add_argument("--client", choices=("raw", "httpx"), default="raw", help="load generator (see above)")
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
            for _ in range(200):
                try:
                    if httpx.get(base + "/api/v1/editions", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.1)
            else:
                raise SystemExit("server did not start: " + server.stderr.read().decode()[-2000:])
            for path, _ in TARGETS.values():  # warm the caches (published editions are cached)
                assert httpx.get(base + path, timeout=60).status_code == 200
            print(f"{args.concurrency} concurrent connections, client: {args.client}")
            print(f"{'target':30} {'requests':>8} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6}")
            for name, (path, extra) in TARGETS.items():
                if args.client == "raw":
                    run = hammer_raw(port, path, args.requests, args.concurrency, args.seconds, extra)
                else:
                    run = hammer(base, path, args.requests, args.concurrency, args.seconds, extra)
                lat, elapsed, errors = asyncio.run(run)
                print(f"{name:30} {len(lat):8d} {len(lat) / elapsed:8.0f} {pct(lat, 0.5) * 1000:8.1f} "
                      f"{pct(lat, 0.99) * 1000:8.1f} {errors:6d}")
                if name == "ranking API":
                    verdict = "meets" if pct(lat, 0.99) < 0.050 else "MISSES"
                    print(f"  → p99 {verdict} the 50 ms target (mean {statistics.mean(lat) * 1000:.1f} ms)")
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
