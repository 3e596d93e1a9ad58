"""A response cache in front of the application for anonymous reads of published editions.

Routes opt in by setting the internal header ``x-nevindex-cacheable`` (published data only: API
answers and pages rendered for visitors without a session). Requests carrying a cookie or an
Authorization header always reach the application. Entries live ``ttl`` seconds, so "latest"
follows a publication made by another process within that time (publishing through this
process bumps the portal's generation, which empties it at once); the key is the full path and
query string.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

MARK = b"x-nevindex-cacheable"
Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]


class ResponseCache:
    def __init__(self, app: Any, *, ttl: float = 5.0, size: int = 1024,
                 generation: Callable[[], int] = lambda: 0):
        self.app, self.ttl, self.size, self.generation = app, ttl, size, generation
        self._entries: OrderedDict[tuple[int, str, bytes], tuple[float, int, list[tuple[bytes, bytes]], bytes]] = \
            OrderedDict()
        self._lock = threading.Lock()

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    async def __call__(self, scope: Scope, receive: Callable[[], Awaitable[Message]],
                       send: Callable[[Message], Awaitable[None]]) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] != "GET" or _personal(scope):
            await self.app(scope, receive, _unmarked(send))
            return
        key = (self.generation(), scope["path"], scope.get("query_string", b""))
        now = time.monotonic()
        with self._lock:
            hit = self._entries.get(key)
            if hit is not None and hit[0] <= now:
                del self._entries[key]
                hit = None
        if hit is not None:
            _, status, headers, body = hit
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        started: Message = {}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                started.update(message)
                message = {**message, "headers": [h for h in message.get("headers", []) if h[0] != MARK]}
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        await self.app(scope, receive, capture)
        headers = started.get("headers", [])
        if started.get("status") == 200 and any(h[0] == MARK for h in headers):
            entry = (now + self.ttl, 200, [h for h in headers if h[0] != MARK], b"".join(chunks))
            with self._lock:
                self._entries[key] = entry
                while len(self._entries) > self.size:
                    self._entries.popitem(last=False)


def _unmarked(send: Callable[[Message], Awaitable[None]]) -> Callable[[Message], Awaitable[None]]:
    """``send`` without the internal marker header."""

    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [h for h in message.get("headers", []) if h[0] != MARK]}
        await send(message)

    return wrapped


def _personal(scope: Scope) -> bool:
    for name, _ in scope.get("headers", ()):
        if name in (b"cookie", b"authorization"):
            return True
    return False
