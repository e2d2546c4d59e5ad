"""Background jobs: module-level functions taking the app and ids, each also a CLI command.

Every run is recorded as a ``JobRun`` row (start, end, outcome, items added/updated, error).
A job never raises: its failure is recorded and the next job, or the next source, goes on.
"""

from __future__ import annotations

import hashlib
import logging
import random
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from feeds.sources import SourceFormatError, describe, parse
from feeds.sources.fetch import MIB, Fetcher, FetchError, FetchResult, backoff_delay
from webapp import services
from webapp.catalog.models import JobRun, Show, Source, utcnow
from webapp.catalog.operations import publish_due
from webapp.db.engine import unit_of_work
from webapp.ingest.downloads import DownloadSettings, adopt_artwork, run_download
from webapp.ingest.sources import due_source_ids
from webapp.ingest.sync import adopt_channel, sync_items
from webapp.jobs.runs import RunReport, add_finished_run, recorded, setting
from webapp.stats.counting import forget_old
from webapp.stats.geo import country_lookup
from webapp.stats.job import count_log
from webapp.stats.logs import app_log_path
from webapp.uploads.renditions import due_tasks, run_task
from webapp.uploads.repair import repair_storage

log = logging.getLogger(__name__)

JOBS = (
    "check_source", "check_due_sources", "publish_scheduled", "rebuild_stale_feeds", "cleanup",
    "process_media_tasks", "count_downloads",
)  # fmt: skip


def make_fetcher(app: Flask) -> Fetcher:
    """A polite fetcher configured from ``[scheduler]`` and ``user_agent``."""
    return Fetcher(
        app.config["USER_AGENT"],
        timeout=float(setting(app, "fetch_timeout")),
        max_bytes=int(float(setting(app, "max_response_mb")) * MIB),
    )


def _next_check(now: datetime, every: int) -> datetime:
    # A little jitter so sources added together do not stay in lockstep.
    return now + timedelta(seconds=every + random.uniform(0, min(every * 0.1, 600)))


def _succeed(
    session: Session, source: Source, result: FetchResult, sha: str | None, report: RunReport
) -> None:
    now = utcnow()
    source.etag, source.last_modified = result.etag, result.last_modified
    if sha is not None:
        source.body_sha256 = sha
    source.last_checked_at = source.last_success_at = now
    source.failures, source.last_error = 0, None
    source.next_check_at = _next_check(now, source.every_seconds)
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


def _fail(session: Session, app: Flask, source: Source, exc: Exception, report: RunReport) -> None:
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


def _import(
    session: Session,
    source: Source,
    result: FetchResult,
    report: RunReport,
    media_hosts: tuple[str, ...] = (),
) -> str | None:
    """Parse and sync a fetched document unless it is the one already imported."""
    if result.not_modified:
        report.outcome = "not_modified"
        return None
    sha = hashlib.sha256(result.body or b"").hexdigest()
    if sha == source.body_sha256:
        report.outcome = "unchanged"  # no validators upstream, same bytes: nothing to do
        return sha
    items = parse(source.kind, result.body or b"", result.final_url)
    synced = sync_items(session, source, items, media_hosts)
    if source.show.adopt_upstream:
        channel = describe(source.kind, result.body or b"", result.final_url)
        adopt_channel(session, source.show, channel)
        if channel.image and source.show.artwork_key is None:
            report.cover_art = channel.image
    report.added, report.updated = len(synced.added), len(synced.updated)
    if synced.removed:
        report.error = f"{len(synced.removed)} marked as removed upstream"
    return sha


def _rebuild_quietly(app: Flask, show_ids: set[int]) -> None:
    # The import is committed by now; if its feeds cannot be rebuilt, the periodic
    # rebuild_stale_feeds job catches up. It is not the source's failure.
    try:
        services.rebuild_feeds(app, show_ids)
    except Exception:
        log.exception("rebuilding feeds of shows %s failed", sorted(show_ids))


