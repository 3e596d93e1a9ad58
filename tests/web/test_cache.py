"""The response cache: anonymous reads of published data only, never personal ones, emptied by a publication."""

from __future__ import annotations

from .test_auth import bearer, sign_in

API = "/api/v1"


def test_publication_is_visible_at_once_through_the_cache(fresh) -> None:  # noqa: ANN001
    anonymous = fresh.get(f"{API}/editions/latest")
    assert anonymous.json()["label"] == "t2024"
    assert "x-nevindex-cacheable" not in anonymous.headers, "the internal marker never leaves the server"
    assert fresh.get(f"{API}/editions/latest").json()["label"] == "t2024"  # served from the cache
    headers = bearer(fresh)
    assert fresh.post(f"{API}/admin/editions/d2024/publish", headers=headers).status_code == 200
    assert fresh.get(f"{API}/editions/latest").json()["label"] == "d2024"
    assert "d2024" in fresh.get("/").text


def test_cached_pages_keep_security_headers_and_skip_sessions(fresh) -> None:  # noqa: ANN001
    first = fresh.get("/editions/t2024/")
    again = fresh.get("/editions/t2024/")
    assert first.text == again.text
    assert "frame-ancestors 'none'" in again.headers["content-security-policy"]
    assert "Sign out" not in again.text
    sign_in(fresh)  # now the client sends a session cookie: its pages are personal, never from the cache
    personal = fresh.get("/editions/t2024/")
    assert "Sign out (admin)" in personal.text
    fresh.cookies.clear()
    assert "Sign out" not in fresh.get("/editions/t2024/").text


def test_cache_is_bounded_and_expires() -> None:
    import asyncio

    from nevindex.web.cache import ResponseCache

    calls = []

    async def app(scope, receive, send):  # noqa: ANN001, ANN202
        calls.append(scope["path"])
        await send({"type": "http.response.start", "status": 200, "headers": [(b"x-nevindex-cacheable", b"1")]})
        await send({"type": "http.response.body", "body": scope["path"].encode()})

    cache = ResponseCache(app, ttl=60, size=2)

    async def get(path: str, headers: list[tuple[bytes, bytes]] | None = None) -> bytes:
        sent: list[dict] = []

        async def send(message):  # noqa: ANN001, ANN202
            sent.append(message)

        await cache({"type": "http", "method": "GET", "path": path, "query_string": b"", "headers": headers or []},
                    None, send)
        assert all(h[0] != b"x-nevindex-cacheable" for h in sent[0]["headers"])
        return sent[1]["body"]

    async def scenario() -> None:
        for path in ("/a", "/a", "/b", "/c", "/a"):
            assert await get(path) == path.encode()
        await get("/b", [(b"cookie", b"x=1")])

    asyncio.run(scenario())
    # /a cached once, then evicted by /b and /c (size 2); the cookie request bypassed the cache
    assert calls == ["/a", "/b", "/c", "/a", "/b"]


# --- HTTP caching: validators and lifetimes for proxies ---------------------------------------------


PUBLISHED = [f"{API}/editions/t2024", f"{API}/editions/t2024/ranking?limit=3", f"{API}/editions/t2024/brands/alpha",
             f"{API}/editions/t2024/download.csv", "/editions/t2024/", "/zh/editions/t2024/brands/alpha/"]


def test_published_data_carry_an_etag_and_a_public_lifetime(fresh) -> None:  # noqa: ANN001
    tags = set()
    for url in PUBLISHED:
        r = fresh.get(url)
        assert r.status_code == 200, url
        assert r.headers["cache-control"] == "public, max-age=3600", url  # a named edition never changes
        assert r.headers["etag"].startswith('"') and r.headers["etag"] == fresh.get(url).headers["etag"], url
        tags.add(r.headers["etag"])
    assert len(tags) == 1, "one edition, one state of the published editions: one validator"
    latest = fresh.get(f"{API}/editions/latest/ranking")
    assert latest.headers["cache-control"] == "public, max-age=5", "'latest' may move: the response TTL"
    assert fresh.get("/editions/t2024/").headers["vary"] == "Cookie", "a signed-in page differs"
    for url in (f"{API}/editions", f"{API}/brands/alpha/history"):  # data of every published edition
        r = fresh.get(url)
        assert r.headers["cache-control"] == "public, max-age=5", url
        assert fresh.get(url, headers={"If-None-Match": r.headers["etag"]}).status_code == 304, url


def test_if_none_match_answers_304_without_a_body(fresh) -> None:  # noqa: ANN001
    for url in PUBLISHED:
        tag = fresh.get(url).headers["etag"]
        for sent in (tag, f"W/{tag}", f'"other", {tag}', "*"):
            r = fresh.get(url, headers={"If-None-Match": sent})
            assert r.status_code == 304 and r.content == b"", (url, sent)
            assert r.headers["etag"] == tag and r.headers["cache-control"].startswith("public")
        assert fresh.get(url, headers={"If-None-Match": '"other"'}).status_code == 200


def test_a_publication_changes_every_validator(fresh) -> None:  # noqa: ANN001
    """Pages list the editions and profiles show history, so publishing any edition changes them all."""
    before = {url: fresh.get(url).headers["etag"] for url in PUBLISHED}
    assert fresh.post(f"{API}/admin/editions/d2024/publish", headers=bearer(fresh)).status_code == 200
    for url, tag in before.items():
        r = fresh.get(url, headers={"If-None-Match": tag})
        assert r.status_code == 200 and r.headers["etag"] != tag, url
    assert "d2024" in fresh.get("/editions/t2024/").text, "the page itself is new too"


