"""What the counted downloads add up to: per show, episode, day, app and country."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from webapp.catalog.models import Episode, Show
from webapp.stats.models import DownloadCount


@dataclass(frozen=True)
class Scope:
    """Which downloads a report covers: since a day, of one show or one episode."""

    since: date | None = None
    show_id: int | None = None
    episode_id: int | None = None


def _scoped(query: Any, scope: Scope) -> Any:
    if scope.since is not None:
        query = query.where(DownloadCount.day >= scope.since)
    if scope.show_id is not None:
        query = query.where(Episode.show_id == scope.show_id)
    if scope.episode_id is not None:
        query = query.where(DownloadCount.episode_id == scope.episode_id)
    return query


def plays(session: Session, episode_ids: Sequence[int]) -> dict[int, int]:
    """All-time downloads of each of these episodes (absent: none)."""
    if not episode_ids:
        return {}
    rows = session.execute(
        select(DownloadCount.episode_id, func.sum(DownloadCount.downloads))
        .where(DownloadCount.episode_id.in_(episode_ids))
        .group_by(DownloadCount.episode_id)
    )
    return {episode_id: int(total) for episode_id, total in rows}


def by_show(session: Session, scope: Scope) -> list[tuple[Show, int]]:
    """Downloads per show, most first; shows without any are left out."""
    query = (
        select(Show, func.sum(DownloadCount.downloads).label("n"))
        .join(Episode, Episode.show_id == Show.id)
        .join(DownloadCount, DownloadCount.episode_id == Episode.id)
        .group_by(Show.id)
        .order_by(func.sum(DownloadCount.downloads).desc(), Show.title)
    )
    return [(show, int(n)) for show, n in session.execute(_scoped(query, scope))]


def by_episode(session: Session, scope: Scope) -> list[tuple[Episode, int]]:
    """Downloads per episode, most first."""
    query = (
        select(Episode, func.sum(DownloadCount.downloads))
        .join(DownloadCount, DownloadCount.episode_id == Episode.id)
        .group_by(Episode.id)
        .order_by(func.sum(DownloadCount.downloads).desc(), Episode.title)
    )
    return [(e, int(n)) for e, n in session.execute(_scoped(query, scope))]


def _grouped(session: Session, column: Any, scope: Scope) -> list[tuple[str, int]]:
    query = (
        select(column, func.sum(DownloadCount.downloads))
        .join(Episode, Episode.id == DownloadCount.episode_id)
        .group_by(column)
        .order_by(func.sum(DownloadCount.downloads).desc(), column)
    )
    return [(str(k), int(n)) for k, n in session.execute(_scoped(query, scope))]


def by_app(session: Session, scope: Scope) -> list[tuple[str, int]]:
    """Downloads per app or player, most first."""
    return _grouped(session, DownloadCount.app, scope)


def by_country(session: Session, scope: Scope) -> list[tuple[str, int]]:
    """Downloads per country code, most first ('' when no GeoIP database knew it)."""
    return _grouped(session, DownloadCount.country, scope)


def daily(session: Session, scope: Scope, until: date) -> list[tuple[date, int]]:
    """Downloads on each day from ``scope.since`` to ``until``, days without any as 0."""
    assert scope.since is not None
    query = (
        select(DownloadCount.day, func.sum(DownloadCount.downloads))
        .join(Episode, Episode.id == DownloadCount.episode_id)
        .group_by(DownloadCount.day)
    )
    counts = {day: int(n) for day, n in session.execute(_scoped(query, scope))}
    days = [scope.since + timedelta(d) for d in range((until - scope.since).days + 1)]
    return [(day, counts.get(day, 0)) for day in days]


def csv_rows(session: Session, since: date | None) -> Iterator[list[str]]:
    """Every count row, for a spreadsheet: day, show, episode guid and title, app, country."""
    yield ["day", "show", "episode_guid", "episode_title", "app", "country", "downloads"]
    query = (
        select(DownloadCount, Episode, Show)
        .join(Episode, Episode.id == DownloadCount.episode_id)
        .join(Show, Show.id == Episode.show_id)
        .order_by(DownloadCount.day, Show.slug, Episode.title, DownloadCount.app)
    )
    for count, episode, show in session.execute(_scoped(query, Scope(since))):
        yield [
            count.day.isoformat(),
            show.slug,
            episode.guid,
            episode.title,
            count.app,
            count.country,
            str(count.downloads),
        ]