def check_source(
    app: Flask,
    source_id: int,
    *,
    host: str | None = None,
    fetcher: Fetcher | None = None,
    dirty: set[int] | None = None,
) -> RunReport:
    """Fetch one source, import what changed, record the run; never raises for upstream faults.

    Feeds of changed shows are rebuilt at once, or added to ``dirty`` for the caller to
    rebuild together. The import, the source's new state and the run's outcome are one commit.
    """
    factory = services.session_factory(app)
    started = utcnow()
    with unit_of_work(factory) as session:
        source = session.get(Source, source_id)
        request = (source.url, source.etag, source.last_modified) if source else None
    # The run row points at its source; an unknown id is recorded without one.
    report = RunReport("check_source", source_id if request else None)
    if request is None:
        report.outcome, report.error = "error", f"no source {source_id}"
        with unit_of_work(factory) as session:
            add_finished_run(session, report, started, host)
        return report
    on_commit = dirty.update if dirty is not None else lambda ids: _rebuild_quietly(app, ids)
    try:
        # Fetch outside any transaction: a slow upstream must not hold database locks.
        result = (fetcher or make_fetcher(app)).fetch(*request)
        with unit_of_work(factory, on_commit) as session:
            source = session.get(Source, source_id)
            assert source is not None
            sha = _import(session, source, result, report, tuple(setting(app, "media_hosts")))
            _succeed(session, source, result, sha, report)
            add_finished_run(session, report, started, host)
            show_id, source_url = source.show_id, source.url
        if report.cover_art:
            # Fetched after the import committed: a slow image never holds the database.
            problem = adopt_artwork(
                factory, services.storage(app), show_id, report.cover_art, source_url,
                download_settings(app), on_commit,
            )  # fmt: skip
            if problem:
                log.warning("source %s: %s", source_id, problem)
    except Exception as exc:  # upstream faults, and bugs: the import was rolled back
        if not isinstance(exc, FetchError | SourceFormatError):
            log.exception("checking source %s failed", source_id)
        report.run_id, report.added, report.updated = None, 0, 0
        with unit_of_work(factory) as session:
            source = session.get(Source, source_id)
            if source is not None:
                _fail(session, app, source, exc, report)
            else:
                report.outcome, report.error = "error", f"{type(exc).__name__}: {exc}"
            add_finished_run(session, report, started, host)
    return report


def _check_group(app: Flask, ids: list[int], host: str | None, dirty: set[int]) -> list[RunReport]:
    fetcher = make_fetcher(app)  # one connection pool per host group (and per thread)
    reports = []
    for source_id in ids:
        try:
            reports.append(check_source(app, source_id, host=host, fetcher=fetcher, dirty=dirty))
        except Exception as exc:  # the database itself failed: the other sources still go on
            log.exception("checking source %s failed", source_id)
            reports.append(RunReport("check_source", source_id, outcome="error", error=str(exc)))
    return reports


def check_sources(app: Flask, ids: list[int], host: str | None = None) -> list[RunReport]:
    """Check the given sources: hosts in parallel, one host's sources one after another.

    The feeds of every show that changed are rebuilt once, after all the checks.
    """
    if not ids:
        return []
    with unit_of_work(services.session_factory(app)) as session:
        urls = dict(session.execute(select(Source.id, Source.url).where(Source.id.in_(ids))).all())
    groups: dict[str, list[int]] = defaultdict(list)
    for source_id in ids:
        if source_id in urls:
            groups[urlsplit(urls[source_id]).netloc.lower()].append(source_id)
    workers = max(1, min(int(setting(app, "fetch_workers")), len(groups)))
    dirty: set[int] = set()
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="talkcast-fetch") as pool:
        batches = pool.map(lambda group: _check_group(app, group, host, dirty), groups.values())
        reports = [report for batch in batches for report in batch]
    if dirty:
        services.rebuild_feeds(app, dirty)
    return reports


def check_due_sources(app: Flask, *, host: str | None = None) -> RunReport:
    """Check every enabled source whose time has come; one failing never stops the others."""
    with recorded(app, "check_due_sources", None, host) as report:
        with unit_of_work(services.session_factory(app)) as session:
            ids = due_source_ids(session)
        reports = check_sources(app, ids, host)
        report.added = sum(r.added for r in reports)
        report.updated = sum(r.updated for r in reports)
        failed = [r.source_id for r in reports if r.outcome == "error"]
        if failed:
            report.outcome = "partial" if len(failed) < len(reports) else "error"
            report.error = f"{len(failed)} of {len(reports)} sources failed: {failed}"
    return report


def publish_scheduled(app: Flask, *, host: str | None = None) -> RunReport:
    """Publish scheduled episodes whose time has come (their feeds rebuild after commit)."""
    with recorded(app, "publish_scheduled", None, host) as report, services.work(app) as session:
        report.updated = len(publish_due(session))
    return report


def stale_show_ids(app: Flask, now: datetime | None = None) -> set[int]:
    """Shows whose feed is missing, older than their content, or past a scheduled time."""
    stamp = (now or utcnow()).timestamp()
    cache = services.feed_cache(app)
    stale: set[int] = set()
    with unit_of_work(services.session_factory(app)) as session:
        for show_id, slug, changed in session.execute(
            select(Show.id, Show.slug, Show.content_updated_at)
        ):
            entry = cache.get(f"{slug}.rss")
            if (
                entry is None
                or (entry.stale_after is not None and entry.stale_after <= stamp)
                # Last-Modified is kept in whole seconds.
                or int(changed.timestamp()) > entry.last_modified
            ):
                stale.add(show_id)
    return stale


