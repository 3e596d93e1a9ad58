"""Reading what an edition stored: its results, its audit tables, the log (verify is :mod:`._verify`)."""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Mapping
from io import StringIO

import pandas as pd
from sqlalchemy import delete, func, select

from nevindex.store import codec
from nevindex.store._session import actor_name, find_edition, log, now, require
from nevindex.store._stored import stored_rows
from nevindex.store.db import Store
from nevindex.store.models import (
    Activity,
    AuditOutput,
    DataSet,
    Edition,
    IndicatorResult,
    Methodology,
    Observation,
    Receipt,
    UnitResult,
)

__all__ = ["activity", "audit_tables", "counts", "edition_tables", "store_audit"]


def edition_tables(store: Store, ref: int | str) -> dict[str, pd.DataFrame]:
    """Stored results as frames: ``scores`` (unit × aggregate) and ``indicators`` (unit × indicator)."""
    with store.read() as s:
        units, inds = stored_rows(s, find_edition(s, ref).id)
    return {"scores": codec.rows_frame(units, codec.UNIT_FIELDS),
            "indicators": codec.rows_frame(inds, codec.INDICATOR_FIELDS)}


# --- audit tables ------------------------------------------------------------------------------

#: What the audit of an edition may not be stored for (the guard's wording, shared with the use case).
AUDIT_NEEDS = {"draft": "its audit cannot change", "built": "build before auditing"}


def store_audit(store: Store, ref: int | str, tables: Mapping[str, pd.DataFrame], *,
                actor: str | None = None) -> list[str]:
    """Store the audit's tables with a built draft edition (replacing tables of the same name)."""
    who = actor_name(actor)
    with store.transaction() as s:
        edition = require(find_edition(s, ref, lock=True), **AUDIT_NEEDS)
        names = []
        for name, frame in tables.items():
            content = frame.to_json(orient="split", index=False, double_precision=15, date_format="iso")
            s.execute(delete(AuditOutput).where(AuditOutput.edition_id == edition.id, AuditOutput.name == name))
            s.add(AuditOutput(edition_id=edition.id, name=name, content=content,
                              sha256=hashlib.sha256(content.encode()).hexdigest(), created_at=now(), created_by=who))
            names.append(name)
        log(s, who, "edition.audit", f"edition {edition.label}", tables=names)
        return names


def audit_tables(store: Store, ref: int | str, names: Collection[str] | None = None) -> dict[str, pd.DataFrame]:
    """An edition's stored audit tables by name (only ``names`` when given; empty when not audited)."""
    with store.read() as s:
        query = select(AuditOutput).where(AuditOutput.edition_id == find_edition(s, ref).id)
        if names is not None:
            query = query.where(AuditOutput.name.in_(list(names)))
        rows = s.scalars(query.order_by(AuditOutput.name)).all()
        return {r.name: pd.read_json(StringIO(r.content), orient="split") for r in rows}


# --- activity ----------------------------------------------------------------------------------


def activity(store: Store, limit: int | None = None) -> pd.DataFrame:
    """The activity log, newest first."""
    with store.read() as s:
        query = select(Activity).order_by(Activity.id.desc())
        if limit:
            query = query.limit(limit)
        rows = s.scalars(query).all()
    return pd.DataFrame([{"at": r.at, "actor": r.actor, "action": r.action, "target": r.target,
                          "details": r.details} for r in rows], columns=["at", "actor", "action", "target", "details"])


def counts(store: Store) -> dict[str, int]:
    """Rows per table (for status displays and tests of atomicity)."""
    models = {"methodologies": Methodology, "datasets": DataSet, "observations": Observation, "editions": Edition,
              "unit_results": UnitResult, "indicator_results": IndicatorResult, "audit_outputs": AuditOutput,
              "activity_log": Activity, "receipts": Receipt}
    with store.read() as s:
        return {name: int(s.scalar(select(func.count()).select_from(m)) or 0) for name, m in models.items()}
