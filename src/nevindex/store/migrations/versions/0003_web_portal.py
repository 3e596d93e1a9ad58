"""Web portal tables: administrators (argon2 hashes) and portal settings (the session secret).

Until this revision the portal created these two tables itself (SQLAlchemy ``create_all``) when it
first opened a store, so a store at 0002 may already hold them with users and a secret in them: such
tables are kept as they are (same columns as created here) and only missing ones are created.
Downgrading drops both tables (the administrators and the stored secret go with them).

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TABLES = ("web_users", "web_settings")


def _create(name: str) -> None:
    if name == "web_users":
        op.create_table(
            "web_users",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("username", sa.String(100), unique=True, nullable=False),
            sa.Column("password_hash", sa.String(300), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        )
    else:
        op.create_table(
            "web_settings",
            sa.Column("key", sa.String(100), primary_key=True),
            sa.Column("value", sa.String(500), nullable=False),
        )


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    for name in TABLES:
        if name not in existing:  # made earlier by the portal itself: keep it and its rows
            _create(name)


def downgrade() -> None:
    for name in reversed(TABLES):
        op.drop_table(name)
