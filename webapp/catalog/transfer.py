"""Copy a whole catalogue from one database to another (SQLite to PostgreSQL).

Rows are copied as they are, primary keys included, so GUIDs, podcast:guids, storage keys
and dates stay exactly the same; media files stay where they are (same keys, same root).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, insert, select, text
from sqlalchemy.engine import Engine

from webapp.catalog.models import Base
from webapp.db.engine import make_engine
from webapp.db.migrate import upgrade

BATCH = 1000


class TransferError(RuntimeError):
    """The copy cannot go ahead; nothing was written."""


@dataclass(frozen=True)
class TransferReport:
    """How many rows each table received."""

    rows: dict[str, int]


def _count_rows(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            t.name: conn.scalar(select(func.count()).select_from(t)) or 0
            for t in Base.metadata.sorted_tables
        }


def migrate_catalogue(
    source_url: str, target_url: str, progress: Callable[[str, int], None] | None = None
) -> TransferReport:
    """Copy every table from source to an empty, freshly migrated target, in one transaction."""
    upgrade(source_url)
    upgrade(target_url)
    source, target = make_engine(source_url), make_engine(target_url)
    try:
        if any(_count_rows(target).values()):
            raise TransferError("the target database already holds a catalogue; use an empty one")
        copied: dict[str, int] = {}
        with source.connect() as src, target.begin() as dst:
            for table in Base.metadata.sorted_tables:
                rows = src.execute(select(table)).mappings()
                count = 0
                while batch := [dict(r) for r in rows.fetchmany(BATCH)]:
                    dst.execute(insert(table), batch)
                    count += len(batch)
                copied[table.name] = count
                if progress:
                    progress(table.name, count)
            if target.dialect.name == "postgresql":
                _reset_sequences(dst)
        if _count_rows(target) != _count_rows(source):
            raise TransferError("row counts differ after the copy")
        return TransferReport(copied)
    finally:
        source.dispose()
        target.dispose()


def _reset_sequences(conn: object) -> None:
    """Explicit ids were inserted: move each serial sequence past the largest id."""
    for table in Base.metadata.sorted_tables:
        pk = list(table.primary_key.columns)
        if len(pk) != 1 or pk[0].type.python_type is not int:
            continue
        column = pk[0].name
        # Table and column names come from our own metadata, never from input.
        conn.execute(  # type: ignore[attr-defined]
            text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', '{column}'), "  # noqa: S608
                f'COALESCE((SELECT MAX("{column}") FROM "{table.name}"), 0) + 1, false)'
            )
        )
