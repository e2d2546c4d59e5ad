"""Saves mark their shows; the rebuild worker brings the feeds up to date after them.

These tests run the app in background mode (the test config elsewhere rebuilds inline).
They wait for feeds with a deadline and never assert how fast anything was.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from lxml import etree
from sqlalchemy import func, select
from staffkit import MediaMaker, signed_in_staff, token_for, upload

from webapp import create_app, services
from webapp.catalog.models import Episode, FeedRebuildMark
from webapp.catalog.operations import get_show, update_episode
from webapp.db.engine import mark_all_feeds
from webapp.jobs.rebuild_worker import RebuildWorker, rebuild_marked_feeds
from webapp.web.flashes import FEEDS_FOLLOW

from factories import make_episode, make_show

DELAY = 0.2
# Far beyond the delay plus a rebuild on a loaded machine; only a bound, never a speed test.
DEADLINE = 60.0


@pytest.fixture(scope="module")
def media(tmp_path_factory):
    return MediaMaker(tmp_path_factory.mktemp("worker-media"))


@pytest.fixture
def background_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return {**app_config, "FEEDS": {"rebuild_mode": "background", "rebuild_delay_seconds": DELAY}}


@pytest.fixture
def make_app(background_config: dict[str, Any]) -> Iterator[Callable[[], Any]]:
    """Apps over the same database and folders, as separate processes would be."""
    made: list[Any] = []

    def make() -> Any:
        made.append(create_app(background_config))
        return made[-1]

    yield make
    for application in made:
        application.extensions["talkcast.engine"].dispose()


@pytest.fixture
def bg_app(make_app: Callable[[], Any]) -> Any:
    return make_app()


def pending_marks(app: Any) -> list[int | None]:
    with services.session_factory(app)() as session:
        return list(session.scalars(select(FeedRebuildMark.show_id)))


def feed_titles(app: Any, name: str = "talks.rss") -> list[str]:
    data = services.feed_cache(app).read(name)
    if data is None:
        return []
    root = etree.fromstring(data)
    return [t.text or "" for t in root.iterfind("channel/item/title")]


def wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + DEADLINE
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"not within {DEADLINE} s: {what}")
        time.sleep(0.05)


def rename(app: Any, episode_id: int, title: str) -> None:
    with services.work(app) as session:
        episode = session.get(Episode, episode_id)
        assert episode is not None
        update_episode(session, episode, title=title)


def test_a_save_through_the_staff_form_returns_before_its_feed_and_the_worker_follows(
    bg_app, media
):
    staff = signed_in_staff(bg_app)
    rebuild_marked_feeds(bg_app)  # the show's own feeds, before the upload
    token = token_for(staff, "/staff/episodes/new")
    body = upload(staff, media("cbr.mp3").read_bytes(), "cbr.mp3", token).get_json()
    with services.session_factory(bg_app)() as session:
        show_id = get_show(session, "talks").id
    form = {
        "csrf_token": token, "show_id": show_id, "title": "Sphere packings",
        "persons": "Maryna Viazovska", "episode_type": "full", "publish": "now",
        "upload_ids": body["upload_id"],
    }  # fmt: skip
    saved = staff.post("/staff/episodes/new", data=form, follow_redirects=True)
    assert saved.status_code == 200
    assert f"Episode saved. {FEEDS_FOLLOW}" in saved.get_data(as_text=True)
    # No worker yet: the save returned with its mark committed and the feed untouched.
    assert pending_marks(bg_app) == [show_id]
    assert "Sphere packings" not in feed_titles(bg_app)

    worker = RebuildWorker(bg_app).start()
    try:
        wait_for(lambda: "Sphere packings" in feed_titles(bg_app), "the feed lists the upload")
        wait_for(lambda: not pending_marks(bg_app), "the mark is consumed")
    finally:
        worker.stop()
    served = staff.get("/feeds/talks.rss")
    assert b"Sphere packings" in served.data


def test_marks_survive_a_process_that_dies_before_rebuilding(make_app):
    first = make_app()
    make_show(first)
    make_episode(first, title="Written before the crash")
    assert len(pending_marks(first)) == 2  # the show, then its episode: no rebuild ran
    first.extensions["talkcast.engine"].dispose()  # the process is gone, marks are rows

    second = make_app()
    assert feed_titles(second) == []
    worker = RebuildWorker(second).start()
    try:
        wait_for(lambda: feed_titles(second) == ["Written before the crash"], "the feed is built")
    finally:
        worker.stop()
    assert pending_marks(second) == []


def test_a_mark_made_during_a_rebuild_leads_to_another_rebuild(bg_app):
    make_show(bg_app)
    episode_id = make_episode(bg_app, title="First title")
    publisher = services.publisher(bg_app)
    original = publisher.rebuild
    rounds: list[set[int] | None] = []

    def rebuild_then_save(
        session: Any, show_ids: set[int] | None = None, **options: Any
    ) -> set[str]:
        rounds.append(show_ids)
        if len(rounds) == 1:
            # A staff save lands after this round read its marks, before it is done.
            rename(bg_app, episode_id, "Second title")
        return original(session, show_ids, **options)  # type: ignore[no-any-return]

    publisher.rebuild = rebuild_then_save  # type: ignore[method-assign]
    consumed = services.drain_marks(bg_app)
    assert len(rounds) == 2
    assert consumed == 3  # the show and episode marks, then the rename's
    assert feed_titles(bg_app) == ["Second title"]
    assert pending_marks(bg_app) == []


def test_two_workers_never_rebuild_at_once_and_never_lose_a_mark(make_app):
    apps = [make_app(), make_app()]
    make_show(apps[0])
    episode_id = make_episode(apps[0], title="Version 0")
    busy, overlaps, rounds = [0], [0], [0]
    lock = threading.Lock()
    for application in apps:
        publisher = services.publisher(application)
        original = publisher.rebuild

        def watched(
            session: Any, show_ids: Any = None, _original: Any = original, **options: Any
        ) -> set[str]:
            with lock:
                busy[0] += 1
                overlaps[0] = max(overlaps[0], busy[0])
                rounds[0] += 1
            try:
                return _original(session, show_ids, **options)  # type: ignore[no-any-return]
            finally:
                with lock:
                    busy[0] -= 1

        publisher.rebuild = watched  # type: ignore[method-assign]
    workers = [RebuildWorker(application).start() for application in apps]
    try:
        for n in range(1, 16):
            rename(apps[n % 2], episode_id, f"Version {n}")
            time.sleep(DELAY / 4)
        wait_for(lambda: feed_titles(apps[1]) == ["Version 15"], "the last save is in the feed")
        wait_for(lambda: not pending_marks(apps[0]), "every mark is consumed")
    finally:
        for worker in workers:
            worker.stop()
    assert overlaps[0] == 1
    assert rounds[0] >= 1


def test_many_saves_cost_one_rebuild(bg_app):
    make_show(bg_app)
    for n in range(5):
        make_episode(bg_app, title=f"Talk {n}")
    calls: list[set[int] | None] = []
    publisher = services.publisher(bg_app)
    original = publisher.rebuild

    def counted(session: Any, show_ids: set[int] | None = None, **options: Any) -> set[str]:
        calls.append(show_ids)
        return original(session, show_ids, **options)  # type: ignore[no-any-return]

    publisher.rebuild = counted  # type: ignore[method-assign]
    assert rebuild_marked_feeds(bg_app) == 6
    with services.session_factory(bg_app)() as session:
        show_id = get_show(session, "talks").id
    assert calls == [{show_id}]
    assert sorted(feed_titles(bg_app)) == [f"Talk {n}" for n in range(5)]


def test_every_feed_can_be_marked_at_once(bg_app):
    make_show(bg_app)
    make_show(bg_app, slug="plus", title="Plus talks")
    make_episode(bg_app, slug="plus", title="Collected talk")
    services.drain_marks(bg_app)
    services.feed_cache(bg_app).remove("plus.rss")
    with services.work(bg_app) as session:
        mark_all_feeds(session)
    assert pending_marks(bg_app) == [None]
    assert rebuild_marked_feeds(bg_app) == 1
    assert feed_titles(bg_app, "plus.rss") == ["Collected talk"]


def test_a_failed_rebuild_keeps_its_marks(bg_app):
    make_show(bg_app)
    publisher = services.publisher(bg_app)
    original = publisher.rebuild

    def broken(session: Any, show_ids: Any = None, **options: Any) -> set[str]:
        raise OSError("disk full")

    publisher.rebuild = broken  # type: ignore[method-assign]
    with pytest.raises(OSError):
        services.drain_marks(bg_app)
    assert len(pending_marks(bg_app)) == 1
    publisher.rebuild = original  # type: ignore[method-assign]
    assert services.drain_marks(bg_app) == 1
    with services.session_factory(bg_app)() as session:
        assert session.scalar(select(func.count()).select_from(FeedRebuildMark)) == 0


def test_a_rebuilder_killed_mid_rebuild_does_not_hold_the_others_back(bg_app):
    import subprocess
    import sys

    from webapp.catalog.lease import Lease
    from webapp.services import REBUILD_LEASE, REBUILD_LEASE_SECONDS

    make_show(bg_app)
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], text=True,
                          capture_output=True, check=True)  # fmt: skip
    import socket

    dead = f"{socket.gethostname()}:{gone.stdout.strip()}:0000:feeds"
    engine = bg_app.extensions["talkcast.engine"]
    assert Lease(engine, dead, REBUILD_LEASE_SECONDS, name=REBUILD_LEASE).hold()
    # The dead holder's lease has two minutes left; its process is gone, so it is taken over.
    assert services.drain_marks(bg_app, wait_seconds=DEADLINE) == 1
    assert pending_marks(bg_app) == []
