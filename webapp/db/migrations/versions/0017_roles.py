"""Roles: admins, and viewers, contributors and editors of each show

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 02:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("is_admin", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    # Every account could do everything before roles existed: keep it so, an admin each.
    op.execute(sa.text("UPDATE users SET is_admin = :yes").bindparams(yes=True))
    op.create_table(
        "show_roles",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("show_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(["show_id"], ["shows.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "show_id"),
    )
    op.create_index("ix_show_roles_show_id", "show_roles", ["show_id"])


def downgrade() -> None:
    op.drop_table("show_roles")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("is_admin")
