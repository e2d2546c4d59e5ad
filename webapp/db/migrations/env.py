"""Alembic environment: the URL comes from the Talkcast config, never from an ini file."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from webapp.catalog.models import Base
from webapp.db.engine import make_engine
from webapp.stats import models as _stats_models  # noqa: F401  (its tables are in Base.metadata)

config = context.config
target_metadata = Base.metadata


def run_migrations() -> None:
    """Run migrations online against the configured URL (or a passed-in connection)."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


def _include(obj: object, name: str | None, kind: str, reflected: bool, compare_to: object) -> bool:
    """Leave out what the search migration made by hand: the FTS5 table and its shadow
    tables (SQLite), the generated tsvector column and its index (PostgreSQL)."""
    if kind == "table" and name and name.startswith("search_fts"):
        return False
    return not (
        reflected and compare_to is None and name in ("document", "ix_search_documents_document")
    )


def _run(connection: Connection) -> None:
    # render_as_batch lets ALTER TABLE work on SQLite by copying the table.
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        include_object=_include,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
