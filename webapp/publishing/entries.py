"""Public episodes as a feed build first sees them: ids and revisions, not whole rows.

A build paginates these, compares each page's (id, revision) list with the one its document
was built from, and loads only the episodes of pages that changed (publisher.py). Two
narrow queries instead of every episode with its media, credits and attachments.
"""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from webapp.catalog.models import Episode, EpisodePerson, MediaFile
from webapp.catalog.operations import NEWEST_ACROSS_SHOWS, NEWEST_FIRST, public_filter


class Entry(NamedTuple):
    """One public episode before it is loaded (a tuple: a build makes one per episode)."""

    id: int
    revision: int
    show_id: int
    # Latest of its update and publication times (a gathered feed's date).
    updated: datetime
    # When it was published: the first key of the feeds' order (KeptEntries cuts there).
    published: datetime
    tags: str
    # Kinds of its media files; and those an app can fetch now (a copy being made waits).
    kinds: frozenset[str]
    playable: frozenset[str]


COLUMNS = (
    Episode.id,
    Episode.revision,
    Episode.show_id,
    Episode.updated_at,
    Episode.publish_at,
    Episode.tags,
)
NOTHING: frozenset[str] = frozenset()


def _media_kinds(
    session: Session, where: Any
) -> tuple[dict[int, frozenset[str]], dict[int, frozenset[str]]]:
    kinds: dict[int, set[str]] = defaultdict(set)
    playable: dict[int, set[str]] = defaultdict(set)
    query = select(
        MediaFile.episode_id,
        MediaFile.kind,
        and_(MediaFile.awaiting_download, MediaFile.storage_key.is_(None)),
    ).join(Episode, Episode.id == MediaFile.episode_id)
    for episode_id, kind, waiting in session.connection().execute(query.where(where)):
        kinds[episode_id].add(kind)
        if not waiting:
            playable[episode_id].add(kind)
    # Most episodes have the same one or two kinds: share the frozensets.
    shared: dict[frozenset[str], frozenset[str]] = {}
    return (
        {i: shared.setdefault(frozenset(k), frozenset(k)) for i, k in kinds.items()},
        {i: shared.setdefault(frozenset(k), frozenset(k)) for i, k in playable.items()},
    )


@contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic garbage collection inside (reference counting still frees).

    Reading thousands of rows and making an entry of each would start the collector over a
    heap full of kept items: half the time of the list went to collections that free
    nothing. Nothing made here holds a cycle.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _entries(
    rows: Iterable[Sequence[Any]],
    kinds: dict[int, frozenset[str]],
    playable: dict[int, frozenset[str]],
) -> list[Entry]:
    return [
        Entry(
            i,
            revision,
            show_id,
            max(updated, published) if published else updated,
            published,
            tags or "",
            kinds.get(i, NOTHING),
            playable.get(i, NOTHING),
        )
        for i, revision, show_id, updated, published, tags in rows
    ]


def read_entries(session: Session, where: Any) -> list[Entry]:
    """The episodes meeting ``where``, newest first as in the feeds."""
    with paused_gc():
        # Through the connection: plain rows, without the ORM's per-row bookkeeping.
        query = select(*COLUMNS).where(where).order_by(*NEWEST_FIRST)
        rows = session.connection().execute(query).all()
        return _entries(rows, *_media_kinds(session, where))


def public_entries(session: Session, now: datetime, show_id: int | None = None) -> list[Entry]:
    """A show's public episodes (every show's when None), newest first as in its feeds."""
    where = public_filter(now)
    if show_id is not None:
        where = and_(where, Episode.show_id == show_id)
    return read_entries(session, where)


def entries_by_person(
    session: Session, now: datetime, person_ids: set[int] | None
) -> dict[int, list[Entry]]:
    """Each person's public talks across every show, newest first."""
    where = public_filter(now)
    credited = select(EpisodePerson.episode_id)
    if person_ids is not None:
        credited = credited.where(EpisodePerson.person_id.in_(person_ids))
    where = and_(where, Episode.id.in_(credited))
    query = (
        select(EpisodePerson.person_id, *COLUMNS)
        .join(Episode, Episode.id == EpisodePerson.episode_id)
        .where(where)
        .order_by(*NEWEST_ACROSS_SHOWS)
    )
    if person_ids is not None:
        query = query.where(EpisodePerson.person_id.in_(person_ids))
    rows: dict[int, list[Sequence[Any]]] = defaultdict(list)
    seen: set[tuple[int, int]] = set()
    with paused_gc():
        kinds, playable = _media_kinds(session, where)
        for row in session.connection().execute(query):
            person_id, episode_id = row[0], row[1]
            # Two roles on one talk are one item in the person's feed.
            if (person_id, episode_id) not in seen:
                seen.add((person_id, episode_id))
                rows[person_id].append(tuple(row[1:]))
        return {p: _entries(r, kinds, playable) for p, r in rows.items()}
