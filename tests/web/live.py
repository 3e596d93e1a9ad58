"""A real portal server in a subprocess, and a raw HTTP/1.1 client that streams a lazily made body.

The in-process test client reads a request body before the application sees it, so it cannot show
*when* a server stops reading; these helpers can. The server gets a private ``TMPDIR`` so that
:func:`temp_bytes` can measure what it spools, including deleted files it still holds open.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

MB = 1 << 20
BOUNDARY = "nevindexboundary"


@dataclass
class LiveServer:
    port: int
    process: subprocess.Popen[bytes]
    tmpdir: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def temp_bytes(self) -> int:
        return temp_bytes(self.process.pid, self.tmpdir)

    def token(self, username: str, password: str) -> str:
        status, body = request(self.base + "/api/v1/auth/token", {"username": username, "password": password})
        assert status == 200, body
        return str(json.loads(body)["access_token"])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(store_folder: Path, work: Path, **env: str) -> LiveServer:
    """``nevindex serve`` on a copy of the store in ``store_folder``, with ``env`` added."""
    work.mkdir(parents=True, exist_ok=True)
    shutil.copy(store_folder / "store.db", work / "store.db")
    tmpdir = work / "server-tmp"
    tmpdir.mkdir()
    port = free_port()
    full_env = {**os.environ, "TMPDIR": str(tmpdir), "NEVINDEX_SECRET": "live-test-secret", **env}
    log = (work / "server.log").open("wb")
    process = subprocess.Popen([sys.executable, "-m", "nevindex", "serve", "--db", str(work / "store.db"),
                                "--port", str(port)], env=full_env, stdout=log, stderr=subprocess.STDOUT)
    server = LiveServer(port, process, tmpdir)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("server died: " + (work / "server.log").read_text()[-2000:])
        try:
            if request(server.base + "/api/v1/editions")[0] == 200:
                return server
        except OSError:
            time.sleep(0.1)
    process.terminate()
    raise RuntimeError("server did not start within 60 s")


def stop_server(server: LiveServer) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait(timeout=10)


def request(url: str, payload: dict[str, object] | None = None,
            headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    data = json.dumps(payload).encode() if payload is not None else None
    req = urllib.request.Request(url, data=data, headers={**({"Content-Type": "application/json"} if data else {}),
                                                          **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def temp_bytes(pid: int, folder: Path) -> int:
    """Bytes in ``folder`` plus the sizes of files under it that process ``pid`` holds open after
    deleting them (``tempfile.TemporaryFile`` unlinks its file at once: it never shows in a listing)."""
    total = 0
    for path in folder.rglob("*"):
        try:
            if path.is_file():
                total += path.stat().st_size
        except OSError:  # removed meanwhile
            pass
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
            if target.startswith(str(folder)) and target.endswith("(deleted)"):
                total += os.stat(fd).st_size
        except OSError:
            pass
    return total


def multipart_head(field: str = "file", filename: str = "big.csv") -> bytes:
    return (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{filename}\"\r\n"
            f"Content-Type: text/csv\r\n\r\nunit,year,indicator,value\r\n").encode()


def lazy_body(total: int, chunk: int = 64 * 1024) -> Iterator[bytes]:
    """``total`` bytes of a multipart upload, made a chunk at a time (never held in memory)."""
    head = multipart_head()
    tail = f"\r\n--{BOUNDARY}--\r\n".encode()
    yield head
    left = total - len(head) - len(tail)
    line = b"a,2024,sales,1\n" * (chunk // 15)
    while left > 0:
        piece = line[:left]
        left -= len(piece)
        yield piece
    yield tail


@dataclass
class Streamed:
    status: int
    body: bytes
    sent: int  # body bytes the client had sent when the answer came
    peak_temp: int  # the most the server's temp folder held meanwhile


def stream_post(server: LiveServer, path: str, body: Iterator[bytes], *, length: int | None,
                headers: dict[str, str] | None = None, pause_after: int | None = None) -> Streamed:
    """POST ``body`` chunk by chunk (``Content-Length: length``, or chunked when ``length`` is None),
    stopping as soon as the server answers; ``pause_after`` bytes: stop sending and wait for the answer
    (then end the request) — the announced length is never reached."""
    all_headers = {"Host": f"127.0.0.1:{server.port}", "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
                   **(headers or {})}
    if length is None:
        all_headers["Transfer-Encoding"] = "chunked"
    else:
        all_headers["Content-Length"] = str(length)
    head = f"POST {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in all_headers.items()) + "\r\n"
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=30)
    sent, peak, count = 0, 0, 0
    try:
        sock.sendall(head.encode())
        finished = True
        for chunk in body:
            if select.select([sock], [], [], 0)[0]:
                finished = False
                break  # the server has answered: stop sending
            data = chunk if length is not None else f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
            try:
                sock.sendall(data)
            except (BrokenPipeError, ConnectionResetError):
                finished = False
                break
            sent += len(chunk)
            count += 1
            if count % 16 == 0:
                peak = max(peak, server.temp_bytes())
            if pause_after is not None and sent >= pause_after:
                finished = False
                break
        if finished and length is None:
            sock.sendall(b"0\r\n\r\n")
        if pause_after is not None and not select.select([sock], [], [], 15)[0]:
            sock.shutdown(socket.SHUT_WR)  # no answer to a half-sent body: end it, as a client that gives up
        status, answer = _read_response(sock)
        peak = max(peak, server.temp_bytes())
        return Streamed(status, answer, sent, peak)
    finally:
        sock.close()


def _read_response(sock: socket.socket) -> tuple[int, bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        piece = sock.recv(65536)
        if not piece:
            break
        data += piece
    if not data:
        return 0, b""  # the server closed the connection without answering
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    fields = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    size = int(fields.get("content-length", "0"))
    while len(rest) < size:
        piece = sock.recv(65536)
        if not piece:
            break
        rest += piece
    return status, rest[:size]
