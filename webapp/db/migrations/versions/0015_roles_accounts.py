"""Roles (admins; viewers, contributors, editors of each show), invitations, scoped
tokens and two-factor sign-in

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 02:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import webapp.db.types

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("is_admin", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("totp_secret", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("recovery_codes", sa.Text(), nullable=False, server_default="")
        )
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("scope", sa.String(length=10), nullable=False, server_default="write")
        )
        batch_op.add_column(sa.Column("show_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("expires_at", webapp.db.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.create_foreign_key(
            "fk_api_tokens_show_id_shows", "shows", ["show_id"], ["id"], ondelete="CASCADE"
        )
    op.create_table(
        "invites",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("purpose", sa.String(length=10), nullable=False),
        sa.Column("is_admin", sa.Boolean(), nullable=False),
        sa.Column("show_id", sa.Integer(), nullable=True),
        sa.Column("role", sa.String(length=20), nullable=True),
        sa.Column("created_by", sa.String(length=320), nullable=False),
        sa.Column("created_at", webapp.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", webapp.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", webapp.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["show_id"], ["shows.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
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
    op.drop_table("invites")
    op.drop_table("show_roles")
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_constraint("fk_api_tokens_show_id_shows", type_="foreignkey")
        batch_op.drop_column("expires_at")
        batch_op.drop_column("show_id")
        batch_op.drop_column("scope")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("recovery_codes")
        batch_op.drop_column("totp_secret")
        batch_op.drop_column("is_admin")
