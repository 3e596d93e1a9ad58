"""A web-security probe of the portal and the API (issue 16): one test case per check, so the run's
count is the probe's figure ("web N/M checks passing").

Families: reflected XSS in every field a page or answer echoes, CSRF on every state-changing route,
open redirects, path traversal in downloads and static files, formula injection in the CSV and XLSX
exports, authentication on every admin route, oversized and malformed bodies, cookie flags, and the
security headers on every kind of answer (errors and refusals included). No probe may get a 500.
"""

from __future__ import annotations

import io
import json
from urllib.parse import quote

import openpyxl
import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from nevindex.web import auth

from .conftest import PASSWORD
from .fixtures import FORMULA_NAME
from .test_auth import admin_api_routes, bearer, sign_in

pytestmark = pytest.mark.slow  # every admin route and form probed for CSRF, escaping and formula injection: an end-to-end sweep

API = "/api/v1"
#: breaks out of text, of a double- and of a single-quoted attribute; none may come back unescaped
PAYLOAD = "\"'><script>probe(7)</script><img src=x onerror=probe(8)>"
RAW = ("<script>probe(7)", "<img src=x onerror=probe(8)>", "'><script")
P = quote(PAYLOAD, safe="")

# --- reflected XSS ---------------------------------------------------------------------------------

PAGES = [
    f"/?q={P}", f"/?group={P}", f"/?group=country:{P}", f"/?element={P}", f"/?rating={P}", f"/?sort={P}",
    f"/zh/?q={P}", f"/editions/t2024/?q={P}", f"/editions/{P}/", f"/zh/editions/{P}/",
    f"/editions/t2024/brands/{P}/", f"/editions/t2024/brands/alpha/?w.sales={P}",
    f"/editions/t2024/brands/alpha/?w.{P}=1", f"/compare/?brands={P}&brands=alpha", f"/compare/?edition={P}",
    f"/methodology/?edition={P}", f"/brands/{P}/", f"/{P}", f"/zh/{P}/", f"/downloads/?x={P}",
    f"/about/?{P}={P}", f"/static/{P}",
]
API_ECHOES = [
    f"{API}/editions/{P}", f"{API}/editions/t2024/ranking?q={P}", f"{API}/editions/t2024/ranking?group={P}",
    f"{API}/editions/t2024/ranking?element={P}", f"{API}/editions/t2024/ranking?sort={P}",
    f"{API}/editions/t2024/brands/{P}", f"{API}/brands/{P}/history", f"{API}/editions/t2024/compare?brands={P}",
    f"{API}/editions/t2024/download.{P}", f"{API}/{P}",
]


def unescaped(text: str) -> list[str]:
    return [raw for raw in RAW if raw in text]


@pytest.mark.parametrize("url", PAGES)
def test_xss_in_a_public_page(client, url) -> None:  # noqa: ANN001
    r = client.get(url, follow_redirects=False)
    assert r.status_code < 500, r.text[:300]
    assert not unescaped(r.text), (url, r.status_code)
    assert not unescaped(r.headers.get("location", ""))


@pytest.mark.parametrize("url", API_ECHOES)
def test_xss_in_an_api_answer_is_json_never_html(client, url) -> None:  # noqa: ANN001
    r = client.get(url)
    assert r.status_code < 500, r.text[:300]
    assert r.headers["content-type"].startswith("application/json"), r.headers["content-type"]
    assert r.headers["x-content-type-options"] == "nosniff"
    json.loads(r.text)  # well-formed: whatever it echoes is a JSON string


@pytest.mark.parametrize("url", [f"/admin/?msg={P}", f"/admin/editions/{P}/audit", f"/zh/admin/?msg={P}",
                                 f"/admin/editions/d2024/audit?msg={P}"])
def test_xss_in_an_admin_page(fresh, url) -> None:  # noqa: ANN001
    sign_in(fresh)
    r = fresh.get(url)
    assert r.status_code < 500 and not unescaped(r.text), url


def test_xss_in_the_sign_in_form(fresh) -> None:  # noqa: ANN001
    page = fresh.get("/admin/login")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    r = fresh.post("/admin/login", data={"username": PAYLOAD[:90], "password": "x", "csrf_token": token})
    assert r.status_code == 401 and not unescaped(r.text)


