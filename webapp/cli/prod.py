"""Production serving with gunicorn: several worker processes, threads in each.

The scheduler never runs inside web workers (each would start one); run
``talkcast scheduler`` as its own process instead. Marked feeds are rebuilt by a
``talkcast feeds worker`` process started beside the workers (it leaves the rebuilding to
that scheduler whenever one runs).
"""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

REBUILD_NICE = 10


def default_workers() -> int:
    """gunicorn's rule of thumb: two per core plus one."""
    return multiprocessing.cpu_count() * 2 + 1


class GunicornServer(BaseApplication):  # type: ignore[misc]
    """Runs ``create_app()`` under gunicorn with options given in code."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings and value is not None:
                self.cfg.set(key, value)

    def load(self) -> Flask:
        from webapp import create_app
        from webapp.jobs.rebuild_worker import start_in_web_process

        app = create_app()
        if not self.options.get("rebuild_process"):
            # Called in each worker after the fork: each gets a rebuild thread; the rebuild
            # lease lets one act at a time, and all defer to a running scheduler.
            start_in_web_process(app)
        return app


def start_rebuild_process() -> subprocess.Popen[bytes]:
    """``talkcast feeds worker`` beside the web workers, at a lower CPU priority.

    Rebuilding in a process of its own keeps it off the workers' interpreter lock (a
    rebuild thread in a worker slows that worker's readers), and ``nice`` lets readers
    have the cores first; a feed still follows a save within the rebuild delay.
    """
    cmd = [sys.executable, "-m", "webapp.cli", "feeds", "worker", "--nice", str(REBUILD_NICE)]
    return subprocess.Popen([*cmd, "--parent", str(os.getpid())])


def serve(
    host: str,
    port: int,
    workers: int | None = None,
    threads: int = 4,
    rebuild_process: bool = True,
) -> None:
    """Serve with gunicorn (gthread workers; long uploads do not block other requests),
    and rebuild marked feeds in a process beside them (or, without, in worker threads)."""
    from webapp.config import load_config

    config = load_config()
    # Inline mode: every save rebuilds before it answers; no worker is needed.
    background = (config.get("FEEDS") or {}).get("rebuild_mode") != "inline"
    rebuild_process = rebuild_process and background
    access_log = bool((config.get("SERVER") or {}).get("access_log"))
    rebuilder = start_rebuild_process() if rebuild_process else None
    try:
        options = gunicorn_options(host, port, workers, threads, rebuild_process, access_log)
        GunicornServer(options).run()
    finally:
        if rebuilder is not None:
            rebuilder.terminate()
            rebuilder.wait(timeout=60)


def gunicorn_options(
    host: str,
    port: int,
    workers: int | None,
    threads: int,
    rebuild_process: bool,
    access_log: bool,
) -> dict[str, Any]:
    """gunicorn's settings (and ours, ``rebuild_process``) for ``serve``."""
    return {
        "rebuild_process": rebuild_process,
        "bind": f"{host}:{port}",
        "workers": workers or default_workers(),
        "worker_class": "gthread",
        "threads": threads,
        "timeout": 120,
        "graceful_timeout": 30,
        # Podcast apps poll with keep-alive connections; idle ones wait in the worker's
        # poller, not in a thread, so 4 threads serve many more connections than that.
        "keepalive": 5,
        # A recycled worker builds the app again (a second or two of CPU): at the ten
        # thousand 304s a second the fast path answers, 5000 would recycle each worker every
        # second and 200,000 every half minute (six times in the serving benchmark).
        "max_requests": 2_000_000,
        "max_requests_jitter": 200_000,
        # None: no access log ([server] access_log in config.toml says why it is off).
        "accesslog": "-" if access_log else None,
        "forwarded_allow_ips": "127.0.0.1",
    }
