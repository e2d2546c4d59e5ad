"""A build reads only the newest public episodes when the older ones are as it left them,
and everything again when any of them changed: its list is always the database's."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from webapp import services
from webapp.catalog.models import Episode, utcnow
from webapp.catalog.operations import delete_episode, update_episode
from webapp.publishing.entries import public_entries
from webapp.publishing.kept_entries import KeptEntries

from factories import make_episode, make_show

START = datetime(2024, 1, 1, tzinfo=UTC)


@pytest.fixture
def catalogue(app: Any) -> Any:
    make_show(app)
    for n in range(12):
        make_episode(app, title=f"Talk {n + 1}", published=START + timedelta(days=n))
    return app


def _read(app: Any, kept: KeptEntries) -> None:
    """One build's read, checked against a plain read of every public episode."""
    with services.work(app) as session:
        now = utcnow()
        assert kept.read(session, now) == public_entries(session, now)


def _oldest(session: Any) -> Episode:
    return session.scalars(select(Episode).order_by(Episode.publish_at)).first()


def test_new_episodes_are_read_alone(catalogue: Any) -> None:
    kept = KeptEntries(tail_keep=3, tail_limit=6)
    _read(catalogue, kept)
    assert (kept.whole_reads, kept.partial_reads) == (1, 0)
    assert kept.cutoff == START + timedelta(days=8) and len(kept.older) == 8
    for n in range(5):
        make_episode(catalogue, title=f"New talk {n}")
        _read(catalogue, kept)
    assert (kept.whole_reads, kept.partial_reads) == (1, 5)
    # Past tail_limit newer entries the cut moves up, without reading everything again.
    assert kept.cutoff == START + timedelta(days=11) and len(kept.older) == 11


def _retitle(session: Any) -> None:
    update_episode(session, _oldest(session), title="Talk 1, retitled")


def _delete(session: Any) -> None:
    delete_episode(session, _oldest(session))


def _unpublish(session: Any) -> None:
    _oldest(session).state = "draft"


def _move_to_the_front(session: Any) -> None:
    _oldest(session).publish_at = utcnow() - timedelta(minutes=5)


def _media_only(session: Any) -> None:
    # A change to its media alone replaces the episode's revision too (revisions.py).
    _oldest(session).media[0].awaiting_download = True


@pytest.mark.parametrize(
    "edit",
    [_retitle, _delete, _unpublish, _move_to_the_front, _media_only],
    ids=lambda f: f.__name__,
)
def test_any_change_behind_the_cutoff_reads_everything(
    catalogue: Any, edit: Callable[[Any], None]
) -> None:
    kept = KeptEntries(tail_keep=3)
    _read(catalogue, kept)
    with services.work(catalogue) as session:
        edit(session)
    _read(catalogue, kept)
    assert kept.whole_reads == 2


def test_a_change_among_the_newest_reads_only_those(catalogue: Any) -> None:
    kept = KeptEntries(tail_keep=3)
    _read(catalogue, kept)
    with services.work(catalogue) as session:
        newest = session.scalars(select(Episode).order_by(Episode.publish_at.desc())).first()
        update_episode(session, newest, title="Talk 12, retitled")
    _read(catalogue, kept)
    assert (kept.whole_reads, kept.partial_reads) == (1, 1)


def test_a_scheduled_episode_falling_due_is_a_newer_one(catalogue: Any) -> None:
    kept = KeptEntries(tail_keep=3)
    due = utcnow() + timedelta(seconds=1)
    make_episode(catalogue, title="Scheduled", published=due, state="scheduled")
    with services.work(catalogue) as session:
        assert len(kept.read(session, due - timedelta(seconds=1))) == 12
        assert len(kept.read(session, due)) == 13
    assert (kept.whole_reads, kept.partial_reads) == (1, 1)


def test_episodes_published_at_one_moment_are_read_each_time(app: Any) -> None:
    make_show(app)
    for n in range(6):
        make_episode(app, title=f"Imported {n}", published=START)
    kept = KeptEntries(tail_keep=2)
    _read(app, kept)
    _read(app, kept)
    assert kept.cutoff is None and kept.whole_reads == 2


def test_ties_at_the_cutoff_stay_on_one_side(app: Any) -> None:
    make_show(app)
    for n in range(4):
        make_episode(app, title=f"Earlier {n}", published=START)
    for n in range(4):
        make_episode(app, title=f"Same day {n}", published=START + timedelta(days=1))
    kept = KeptEntries(tail_keep=2)
    _read(app, kept)
    assert kept.cutoff == START + timedelta(days=1) and len(kept.older) == 4
    make_episode(app, title="Newest")
    _read(app, kept)
    assert kept.partial_reads == 1
