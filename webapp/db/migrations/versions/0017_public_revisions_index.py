"""An index of episodes by state, publication time and revision, for incremental feed builds

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 09:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_episodes_public_revisions", "episodes", ["state", "publish_at", "revision"])


def downgrade() -> None:
    op.drop_index("ix_episodes_public_revisions", table_name="episodes")