def rebuild_stale_feeds(app: Flask, *, host: str | None = None) -> RunReport:
    """Rebuild the feeds whose content changed since they were built (a safety net)."""
    with recorded(app, "rebuild_stale_feeds", None, host) as report:
        stale = stale_show_ids(app)
        everything = services.feed_cache(app).get("all.rss")
        if stale or everything is None:
            services.rebuild_feeds(app, stale)
        report.updated = len(stale)
    return report


def cleanup(app: Flask, *, host: str | None = None) -> RunReport:
    """Finish interrupted uploads, then remove abandoned temp files, blobs and old history."""
    with recorded(app, "cleanup", None, host) as report:
        # Before staged files expire: a row committed by a killed process gets its file.
        with unit_of_work(services.session_factory(app)) as session:
            repaired = repair_storage(session, services.storage(app))
        temp = services.storage(app).cleanup_stale_temp(float(setting(app, "temp_max_age")))
        blobs = services.feed_cache(app).collect_garbage()
        cutoff = utcnow() - timedelta(days=float(setting(app, "job_history_days")))
        with unit_of_work(services.session_factory(app)) as session:
            result = session.execute(
                delete(JobRun).where(JobRun.finished_at.is_not(None), JobRun.started_at < cutoff)
            )
            runs = int(getattr(result, "rowcount", 0) or 0)
        report.updated = temp + blobs + runs
        report.error = f"removed {temp} temp files, {blobs} feed blobs, {runs} old job runs"
        if repaired.restored:
            report.error += f"; restored {len(repaired.restored)} interrupted uploads"
        if repaired.missing:
            report.error += f"; rows name missing files: {', '.join(repaired.missing)}"
    return report


def download_settings(app: Flask) -> DownloadSettings:
    """How imported media are fetched, from ``[scheduler]`` and ``user_agent``."""
    return DownloadSettings(
        user_agent=app.config["USER_AGENT"],
        timeout=float(setting(app, "fetch_timeout")),
        max_bytes=int(float(setting(app, "download_max_mb")) * MIB),
        media_hosts=tuple(setting(app, "media_hosts")),
    )


def process_media_tasks(
    app: Flask,
    *,
    host: str | None = None,
    limit: int = 10,
    kinds: tuple[str, ...] = ("download", "audio"),
) -> RunReport:
    """Run the media tasks that are due, one after another: downloads of imported files,
    then audio renditions (ffmpeg is CPU-bound)."""
    with recorded(app, "process_media_tasks", None, host) as report:
        factory = services.session_factory(app)
        with unit_of_work(factory) as session:
            due = due_tasks(session, kinds=kinds, limit=limit)
        storage, settings = services.storage(app), download_settings(app)

        def rebuild(show_ids: set[int]) -> None:
            services.rebuild_feeds(app, show_ids)

        states = [
            run_download(factory, storage, task_id, settings, rebuild)
            if kind == "download"
            else run_task(factory, storage, task_id, rebuild)
            for task_id, kind in due
        ]
        report.added = states.count("done")
        retried, failed = states.count("pending"), states.count("failed")
        if retried or failed:
            report.outcome = "partial" if report.added else "error"
            report.error = (
                f"of {len(states)} media tasks, {retried} failed and are retried later, "
                f"{failed} failed for good"
            )
    return report


def stats_logs(app: Flask) -> list[Path]:
    """The media access logs to count: the app's own, then those of ``[stats] access_logs``."""
    stats = app.config.get("STATS") or {}
    return [
        app_log_path(app.config["DATA_DIR"]),
        *(Path(p) for p in stats.get("access_logs") or []),
    ]


def count_downloads(app: Flask, *, host: str | None = None) -> RunReport:
    """Count the downloads in the media access logs since the last run (IAB rules)."""
    with recorded(app, "count_downloads", None, host) as report:
        geoip = str((app.config.get("STATS") or {}).get("geoip_db") or "")
        country = country_lookup(geoip) if geoip else None
        factory = services.session_factory(app)
        bots = ignored = 0
        for path in stats_logs(app):
            with unit_of_work(factory) as session:
                tally = count_log(session, path, country)
            report.added += tally.downloads
            report.updated += tally.hits
            bots, ignored = bots + tally.bots, ignored + tally.ignored
        with unit_of_work(factory) as session:
            forget_old(session, utcnow().date())
        report.error = f"{report.updated} requests: {report.added} downloads, {bots} from bots"
    return report
