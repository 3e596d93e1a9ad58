"""Brand submissions: the filled questionnaires, their values and the reviewers' decisions.

- ``submissions``: one row per imported questionnaire (edition, brand, the methodology hash and
  template version it was made for, the file as received with its hash, who submitted it);
- ``submission_values``: each submitted figure with its unit, year, evidence, note, the cell it came
  from, the public and last published values beside it at import, and its plausibility warnings;
- ``reviews``: each decision (approve / reject with a comment, by whom, when), and ``merged`` when a
  merge wrote the value into a new data-set version.

Guards (:mod:`nevindex.store.collect_guards`): submissions and their values are write-once, reviews
are append-only, a merged value takes no further decision. Downgrading drops the three tables (and
everything submitted with them); the data sets a merge wrote are kept.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

from nevindex.store import collect_guards

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "submissions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("edition_id", sa.Integer, sa.ForeignKey("editions.id"), nullable=False),
        sa.Column("brand", sa.String(200), nullable=False),
        sa.Column("methodology_sha256", sa.String(64), nullable=False),
        sa.Column("template_version", sa.String(20), nullable=False),
        sa.Column("file_name", sa.String(500), nullable=False),
        sa.Column("file_bytes", sa.LargeBinary, nullable=False),
        sa.Column("file_sha256", sa.String(64), nullable=False),
        sa.Column("submitted_by", sa.String(300), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
    )
    op.create_table(
        "submission_values",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("submission_id", sa.Integer, sa.ForeignKey("submissions.id"), nullable=False),
        sa.Column("indicator", sa.String(200), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("value", sa.Float(53), nullable=False),
        sa.Column("unit_of_measure", sa.String(200), nullable=False),
        sa.Column("evidence", sa.Text),
        sa.Column("note", sa.Text),
        sa.Column("cell", sa.String(50), nullable=False),
        sa.Column("public_value", sa.Float(53)),
        sa.Column("last_value", sa.Float(53)),
        sa.Column("warnings", sa.Text, nullable=False),
    )
    op.create_index("ix_submission_values_submission", "submission_values", ["submission_id"])
    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("value_id", sa.Integer, sa.ForeignKey("submission_values.id"), nullable=False),
        sa.Column("decision", sa.String(20), nullable=False),
        sa.Column("comment", sa.Text, nullable=False),
        sa.Column("reviewer", sa.String(200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("dataset_id", sa.Integer, sa.ForeignKey("datasets.id")),
    )
    op.create_index("ix_reviews_value", "reviews", ["value_id"])
    collect_guards.create(op)


def downgrade() -> None:
    collect_guards.drop(op)
    op.drop_index("ix_reviews_value", "reviews")
    op.drop_table("reviews")
    op.drop_index("ix_submission_values_submission", "submission_values")
    op.drop_table("submission_values")
    op.drop_table("submissions")
