"""show settings staff edit: subtitle, licence, funding, location, hosts, block, feed moves,
archive, and old slugs

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 19:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import webapp.db.types

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("shows", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("subtitle", sa.String(255), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("license", sa.String(300), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("funding_url", sa.String(1000), nullable=True))
        batch_op.add_column(
            sa.Column("funding_text", sa.String(128), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("location", sa.String(300), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("hosts", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(
            sa.Column("block", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("new_feed_url", sa.String(1000), nullable=True))
        batch_op.add_column(
            sa.Column("feed_redirect", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("archived", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_table(
        "show_aliases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=120), nullable=False),
        sa.Column("show_id", sa.Integer(), nullable=False),
        sa.Column("created_at", webapp.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["show_id"], ["shows.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("slug"),
    )
    with op.batch_alter_table("show_aliases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_show_aliases_show_id"), ["show_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("show_aliases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_show_aliases_show_id"))
    op.drop_table("show_aliases")
    with op.batch_alter_table("shows", schema=None) as batch_op:
        for column in (
            "archived", "feed_redirect", "new_feed_url", "block", "hosts", "location",
            "funding_text", "funding_url", "license", "subtitle",
        ):  # fmt: skip
            batch_op.drop_column(column)