def test_xss_in_an_uploaded_file_name(fresh) -> None:  # noqa: ANN001
    r = fresh.post(f"{API}/admin/datasets", headers=bearer(fresh),
                   files={"file": (PAYLOAD + ".csv", b"foo,bar\n1,2\n", "text/csv")})
    assert r.status_code == 400 and r.headers["content-type"].startswith("application/json")
    csrf = sign_in(fresh)
    r = fresh.post("/admin/import", data={"csrf_token": csrf}, files={"file": (PAYLOAD + ".csv", b"foo\n", "text/csv")})
    assert r.status_code == 400 and not unescaped(r.text)


@pytest.mark.parametrize("url", ["/", "/editions/t2024/brands/xss/", "/compare/?brands=xss&brands=formula",
                                 "/zh/editions/t2023/brands/xss/", "/editions/t2024/brands/formula/"])
def test_stored_xss_in_brand_names(client, url) -> None:  # noqa: ANN001
    text = client.get(url).text
    assert "<script>alert(1)</script>" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text


# --- CSRF ------------------------------------------------------------------------------------------


def form_routes() -> list[str]:
    from nevindex.web import admin_pages

    return sorted({prefix + r.path.replace("{edition}", "d2024") for r in admin_pages.admin_router.routes
                   if isinstance(r, APIRoute) and "POST" in r.methods for prefix in ("", "/zh")})


@pytest.mark.parametrize("path", form_routes())
def test_csrf_on_a_form(fresh_app, path) -> None:  # noqa: ANN001
    """Signed in (or, for sign-in itself, holding a session): no token, a wrong one and another
    session's token are all refused with 403, and nothing changes."""
    victim, attacker = TestClient(fresh_app), TestClient(fresh_app)
    if path.endswith("/login"):
        victim.get("/admin/login")
        other = attacker.get("/admin/login").text.split('name="csrf_token" value="')[1].split('"')[0]
    else:
        sign_in(victim)
        other = sign_in(attacker)
    data = {"username": "admin", "password": PASSWORD, "year": "2030", "dataset": "1"}
    for token in (None, "forged", other):
        sent = {**data, **({"csrf_token": token} if token else {})}
        r = victim.post(path, data=sent, follow_redirects=False)
        assert r.status_code == 403, (path, token, r.status_code)
    assert [e["status"] for e in fresh_app.state.portal.all_editions() if e["label"] == "d2024"] == ["draft"]
    assert fresh_app.state.portal.datasets() == TestClient(fresh_app).app.state.portal.datasets()


def test_csrf_on_the_admin_api_with_a_cookie(fresh_app, fresh) -> None:  # noqa: ANN001
    csrf = sign_in(fresh)
    for method, path in admin_api_routes(fresh_app):
        for header in ({}, {"X-CSRF-Token": "forged"}, {"X-CSRF-Token": sign_in(TestClient(fresh_app))}):
            r = fresh.request(method, path, headers=header)
            assert r.status_code == 403, (method, path, header, r.status_code)
    assert fresh.get(f"{API}/admin/editions", headers={"X-CSRF-Token": csrf}).status_code == 200


def test_session_cookie_is_samesite_strict(fresh) -> None:  # noqa: ANN001
    cookie = fresh.get("/admin/login").headers["set-cookie"]
    assert "SameSite=strict" in cookie, "a cross-site form post carries no session"


# --- open redirects ----------------------------------------------------------------------------------

REDIRECTS = ["/brands/%2F%2Fevil.example/", "/brands/http:%2F%2Fevil.example/", "/brands/..%2F..%2F/",
             "/admin/", "/zh/admin/", "/admin/editions/d2024/audit", "//evil.example/", "/\\evil.example/",
             "/admin//evil.example/"]


@pytest.mark.parametrize("url", REDIRECTS)
def test_no_open_redirect(client, url) -> None:  # noqa: ANN001
    r = client.get(url, follow_redirects=False)
    assert r.status_code < 500
    location = r.headers.get("location")
    if location is not None:
        assert location.startswith("/") and not location.startswith(("//", "/\\")), location
        assert "evil.example" not in location.split("/")[1], location


