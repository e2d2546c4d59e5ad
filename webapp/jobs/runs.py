"""Job run records (``JobRun``) and the ``[scheduler]`` settings the jobs read.

A job run gets its row when it starts and its outcome when it ends, so the staff page shows
running jobs too, and a run that dies with its process stays visible as never finished.
Source checks, which are many and short, write their row once, with the import itself.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Flask
from sqlalchemy.orm import Session

from webapp import services
from webapp.catalog.models import JobRun, utcnow
from webapp.db.engine import unit_of_work
from webapp.ingest.downloads import DownloadSettings
from webapp.ingest.sources import address_policy

log = logging.getLogger(__name__)

SETTINGS: dict[str, Any] = {
    "fetch_timeout": 20,  # seconds per connect/read
    "max_response_mb": 20,
    "fetch_workers": 4,  # hosts polled at once; one host's sources are polled one by one
    "backoff_base": 60,  # seconds after the first failure, doubling (full jitter)
    "backoff_cap": 6 * 3600,
    "temp_max_age": 24 * 3600,  # abandoned upload temp files
    "job_history_days": 30,
    "download_max_mb": 4096,  # the largest upstream recording copied here
    "media_hosts": [],  # hosts besides a source's own that its media may be fetched from
    "stats_every_seconds": 60,  # how often the media access logs are counted
}


def setting(app: Flask, key: str) -> Any:
    """A ``[scheduler]`` setting from config.toml, or its default."""
    return (app.config.get("SCHEDULER") or {}).get(key, SETTINGS[key])


def download_settings(app: Flask) -> DownloadSettings:
    """How imported media are fetched, from ``[scheduler]`` and ``user_agent``."""
    return DownloadSettings(
        user_agent=app.config["USER_AGENT"],
        timeout=float(setting(app, "fetch_timeout")),
        max_bytes=int(float(setting(app, "download_max_mb")) * 1024 * 1024),
        media_hosts=tuple(setting(app, "media_hosts")),
        policy=address_policy(app.config),
    )


def default_host() -> str:
    """Who ran a job: host name and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass
class RunReport:
    """What one job run did; mirrors its ``JobRun`` row."""

    job: str
    source_id: int | None = None
    run_id: int | None = None
    outcome: str = "running"
    added: int = 0
    updated: int = 0
    error: str | None = None
    # A source check that found cover art for a show it describes: fetched after commit.
    cover_art: str | None = None


def start_run(
    session: Session, job: str, source_id: int | None = None, host: str | None = None
) -> RunReport:
    """Add the row of a run that starts now (in the caller's unit of work)."""
    run = JobRun(job=job, source_id=source_id, host=host or default_host())
    session.add(run)
    session.flush()
    return RunReport(job=job, source_id=source_id, run_id=run.id)


def finish_run(session: Session, report: RunReport) -> None:
    """Write a run's outcome (in the caller's unit of work); 'running' becomes 'ok'."""
    if report.outcome == "running":
        report.outcome = "ok"
    row = session.get(JobRun, report.run_id)
    if row is not None:
        row.finished_at = utcnow()
        row.outcome, row.added, row.updated = report.outcome, report.added, report.updated
        row.error = report.error[:4000] if report.error else None


def add_finished_run(
    session: Session, report: RunReport, started_at: datetime, host: str | None = None
) -> None:
    """Add the row of a short run in one go, in the unit of work that did the run's work."""
    if report.outcome == "running":
        report.outcome = "ok"
    run = JobRun(
        job=report.job, source_id=report.source_id, host=host or default_host(),
        started_at=started_at, finished_at=utcnow(), outcome=report.outcome,
        added=report.added, updated=report.updated,
        error=report.error[:4000] if report.error else None,
    )  # fmt: skip
    session.add(run)
    session.flush()
    report.run_id = run.id


@contextmanager
def recorded(
    app: Flask, job: str, source_id: int | None = None, host: str | None = None
) -> Iterator[RunReport]:
    """Record a job run around a block; an exception in it is recorded, not passed on."""
    factory = services.session_factory(app)
    with unit_of_work(factory) as session:
        report = start_run(session, job, source_id, host)
    try:
        yield report
    except Exception as exc:  # a job's failure is recorded, never passed on to the scheduler
        log.exception("job %s failed", job)
        report.outcome, report.error = "error", f"{type(exc).__name__}: {exc}"
    with unit_of_work(factory) as session:
        finish_run(session, report)
