"""Request bodies (issue 16, item 4): who may send one is decided, and its announced length checked,
before a byte of it is read; it is then read under a hard cap, chunked or not, and a refused body
leaves nothing behind.

The first tests use a real server in a subprocess and a client that streams a lazily made body, so
they show when the server stops reading and what it spooled meanwhile.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.routing import APIRoute

from .conftest import PASSWORD
from .live import MB, LiveServer, lazy_body, multipart_head, request, start_server, stop_server, stream_post
from .test_auth import bearer, sign_in

UPLOAD = "/api/v1/admin/datasets"
CAP_MB = 1  # the live server's upload limit per file


@pytest.fixture(scope="module")
def live(seeded_folder: Path, tmp_path_factory: pytest.TempPathFactory) -> LiveServer:  # noqa: ANN001
    server = start_server(seeded_folder, tmp_path_factory.mktemp("live"), NEVINDEX_MAX_UPLOAD_MB=str(CAP_MB))
    yield server
    stop_server(server)


@pytest.mark.slow
@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_an_anonymous_300_mb_upload_is_refused_before_its_body_is_read(live, chunked) -> None:  # noqa: ANN001
    total = 300 * MB
    before = live.temp_bytes()
    answer = stream_post(live, UPLOAD, lazy_body(total), length=None if chunked else total)
    assert answer.status == 401, answer.body
    assert "sign in first" in json.loads(answer.body)["error"]["message"]
    assert answer.peak_temp - before < MB, f"the server spooled {answer.peak_temp - before} bytes"
    assert answer.sent < 50 * MB, f"the server answered only after {answer.sent} bytes: it read the body"


@pytest.mark.slow
def test_an_announced_terabyte_is_413_before_the_body_is_read(live) -> None:  # noqa: ANN001
    headers = {"Authorization": f"Bearer {live.token('admin', PASSWORD)}"}
    answer = stream_post(live, UPLOAD, iter([multipart_head()]), length=10**12, headers=headers, pause_after=1)
    assert answer.status == 413, answer.body
    message = json.loads(answer.body)["error"]["message"]
    assert "limit" in message and "NEVINDEX_MAX_UPLOAD_MB" in message, message


@pytest.mark.slow
def test_an_authenticated_chunked_upload_over_the_cap_is_cut_off_and_leaves_nothing(live) -> None:  # noqa: ANN001
    token = live.token("admin", PASSWORD)
    headers = {"Authorization": f"Bearer {token}"}
    stored_before = request(live.base + UPLOAD, headers=headers)
    answer = stream_post(live, UPLOAD, lazy_body(60 * MB), length=None, headers=headers)
    assert answer.status == 413, answer.body
    # the cap is two files of CAP_MB and the form around them: reading stopped there
    assert answer.peak_temp < 4 * CAP_MB * MB, f"the server spooled {answer.peak_temp} bytes"
    assert answer.sent < 50 * MB
    assert live.temp_bytes() == 0 and not list(live.tmpdir.iterdir()), "nothing is left behind"
    assert request(live.base + UPLOAD, headers=headers) == stored_before, "nothing was imported"


@pytest.mark.slow
def test_an_upload_within_the_limit_still_works_on_the_live_server(live, tmp_path) -> None:  # noqa: ANN001
    from .fixtures import write_inputs

    headers = {"Authorization": f"Bearer {live.token('admin', PASSWORD)}"}
    _, data, _ = write_inputs(tmp_path)
    text = data.read_bytes().replace(b",2024,", b",2031,")
    body = (multipart_head(filename="mine.csv").split(b"unit,year")[0] + text + b"\r\n--nevindexboundary--\r\n")
    answer = stream_post(live, UPLOAD, iter([body]), length=len(body), headers=headers)
    assert answer.status == 201, answer.body
    assert json.loads(answer.body)["years"] == [2023, 2031]
    assert live.temp_bytes() == 0, "the upload's working copy is removed"


# --- every route that takes a body (in process) ------------------------------------------------


BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def routers() -> list[tuple[str, object]]:
    """Every router of the portal with the prefixes app.py mounts it under."""
    from nevindex.web import admin_pages, api, pages

    return [("/api/v1", api.router), ("/api/v1", api.admin_router), ("", pages.router), ("/zh", pages.router),
            ("", admin_pages.admin_router), ("/zh", admin_pages.admin_router)]


def body_routes(app) -> list[tuple[str, str]]:  # noqa: ANN001
    """Every (method, path) of the application that accepts a request body: the documented API and
    the pages' routers (both languages); the two lists must agree on the API."""
    documented = {(m.upper(), p) for p, ops in app.openapi()["paths"].items() for m in ops if m.upper() in BODY_METHODS}
    found = {(m, prefix + r.path) for prefix, router in routers() for r in router.routes
             if isinstance(r, APIRoute) for m in r.methods & BODY_METHODS}
    assert {x for x in found if x[1].startswith("/api/")} == documented
    return sorted((m, p.replace("{edition}", "d2024").replace("{brand}", "alpha")) for m, p in found)


