"""Authorisation: every admin route refuses anonymous and CSRF-less requests; sign-in, tokens, the
rate limit, uploads with limits, and the whole admin workflow (import → create → build → audit → publish)."""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute

from nevindex.web import auth

from .conftest import PASSWORD
from .fixtures import write_inputs

API = "/api/v1"


def admin_api_routes(app) -> list[tuple[str, str]]:  # noqa: ANN001
    """Every admin API route, from the documented schema (each must also be reachable: see below)."""
    out = []
    for path, operations in app.openapi()["paths"].items():
        if path.startswith(f"{API}/admin"):
            out.extend((method.upper(), path.replace("{edition}", "d2024")) for method in operations)
    return sorted(set(out))


def admin_form_routes(app) -> list[str]:  # noqa: ANN001
    """Every state-changing admin page route (POST), in both languages; sign-in itself excepted."""
    from nevindex.web import pages

    out = []
    for route in pages.admin_router.routes:
        if isinstance(route, APIRoute) and "POST" in route.methods and not route.path.endswith("/login"):
            for prefix in ("", "/zh"):
                out.append(prefix + route.path.replace("{edition}", "d2024"))
    return sorted(set(out))


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the form carries a CSRF token"
    return match.group(1)


def sign_in(client) -> str:  # noqa: ANN001
    """Sign in through the form; return the session's CSRF token."""
    token = csrf_from(client.get("/admin/login").text)
    r = client.post("/admin/login", data={"username": "admin", "password": PASSWORD, "csrf_token": token},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    return csrf_from(client.get("/admin/").text)


def bearer(client) -> dict[str, str]:  # noqa: ANN001
    r = client.post(f"{API}/auth/token", json={"username": "admin", "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def test_there_are_admin_routes_to_check(fresh_app) -> None:  # noqa: ANN001
    api = {p for _, p in admin_api_routes(fresh_app)}
    assert {f"{API}/admin/datasets", f"{API}/admin/editions", f"{API}/admin/editions/d2024/build",
            f"{API}/admin/editions/d2024/audit", f"{API}/admin/editions/d2024/publish"} <= api
    forms = set(admin_form_routes(fresh_app))
    assert {"/admin/import", "/admin/editions", "/admin/editions/d2024/publish", "/admin/logout"} <= forms


def test_every_admin_api_route_refuses_anonymous(fresh_app, fresh) -> None:  # noqa: ANN001
    for method, path in admin_api_routes(fresh_app):
        r = fresh.request(method, path)
        assert r.status_code == 401, (method, path, r.status_code)
        assert r.headers.get("www-authenticate") == "Bearer"
        r = fresh.request(method, path, headers={"Authorization": "Bearer not-a-token"})
        assert r.status_code == 401, (method, path)


def test_every_admin_api_route_refuses_a_session_without_csrf_header(fresh_app, fresh) -> None:  # noqa: ANN001
    csrf = sign_in(fresh)
    for method, path in admin_api_routes(fresh_app):
        r = fresh.request(method, path)
        assert r.status_code == 403, (method, path, r.status_code)
        r = fresh.request(method, path, headers={"X-CSRF-Token": "wrong" + csrf})
        assert r.status_code == 403, (method, path)
    # with the right header the session works (read-only route)
    r = fresh.get(f"{API}/admin/editions", headers={"X-CSRF-Token": csrf})
    assert r.status_code == 200 and "d2024" in r.text


def test_every_admin_form_refuses_anonymous_and_csrf_less_posts(fresh_app, fresh) -> None:  # noqa: ANN001
    for path in admin_form_routes(fresh_app):
        r = fresh.post(path, data={"year": "2024", "dataset": "1"}, follow_redirects=False)
        assert r.status_code == 401, (path, r.status_code)
    csrf = sign_in(fresh)
    for path in admin_form_routes(fresh_app):
        r = fresh.post(path, data={"year": "2024", "dataset": "1"}, follow_redirects=False)
        assert r.status_code == 403, (path, r.status_code)
        r = fresh.post(path, data={"year": "2024", "dataset": "1", "csrf_token": csrf[::-1]}, follow_redirects=False)
        assert r.status_code == 403, (path, r.status_code)
    # nothing was changed by the refused requests
    assert [e["status"] for e in fresh_app.state.portal.all_editions() if e["label"] == "d2024"] == ["draft"]


def test_login_needs_csrf_and_right_password(fresh) -> None:  # noqa: ANN001
    page = fresh.get("/admin/login")
    assert page.status_code == 200 and auth.SESSION_COOKIE in page.cookies
    token = csrf_from(page.text)
    r = fresh.post("/admin/login", data={"username": "admin", "password": PASSWORD}, follow_redirects=False)
    assert r.status_code == 403
    r = fresh.post("/admin/login", data={"username": "admin", "password": "wrong password", "csrf_token": token})
    assert r.status_code == 401 and "Wrong user name or password" in r.text
    r = fresh.post("/admin/login", data={"username": "admin", "password": PASSWORD, "csrf_token": token},
                   follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/admin/"
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie
    dash = fresh.get("/admin/")
    assert dash.status_code == 200 and "d2024" in dash.text
    assert csrf_from(dash.text) != token, "signing in issues a new CSRF token"


def test_dashboard_redirects_anonymous_to_login(fresh) -> None:  # noqa: ANN001
    r = fresh.get("/admin/", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/admin/login"
    r = fresh.get("/zh/admin/editions/d2024/audit", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/zh/admin/login"


def test_tampered_session_cookie_is_anonymous(fresh) -> None:  # noqa: ANN001
    from itsdangerous.encoding import base64_decode, base64_encode

    sign_in(fresh)
    value = fresh.cookies.get(auth.SESSION_COOKIE)
    body, timestamp, mac = value.split(".")  # itsdangerous: payload.timestamp.signature
    assert b'"user":"admin"' in base64_decode(body)
    forged = base64_encode(base64_decode(body).replace(b'"user":"admin"', b'"user":"root"')).decode()
    fresh.cookies.set(auth.SESSION_COOKIE, ".".join((forged, timestamp, mac)))
    assert fresh.get("/admin/", follow_redirects=False).status_code == 303
    fresh.cookies.set(auth.SESSION_COOKIE, value)  # the untouched cookie still signs in
    assert fresh.get("/admin/", follow_redirects=False).status_code == 200


def test_signer_rejects_expired_forged_and_other_purpose(monkeypatch) -> None:  # noqa: ANN001
    import itsdangerous.timed

    signer = auth.Signer(b"k" * 32)
    token = signer.sign({"user": "a"}, "api")
    assert signer.unsign(token, "api", 60)["user"] == "a"
    assert signer.unsign(token, "session", 60) is None, "a token is not a session cookie"
    assert auth.Signer(b"x" * 32).unsign(token, "api", 60) is None, "another secret"
    assert signer.unsign(token[:-2] + ("AA" if not token.endswith("AA") else "BB"), "api", 60) is None
    later = itsdangerous.timed.time.time() + 61
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: later)
    assert signer.unsign(token, "api", 60) is None, "older than its lifetime"
    assert signer.unsign(token, "api", 120)["user"] == "a"


def test_session_payload_is_versioned_and_open_to_new_fields() -> None:
    """Readers take the fields they know: issue 16's per-user session version ``sv`` was added that way."""
    signer = auth.Signer(b"k" * 32)
    cookie = auth.write_session(signer, auth.SessionData(csrf="c", user="u", version=3))
    payload = signer.unsign(cookie, "session", auth.SESSION_SECONDS)
    assert payload == {"v": auth.PAYLOAD_VERSION, "csrf": "c", "user": "u", "sv": 3}
    anonymous = signer.unsign(auth.write_session(signer, auth.SessionData(csrf="c")), "session", 60)
    assert anonymous == {"v": auth.PAYLOAD_VERSION, "csrf": "c", "user": None}
    extended = signer.sign({"csrf": "c", "user": "u", "sv": 3, "later": [1]}, "session")
    assert auth.read_session(signer, extended) == auth.SessionData(csrf="c", user="u", version=3)
    token = auth.issue_token(signer, "u", 3)
    assert auth.token_user(signer, token) == ("u", 3)
    assert auth.token_user(signer, cookie) is None and auth.read_session(signer, token) is None


def test_token_and_rate_limit(fresh) -> None:  # noqa: ANN001
    headers = bearer(fresh)
    editions = fresh.get(f"{API}/admin/editions", headers=headers).json()["editions"]
    assert {e["label"] for e in editions} == {"t2023", "t2024", "d2024"}
    for _ in range(3):  # the app under test allows 3 failures per window
        assert fresh.post(f"{API}/auth/token", json={"username": "admin", "password": "bad"}).status_code == 401
    r = fresh.post(f"{API}/auth/token", json={"username": "admin", "password": PASSWORD})
    assert r.status_code == 429 and "too many failed sign-in attempts" in r.json()["error"]["message"]
    token = csrf_from(fresh.get("/admin/login").text)
    r = fresh.post("/admin/login", data={"username": "admin", "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 429, "the form and the API share the limit"
    r = fresh.post(f"{API}/auth/token", json={"username": "someone-else", "password": "x"})
    assert r.status_code == 429, "the client address is limited whatever the name"


def test_passwords_are_argon2_hashed(fresh_app) -> None:  # noqa: ANN001
    from sqlalchemy import select

    with fresh_app.state.store.engine.connect() as conn:
        stored = conn.scalar(select(auth.users_table.c.password_hash).where(auth.users_table.c.username == "admin"))
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert auth.verify_user(fresh_app.state.store.engine, "admin", PASSWORD)
    assert not auth.verify_user(fresh_app.state.store.engine, "admin", PASSWORD + "x")
    assert not auth.verify_user(fresh_app.state.store.engine, "ghost", PASSWORD)
    with pytest.raises(Exception, match="at least 10"):
        auth.create_user(fresh_app.state.store.engine, "bob", "short")


def test_admin_workflow_through_the_api(fresh, tmp_path) -> None:  # noqa: ANN001
    headers = bearer(fresh)
    fw, data, units = write_inputs(tmp_path / "upload")
    lines = data.read_text().splitlines()
    new_year = [line.replace(",2024,", ",2025,") for line in lines if ",2024," in line]
    data.write_text("\n".join(lines + new_year) + "\n")  # new content: this year's data added
    with data.open("rb") as d, units.open("rb") as u:
        r = fresh.post(f"{API}/admin/datasets", headers=headers, data={"label": "uploaded"},
                       files={"file": ("data.csv", d, "text/csv"), "units": ("units.csv", u, "text/csv")})
    assert r.status_code == 201, r.text
    assert r.json()["label"] == "uploaded" and r.json()["units"] == 7 and r.json()["years"] == [2023, 2024, 2025]
    methodology = fresh.get(f"{API}/admin/editions", headers=headers)  # methodology 1 is stored by the fixture
    assert methodology.status_code == 200
    r = fresh.post(f"{API}/admin/editions", headers=headers,
                   json={"year": 2025, "dataset": "uploaded", "methodology": "1", "label": "n2025"})
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "draft" and not r.json()["built"]
    assert fresh.get(f"{API}/editions/n2025").status_code == 404, "drafts are not public"
    r = fresh.post(f"{API}/admin/editions/n2025/build", headers=headers)
    assert r.status_code == 200 and r.json()["built"]
    r = fresh.post(f"{API}/admin/editions/n2025/audit", headers=headers)
    assert r.status_code == 200, r.text
    assert r.json()["tables"], "the audit stored its tables"
    assert fresh.get(f"{API}/admin/editions/n2025/audit", headers=headers).json()["tables"]
    r = fresh.post(f"{API}/admin/editions/n2025/publish", headers=headers)
    assert r.status_code == 200 and r.json()["status"] == "published"
    assert fresh.get(f"{API}/editions/latest").json()["label"] == "n2025"
    # the audit's rank intervals reach the public ranking and its page
    rows = fresh.get(f"{API}/editions/n2025/ranking").json()["items"]
    assert all(1 <= r["interval"]["low"] <= r["interval"]["high"] <= len(rows) for r in rows)
    assert fresh.get(f"{API}/editions/n2025").json()["has_intervals"] is True
    assert "Rank interval" in fresh.get("/editions/n2025/").text
    assert fresh.get(f"{API}/editions/n2025/audit").json()["rank_intervals"]["alpha"]["low"] >= 1
    # published editions cannot be altered through the API
    for action in ("publish", "build", "audit"):
        r = fresh.post(f"{API}/admin/editions/n2025/{action}", headers=headers)
        assert r.status_code == 409, (action, r.status_code, r.text)


def test_upload_limits(fresh, tmp_path) -> None:  # noqa: ANN001
    headers = bearer(fresh)
    big = b"unit,year,indicator,value\n" + b"a,2024,sales,1\n" * 20_000  # > 200 kB limit of the test app
    r = fresh.post(f"{API}/admin/datasets", headers=headers, files={"file": ("big.csv", big, "text/csv")})
    assert r.status_code == 413
    r = fresh.post(f"{API}/admin/datasets", headers=headers, files={"file": ("x.exe", b"MZ...", "application/x-msdownload")})
    assert r.status_code == 400 and "unsupported file type" in r.json()["error"]["message"]
    r = fresh.post(f"{API}/admin/datasets", headers=headers, files={"file": ("x.xlsx", b"not a zip", "application/zip")})
    assert r.status_code == 400 and "not an Excel workbook" in r.json()["error"]["message"]
    r = fresh.post(f"{API}/admin/datasets", headers=headers, files={"file": ("x.csv", b"a,b\x00c", "text/csv")})
    assert r.status_code == 400
    r = fresh.post(f"{API}/admin/datasets", headers=headers, files={"file": ("x.csv", b"", "text/csv")})
    assert r.status_code == 400 and "empty" in r.json()["error"]["message"]
    r = fresh.post(f"{API}/admin/datasets", headers=headers, files={"file": ("bad.csv", b"foo,bar\n1,2\n", "text/csv")})
    assert r.status_code == 400, "a file the store cannot read is a clear 400"


def test_admin_forms_publish_a_draft(fresh) -> None:  # noqa: ANN001
    csrf = sign_in(fresh)
    r = fresh.post("/admin/editions/d2024/publish", data={"csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303 and "published" in r.headers["location"]
    assert fresh.get(f"{API}/editions/d2024").status_code == 200
    r = fresh.post("/admin/editions/d2024/build", data={"csrf_token": csrf})
    assert r.status_code == 409, "a published edition cannot be rebuilt"
    r = fresh.post("/admin/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303
    assert fresh.get("/admin/", follow_redirects=False).status_code == 303
