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
