"""What the counted downloads add up to: per show, episode, day, app and country."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from webapp.catalog.models import Episode, Show
from webapp.stats.models import DownloadCount


def _since(query: Any, since: date | None, show_id: int | None) -> Any:
    if since is not None:
        query = query.where(DownloadCount.day >= since)
    if show_id is not None:
        query = query.where(Episode.show_id == show_id)
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


def by_show(session: Session, since: date | None) -> list[tuple[Show, int]]:
    """Downloads per show, most first; shows without any are left out."""
    query = (
        select(Show, func.sum(DownloadCount.downloads).label("n"))
        .join(Episode, Episode.show_id == Show.id)
        .join(DownloadCount, DownloadCount.episode_id == Episode.id)
        .group_by(Show.id)
        .order_by(func.sum(DownloadCount.downloads).desc(), Show.title)
    )
    return [(show, int(n)) for show, n in session.execute(_since(query, since, None))]


def by_episode(
    session: Session, since: date | None, show_id: int | None
) -> list[tuple[Episode, int]]:
    """Downloads per episode, most first."""
    query = (
        select(Episode, func.sum(DownloadCount.downloads))
        .join(DownloadCount, DownloadCount.episode_id == Episode.id)
        .group_by(Episode.id)
        .order_by(func.sum(DownloadCount.downloads).desc(), Episode.title)
    )
    return [(e, int(n)) for e, n in session.execute(_since(query, since, show_id))]


def _grouped(
    session: Session, column: Any, since: date | None, show_id: int | None
) -> list[tuple[str, int]]:
    query = (
        select(column, func.sum(DownloadCount.downloads))
        .join(Episode, Episode.id == DownloadCount.episode_id)
        .group_by(column)
        .order_by(func.sum(DownloadCount.downloads).desc(), column)
    )
    return [(str(k), int(n)) for k, n in session.execute(_since(query, since, show_id))]


def by_app(session: Session, since: date | None, show_id: int | None) -> list[tuple[str, int]]:
    """Downloads per app or player, most first."""
    return _grouped(session, DownloadCount.app, since, show_id)


def by_country(session: Session, since: date | None, show_id: int | None) -> list[tuple[str, int]]:
    """Downloads per country code, most first ('' when no GeoIP database knew it)."""
    return _grouped(session, DownloadCount.country, since, show_id)


def daily(
    session: Session, since: date, until: date, show_id: int | None
) -> list[tuple[date, int]]:
    """Downloads on each day from ``since`` to ``until``, days without any as 0."""
    counts = dict((day, n) for day, n in _grouped_days(session, since, show_id) if day <= until)
    days = (until - since).days + 1
    return [(since + timedelta(d), counts.get(since + timedelta(d), 0)) for d in range(days)]


def _grouped_days(session: Session, since: date, show_id: int | None) -> Iterator[tuple[date, int]]:
    query = (
        select(DownloadCount.day, func.sum(DownloadCount.downloads))
        .join(Episode, Episode.id == DownloadCount.episode_id)
        .group_by(DownloadCount.day)
    )
    for day, n in session.execute(_since(query, since, show_id)):
        yield day, int(n)


def csv_rows(session: Session, since: date | None) -> Iterator[list[str]]:
    """Every count row, for a spreadsheet: day, show, episode guid and title, app, country."""
    yield ["day", "show", "episode_guid", "episode_title", "app", "country", "downloads"]
    query = (
        select(DownloadCount, Episode, Show)
        .join(Episode, Episode.id == DownloadCount.episode_id)
        .join(Show, Show.id == Episode.show_id)
        .order_by(DownloadCount.day, Show.slug, Episode.title, DownloadCount.app)
    )
    for count, episode, show in session.execute(_since(query, since, None)):
        yield [
            count.day.isoformat(),
            show.slug,
            episode.guid,
            episode.title,
            count.app,
            count.country,
            str(count.downloads),
        ]
