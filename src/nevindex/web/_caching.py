"""What the portal keeps in memory, and what it tells HTTP caches.

Published editions are immutable, so everything derived from one is computed once and kept in a
bounded least-recently-used cache (cachetools), keyed by the edition's id *and* result hash: a
rebuilt draft gets a new hash and therefore fresh values, never stale ones. Resolving a public
reference ("latest", a label) is kept a couple of seconds only (a TTL cache), so a publication made
by another process shows within that time.

For proxies and browsers, published data carry an ``ETag`` derived from the result hashes and a
``Cache-Control: public`` lifetime; everything else is ``no-store``.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Hashable, Iterable
from typing import Any, TypeVar

from cachetools import LRUCache, TTLCache

from nevindex import __version__

T = TypeVar("T")

#: Seconds a resolved public edition reference ("latest", a label) is reused without asking the store.
REF_TTL = 2.0
#: Seconds a proxy may serve a named published edition's data without asking again (then it revalidates).
EDITION_MAX_AGE = 3600
#: Cache-Control of anything that is not published data: drafts, admin pages and answers, sessions.
NO_STORE = "no-store"

__all__ = ["EDITION_MAX_AGE", "NO_STORE", "REF_TTL", "Memo", "TimedMemo", "cache_control", "etag", "etag_matches"]


class Memo:
    """A thread-safe least-recently-used cache of computed values (``get`` computes on a miss)."""

    def __init__(self, size: int = 256):
        self._data: LRUCache[Hashable, Any] = LRUCache(maxsize=size)
        self._lock = threading.Lock()

    def get(self, key: Hashable, make: Callable[[], T]) -> T:
        with self._lock:
            if key in self._data:
                return self._data[key]  # type: ignore[no-any-return]
        value = make()  # outside the lock: another thread may compute the same value meanwhile
        self.put(key, value)
        return value

    def peek(self, key: Hashable) -> Any:
        with self._lock:
            return self._data.get(key)

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._data[key] = value

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


class TimedMemo(Memo):
    """A :class:`Memo` whose entries live ``ttl`` seconds (monotonic clock)."""

    def __init__(self, ttl: float = REF_TTL, size: int = 1024):
        super().__init__(size)
        self._data = TTLCache(maxsize=size, ttl=ttl, timer=time.monotonic)


def etag(result_hashes: Iterable[str | None]) -> str:
    """A strong validator for published data: changes when any of the published editions' result
    hashes changes (a page lists the other editions; a profile shows their history) or when the
    package does (templates and answers may render differently)."""
    text = "|".join([__version__, *(h or "-" for h in result_hashes)])
    return '"' + hashlib.sha256(text.encode()).hexdigest()[:32] + '"'


def etag_matches(if_none_match: str | None, tag: str) -> bool:
    """RFC 9110 weak comparison of an ``If-None-Match`` header with our tag (``*`` matches all)."""
    if not if_none_match:
        return False
    candidates = [c.strip() for c in if_none_match.split(",")]
    return "*" in candidates or any(c.removeprefix("W/") == tag for c in candidates)


def cache_control(latest: bool, latest_max_age: float) -> str:
    """``public`` with a lifetime: long for a named edition (immutable), short for "latest"."""
    age = int(latest_max_age) if latest else EDITION_MAX_AGE
    return f"public, max-age={age}"
