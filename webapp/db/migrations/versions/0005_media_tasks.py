"""media tasks (audio renditions of videos) and where a rendition came from

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 19:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import webapp.db.types

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "media_tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("episode_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("media_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", webapp.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("seconds", sa.Float(), nullable=True),
        sa.Column("created_at", webapp.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", webapp.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["episode_id"], ["episodes.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("media_tasks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_media_tasks_episode_id"), ["episode_id"])
        batch_op.create_index(batch_op.f("ix_media_tasks_next_attempt_at"), ["next_attempt_at"])
        batch_op.create_index(batch_op.f("ix_media_tasks_state"), ["state"])
    with op.batch_alter_table("media_files", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rendition_of", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("media_files", schema=None) as batch_op:
        batch_op.drop_column("rendition_of")
    op.drop_table("media_tasks")