def test_no_open_redirect_after_sign_in_or_out(fresh) -> None:  # noqa: ANN001
    page = fresh.get("/admin/login?next=//evil.example/")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    r = fresh.post("/admin/login?next=https://evil.example/", follow_redirects=False,
                   data={"username": "admin", "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 303 and r.headers["location"] == "/admin/"
    csrf = sign_in(fresh)
    r = fresh.post("/admin/logout?next=//evil.example", data={"csrf_token": csrf}, follow_redirects=False)
    assert r.headers["location"] == "/"


# --- path traversal ------------------------------------------------------------------------------------

TRAVERSALS = ["/static/../../pyproject.toml", "/static/%2e%2e/%2e%2e/pyproject.toml", "/static/..%2F..%2Fapp.py",
              "/static/%2e%2e%2fapp.py", "/static//etc/passwd", "/static/....//....//app.py",
              f"{API}/editions/..%2F..%2Fetc/download.csv", f"{API}/editions/t2024/download.%2e%2e%2fpy",
              f"{API}/editions/t2024/download.csv%00.py", "/editions/..%2F..%2F/brands/x/",
              "/static/%252e%252e/app.py", "/static/app.js%00.py"]


@pytest.mark.parametrize("url", TRAVERSALS)
def test_no_path_traversal(client, url) -> None:  # noqa: ANN001
    r = client.get(url)
    assert r.status_code in (400, 404, 422), (url, r.status_code)
    for secret in ("[project]", "def create_app", "root:x:0:0", "import "):
        assert secret not in r.text, (url, secret)


# --- formula injection -----------------------------------------------------------------------------


def test_csv_export_neutralises_formulas(client) -> None:  # noqa: ANN001
    text = client.get(f"{API}/editions/t2024/download.csv").text
    cells = [c.strip('"') for line in text.splitlines() for c in line.split(",")]
    assert not [c for c in cells if c[:1] in ("=", "+", "@")], "no cell starts a formula"
    # the cell is quoted (the name holds quotes, doubled inside) and starts with the neutralising apostrophe
    assert '"' + "'" + FORMULA_NAME.replace('"', '""') + '"' in text


def test_xlsx_export_has_no_formula_cells(client) -> None:  # noqa: ANN001
    book = openpyxl.load_workbook(io.BytesIO(client.get(f"{API}/editions/t2024/download.xlsx").content))
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert any(c.value == "'" + FORMULA_NAME for c in cells), "the formula-like name is kept as text"


# --- authentication on every admin route -----------------------------------------------------------


def test_auth_on_every_admin_api_route(fresh_app, fresh) -> None:  # noqa: ANN001
    routes = admin_api_routes(fresh_app)
    assert len(routes) >= 7
    expired = fresh_app.state.signer.sign({"user": "admin", "sv": 0}, "session")  # a cookie, not a token
    for method, path in routes:
        for headers in ({}, {"Authorization": "Bearer x"}, {"Authorization": f"Bearer {expired}"},
                        {"Authorization": "Basic YWRtaW46eA=="}):
            assert fresh.request(method, path, headers=headers).status_code == 401, (method, path, headers)


@pytest.mark.parametrize("path", ["/admin/", "/admin/editions/d2024/audit", "/zh/admin/"])
def test_auth_on_every_admin_page(client, path) -> None:  # noqa: ANN001
    r = client.get(path, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].endswith("/admin/login")


def test_a_cookie_of_a_removed_user_signs_nobody_in(fresh_app, fresh) -> None:  # noqa: ANN001
    from sqlalchemy import delete

    sign_in(fresh)
    with fresh_app.state.store.engine.begin() as conn:
        conn.execute(delete(auth.users_table).where(auth.users_table.c.username == "admin"))
    assert fresh.get("/admin/", follow_redirects=False).status_code == 303


# --- oversized and malformed bodies ----------------------------------------------------------------

WHATIF = f"{API}/editions/t2024/brands/alpha/whatif"
MALFORMED = [
    (WHATIF, b"{not json", "application/json", 422),
    (WHATIF, b'{"changes": {"sales": "lots"}}', "application/json", 422),
    (WHATIF, b'{"changes": ' + b"[" * 5000 + b"]" * 5000 + b"}", "application/json", 400),
    (WHATIF, b"\xff\xfe\x00garbage", "application/json", 422),
    (WHATIF, b'{"changes": {"sales": 1}}', "text/plain", 422),
    (f"{API}/auth/token", b'{"username": 1}', "application/json", 422),
    (f"{API}/auth/token", b"", "application/json", 422),
    ("/admin/login", b"username=%ZZ&password=x", "application/x-www-form-urlencoded", 403),
    ("/admin/login", b"--x\r\ngarbage", "multipart/form-data; boundary=x", 422),
    ("/admin/login", b"a" * 70_000, "application/x-www-form-urlencoded", 413),
    (WHATIF, b"1" * 70_000, "application/json", 413),
]


@pytest.mark.parametrize(("url", "body", "kind", "status"), MALFORMED,
                         ids=[f"{u.rsplit('/', 1)[-1]}-{k.split(';')[0]}-{s}-{i}" for i, (u, _, k, s) in enumerate(MALFORMED)])
def test_a_malformed_or_oversized_body_is_a_clear_4xx(client, url, body, kind, status) -> None:  # noqa: ANN001
    r = client.post(url, content=body, headers={"Content-Type": kind})
    assert r.status_code == status, (r.status_code, r.text[:300])
    assert "Traceback" not in r.text


def test_a_malformed_upload_is_a_clear_400(fresh) -> None:  # noqa: ANN001
    headers = {**bearer(fresh), "Content-Type": "multipart/form-data; boundary=zz"}
    r = fresh.post(f"{API}/admin/datasets", content=b"--zz\r\nContent-Disposition: form-data\r\n\r\nx", headers=headers)
    assert 400 <= r.status_code < 500 and "Traceback" not in r.text


# --- cookie flags ------------------------------------------------------------------------------------


def test_session_cookie_flags(fresh) -> None:  # noqa: ANN001
    cookie = fresh.get("/admin/login").headers["set-cookie"]
    for flag in ("HttpOnly", "SameSite=strict", "Path=/", f"Max-Age={auth.SESSION_SECONDS}"):
        assert flag in cookie, (flag, cookie)
    assert "Secure" not in cookie, "plain HTTP on loopback by default"


def test_session_cookie_is_secure_behind_https(seeded_folder, tmp_path) -> None:  # noqa: ANN001
    import shutil

    from nevindex.web.app import create_app

    shutil.copy(seeded_folder / "store.db", tmp_path / "store.db")
    client = TestClient(create_app(f"sqlite:///{tmp_path / 'store.db'}", secure_cookies=True))
    assert "Secure" in client.get("/admin/login").headers["set-cookie"]


def test_signing_out_deletes_the_cookie(fresh) -> None:  # noqa: ANN001
    csrf = sign_in(fresh)
    r = fresh.post("/admin/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert f'{auth.SESSION_COOKIE}=""' in r.headers["set-cookie"] and "Max-Age=0" in r.headers["set-cookie"]


def test_no_cookie_on_public_reads(client) -> None:  # noqa: ANN001
    for url in ("/", "/editions/t2024/brands/alpha/", f"{API}/editions", "/static/app.css"):
        assert "set-cookie" not in client.get(url).headers, url


# --- headers on every kind of answer -----------------------------------------------------------------

KINDS = [("GET", "/", None), ("GET", "/editions/t2024/brands/alpha/", None), ("GET", "/nothing-here", None),
         ("GET", f"{API}/editions/nothing", None), ("GET", "/static/app.js", None), ("GET", "/admin/", None),
         ("POST", f"{API}/admin/editions", None), ("POST", WHATIF, b"1" * 70_000), ("POST", "/admin/import", None),
         ("DELETE", f"{API}/editions", None)]


@pytest.mark.parametrize(("method", "url", "body"), KINDS)
def test_security_headers_on_every_kind_of_answer(client, method, url, body) -> None:  # noqa: ANN001
    r = client.request(method, url, content=body, headers={"Content-Type": "application/json"} if body else {},
                       follow_redirects=False)
    assert r.status_code < 500
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    assert r.headers["x-content-type-options"] == "nosniff" and r.headers["x-frame-options"] == "DENY"
    if not url.startswith("/static/") and r.status_code != 200:
        assert r.headers["cache-control"] == "no-store", (url, r.status_code)
