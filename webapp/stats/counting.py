"""Turn media hits into IAB downloads: merge each listener's ranges, count each episode once
per listener and day, keep daily counts by app and country.

A batch is worked out in memory: the rows it touches are read in a few queries, changed,
and written back, so counting costs little per log line.
"""

from __future__ import annotations

import json
import secrets
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import delete, select, tuple_
from sqlalchemy.orm import Session

from webapp.catalog.models import MediaFile
from webapp.stats.iab import app_name, covered, is_bot, listener_id, merge, minute_bytes
from webapp.stats.logs import Hit
from webapp.stats.models import DownloadCount, StatsListen, StatsSalt

# A country code from an IP address, when a GeoIP database is configured.
CountryLookup = Callable[[str], str]
# Per-listener rows and salts are kept while their day can still get requests.
KEEP_DAYS = 2
# Rows looked up in one query.
CHUNK = 500


@dataclass
class Tally:
    """What one batch of hits came to."""

    hits: int = 0
    downloads: int = 0
    bots: int = 0
    ignored: int = 0


@dataclass(frozen=True)
class _File:
    media_id: int
    episode_id: int
    threshold: int


@dataclass(frozen=True)
class _Fetch:
    """One countable hit, resolved: whose, which file, which bytes."""

    day: date
    listener: str
    file: _File
    start: int
    end: int
    app: str
    country: str


def _chunks(items: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for index in range(0, len(items), CHUNK):
        yield items[index : index + CHUNK]


class Counter:
    """Counts batches of hits into one session."""

    def __init__(self, session: Session, country: CountryLookup | None = None) -> None:
        self.session = session
        self.country = country
        self._files: dict[str, _File | None] = {}
        self._salts: dict[date, str] = {}

    def count(self, hits: Iterable[Hit]) -> Tally:
        """Apply the hits in order; returns what they came to."""
        tally = Tally()
        fetches = []
        for hit in hits:
            tally.hits += 1
            if hit.method != "GET" or hit.status not in (200, 206) or hit.sent <= 0:
                tally.ignored += 1
            elif is_bot(hit.user_agent):
                tally.bots += 1
            else:
                fetch = self._resolve(hit)
                if fetch is None:
                    tally.ignored += 1  # not an episode's file (art, a transcript, removed)
                else:
                    fetches.append(fetch)
        if fetches:
            self._apply(fetches, tally)
        self.session.flush()
        return tally

    def _resolve(self, hit: Hit) -> _Fetch | None:
        media = self._file(hit.key)
        if media is None:
            return None
        day = hit.time.date()
        return _Fetch(
            day=day,
            listener=listener_id(self._salt(day), hit.ip, hit.user_agent),
            file=media,
            start=hit.start,
            end=hit.start + hit.sent,
            app=app_name(hit.user_agent),
            country=self.country(hit.ip) if self.country else "",
        )

    def _apply(self, fetches: list[_Fetch], tally: Tally) -> None:
        listens = self._listens({(f.day, f.listener) for f in fetches})
        done = {(x.day, x.listener, x.episode_id) for x in listens.values() if x.counted}
        increments: dict[tuple[date, int, str, str], int] = defaultdict(int)
        ranges: dict[tuple[date, str, int], list[tuple[int, int]]] = {}
        for f in fetches:
            key = (f.day, f.listener, f.file.media_id)
            listen = listens.get(key)
            if listen is None:
                listen = StatsListen(
                    day=f.day, listener=f.listener, media_id=f.file.media_id,
                    episode_id=f.file.episode_id, ranges="[]", counted=False,
                )  # fmt: skip
                self.session.add(listen)
                listens[key] = listen
            if key not in ranges:
                ranges[key] = [(int(a), int(b)) for a, b in json.loads(listen.ranges or "[]")]
            ranges[key] = merge([*ranges[key], (f.start, f.end)])
            # The episode counts once per listener and day, whichever of its files it was.
            episode = (f.day, f.listener, f.file.episode_id)
            if listen.counted or episode in done or covered(ranges[key]) < f.file.threshold:
                continue
            listen.counted = True
            done.add(episode)
            increments[(f.day, f.file.episode_id, f.app, f.country)] += 1
            tally.downloads += 1
        for key, merged in ranges.items():
            listens[key].ranges = json.dumps(merged)
        self._add_counts(increments)

    def _listens(self, pairs: set[tuple[date, str]]) -> dict[tuple[date, str, int], StatsListen]:
        found: dict[tuple[date, str, int], StatsListen] = {}
        for chunk in _chunks(sorted(pairs)):
            query = select(StatsListen).where(
                tuple_(StatsListen.day, StatsListen.listener).in_(chunk)
            )
            for row in self.session.scalars(query):
                found[(row.day, row.listener, row.media_id)] = row
        return found

    def _add_counts(self, increments: dict[tuple[date, int, str, str], int]) -> None:
        keys = sorted({(day, episode) for day, episode, _, _ in increments})
        rows: dict[tuple[date, int, str, str], DownloadCount] = {}
        for chunk in _chunks(keys):
            query = select(DownloadCount).where(
                tuple_(DownloadCount.day, DownloadCount.episode_id).in_(chunk)
            )
            for row in self.session.scalars(query):
                rows[(row.day, row.episode_id, row.app, row.country)] = row
        for (day, episode_id, app, country), n in increments.items():
            existing = rows.get((day, episode_id, app, country))
            if existing is None:
                self.session.add(
                    DownloadCount(
                        day=day, episode_id=episode_id, app=app, country=country, downloads=n
                    )
                )
            else:
                existing.downloads += n

    def _file(self, key: str) -> _File | None:
        if key not in self._files:
            media = self.session.scalar(
                select(MediaFile).where(MediaFile.storage_key == key).limit(1)
            )
            self._files[key] = (
                _File(media.id, media.episode_id, minute_bytes(media.size, media.duration))
                if media is not None
                else None
            )
        return self._files[key]

    def _salt(self, day: date) -> str:
        if day not in self._salts:
            row = self.session.get(StatsSalt, day)
            if row is None:
                row = StatsSalt(day=day, salt=secrets.token_hex(32))
                self.session.add(row)
                self.session.flush()
            self._salts[day] = row.salt
        return self._salts[day]


def forget_old(session: Session, today: date) -> int:
    """Delete per-listener rows and salts of days that are over: counts stay, links go."""
    cutoff = today - timedelta(days=KEEP_DAYS)
    listens = session.execute(delete(StatsListen).where(StatsListen.day < cutoff))
    session.execute(delete(StatsSalt).where(StatsSalt.day < cutoff))
    return int(getattr(listens, "rowcount", 0) or 0)