def test_drafts_admin_and_personal_answers_are_not_stored(fresh) -> None:  # noqa: ANN001
    headers = bearer(fresh)
    for url in (f"{API}/admin/editions", f"{API}/admin/editions/d2024/audit"):
        r = fresh.get(url, headers=headers)
        assert r.status_code == 200 and r.headers["cache-control"] == "no-store" and "etag" not in r.headers, url
    assert fresh.get(f"{API}/editions/d2024").headers["cache-control"] == "no-store"  # a draft: 404, not stored
    assert fresh.post(f"{API}/auth/token", json={"username": "x", "password": "y"}).headers["cache-control"] == \
        "no-store"
    assert fresh.get("/admin/login").headers["cache-control"] == "no-store"
    sign_in(fresh)
    mine = fresh.get("/editions/t2024/")
    assert "Sign out" in mine.text and mine.headers["cache-control"] == "no-store" and "etag" not in mine.headers
    assert fresh.get("/admin/").headers["cache-control"] == "no-store"


def test_the_response_cache_answers_304_too() -> None:
    import asyncio

    from nevindex.web.cache import ResponseCache

    calls = []

    async def app(scope, receive, send):  # noqa: ANN001, ANN202
        calls.append(scope["path"])
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"x-nevindex-cacheable", b"1"), (b"etag", b'"t1"'), (b"cache-control", b"public")]})
        await send({"type": "http.response.body", "body": b"data"})

    cache = ResponseCache(app, ttl=60)

    async def get(headers: list[tuple[bytes, bytes]]) -> list[dict]:
        sent: list[dict] = []

        async def send(message):  # noqa: ANN001, ANN202
            sent.append(message)

        await cache({"type": "http", "method": "GET", "path": "/a", "query_string": b"", "headers": headers},
                    None, send)
        return sent

    first = asyncio.run(get([]))
    again = asyncio.run(get([(b"if-none-match", b'"t1"')]))
    assert calls == ["/a"], "the second answer came from the cache"
    assert first[0]["status"] == 200 and first[1]["body"] == b"data"
    assert again[0]["status"] == 304 and again[1]["body"] == b""
    assert dict(again[0]["headers"]) == {b"etag": b'"t1"', b"cache-control": b"public"}


def test_a_signed_in_page_is_the_cached_anonymous_page_with_the_user_bar(fresh_app, fresh, monkeypatch) -> None:  # noqa: ANN001
    """Issue 16, item 7: a session cookie no longer means a fresh rendering of a published page."""
    from fastapi.testclient import TestClient

    from nevindex.web import pages

    url = "/editions/t2024/brands/alpha/"
    anonymous = TestClient(fresh_app).get(url)
    csrf = sign_in(fresh)
    rendered: list[str] = []
    real = pages.render

    def counting(page, template, **values):  # noqa: ANN001, ANN202
        rendered.append(template)
        return real(page, template, **values)

    monkeypatch.setattr(pages, "render", counting)
    mine = [fresh.get(url) for _ in range(3)]
    assert rendered.count("brand.html") == 0, "the signed-in page was rendered again"
    for r in mine:
        assert r.status_code == 200 and "Sign out (admin)" in r.text
        assert f'name="csrf_token" value="{csrf}"' in r.text, "the bar's form carries this session's token"
        assert r.headers["cache-control"] == "no-store" and "etag" not in r.headers
        assert r.headers["vary"] == "Cookie"
        assert int(r.headers["content-length"]) == len(r.content)
    assert "Sign out" not in anonymous.text and 'href="/admin/login"' in anonymous.text
    assert anonymous.headers["cache-control"].startswith("public") and anonymous.headers["vary"] == "Cookie"
    assert "etag" in anonymous.headers
    # outside the user's bar the two pages are the same bytes
    import re

    slot = re.compile(rb"<!--user:(\w+)-->.*?<!--/user:\1-->", re.S)
    assert slot.sub(b"", mine[0].content) == slot.sub(b"", anonymous.content)
    assert [m.group(1) for m in slot.finditer(anonymous.content)] == [b"tools", b"nav", b"footer"]
    assert slot.sub(b"", mine[0].content) != mine[0].content


def test_a_page_first_asked_for_by_a_signed_in_visitor_is_stored_anonymous(fresh_app, fresh) -> None:  # noqa: ANN001
    from fastapi.testclient import TestClient

    sign_in(fresh)
    url = "/zh/editions/t2023/brands/beta/"
    assert "admin" in fresh.get(url).text.split("<main", 1)[0]
    later = TestClient(fresh_app).get(url)
    assert "csrf_token" not in later.text and "/zh/admin/logout" not in later.text
    assert later.headers["cache-control"].startswith("public")


def test_a_session_ended_elsewhere_sees_the_anonymous_page_within_the_check_lifetime(seeded_folder, tmp_path) -> None:  # noqa: ANN001
    """Public pages trust a session check for ``session_check_ttl`` s; admin pages check every time."""
    import shutil
    import time

    from fastapi.testclient import TestClient

    from nevindex.web import auth
    from nevindex.web.app import create_app

    shutil.copy(seeded_folder / "store.db", tmp_path / "store.db")
    app = create_app(f"sqlite:///{tmp_path / 'store.db'}", session_check_ttl=0.3)
    client = TestClient(app)
    sign_in(client)
    url = "/editions/t2024/"
    assert "Sign out" in client.get(url).text
    auth.revoke_sessions(app.state.store.engine, "admin")  # as `nevindex admin revoke` in another process
    assert client.get("/admin/", follow_redirects=False).status_code == 303, "admin pages see it at once"
    time.sleep(0.35)
    again = client.get(url)
    assert "Sign out" not in again.text and "csrf_token" not in again.text
    assert again.headers["cache-control"].startswith("public")
