"""Search documents: each episode's text, indexed by the database (SQLite FTS5 with
triggers; PostgreSQL a generated tsvector with a GIN index)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 23:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Written out in full: the statements are fixed text, nothing is put into them.
INSERT_NEW = (
    "INSERT INTO search_fts(rowid, title, speakers, description, transcript) "
    "VALUES (new.episode_id, new.title, new.speakers, new.description, new.transcript);"
)
DELETE_OLD = (
    "INSERT INTO search_fts(search_fts, rowid, title, speakers, description, transcript) "
    "VALUES ('delete', old.episode_id, old.title, old.speakers, old.description, "
    "old.transcript);"
)


def upgrade() -> None:
    op.create_table(
        "search_documents",
        sa.Column(
            "episode_id",
            sa.Integer(),
            sa.ForeignKey("episodes.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("speakers", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("transcript", sa.Text(), nullable=False),
    )
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        # An external-content FTS5 index over search_documents, kept in step by triggers.
        op.execute(
            "CREATE VIRTUAL TABLE search_fts USING fts5(title, speakers, description, transcript, "
            "content='search_documents', "
            "content_rowid='episode_id', tokenize='porter unicode61 remove_diacritics 2')"
        )
        ai = "CREATE TRIGGER search_documents_ai AFTER INSERT ON search_documents BEGIN "
        ad = "CREATE TRIGGER search_documents_ad AFTER DELETE ON search_documents BEGIN "
        au = "CREATE TRIGGER search_documents_au AFTER UPDATE ON search_documents BEGIN "
        op.execute(ai + INSERT_NEW + " END")
        op.execute(ad + DELETE_OLD + " END")
        op.execute(au + DELETE_OLD + " " + INSERT_NEW + " END")
    elif dialect == "postgresql":
        # PostgreSQL's parser reads "<word ...>" as a markup tag and skips what follows:
        # the plain text is indexed with its angle brackets as spaces.
        op.execute(
            "ALTER TABLE search_documents ADD COLUMN document tsvector GENERATED ALWAYS AS ("
            "setweight(to_tsvector('english', regexp_replace(title, '[<>]', ' ', 'g')), 'A') || "
            "setweight(to_tsvector('english', regexp_replace(speakers, '[<>]', ' ', 'g')), 'A') "
            "|| setweight(to_tsvector('english', regexp_replace(description, '[<>]', ' ', 'g')),"
            " 'B') || "
            "setweight(to_tsvector('english', regexp_replace(transcript, '[<>]', ' ', 'g')), 'C')"
            ") STORED"
        )
        op.execute(
            "CREATE INDEX ix_search_documents_document ON search_documents USING GIN (document)"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("ai", "ad", "au"):
            op.execute(f"DROP TRIGGER IF EXISTS search_documents_{trigger}")
        op.execute("DROP TABLE IF EXISTS search_fts")
    op.drop_table("search_documents")
