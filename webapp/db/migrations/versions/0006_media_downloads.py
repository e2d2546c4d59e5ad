"""downloads of imported media: what to fetch, progress, and files waiting for their copy

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 19:55:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("media_tasks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("url", sa.String(length=1000), nullable=True))
        batch_op.add_column(
            sa.Column("bytes_done", sa.BigInteger(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("bytes_total", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("etag", sa.String(length=500), nullable=True))
    with op.batch_alter_table("media_files", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("awaiting_download", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("media_files", schema=None) as batch_op:
        batch_op.drop_column("awaiting_download")
    with op.batch_alter_table("media_tasks", schema=None) as batch_op:
        for column in ("etag", "bytes_total", "bytes_done", "url"):
            batch_op.drop_column(column)
