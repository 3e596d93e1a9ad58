"""Sessions can be ended (issue 16, item 6): signing out, a new password and ``nevindex admin revoke USER``
end every session cookie and API token of that user at once, in every process that shares the store.

A per-user session version is stored beside the user (``web_users.session_version``) and signed into
every cookie and token; a value whose version is not the stored one is anonymous.
"""

from __future__ import annotations

from fastapi.testclient import TestClient

from nevindex.web import auth

from .conftest import PASSWORD
from .test_auth import bearer, csrf_from, sign_in

API = "/api/v1"
NEW_PASSWORD = "a brand new password"


def signed_in(client: TestClient) -> bool:
    return client.get("/admin/", follow_redirects=False).status_code == 200


def token_works(client: TestClient, headers: dict[str, str]) -> bool:
    return client.get(f"{API}/admin/editions", headers=headers).status_code == 200


def test_a_cookie_replayed_after_signing_out_is_anonymous(fresh) -> None:  # noqa: ANN001
    csrf = sign_in(fresh)
    cookie = fresh.cookies.get(auth.SESSION_COOKIE)
    assert fresh.post("/admin/logout", data={"csrf_token": csrf}, follow_redirects=False).status_code == 303
    fresh.cookies.set(auth.SESSION_COOKIE, cookie)  # someone kept a copy of the cookie
    assert not signed_in(fresh)
    r = fresh.get(f"{API}/admin/editions", headers={"X-CSRF-Token": csrf})
    assert r.status_code == 401
    r = fresh.post("/admin/editions/d2024/publish", data={"csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 401
    assert "Sign out" not in fresh.get("/editions/t2024/").text


def test_signing_out_ends_every_session_and_token_of_the_user(fresh_app) -> None:  # noqa: ANN001
    laptop, phone, script = TestClient(fresh_app), TestClient(fresh_app), TestClient(fresh_app)
    csrf = sign_in(laptop)
    sign_in(phone)
    token = bearer(script)
    assert signed_in(phone) and token_works(script, token)
    laptop.post("/admin/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert not signed_in(phone)
    assert not token_works(script, token)
    sign_in(phone)  # signing in again works, with a new session
    assert signed_in(phone) and not signed_in(laptop)


def test_a_new_password_ends_sessions_and_tokens(fresh_app, fresh) -> None:  # noqa: ANN001
    sign_in(fresh)
    token = bearer(fresh)
    auth.create_user(fresh_app.state.store.engine, "admin", NEW_PASSWORD)  # what `admin create-user` does
    assert not signed_in(fresh)
    assert not token_works(fresh, token)
    other = TestClient(fresh_app)
    page = other.get("/admin/login")
    r = other.post("/admin/login", data={"username": "admin", "password": NEW_PASSWORD,
                                         "csrf_token": csrf_from(page.text)}, follow_redirects=False)
    assert r.status_code == 303 and signed_in(other)


def test_admin_revoke_ends_the_sessions_from_another_process(fresh_app, fresh, tmp_path, capsys) -> None:  # noqa: ANN001
    from nevindex.cli import main

    sign_in(fresh)
    token = bearer(fresh)
    assert main(["admin", "revoke", "admin", "--db", str(tmp_path / "store.db")]) == 0
    out = capsys.readouterr().out
    assert "admin" in out and "signed out" in out, out
    assert not signed_in(fresh)
    assert not token_works(fresh, token)
    assert main(["admin", "revoke", "ghost", "--db", str(tmp_path / "store.db")]) == 2
    assert "no admin user 'ghost'" in capsys.readouterr().err


def test_revoking_one_user_leaves_the_others_signed_in(fresh_app) -> None:  # noqa: ANN001
    engine = fresh_app.state.store.engine
    auth.create_user(engine, "bob", PASSWORD)
    alice, bob = TestClient(fresh_app), TestClient(fresh_app)
    sign_in(alice)
    token = bob.post(f"{API}/auth/token", json={"username": "bob", "password": PASSWORD}).json()["access_token"]
    auth.revoke_sessions(engine, "admin")
    assert not signed_in(alice)
    assert token_works(bob, {"Authorization": f"Bearer {token}"})


def test_a_signed_value_without_a_session_version_is_anonymous(fresh_app, fresh) -> None:  # noqa: ANN001
    """Cookies and tokens signed before session versions existed carry none: they no longer sign in."""
    signer = fresh_app.state.signer
    fresh.cookies.set(auth.SESSION_COOKIE, signer.sign({"csrf": "c", "user": "admin"}, "session"))
    assert not signed_in(fresh)
    assert not token_works(fresh, {"Authorization": f"Bearer {signer.sign({'user': 'admin'}, 'api')}"})
