"""Request- and job-scoped access to the database, storage, feed cache and publisher."""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy.orm import Session, sessionmaker

from media.errors import InvalidKey
from media.storage import LocalStorage
from media.text_assets import transcript_text
from webapp.catalog.lease import Lease
from webapp.catalog.search import refresh as refresh_search
from webapp.db.engine import unit_of_work
from webapp.publishing import marks
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


def rebuild_feeds(app: Flask, show_ids: set[int] | None = None, *, full: bool = False) -> set[str]:
    """Rebuild the feeds of the given shows (all when None) in a session of their own;
    ``full`` writes every document again (Publisher.rebuild)."""
    feeds = publisher(app)
    try:
        with unit_of_work(session_factory(app)) as session:
            # Search reads the same catalogue changes: its documents follow the feeds,
            # brought up to date while the feed documents are still being written, and
            # from the episodes the build found may have changed.
            written = feeds.rebuild(
                session,
                show_ids,
                full=full,
                meanwhile=lambda: refresh_search(
                    session, show_ids, transcript_reader(app), feeds.affected
                ),
            )
    except BaseException:
        # Search documents written in this unit of work are gone: the next build looks at
        # every episode again.
        feeds.entries.clear()
        raise
    changed = feeds.take_changed()
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


FEED_DEFAULTS: dict[str, Any] = {"rebuild_mode": "background", "rebuild_delay_seconds": 2.0}
REBUILD_LEASE = "feed_rebuild"
# A round renews the lease before each rebuild; a holder that died is replaced after this.
REBUILD_LEASE_SECONDS = 120.0


def feed_setting(app: Flask, key: str) -> Any:
    """A ``[feeds]`` setting, or its default."""
    return (app.config.get("FEEDS") or {}).get(key, FEED_DEFAULTS[key])


def rebuilds_inline(app: Flask) -> bool:
    """Whether a save rebuilds its feeds before it returns (the CLI), or leaves that to the
    rebuild worker (``[feeds] rebuild_mode = "background"``, the web service)."""
    return str(feed_setting(app, "rebuild_mode")) == "inline"


def drain_marks(app: Flask, wait_seconds: float = 0.0) -> int:
    """Rebuild what the pending marks ask for, one rebuild per round, until none is left.

    Returns the number of marks consumed. Whoever holds the rebuild lease drains; if another
    process holds it (and so will see these marks), this waits up to ``wait_seconds`` for it,
    then returns 0 and leaves the marks to that holder.
    """
    engine = app.extensions["talkcast.engine"]
    deadline = time.monotonic() + wait_seconds
    # One rebuilder per app (its threads take turns), one across processes (the lease).
    with app.extensions["talkcast.rebuild_lock"]:
        holder = app.extensions["talkcast.rebuild_holder"]
        lease = Lease(engine, holder, REBUILD_LEASE_SECONDS, name=REBUILD_LEASE)
        while not lease.hold():
            dead = lease.holder_now()
            if dead is not None and _died_here(dead) and lease.take_over(dead):
                break
            if time.monotonic() >= deadline:
                return 0
            time.sleep(0.05)
        consumed = 0
        try:
            while (pending := marks.read_pending(engine)).mark_ids:
                rebuild_feeds(app, pending.show_ids)
                # Only the marks read before the rebuild: one made meanwhile asks for another.
                marks.consume(engine, pending)
                consumed += len(pending.mark_ids)
                lease.hold()
        finally:
            lease.release()
    return consumed


def _died_here(holder: str) -> bool:
    """Whether a lease holder named ``host:pid:...`` ran on this host and its process is gone
    (killed mid-rebuild): its lease need not be waited out."""
    host, _, rest = holder.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def feeds_changed(app: Flask, _show_ids: set[int] | None = None) -> None:
    """After a commit that marked shows: rebuild now (inline mode) or leave it to the worker."""
    if rebuilds_inline(app):
        # A person at a terminal expects the files done when the command returns.
        drain_marks(app, wait_seconds=REBUILD_LEASE_SECONDS)


@contextmanager
def work(app: Flask | None = None) -> Iterator[Session]:
    """A unit of work: commit once with the rebuild marks of the shows it touched, roll back
    on error; the feeds follow inline or from the rebuild worker (``feeds_changed``)."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    with unit_of_work(session_factory(app), lambda ids: feeds_changed(app, ids)) as session:
        yield session


def init_app(app: Flask) -> None:
    """Close the request session at teardown; name this app as a feed rebuilder."""
    app.extensions["talkcast.rebuild_lock"] = threading.Lock()
    # The app is made in each process (gunicorn loads it after the fork), so each has its own.
    app.extensions["talkcast.rebuild_holder"] = (
        f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}:feeds"
    )

    @app.teardown_appcontext
    def _close_session(_exc: BaseException | None) -> None:
        session = g.pop("db_session", None)
        if session is not None:
            session.close()
