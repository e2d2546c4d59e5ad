"""podcast:guid of a show's audio-only and video-only feeds, kept once assigned

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 20:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("shows", schema=None) as batch_op:
        batch_op.add_column(sa.Column("audio_guid", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("video_guid", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("shows", schema=None) as batch_op:
        batch_op.drop_column("video_guid")
        batch_op.drop_column("audio_guid")
