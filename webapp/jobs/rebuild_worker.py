"""The feed rebuild worker: rebuilds marked feeds outside the requests that marked them.

Saves only write marks (``webapp/publishing/marks.py``). Every ``[feeds]
rebuild_delay_seconds`` the worker looks for marks and, if there are any, rebuilds once for
all of them (``services.drain_marks``), so a burst of saves costs one rebuild. The scheduler
runs it as a job; a web process with no scheduler runs it as a background thread. Any number
may run: the rebuild lease lets one act at a time, and marks are rows, so none is lost when a
process dies between a save and its rebuild.
"""

from __future__ import annotations

import logging
import os
import threading

from flask import Flask

from webapp import services
from webapp.catalog.lease import LEASE_NAME, Lease
from webapp.publishing import marks

log = logging.getLogger(__name__)

MAX_BACKOFF = 60.0


def rebuild_delay(app: Flask) -> float:
    """How long a save waits at most (plus the rebuild itself) for its feeds."""
    return max(0.05, float(services.feed_setting(app, "rebuild_delay_seconds")))


def rebuild_marked_feeds(app: Flask) -> int:
    """One worker round: drain the marks if there are any; returns the marks consumed."""
    if not marks.any_pending(app.extensions["talkcast.engine"]):
        return 0
    return services.drain_marks(app)


def scheduler_running(app: Flask) -> bool:
    """Whether a scheduler holds its lease (its job rebuilds; web threads need not)."""
    engine = app.extensions["talkcast.engine"]
    return Lease(engine, "", 1.0, name=LEASE_NAME).holder_now() is not None


class RebuildWorker:
    """A daemon thread running ``rebuild_marked_feeds`` every ``rebuild_delay`` seconds."""

    def __init__(self, app: Flask, defer_to_scheduler: bool = True) -> None:
        self.app = app
        self.delay = rebuild_delay(app)
        self.defer_to_scheduler = defer_to_scheduler
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="talkcast-rebuild", daemon=True)

    def start(self) -> RebuildWorker:
        """Start the thread; returns self."""
        self._thread.start()
        log.info("feed rebuild worker started (every %.1f s)", self.delay)
        return self

    def stop(self, timeout: float = 30.0) -> None:
        """Ask the thread to stop and wait for the round in progress."""
        self._stop.set()
        self._thread.join(timeout)

    def wait(self, seconds: float) -> bool:
        """Wait up to ``seconds``; True once the worker was asked to stop."""
        return self._stop.wait(seconds)

    def run_once(self) -> int:
        """One round, skipped while a scheduler process does the rebuilding."""
        if self.defer_to_scheduler and scheduler_running(self.app):
            return 0
        return rebuild_marked_feeds(self.app)

    def _loop(self) -> None:
        failures = 0
        while not self._stop.wait(min(MAX_BACKOFF, self.delay * 2**failures)):
            try:
                self.run_once()
                failures = 0
            except Exception:
                # The marks stay; the next round tries again, a little later each time.
                log.exception("feed rebuild failed; marks kept for the next round")
                failures = min(failures + 1, 8)


def run_forever(app: Flask, parent: int | None = None) -> None:
    """Run the worker in the foreground (``talkcast feeds worker``) until stopped, or until
    ``parent`` (the process that started this one) is gone."""
    worker = RebuildWorker(app).start()
    try:
        while not worker.wait(1.0):
            if parent is not None and os.getppid() != parent:
                break
    except KeyboardInterrupt:
        pass
    finally:
        worker.stop()


def start_in_web_process(app: Flask) -> RebuildWorker | None:
    """The web process's worker thread, in background mode; None when saves rebuild inline."""
    if services.rebuilds_inline(app):
        return None
    return RebuildWorker(app).start()
