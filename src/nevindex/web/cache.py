"""A response cache in front of the application for reads of published editions, and the default
``Cache-Control`` of everything else.

Routes opt in by setting the internal header ``x-nevindex-cacheable`` (published data only: API
answers, and pages rendered as for an anonymous visitor); such responses also carry an ``ETag``
and ``Cache-Control: public`` for proxies (see :mod:`nevindex.web._caching`). Entries live ``ttl``
seconds (cachetools' TTL cache, least recently used out first), so "latest" follows a publication
made by another process within that time (publishing through this process bumps the portal's
generation, which empties it at once); the key is the full path and query string. A cached answer
whose ``ETag`` the client already has is a 304 without a body.

Who asks decides what is served (:class:`Visitors`, :mod:`nevindex.web.personal`): a request with
an ``Authorization`` header always reaches the application; a cookie that holds no live signed-in
session changes nothing (the cached answer is served); for a signed-in analyst a cached *page* is
dressed with the user's bar and sent ``no-store`` without validators — stored is only ever the
anonymous page, which the application renders for that analyst too on a miss.

Every other response that does not say how it may be cached gets ``Cache-Control: no-store``:
drafts, admin pages and answers, errors, sign-in. The vendored files under ``/static/`` keep the
validators StaticFiles gives them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, Protocol

from cachetools import TTLCache

from nevindex.web._caching import NO_STORE, etag_matches

MARK = b"x-nevindex-cacheable"
Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Headers = list[tuple[bytes, bytes]]
#: Headers a 304 repeats from the full answer (RFC 9110 § 15.4.5).
NOT_MODIFIED_HEADERS = (b"etag", b"cache-control", b"vary")

__all__ = ["MARK", "ResponseCache", "Visitors"]


class Visitors(Protocol):
    """Who a request is, and that visitor's copy of a cached page (see :mod:`nevindex.web.personal`)."""

    async def visitor(self, scope: Scope) -> Any: ...

    def dress(self, body: bytes, scope: Scope, visitor: Any) -> bytes: ...


class ResponseCache:
    """ASGI middleware: serve published reads from memory, a signed-in visitor's pages dressed with the
    user's bar; mark the rest ``no-store``."""

    def __init__(self, app: Any, *, ttl: float = 5.0, size: int = 1024,
                 generation: Callable[[], int] = lambda: 0, visitors: Visitors | None = None):
        self.app, self.ttl, self.size, self.generation, self.visitors = app, ttl, size, generation, visitors
        self._entries: TTLCache[tuple[int, str, bytes], tuple[Headers, bytes]] = TTLCache(
            maxsize=size, ttl=ttl, timer=time.monotonic)
        self._lock = threading.Lock()

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    async def __call__(self, scope: Scope, receive: Callable[[], Awaitable[Message]],
                       send: Callable[[Message], Awaitable[None]]) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope["path"].startswith("/static/")
        cookie = _header(scope.get("headers", []), b"cookie") is not None
        if static or scope["method"] != "GET" or _header(scope.get("headers", []), b"authorization") is not None \
                or (cookie and self.visitors is None):
            await self.app(scope, receive, _finished(send, static))
            return
        visitor = await self.visitors.visitor(scope) if cookie and self.visitors else None
        key = (self.generation(), scope["path"], scope.get("query_string", b""))
        with self._lock:
            hit = self._entries.get(key)
        if hit is not None:
            headers, body = hit
            tag = _header(headers, b"etag")
            if visitor is not None and _is_page(headers):
                await _send(send, 200, *self._dressed(headers, body, scope, visitor))
            elif visitor is None and tag is not None and \
                    etag_matches(_header(scope.get("headers", []), b"if-none-match"), tag):
                await _send(send, 304, [h for h in headers if h[0] in NOT_MODIFIED_HEADERS], b"")
            else:
                await _send(send, 200, headers, body)
            return
        status, marked, held, final, chunks = 0, False, False, [], []

        async def capture(message: Message) -> None:
            nonlocal status, marked, held, final
            if message["type"] == "http.response.start":
                status = message["status"]
                marked = any(h[0] == MARK for h in message.get("headers", []))
                message = _cleaned(message, static)
                final = message["headers"]
                held = visitor is not None and marked and status == 200 and _is_page(final)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            if not held:  # a page for a signed-in visitor is sent once it is whole, dressed
                await send(message)

        await self.app(scope, receive, capture)
        if status == 200 and marked:
            with self._lock:
                self._entries[key] = (final, b"".join(chunks))
        if held:
            await _send(send, 200, *self._dressed(final, b"".join(chunks), scope, visitor))

    def _dressed(self, headers: Headers, body: bytes, scope: Scope, visitor: Any) -> tuple[Headers, bytes]:
        """A cached anonymous page as ``visitor``'s own: dressed, ``no-store``, without validators."""
        assert self.visitors is not None
        body = self.visitors.dress(body, scope, visitor)
        kept = [h for h in headers if h[0] not in (b"etag", b"cache-control", b"content-length")]
        return [*kept, (b"cache-control", NO_STORE.encode()), (b"content-length", str(len(body)).encode())], body


def _cleaned(start: Message, static: bool) -> Message:
    """A response start without the internal marker header, and ``no-store`` where nothing else is said."""
    headers = [h for h in start.get("headers", []) if h[0] != MARK]
    if not static and _header(headers, b"cache-control") is None:
        headers.append((b"cache-control", NO_STORE.encode()))
    return {**start, "headers": headers}


def _finished(send: Callable[[Message], Awaitable[None]], static: bool) -> Callable[[Message], Awaitable[None]]:
    """``send`` with every response start :func:`_cleaned`."""

    async def wrapped(message: Message) -> None:
        await send(_cleaned(message, static) if message["type"] == "http.response.start" else message)

    return wrapped


async def _send(send: Callable[[Message], Awaitable[None]], status: int, headers: Headers, body: bytes) -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _header(headers: Any, name: bytes) -> str | None:
    for key, value in headers:
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


def _is_page(headers: Headers) -> bool:
    return (_header(headers, b"content-type") or "").startswith("text/html")
