"""Episode revisions: a new stamp whenever anything an episode's feed item is made of changes.

Feed builds compare each page's (episode id, revision) list with the one its document was
built from, and keep a built item per revision, so they load and render only what changed
(webapp/publishing/publisher.py). A listener on every session replaces the revision at each
flush that changes the episode, its media files, attachments or credits, a credited person,
or its show's slug or language (the show fields an item carries). Writes that bypass the
unit of work (bulk UPDATEs) call :func:`touch_episodes` themselves.
"""

from __future__ import annotations

from itertools import chain
from typing import Any

from sqlalchemy import ColumnElement, event, inspect, select, update
from sqlalchemy.orm import Session

from webapp.catalog.models import (
    Attachment,
    Episode,
    EpisodePerson,
    MediaFile,
    Person,
    Show,
    new_revision,
)
from webapp.db.engine import mark_show_changed

# Episode fields no feed carries: a new view count is not a new item.
NOT_IN_FEED = frozenset({"views", "revision"})
# The show fields an item is made of (its link names the show; transcripts default to its
# language); publisher.item_for is the reader.
SHOW_FIELDS_IN_ITEMS = ("slug", "language")
PARTS = (MediaFile, Attachment, EpisodePerson)


def touch_episodes(session: Session, where: ColumnElement[bool]) -> None:
    """Give the episodes ``where`` selects a new revision, in the session's transaction."""
    session.execute(
        update(Episode).where(where).values(revision=new_revision()),
        execution_options={"synchronize_session": False},
    )


def _changed(obj: Any) -> set[str]:
    return {a.key for a in inspect(obj).attrs if a.history.has_changes()}


def _bump(session: Session, _context: Any, _instances: Any) -> None:
    """Before each flush: replace the revision of every episode whose item it changes."""
    episode_ids: set[int] = set()
    person_ids: set[int] = set()
    show_ids: set[int] = set()
    for obj in chain(session.new, session.dirty, session.deleted):
        if isinstance(obj, Episode):
            if obj in session.deleted or obj in session.new or _changed(obj) - NOT_IN_FEED:
                _mark(session, obj.show_id if obj.show_id is not None else obj.show)
            if obj in session.deleted:
                continue
            if obj in session.new or _changed(obj) - NOT_IN_FEED:
                obj.revision = new_revision()
        elif isinstance(obj, PARTS):
            if obj.episode_id is not None:
                episode_ids.add(obj.episode_id)
            # A part added through a persistent episode's collection has no id yet; that
            # episode is in session.dirty (its collection changed) and is bumped above.
        elif isinstance(obj, Person) and obj.id is not None:
            if obj in session.deleted or _changed(obj):
                person_ids.add(obj.id)
        elif (
            isinstance(obj, Show)
            and obj.id is not None
            and obj not in session.deleted
            and _changed(obj) & set(SHOW_FIELDS_IN_ITEMS)
        ):
            show_ids.add(obj.id)
    if episode_ids:
        touch_episodes(session, Episode.id.in_(episode_ids))
        _mark_shows_of(session, Episode.id.in_(episode_ids))
    if person_ids:
        credited = select(EpisodePerson.episode_id).where(EpisodePerson.person_id.in_(person_ids))
        touch_episodes(session, Episode.id.in_(credited))
        _mark_shows_of(session, Episode.id.in_(credited))
    if show_ids:
        touch_episodes(session, Episode.show_id.in_(show_ids))
        for show_id in show_ids:
            mark_show_changed(session, show_id)


# A new item is also a debt: the shows whose items change are marked for a feed rebuild in
# the same unit of work (webapp/publishing/marks.py), whichever code made the change.
def _mark(session: Session, show: int | Show | None) -> None:
    show_id = show.id if isinstance(show, Show) else show
    if show_id is not None:
        mark_show_changed(session, show_id)


def _mark_shows_of(session: Session, where: ColumnElement[bool]) -> None:
    for show_id in session.scalars(select(Episode.show_id).where(where).distinct()):
        mark_show_changed(session, show_id)


def install() -> None:
    """Listen on every session (idempotent)."""
    if not event.contains(Session, "before_flush", _bump):
        event.listen(Session, "before_flush", _bump)
