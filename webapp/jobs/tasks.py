"""Background jobs: module-level functions taking the app and ids, each also a CLI command.

Every run is recorded as a ``JobRun`` row (start, end, outcome, items added/updated, error).
A job never raises: its failure is recorded and the next job, or the next source, goes on.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from pathlib import Path

from flask import Flask
from sqlalchemy import delete, select

from webapp import services
from webapp.catalog.models import JobRun, Show, utcnow
from webapp.catalog.operations import publish_due
from webapp.db.engine import unit_of_work
from webapp.ingest.downloads import run_download
from webapp.jobs.polling import check_due_sources, check_source, check_sources, make_fetcher
from webapp.jobs.runs import RunReport, download_settings, recorded, setting
from webapp.stats.counting import forget_old
from webapp.stats.geo import country_lookup
from webapp.stats.job import count_log
from webapp.stats.logs import app_log_path
from webapp.uploads.renditions import due_tasks, run_task
from webapp.uploads.repair import repair_storage

log = logging.getLogger(__name__)

# Source polling lives in polling.py; the jobs are looked up here by name.
__all__ = [
    "JOBS", "check_due_sources", "check_source", "check_sources", "cleanup", "count_downloads",
    "download_settings", "make_fetcher", "process_media_tasks", "publish_scheduled",
    "rebuild_stale_feeds", "stale_show_ids", "stats_logs",
]  # fmt: skip

JOBS = (
    "check_source", "check_due_sources", "publish_scheduled", "rebuild_stale_feeds", "cleanup",
    "process_media_tasks", "count_downloads", "backup",
)  # fmt: skip


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
            # The task's rows and their rebuild marks are committed: the feeds follow.
            services.feeds_changed(app, show_ids)

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
