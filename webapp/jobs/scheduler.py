"""APScheduler wiring: which jobs run how often, and which process may run them.

Any number of schedulers may be started (one per host, say); only the holder of the
database lease acts. The lease is one ``scheduler_lease`` row taken or renewed with a single
atomic ``UPDATE ... WHERE expires_at < now OR holder = me``, which PostgreSQL and SQLite both
serialise, so exactly one holder wins. Every job renews the lease before it acts and a
heartbeat renews it in between; a scheduler that cannot renew stays idle and retries, and
takes over once a crashed holder's lease has expired.
"""

from __future__ import annotations

import atexit
import logging
import signal
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from webapp import services
from webapp.catalog.audit import acting_as
from webapp.catalog.lease import Lease
from webapp.ingest.sources import address_policy, sync_config_sources
from webapp.jobs import backups, tasks
from webapp.jobs.rebuild_worker import rebuild_delay, rebuild_marked_feeds
from webapp.jobs.runs import RunReport, default_host

log = logging.getLogger(__name__)


JobFunction = Callable[..., RunReport]
# Job id -> (function, [scheduler] key of its interval, default interval in seconds).
JOBS: dict[str, tuple[JobFunction, str, int]] = {
    "check_due_sources": (tasks.check_due_sources, "poll_every_seconds", 60),
    "publish_scheduled": (tasks.publish_scheduled, "publish_every_seconds", 60),
    "rebuild_stale_feeds": (tasks.rebuild_stale_feeds, "rebuild_every_seconds", 300),
    "cleanup": (tasks.cleanup, "cleanup_every_seconds", 3600),
    "process_media_tasks": (tasks.process_media_tasks, "media_every_seconds", 20),
    "count_downloads": (tasks.count_downloads, "stats_every_seconds", 60),
}
# Jobs turned on by a config section of their own: id -> (function, seconds between runs
# read from the app config, None while the section leaves the job off).
OPTIONAL_JOBS: dict[str, tuple[JobFunction, Callable[[Mapping[str, Any]], float | None]]] = {
    "backup": (backups.backup, backups.interval),
}
DEFAULTS: dict[str, Any] = {"lease_seconds": 60, "jitter_seconds": 5, "misfire_grace_seconds": 30}


class TalkcastScheduler:
    """The app's jobs on an APScheduler scheduler, guarded by the lease."""

    def __init__(
        self,
        app: Flask,
        scheduler: BaseScheduler,
        holder: str | None = None,
        start_date: datetime | None = None,
    ) -> None:
        self.app = app
        self.scheduler = scheduler
        self.holder = holder or f"{default_host()}:{uuid.uuid4().hex[:8]}"
        self.start_date = start_date
        self.stopped = False
        engine: Engine = app.extensions["talkcast.engine"]
        self.lease = Lease(engine, self.holder, float(self.setting("lease_seconds")))

    def setting(self, key: str) -> Any:
        """A ``[scheduler]`` setting, or its default."""
        return (self.app.config.get("SCHEDULER") or {}).get(key, DEFAULTS.get(key))

    def run_job(self, job_id: str) -> RunReport | None:
        """What APScheduler calls: act only while holding the lease."""
        try:
            if not self.lease.hold():
                return None
        except SQLAlchemyError:
            log.exception("scheduler %s: cannot reach the lease; staying idle", self.holder)
            return None
        function = JOBS[job_id][0] if job_id in JOBS else OPTIONAL_JOBS[job_id][0]
        with acting_as(f"job {job_id}"):
            return function(self.app, host=self.holder)

    def rebuild_marked_feeds(self) -> int:
        """Rebuild the feeds saves have marked (often, unrecorded: most rounds find none)."""
        try:
            if not self.lease.hold():
                return 0
            return rebuild_marked_feeds(self.app)
        except SQLAlchemyError:
            log.exception("scheduler %s: feed rebuild round failed", self.holder)
            return 0

    def heartbeat(self) -> None:
        """Renew (or try to take) the lease between jobs."""
        try:
            self.lease.hold()
        except SQLAlchemyError:
            log.exception("scheduler %s: lease heartbeat failed", self.holder)

    def add_jobs(self) -> None:
        """Register every job with an explicit id (replacing any of the same id)."""
        jitter = float(self.setting("jitter_seconds") or 0) or None
        common: dict[str, Any] = {
            "replace_existing": True,
            "max_instances": 1,
            "coalesce": True,
            "misfire_grace_time": int(self.setting("misfire_grace_seconds")),
        }
        if self.start_date is not None:
            common["start_date"] = self.start_date
        for job_id, every in self.intervals().items():
            self.scheduler.add_job(
                self.run_job, "interval", seconds=every, jitter=jitter, args=[job_id],
                id=job_id, name=job_id.replace("_", " "), **common,
            )  # fmt: skip
        self.scheduler.add_job(
            self.rebuild_marked_feeds,
            "interval",
            seconds=rebuild_delay(self.app),
            id="rebuild_marked_feeds",
            name="rebuild marked feeds",
            **common,
        )
        self.scheduler.add_job(
            self.heartbeat,
            "interval",
            seconds=max(1.0, self.lease.seconds / 3),
            id="lease_heartbeat",
            name="lease heartbeat",
            **common,
        )

    def intervals(self) -> dict[str, float]:
        """Seconds between runs of every job that is on."""
        every = {
            job_id: float(self.setting(key) or default)
            for job_id, (_f, key, default) in JOBS.items()
        }
        for job_id, (_function, interval) in OPTIONAL_JOBS.items():
            seconds = interval(self.app.config)
            if seconds is not None:
                every[job_id] = seconds
        return every

    def start(self) -> None:
        """Load ``[[sources]]`` from config.toml, register the jobs and start."""
        with services.work(self.app) as session:
            entries = self.app.config.get("SOURCES") or []
            policy = address_policy(self.app.config)
            sync_config_sources(session, entries, _base(self.app), policy)
        self.add_jobs()
        self.scheduler.start()
        log.info("scheduler %s started", self.holder)

    def shutdown(self) -> None:
        """Stop, wait for running jobs, and hand the lease on (once; later calls do nothing)."""
        atexit.unregister(self.shutdown)
        if self.stopped:
            return
        self.stopped = True
        if self.scheduler.running:
            self.scheduler.shutdown(wait=True)
        try:
            self.lease.release()
        except SQLAlchemyError:
            log.exception("scheduler %s: could not release the lease", self.holder)


def _base(app: Flask) -> str:
    return str(app.config["BASE_URL"])


def enabled(app: Flask) -> bool:
    """Whether ``[scheduler] enabled`` is on."""
    return bool((app.config.get("SCHEDULER") or {}).get("enabled", True))


def start_in_process(app: Flask) -> TalkcastScheduler | None:
    """Run the scheduler in this process's background threads (single-machine setup)."""
    if not enabled(app):
        log.warning("scheduler disabled in config ([scheduler] enabled = false)")
        return None
    runner = TalkcastScheduler(app, BackgroundScheduler(timezone=UTC, daemon=True))
    runner.start()
    atexit.register(runner.shutdown)
    return runner


def _stop(_signum: int, _frame: Any) -> None:
    raise SystemExit(0)


def run(app: Flask, holder: str | None = None) -> None:
    """Run the scheduler in the foreground until SIGINT/SIGTERM (its own process)."""
    runner = TalkcastScheduler(app, BlockingScheduler(timezone=UTC), holder)
    signal.signal(signal.SIGTERM, _stop)
    try:
        runner.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        runner.shutdown()
