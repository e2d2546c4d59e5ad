"""A source's state after a check: read before the fetch, written after it.

An unchanged source (304, or the bytes imported last time) costs one UPDATE, batched with
others into few commits (``Touches``); a changed or failed one is written by the unit of work
that imports it or records its backoff (``succeed``, ``fail``).
"""

from __future__ import annotations

import hashlib
import logging
import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session, sessionmaker

from feeds.sources.fetch import FetchError, FetchResult, backoff_delay
from webapp.catalog.models import Source, utcnow
from webapp.db.engine import unit_of_work
from webapp.jobs.runs import RunReport, setting

log = logging.getLogger(__name__)

TOUCH_BATCH = 50  # unchanged sources written per commit: few commits, little lost on a crash

# Unchanged source: one UPDATE. The URL must still be the one fetched, or staff changed it
# meanwhile and these validators belong to the old address.
_TOUCH = (
    update(Source)
    .where(Source.url == bindparam("fetched_url"))
    .execution_options(synchronize_session=None)
)


@dataclass(frozen=True)
class Target:
    """What checking one source needs, read before any fetch."""

    id: int
    url: str
    etag: str | None
    last_modified: str | None
    body_sha256: str | None
    every_seconds: int


def load_targets(session: Session, ids: Iterable[int]) -> dict[int, Target]:
    """The given sources as targets, by id, in one query (unknown ids are left out)."""
    rows = session.execute(
        select(
            Source.id, Source.url, Source.etag, Source.last_modified, Source.body_sha256,
            Source.every_seconds,
        ).where(Source.id.in_(list(ids)))
    )  # fmt: skip
    return {row.id: Target(*row) for row in rows}


def next_check(now: datetime, every: int) -> datetime:
    """When a source checked at ``now`` is due again."""
    # A little jitter so sources added together do not stay in lockstep.
    return now + timedelta(seconds=every + random.uniform(0, min(every * 0.1, 600)))


def sha256(body: bytes | None) -> str:
    """The hex SHA-256 of a fetched body, as kept in ``Source.body_sha256``."""
    return hashlib.sha256(body or b"").hexdigest()


def quiet_outcome(target: Target, result: FetchResult) -> str | None:
    """'not_modified' or 'unchanged' when the fetch needs no import; None when it does."""
    if result.permanent_redirect and result.permanent_redirect != target.url:
        return None  # the new address is recorded by the full path
    if result.not_modified:
        return "not_modified"
    if target.body_sha256 is not None and sha256(result.body) == target.body_sha256:
        return "unchanged"  # no validators upstream, same bytes: nothing to parse
    return None


class Touches:
    """The check times of unchanged sources, written one UPDATE each, a batch per commit."""

    def __init__(self, factory: sessionmaker[Session], batch: int = TOUCH_BATCH) -> None:
        self.factory, self.batch = factory, batch
        self.rows: list[dict[str, Any]] = []
        self.reports: list[RunReport] = []

    def add(self, target: Target, result: FetchResult, report: RunReport) -> None:
        """Remember that ``target`` was checked now and had not changed."""
        now = utcnow()
        self.rows.append(
            {
                "id": target.id, "fetched_url": target.url,
                "etag": result.etag, "last_modified": result.last_modified,
                "last_checked_at": now, "last_success_at": now,
                "next_check_at": next_check(now, target.every_seconds),
                "failures": 0, "last_error": None,
            }
        )  # fmt: skip
        self.reports.append(report)
        if len(self.rows) >= self.batch:
            self.flush()

    def flush(self) -> None:
        """Write the remembered checks in one commit; if that fails, they count as failed."""
        rows, reports = self.rows, self.reports
        self.rows, self.reports = [], []
        if not rows:
            return
        try:
            with unit_of_work(self.factory) as session:
                session.execute(_TOUCH, rows)
        except Exception as exc:  # the database failed: the sources are simply checked again
            log.exception("recording %d unchanged sources failed", len(rows))
            for report in reports:
                report.outcome, report.error = "error", f"{type(exc).__name__}: {exc}"


def succeed(
    session: Session, source: Source, result: FetchResult, sha: str | None, report: RunReport
) -> None:
    """Record a successful check on the source (in the caller's unit of work)."""
    now = utcnow()
    source.etag, source.last_modified = result.etag, result.last_modified
    if sha is not None:
        source.body_sha256 = sha
    source.last_checked_at = source.last_success_at = now
    source.failures, source.last_error = 0, None
    source.next_check_at = next_check(now, source.every_seconds)
    moved = result.permanent_redirect
    if moved and moved != source.url:
        # (url, show) is unique: if another source already polls the new URL, keep ours.
        clash = session.scalar(
            select(Source.id).where(Source.url == moved, Source.show_id == source.show_id)
        )
        if clash is None:
            report.error = f"moved permanently: {source.url} -> {moved}; URL updated"
            source.url = moved
        else:
            report.error = f"moved permanently to {moved}, already source {clash}"


def fail(session: Session, app: Flask, source: Source, exc: Exception, report: RunReport) -> None:
    """Record a failed check: the error and when to try again (in the caller's unit of work)."""
    retry_after = exc.retry_after if isinstance(exc, FetchError) else None
    message = exc.message if isinstance(exc, FetchError) else f"{type(exc).__name__}: {exc}"
    report.outcome, report.error = "error", message
    now = utcnow()
    source.failures += 1
    source.last_checked_at, source.last_error = now, message
    base, cap = float(setting(app, "backoff_base")), float(setting(app, "backoff_cap"))
    delay = backoff_delay(source.failures, retry_after, base=base, cap=cap)
    source.next_check_at = now + timedelta(seconds=delay)
    if isinstance(exc, FetchError) and exc.kind == "gone":
        source.enabled = False  # 410: the publisher asks us to stop
