"""Episode revisions: a stamp replaced whenever an episode's feed item changes, kept by
search documents too

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 05:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Existing episodes start at 0: their feeds were built without revisions, so the first
    # build after this migration writes every document once.
    with op.batch_alter_table("episodes") as batch:
        batch.add_column(sa.Column("revision", sa.BigInteger(), nullable=False, server_default="0"))
    # Not in batch mode: on SQLite that would copy the table and lose its FTS triggers.
    op.add_column("search_documents", sa.Column("revision", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    op.drop_column("search_documents", "revision")
    with op.batch_alter_table("episodes") as batch:
        batch.drop_column("revision")
