"""Engine and session handling: one unit of work per request, job or command.

Operations in ``catalog`` only flush; ``unit_of_work`` commits once, rolls back on error,
and after a successful commit hands the shows the work touched to ``on_commit`` (their
feed rebuild marks were written in the same commit: ``webapp/publishing/marks.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

DIRTY_SHOWS = "talkcast_dirty_shows"
EVERY_FEED = "talkcast_every_feed"


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets WAL, a busy timeout and enforced foreign keys."""
    kwargs: dict[str, Any] = {"future": True, "pool_pre_ping": True}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
    engine = create_engine(url, **kwargs)
    if url.startswith("sqlite"):

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            if ":memory:" not in url:
                cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

    return engine


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit."""
    return sessionmaker(bind=engine, expire_on_commit=False)


def mark_show_changed(session: Session, show_id: int) -> None:
    """Remember that a show's feeds must be rebuilt once this unit of work commits."""
    session.info.setdefault(DIRTY_SHOWS, set()).add(show_id)


def mark_all_feeds(session: Session) -> None:
    """Remember that every feed must be rebuilt once this unit of work commits."""
    session.info[EVERY_FEED] = True


@contextmanager
def unit_of_work(
    factory: sessionmaker[Session], on_commit: Callable[[set[int]], object] | None = None
) -> Iterator[Session]:
    """Commit once at the end, roll back on any error, then run ``on_commit(dirty show ids)``."""
    session = factory()
    try:
        yield session
        session.commit()
        dirty = set(session.info.pop(DIRTY_SHOWS, set()))
        every = bool(session.info.pop(EVERY_FEED, False))
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
    if (dirty or every) and on_commit is not None:
        on_commit(dirty)
