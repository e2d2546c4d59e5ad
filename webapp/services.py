"""Request- and job-scoped access to the database, storage, feed cache and publisher."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask, current_app, g
from sqlalchemy.orm import Session, sessionmaker

from media.errors import InvalidKey
from media.storage import LocalStorage
from media.text_assets import transcript_text
from webapp.catalog.search import refresh as refresh_search
from webapp.db.engine import unit_of_work
from webapp.publishing.feedcache import FeedCache
from webapp.publishing.publisher import Publisher


def session_factory(app: Flask | None = None) -> sessionmaker[Session]:
    """The app's session factory."""
    return (app or current_app).extensions["talkcast.sessions"]  # type: ignore[no-any-return]


def feed_cache(app: Flask | None = None) -> FeedCache:
    """The shared on-disk feed cache."""
    return (app or current_app).extensions["talkcast.feeds"]  # type: ignore[no-any-return]


def publisher(app: Flask | None = None) -> Publisher:
    """The feed publisher."""
    return (app or current_app).extensions["talkcast.publisher"]  # type: ignore[no-any-return]


def storage(app: Flask | None = None) -> LocalStorage:
    """Content-addressed media storage under MEDIA_ROOT."""
    app = app or current_app
    return LocalStorage(Path(app.config["MEDIA_ROOT"]))


def db() -> Session:
    """A read session for this request, closed when the request ends."""
    if "db_session" not in g:
        g.db_session = session_factory()()
    return g.db_session  # type: ignore[no-any-return]


def rebuild_feeds(app: Flask, show_ids: set[int] | None = None) -> set[str]:
    """Rebuild the feeds of the given shows (all when None) in a session of their own."""
    with unit_of_work(session_factory(app)) as session:
        written = publisher(app).rebuild(session, show_ids)
        # Search reads the same catalogue changes: its documents follow the feeds.
        refresh_search(session, show_ids, transcript_reader(app))
    changed = publisher(app).take_changed()
    hub = app.config.get("WEBSUB_HUB")
    if hub and changed:
        from webapp.publishing.websub import ping_hub

        ping_hub(hub, changed, app.config["USER_AGENT"])
    return written


def transcript_reader(app: Flask) -> Callable[[str], str]:
    """Reads a stored transcript's words by key ('' for a missing or unreadable file)."""
    store = storage(app)

    def read(key: str) -> str:
        try:
            return transcript_text(store.path(key).read_bytes())
        except (OSError, InvalidKey):
            return ""

    return read


@contextmanager
def work(app: Flask | None = None) -> Iterator[Session]:
    """A unit of work: commit once, roll back on error, then rebuild the feeds it touched."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    with unit_of_work(session_factory(app), lambda ids: rebuild_feeds(app, ids)) as session:
        yield session


def init_app(app: Flask) -> None:
    """Close the request session at teardown."""

    @app.teardown_appcontext
    def _close_session(_exc: BaseException | None) -> None:
        session = g.pop("db_session", None)
        if session is not None:
            session.close()
