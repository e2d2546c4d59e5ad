"""Feed rebuild marks: rows that say which shows' feeds are owed a rebuild.

A save marks its shows (``mark_show_changed`` or ``mark_all_feeds`` in ``webapp.db.engine``)
and, when its unit of work commits, the marks are inserted by a ``before_commit`` hook into
the same transaction as the rows: the save and the debt are committed together or not at all. A
rebuilder later reads the pending marks, rebuilds once for all of them, and deletes exactly
the marks it read, so a mark written while it was rebuilding stays for the next round.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, event, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from webapp.catalog.models import FeedRebuildMark
from webapp.db.engine import DIRTY_SHOWS, EVERY_FEED


def _insert_marks(session: Session) -> None:
    # Read, not popped: unit_of_work still hands the ids to its on_commit afterwards.
    ids = sorted(session.info.get(DIRTY_SHOWS, ()))
    if session.info.get(EVERY_FEED):
        session.add(FeedRebuildMark(show_id=None))
    session.add_all(FeedRebuildMark(show_id=show_id) for show_id in ids)


def record_marks(factory: sessionmaker[Session]) -> None:
    """Make every session of ``factory`` write its marks within its own commit."""

    @event.listens_for(factory, "before_commit")
    def _before_commit(session: Session) -> None:
        # Flushed first: the flush's own listeners mark the shows whose items it changes
        # (webapp/catalog/revisions.py).
        session.flush()
        if session.info.get(EVERY_FEED) or session.info.get(DIRTY_SHOWS):
            _insert_marks(session)


@dataclass(frozen=True)
class Pending:
    """The marks read by one rebuild round: their ids, and the shows (None: every show)."""

    mark_ids: tuple[int, ...]
    show_ids: set[int] | None


def any_pending(engine: Engine) -> bool:
    """Whether any rebuild is owed (one indexed read; cheap enough to poll)."""
    with engine.connect() as conn:
        return conn.scalar(select(FeedRebuildMark.id).limit(1)) is not None


def read_pending(engine: Engine, limit: int = 10_000) -> Pending:
    """The marks committed so far, coalesced into one set of shows."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(FeedRebuildMark.id, FeedRebuildMark.show_id)
            .order_by(FeedRebuildMark.id)
            .limit(limit)
        ).all()
    every = any(show_id is None for _id, show_id in rows)
    shows = None if every else {show_id for _id, show_id in rows if show_id is not None}
    return Pending(tuple(mark_id for mark_id, _show in rows), shows)


def consume(engine: Engine, pending: Pending) -> None:
    """Delete exactly the marks a finished rebuild read; newer ones stay owed."""
    if not pending.mark_ids:
        return
    with engine.begin() as conn:
        for start in range(0, len(pending.mark_ids), 500):
            chunk = pending.mark_ids[start : start + 500]
            conn.execute(delete(FeedRebuildMark).where(FeedRebuildMark.id.in_(chunk)))
