"""What every store operation shares: who acts, the activity log, finding an edition, the state guard.

The guard (:func:`require`) is the one place that says "this edition is published, so …" or "this
edition has not been built, so …": every operation states what it needs, the message form is the same.
:func:`log` appends to the hash-chained activity log (:mod:`nevindex.store.logchain`); on PostgreSQL
appends are serialised (:func:`serialise`) so that two transactions never extend the same head.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from nevindex.errors import ImmutableError, NevIndexError, NotFoundError
from nevindex.store._records import AmbiguousEditionError
from nevindex.store.logchain import GENESIS, entry_sha256
from nevindex.store.models import PUBLISHED, Activity, Edition

__all__ = ["LATEST", "actor_name", "checkpoint", "current_of_year", "find_edition", "log", "now", "require",
           "serialise", "set_checkpoint"]


def actor_name(actor: str | None = None) -> str:
    """Who is acting: given, else ``NEVINDEX_USER``, else the login name."""
    if actor:
        return actor
    env = os.environ.get("NEVINDEX_USER")
    if env:
        return env
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name in some containers
        return "unknown"


def now() -> datetime:
    return datetime.now(UTC)


def serialise(session: Session, *key: str) -> None:
    """Wait until no other transaction holds ``key``, and hold it until this one ends.

    SQLite needs nothing (a writer holds the database's write lock from BEGIN IMMEDIATE); on
    PostgreSQL this is a transaction-level advisory lock. Used where two transactions would
    otherwise both see "not there yet" (the same data set imported twice) or both extend the log's
    head."""
    if session.get_bind().dialect.name == "postgresql":
        digest = hashlib.sha256("\x1f".join(("nevindex", *key)).encode()).digest()
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": int.from_bytes(digest[:8], "big", signed=True)})


def log(session: Session, actor: str, action: str, target: str, **details: Any) -> Activity:
    """Append one entry to the activity log (inside the caller's transaction), chained to the head."""
    serialise(session, "activity_log")
    head = session.scalar(select(Activity.sha256).order_by(Activity.id.desc()).limit(1)) or GENESIS
    at = now()
    body = json.dumps(details, ensure_ascii=False, default=str, sort_keys=True)
    entry = Activity(at=at, actor=actor, action=action, target=target, details=body, prev_sha256=head,
                     sha256=entry_sha256(head, at, actor, action, target, body))
    session.add(entry)
    return entry


# --- a seam for crash tests --------------------------------------------------------------------

def _no_checkpoint(point: str) -> None:
    return None


_checkpoint: Callable[[str], None] = _no_checkpoint


def set_checkpoint(hook: Callable[[str], None] | None) -> None:
    """Install ``hook(point)``, called at named points inside the store's transactions ("import": half
    the observations written; "build": results written, hash not yet; "publish": status changed, log
    not yet). Crash tests install one that stops the process there; ``None`` restores the no-op."""
    global _checkpoint
    _checkpoint = hook or _no_checkpoint


def checkpoint(point: str) -> None:
    _checkpoint(point)


# --- editions ----------------------------------------------------------------------------------

#: The reference that means "the newest published edition".
LATEST = "latest"


def find_edition(session: Session, ref: int | str, *, lock: bool = False) -> Edition:
    """The edition a reference names (the one rule every command and route follows):

    1. a label (an edition labelled "2024" or "latest" is found by its label first);
    2. ``latest``: the newest published edition (a correction supersedes what it corrects);
    3. a year (four digits) that editions have: the one current edition of that year: among the
       published editions of the year, the one no other published edition corrects; a year with no
       published edition and one draft: that draft. Several candidates: AmbiguousEditionError
       listing them (give the label);
    4. a number: the edition's id.

    An ``int`` is always an id (what code holds); the rule above is for text, what people type.
    """
    if isinstance(ref, int):
        edition = session.get(Edition, ref)
        if edition is None:
            raise NotFoundError(f"no edition with id {ref}")
        return session.scalar(select(Edition).where(Edition.id == ref).with_for_update()) if lock else edition
    text = ref.strip()
    edition = session.scalar(select(Edition).where(Edition.label == text))
    if edition is None and text == LATEST:
        edition = session.scalars(select(Edition).where(Edition.status == PUBLISHED).order_by(
            Edition.year.desc(), Edition.published_at.desc(), Edition.id.desc())).first()
        if edition is None:
            raise NotFoundError("no edition has been published yet")
    if edition is None and text.isdigit():
        edition = _of_year(session, int(text)) if len(text) == 4 else None
        if edition is None:
            edition = session.get(Edition, int(text))
    if edition is None:
        labels = session.scalars(select(Edition.label).order_by(Edition.id)).all()
        raise NotFoundError(f"no edition '{ref}'" + (f"; editions: {', '.join(labels)}" if labels else
                                                     "; the store has no editions yet"))
    if lock:
        edition = session.scalar(select(Edition).where(Edition.id == edition.id).with_for_update())
    return edition


def current_of_year(editions: Sequence[Edition]) -> list[Edition]:
    """The editions that stand for their year: the published ones no published edition corrects,
    else (nothing published) every draft."""
    published = [e for e in editions if e.status == PUBLISHED]
    corrected = {e.corrects_id for e in published if e.corrects_id is not None}
    return [e for e in published if e.id not in corrected] if published else list(editions)


def _of_year(session: Session, year: int) -> Edition | None:
    editions = session.scalars(select(Edition).where(Edition.year == year).order_by(Edition.id)).all()
    if not editions:
        return None
    current = current_of_year(editions)
    if len(current) > 1:
        listed = ", ".join(f"{e.label} ({e.status})" for e in current)
        raise AmbiguousEditionError(f"the year {year} names {len(current)} editions: {listed}; give the label")
    return current[0]


def require(edition: Edition, *, draft: str | None = None, built: str | None = None,
            published: str | None = None) -> Edition:
    """Refuse an operation the edition's state does not allow; each argument is what to tell the user.

    ``draft``: the operation changes the edition, so it must not be published (ImmutableError);
    ``built``: the operation reads its results, so it must have been built;
    ``published``: the operation is for published editions only."""
    if draft is not None and edition.status == PUBLISHED:
        when = f" on {edition.published_at:%Y-%m-%d %H:%M} by {edition.published_by}" if edition.published_at else ""
        raise ImmutableError(f"edition '{edition.label}' was already published{when}; {draft}")
    if published is not None and edition.status != PUBLISHED:
        raise NevIndexError(f"edition '{edition.label}' is a draft; {published}")
    if built is not None and edition.result_sha256 is None:
        raise NevIndexError(f"edition '{edition.label}' has not been built; {built}")
    return edition