def test_every_route_is_guarded() -> None:
    from nevindex.web.limits import GuardedRoute

    for _, router in routers():
        for route in router.routes:
            assert isinstance(route, GuardedRoute), route


def is_admin(path: str) -> bool:
    return "/admin/" in path and not path.endswith("/login")


def test_there_are_body_routes_to_check(fresh_app) -> None:  # noqa: ANN001
    paths = {p for _, p in body_routes(fresh_app)}
    assert {UPLOAD, "/admin/import", "/zh/admin/import", "/api/v1/editions/d2024/brands/alpha/whatif",
            "/api/v1/auth/token", "/admin/login", "/admin/logout"} <= paths


def test_anonymous_bodies_to_admin_routes_are_refused_before_reading(fresh_app, fresh) -> None:  # noqa: ANN001
    """401 whatever the announced length: the body is not looked at."""
    for method, path in body_routes(fresh_app):
        if is_admin(path):
            r = fresh.request(method, path, content=b"x", headers={"Content-Length": str(10**12)})
            assert r.status_code == 401, (method, path, r.status_code, r.text)


def test_an_announced_terabyte_is_413_on_every_route(fresh_app, fresh) -> None:  # noqa: ANN001
    token = bearer(fresh)
    csrf = sign_in(fresh)
    for method, path in body_routes(fresh_app):
        headers = {"Content-Length": str(10**12), **(token if path.startswith("/api/v1/admin") else {}),
                   "X-CSRF-Token": csrf}
        r = fresh.request(method, path, content=b"x", headers=headers)
        assert r.status_code == 413, (method, path, r.status_code, r.text)
        assert "limit" in (r.json()["error"]["message"] if path.startswith("/api/") else r.text)


def test_a_chunked_body_over_the_cap_is_413_on_every_route(fresh_app, fresh) -> None:  # noqa: ANN001
    """Without Content-Length the cap holds too: the body is counted while it is read."""
    token = bearer(fresh)
    csrf = sign_in(fresh)
    cap = fresh_app.state.settings.max_body_bytes
    upload_cap = fresh_app.state.settings.max_request_bytes

    schema = fresh_app.openapi()["paths"]
    reads_no_body = {(m.upper(), p.replace("{edition}", "d2024").replace("{brand}", "alpha"))
                     for p, ops in schema.items() for m, op in ops.items() if "requestBody" not in op}
    for method, path in body_routes(fresh_app):
        if (method, path) in reads_no_body:  # (an admin action such as build) its body is never read
            continue
        size = (upload_cap if path.endswith(("/datasets", "/import")) else cap) + 4096

        def chunks(size: int = size):  # noqa: ANN202
            sent = 0
            while sent < size:
                sent += 1024
                yield b"a" * 1024

        headers = {**(token if path.startswith("/api/v1/admin") else {}), "X-CSRF-Token": csrf,
                   "Content-Type": "application/json" if path.startswith("/api/") and "datasets" not in path
                   else f"multipart/form-data; boundary={'a' * 20}"}
        r = fresh.request(method, path, content=chunks(), headers=headers)
        assert r.status_code == 413, (method, path, r.status_code, r.text[:200])


def test_the_caps_are_settings(seeded_folder, monkeypatch) -> None:  # noqa: ANN001
    from nevindex.web.app import create_app

    monkeypatch.setenv("NEVINDEX_MAX_UPLOAD_MB", "3")
    app = create_app(f"sqlite:///{seeded_folder / 'store.db'}")
    assert app.state.settings.max_upload_bytes == 3 * MB
    monkeypatch.setenv("NEVINDEX_MAX_UPLOAD_MB", "lots")
    with pytest.raises(Exception, match="NEVINDEX_MAX_UPLOAD_MB"):
        create_app(f"sqlite:///{seeded_folder / 'store.db'}")
