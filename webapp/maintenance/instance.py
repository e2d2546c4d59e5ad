"""An installation as the maintenance commands see it: a database and two folders."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, inspect, select
from sqlalchemy.engine import make_url

from media.storage import TEMP_DIR
from webapp.catalog.models import Base
from webapp.db.engine import make_engine
from webapp.publishing.feedcache import FeedCache


@dataclass(frozen=True)
class Instance:
    """Where one installation keeps its catalogue, media and feed files."""

    database_url: str
    media_root: Path
    data_dir: Path

    @classmethod
    def from_config(cls, config: Any) -> Instance:
        """The instance a Flask app (or its config mapping) is configured for."""
        return cls(
            str(config["DATABASE_URL"]), Path(config["MEDIA_ROOT"]), Path(config["DATA_DIR"])
        )


def media_files(root: Path) -> list[Path]:
    """Every stored file under a media root, leaving out the temporary area."""
    if not root.is_dir():
        return []
    return sorted(
        p for p in root.rglob("*") if p.is_file() and p.relative_to(root).parts[0] != TEMP_DIR
    )


def row_counts(database_url: str) -> dict[str, int]:
    """Rows in each catalogue table that exists (an unmigrated database has none)."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and not Path(url.database or "").is_file():
        return {}  # connecting would create the file (or fail for want of its folder)
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            present = set(inspect(conn).get_table_names())
            return {
                t.name: int(conn.scalar(select(func.count()).select_from(t)) or 0)
                for t in Base.metadata.sorted_tables
                if t.name in present
            }
    finally:
        engine.dispose()


def contents(instance: Instance) -> list[str]:
    """What an instance already holds, described for people; empty when there is nothing."""
    found = []
    rows = sum(row_counts(instance.database_url).values())
    if rows:
        found.append(f"{rows} rows in the database")
    files = len(media_files(instance.media_root))
    if files:
        found.append(f"{files} files in {instance.media_root}")
    feeds = len(FeedCache(instance.data_dir / "feeds").names())
    if feeds:
        found.append(f"{feeds} built feeds in {instance.data_dir / 'feeds'}")
    return found
