"""Audit outputs: the statistical audit's tables stored with their edition (immutable once published).

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

from nevindex.store import triggers

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_outputs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("edition_id", sa.Integer, sa.ForeignKey("editions.id"), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.UniqueConstraint("edition_id", "name", name="uq_audit_outputs_edition_name"),
    )
    triggers.create(op, ("audit_outputs",))


def downgrade() -> None:
    triggers.drop(op, ("audit_outputs",))
    op.drop_table("audit_outputs")
