"""Initial schema: methodologies, data sets, observations, editions, results, activity log.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

from nevindex.store import triggers

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TABLES = ("methodologies", "datasets", "observations", "editions", "unit_results", "indicator_results",
          "activity_log")


def _when() -> sa.Column:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "methodologies",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("code", sa.String(100), nullable=False),
        sa.Column("version", sa.String(100), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("yaml_text", sa.Text, nullable=False),
        sa.Column("source_name", sa.String(500)),
        sa.Column("created_at", _when(), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
    )
    op.create_table(
        "datasets",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("structure", sa.Text, nullable=False),
        sa.Column("source_name", sa.String(500)),
        sa.Column("source_bytes", sa.LargeBinary),
        sa.Column("source_sha256", sa.String(64)),
        sa.Column("units_name", sa.String(500)),
        sa.Column("units_bytes", sa.LargeBinary),
        sa.Column("n_observations", sa.Integer, nullable=False),
        sa.Column("created_at", _when(), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
    )
    op.create_table(
        "observations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("dataset_id", sa.Integer, sa.ForeignKey("datasets.id"), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("unit", sa.String(200), nullable=False),
        sa.Column("indicator", sa.String(200), nullable=False),
        sa.Column("value", sa.Float(53), nullable=False),
        sa.Column("row", sa.Integer),
        sa.Column("source", sa.Text),
    )
    op.create_index("ix_observations_dataset", "observations", ["dataset_id"])
    op.create_table(
        "editions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("label", sa.String(200), nullable=False, unique=True),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("methodology_id", sa.Integer, sa.ForeignKey("methodologies.id"), nullable=False),
        sa.Column("dataset_id", sa.Integer, sa.ForeignKey("datasets.id"), nullable=False),
        sa.Column("recipe", sa.Text, nullable=False),
        sa.Column("recipe_sha256", sa.String(64), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("corrects_id", sa.Integer, sa.ForeignKey("editions.id")),
        sa.Column("correction_reason", sa.Text),
        sa.Column("result_sha256", sa.String(64)),
        sa.Column("data_sha256", sa.String(64)),
        sa.Column("package_version", sa.String(50)),
        sa.Column("created_at", _when(), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("built_at", _when()),
        sa.Column("published_at", _when()),
        sa.Column("published_by", sa.String(200)),
        sa.CheckConstraint("status IN ('draft', 'published')", name="ck_editions_status"),
        sa.CheckConstraint("corrects_id IS NULL OR correction_reason IS NOT NULL",
                           name="ck_editions_correction_reason"),
    )
    op.create_table(
        "unit_results",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("edition_id", sa.Integer, sa.ForeignKey("editions.id"), nullable=False),
        sa.Column("unit", sa.String(200), nullable=False),
        sa.Column("node", sa.String(200), nullable=False),
        sa.Column("level", sa.Integer, nullable=False),
        sa.Column("score", sa.Float(53)),
        sa.Column("rank", sa.Float(53)),
        sa.Column("rating", sa.String(50)),
        sa.Column("coverage", sa.Float(53)),
        sa.Column("flags", sa.String(500), nullable=False),
    )
    op.create_index("ix_unit_results_edition", "unit_results", ["edition_id"])
    op.create_table(
        "indicator_results",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("edition_id", sa.Integer, sa.ForeignKey("editions.id"), nullable=False),
        sa.Column("unit", sa.String(200), nullable=False),
        sa.Column("indicator", sa.String(200), nullable=False),
        sa.Column("raw", sa.Float(53)),
        sa.Column("imputed", sa.Float(53)),
        sa.Column("imputed_flag", sa.Boolean, nullable=False),
        sa.Column("treated", sa.Float(53)),
        sa.Column("normalised", sa.Float(53)),
        sa.Column("rank", sa.Float(53)),
        sa.Column("flags", sa.String(500), nullable=False),
    )
    op.create_index("ix_indicator_results_edition", "indicator_results", ["edition_id"])
    op.create_table(
        "activity_log",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", _when(), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(100), nullable=False),
        sa.Column("target", sa.String(300), nullable=False),
        sa.Column("details", sa.Text, nullable=False),
    )
    triggers.create(op, TABLES)


def downgrade() -> None:
    triggers.drop(op, TABLES)
    for table in reversed(TABLES):
        op.drop_table(table)
    triggers.drop_functions(op)
