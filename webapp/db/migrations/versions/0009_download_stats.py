"""Download statistics: daily counts by episode, app and country; per-listener ranges and
daily salts (kept two days); access log offsets

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 22:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "stats_salts",
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("salt", sa.String(64), nullable=False),
    )
    op.create_table(
        "stats_listens",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("listener", sa.String(32), nullable=False),
        sa.Column("media_id", sa.Integer(), nullable=False),
        sa.Column(
            "episode_id",
            sa.Integer(),
            sa.ForeignKey("episodes.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("ranges", sa.Text(), nullable=False),
        sa.Column("counted", sa.Boolean(), nullable=False),
        sa.UniqueConstraint("day", "listener", "media_id"),
    )
    op.create_index("ix_stats_listens_day", "stats_listens", ["day"])
    op.create_index("ix_stats_listens_episode_id", "stats_listens", ["episode_id"])
    op.create_table(
        "download_counts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column(
            "episode_id",
            sa.Integer(),
            sa.ForeignKey("episodes.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("app", sa.String(100), nullable=False),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("downloads", sa.Integer(), nullable=False),
        sa.UniqueConstraint("day", "episode_id", "app", "country"),
    )
    op.create_index("ix_download_counts_day", "download_counts", ["day"])
    op.create_index("ix_download_counts_episode_id", "download_counts", ["episode_id"])
    op.create_table(
        "stats_log_offsets",
        sa.Column("path", sa.String(1000), primary_key=True),
        sa.Column("inode", sa.BigInteger(), nullable=False),
        sa.Column("offset", sa.BigInteger(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("stats_log_offsets")
    op.drop_table("download_counts")
    op.drop_table("stats_listens")
    op.drop_table("stats_salts")
