"""Portal session versions: a counter per administrator that every session cookie and API token carries.

Signing out, a new password and ``nevindex admin revoke USER`` add one to it, which ends every cookie
and token signed with the old value (see ``docs/portal.md``, *Sessions and revocation*). Existing
users start at 0; cookies and tokens signed before this revision carry no version and no longer
sign anyone in. A ``web_users`` table made by a newer portal's own ``create_all`` may already have
the column: it is then kept. Downgrading drops the column.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

COLUMN = "session_version"


def upgrade() -> None:
    columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("web_users")}
    if COLUMN not in columns:
        op.add_column("web_users", sa.Column(COLUMN, sa.Integer, nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("web_users") as table:
        table.drop_column(COLUMN)
