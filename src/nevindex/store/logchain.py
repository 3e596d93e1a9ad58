"""The activity log as a hash chain: each entry carries the hash of the one before it.

Entry *n*'s ``sha256`` is SHA-256 of ``b"nevindex-log-v1\\n"`` followed by the canonical JSON
(sorted keys, no spaces, UTF-8) of ``{"prev", "at", "actor", "action", "target", "details"}``, where
``prev`` is entry *n-1*'s ``sha256`` (the first entry's ``prev`` is :data:`GENESIS`, 64 zeros), ``at``
is the UTC time with microseconds in ISO 8601 (``2024-05-01T09:30:00.000000+00:00``) and ``details``
the JSON text exactly as stored. Rewriting, inserting or deleting an entry breaks every hash after
it; a receipt holds the head at publication, so even a chain recomputed by hand no longer matches.
Pure functions: the session code is in :mod:`nevindex.store._session`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from nevindex.signing import canonical_bytes

__all__ = ["GENESIS", "ChainState", "entry_sha256", "timestamp", "walk"]

GENESIS = "0" * 64
_PREFIX = b"nevindex-log-v1\n"


def timestamp(at: datetime) -> str:
    """The canonical text of an entry's time (naive times are UTC, as the store keeps them)."""
    at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    return at.isoformat(timespec="microseconds")


def entry_sha256(prev: str, at: datetime, actor: str, action: str, target: str, details: str) -> str:
    body = {"prev": prev, "at": timestamp(at), "actor": actor, "action": action, "target": target,
            "details": details}
    return hashlib.sha256(_PREFIX + canonical_bytes(body)).hexdigest()


@dataclass(frozen=True)
class ChainState:
    """The outcome of walking the log: its head, and the first entry that breaks the chain (if any)."""

    entries: int
    head_id: int | None
    head_sha256: str
    broken_at: int | None = None
    problem: str | None = None
    #: every entry's hash by id (to check a receipt's head against)
    hashes: dict[int, str] | None = None

    @property
    def intact(self) -> bool:
        return self.broken_at is None


def walk(rows: Iterable[Any]) -> ChainState:
    """Check entries (in id order; attributes ``id, at, actor, action, target, details, prev_sha256,
    sha256``) and return the chain's state."""
    prev, head_id, n = GENESIS, None, 0
    hashes: dict[int, str] = {}
    for row in rows:
        n += 1
        if row.prev_sha256 != prev:
            return ChainState(n, head_id, prev, row.id, f"entry {row.id} ({row.action} {row.target}) does not "
                              "follow the entry before it: an entry was removed, inserted or reordered", hashes)
        expected = entry_sha256(prev, row.at, row.actor, row.action, row.target, row.details)
        if row.sha256 != expected:
            return ChainState(n, head_id, prev, row.id, f"entry {row.id} ({row.action} {row.target}) was changed "
                              "after it was written", hashes)
        prev, head_id = expected, row.id
        hashes[row.id] = expected
    return ChainState(n, head_id, prev, None, None, hashes)
