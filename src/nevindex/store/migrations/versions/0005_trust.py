"""Tamper evidence: a hash-chained activity log, signed receipts, no replaced rows.

- ``activity_log`` gains ``prev_sha256`` and ``sha256``; the existing entries are chained here, in id
  order, from the genesis hash (:mod:`nevindex.store.logchain`), so ``verify`` can check them.
- ``datasets`` gains ``units_sha256`` (the units file as imported), filled from the stored bytes.
- ``receipts``: the signed receipt of each edition published from now on (``nevindex edition receipt``
  signs one for an edition published before).
- Guards (:func:`nevindex.store.triggers.create_trust_guards`): an insert that would replace an
  existing row of an immutable table is refused (SQLite's ``INSERT OR REPLACE``), a log entry must
  extend the chain, a receipt is write-once.

The update guards of the two tables are lifted for the fill only, inside this migration's
transaction. Every row is kept. Downgrading removes the columns, the table and the guards, but no
receipt is lost: each is appended to the activity log first (action ``edition.receipt_kept``, the
document as details), and upgrading again restores them from there. Their log heads still hold:
the chain of the entries before them is recomputed to the same hashes.

Revision ID: 0005
Revises: 0004
"""

import hashlib
import json
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from nevindex.store import logchain, triggers
from nevindex.store.models import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

#: The log action of a receipt kept through a downgrade (its details: the receipt document).
KEPT = "edition.receipt_kept"
_LOG = sa.table("activity_log", sa.column("id", sa.Integer), sa.column("at", UTCDateTime()),
                sa.column("actor", sa.String), sa.column("action", sa.String), sa.column("target", sa.String),
                sa.column("details", sa.Text), sa.column("prev_sha256", sa.String), sa.column("sha256", sa.String))
_RECEIPTS = sa.table("receipts", sa.column("id", sa.Integer), sa.column("edition_id", sa.Integer),
                     sa.column("document", sa.Text), sa.column("fingerprint", sa.String),
                     sa.column("created_at", UTCDateTime()))
_EDITIONS = sa.table("editions", sa.column("id", sa.Integer), sa.column("label", sa.String),
                     sa.column("status", sa.String))
_DATASETS = sa.table("datasets", sa.column("id", sa.Integer), sa.column("units_bytes", sa.LargeBinary),
                     sa.column("units_sha256", sa.String))


def upgrade() -> None:
    op.add_column("activity_log", sa.Column("prev_sha256", sa.String(64)))
    op.add_column("activity_log", sa.Column("sha256", sa.String(64)))
    op.add_column("datasets", sa.Column("units_sha256", sa.String(64)))
    op.create_table(
        "receipts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("edition_id", sa.Integer, sa.ForeignKey("editions.id"), nullable=False, unique=True),
        sa.Column("document", sa.Text, nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    bind = op.get_bind()
    triggers.drop(op, ("activity_log", "datasets"))  # lifted for the fill below, put back right after
    prev = logchain.GENESIS
    for row in bind.execute(sa.select(_LOG).order_by(_LOG.c.id)).all():
        digest = logchain.entry_sha256(prev, row.at, row.actor, row.action, row.target, row.details)
        bind.execute(_LOG.update().where(_LOG.c.id == row.id).values(prev_sha256=prev, sha256=digest))
        prev = digest
    for row in bind.execute(sa.select(_DATASETS.c.id, _DATASETS.c.units_bytes)
                            .where(_DATASETS.c.units_bytes.is_not(None))).all():
        bind.execute(_DATASETS.update().where(_DATASETS.c.id == row.id)
                     .values(units_sha256=hashlib.sha256(row.units_bytes).hexdigest()))
    triggers.create(op, ("activity_log", "datasets"))
    triggers.create_trust_guards(op)
    _restore_receipts(bind)


def _restore_receipts(bind) -> None:  # type: ignore[no-untyped-def]
    """Receipts a downgrade kept in the log, back into their table (published editions only)."""
    published = {r.label: r.id for r in bind.execute(sa.select(_EDITIONS).where(_EDITIONS.c.status == "published"))}
    done: set[int] = set()
    for row in bind.execute(sa.select(_LOG).where(_LOG.c.action == KEPT).order_by(_LOG.c.id)).all():
        edition_id = published.get(row.target.removeprefix("edition "))
        if edition_id is None or edition_id in done:
            continue
        document = json.loads(row.details)
        bind.execute(_RECEIPTS.insert().values(edition_id=edition_id, document=row.details, created_at=row.at,
                                               fingerprint=document["receipt"]["signer"]["fingerprint"]))
        done.add(edition_id)


def downgrade() -> None:
    bind = op.get_bind()
    triggers.drop_trust_guards(op)
    kept = bind.execute(sa.select(_RECEIPTS.c.document, _EDITIONS.c.label)
                        .join(_EDITIONS, _EDITIONS.c.id == _RECEIPTS.c.edition_id).order_by(_RECEIPTS.c.id)).all()
    head = bind.execute(sa.select(_LOG.c.sha256).order_by(_LOG.c.id.desc()).limit(1)).scalar() or logchain.GENESIS
    for document, label in kept:  # appended (an append-only log allows it), chained as any entry
        at, target = datetime.now(UTC), f"edition {label}"
        digest = logchain.entry_sha256(head, at, "nevindex db downgrade", KEPT, target, document)
        bind.execute(_LOG.insert().values(at=at, actor="nevindex db downgrade", action=KEPT,
                                          target=target, details=document, prev_sha256=head, sha256=digest))
        head = digest
    op.drop_table("receipts")
    op.drop_column("datasets", "units_sha256")
    op.drop_column("activity_log", "sha256")
    op.drop_column("activity_log", "prev_sha256")
