"""Alembic environment for the shipped migrations: always run on a connection given by nevindex."""

from __future__ import annotations

from alembic import context

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - nevindex always passes one (see nevindex.store.db.upgrade)
    raise RuntimeError("run nevindex migrations through `nevindex db upgrade` or nevindex.store.db.upgrade()")

context.configure(connection=connection, target_metadata=None, render_as_batch=True,
                  transaction_per_migration=False)
with context.begin_transaction():
    context.run_migrations()
