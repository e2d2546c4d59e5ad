"""Production serving with gunicorn: several worker processes, threads in each.

The scheduler never runs inside web workers (each would start one); run
``talkcast scheduler`` as its own process instead. Each worker runs a feed rebuild thread,
which leaves the rebuilding to that scheduler whenever one runs.
"""

from __future__ import annotations

import multiprocessing
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication


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
        # Called in each worker after the fork: every worker gets a rebuild thread; the
        # rebuild lease lets one act at a time, and all defer to a running scheduler.
        start_in_web_process(app)
        return app


def serve(host: str, port: int, workers: int | None = None, threads: int = 4) -> None:
    """Serve with gunicorn (gthread workers; long uploads do not block other requests)."""
    GunicornServer(
        {
            "bind": f"{host}:{port}",
            "workers": workers or default_workers(),
            "worker_class": "gthread",
            "threads": threads,
            "timeout": 120,
            "graceful_timeout": 30,
            "keepalive": 5,
            "max_requests": 5000,
            "max_requests_jitter": 500,
            "accesslog": "-",
            "forwarded_allow_ips": "127.0.0.1",
        }
    ).run()
