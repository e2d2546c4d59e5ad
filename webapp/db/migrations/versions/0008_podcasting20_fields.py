"""Podcasting 2.0 settings staff set: update frequency, txt, podroll, live stream; episode
soundbites and discussion thread; media looked up by storage key

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 22:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("shows", schema=None) as batch_op:
        for name, length in (
            ("update_frequency", 100),
            ("update_rrule", 200),
            ("txt_value", 4000),
            ("txt_purpose", 128),
            ("live_stream_type", 100),
        ):
            batch_op.add_column(
                sa.Column(name, sa.String(length), nullable=False, server_default="")
            )
        batch_op.add_column(sa.Column("podroll", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("live_stream_url", sa.String(1000), nullable=True))
    with op.batch_alter_table("episodes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("soundbites", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("social_uri", sa.String(1000), nullable=True))
    # Media requests name a file by key: finding its episode (for the download name) must
    # not scan the table.
    op.create_index("ix_media_files_storage_key", "media_files", ["storage_key"])


def downgrade() -> None:
    op.drop_index("ix_media_files_storage_key", table_name="media_files")
    with op.batch_alter_table("episodes", schema=None) as batch_op:
        batch_op.drop_column("social_uri")
        batch_op.drop_column("soundbites")
    with op.batch_alter_table("shows", schema=None) as batch_op:
        for name in (
            "live_stream_url",
            "podroll",
            "live_stream_type",
            "txt_purpose",
            "txt_value",
            "update_rrule",
            "update_frequency",
        ):
            batch_op.drop_column(name)
