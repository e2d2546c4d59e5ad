"""Time one polling round over 200 upstream sources, 190 of them answering 304 Not Modified,
beside the same number of bare ``requests`` calls measured in the same run.

Ours is the whole job as the scheduler runs it: pick the due sources, conditional GET, record
every run, back off or import (10 sources change each round and are parsed and synced), and
rebuild the feeds that changed. The baselines only send the conditional GETs: once with
``requests.get`` (a new connection each) and once over one ``requests.Session``.

    .venv/bin/python benchmarks/poll.py [--sources 200 --changed 10 --rounds 3]
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from webapp import create_app, services  # noqa: E402
from webapp.catalog.models import Source  # noqa: E402
from webapp.db.migrate import upgrade  # noqa: E402
from webapp.ingest.sources import add_source  # noqa: E402
from webapp.jobs import tasks

USER_AGENT = "Talkcast-benchmark/0.1 (+https://talkcast.example/about)"


class Upstream:
    """Documents per path: the first ``changed`` ones gain an item every round."""

    def __init__(self, changed: int) -> None:
        self.changed, self.round = changed, 0

    def document(self, n: int) -> bytes:
        rounds = self.round if n < self.changed else 0
        items = "".join(
            f"<item><title>Talk {n}.{r}</title><guid>talk-{n}-{r}</guid>"
            f"<pubDate>Tue, 22 Apr 2025 09:00:00 +0000</pubDate>"
            f'<enclosure url="https://media.example/{n}-{r}.mp3" length="1000" '
            f'type="audio/mpeg"/></item>'
            for r in range(rounds + 1)
        )
        return (
            f'<?xml version="1.0"?><rss version="2.0"><channel><title>Source {n}</title>'
            f"{items}</channel></rss>"
        ).encode()


def serve(upstream: Upstream) -> ThreadingHTTPServer:
    """A keep-alive HTTP/1.1 server on 127.0.0.1 answering conditional GETs."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 - the http.server contract
            body = upstream.document(int(self.path.rsplit("/", 1)[-1]))
            etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("ETag", etag)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def make_due(app: Any) -> None:
    """Every source due now, as if its interval had passed."""
    with services.work(app) as session:
        for source in session.query(Source):
            source.next_check_at = None


def timed(action: Callable[[], Any]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> None:
    """Set up a throwaway instance, poll, and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sources", type=int, default=200)
    parser.add_argument("--changed", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database-url", default=None, help="default: SQLite in a temp dir")
    args = parser.parse_args(argv)
    upstream = Upstream(args.changed)
    server = serve(upstream)
    base = f"http://127.0.0.1:{server.server_address[1]}/feed"
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.sqlite3"
        upgrade(url)
        app = create_app(
            {"DATABASE_URL": url, "DATA_DIR": f"{tmp}/data", "MEDIA_ROOT": f"{tmp}/media",
             "BASE_URL": "http://talkcast.bench", "SECRET_KEY": "bench", "USER_AGENT": USER_AGENT,
             "SCHEDULER": {"enabled": False}}
        )  # fmt: skip
        with services.work(app) as session:
            for n in range(args.sources):
                add_source(session, kind="rss", url=f"{base}/{n}", into=f"show-{n % 20}",
                           base_url=app.config["BASE_URL"], every="1h")  # fmt: skip
        tasks.check_due_sources(app)  # first import: every source now has its ETag
        etags = {}
        with services.work(app) as session:
            for source in session.query(Source):
                etags[source.url] = source.etag

        ours, bare, pooled = [], [], []
        for _ in range(args.rounds):
            upstream.round += 1
            make_due(app)
            start = time.perf_counter()
            report = tasks.check_due_sources(app)
            ours.append(time.perf_counter() - start)
            assert report.outcome == "ok", report.error
            assert report.added == args.changed, report

            def plain() -> None:
                for source_url, etag in etags.items():
                    headers = {"User-Agent": USER_AGENT, "If-None-Match": etag or ""}
                    requests.get(source_url, headers=headers, timeout=20)

            def session_calls() -> None:
                with requests.Session() as http:
                    for source_url, etag in etags.items():
                        headers = {"User-Agent": USER_AGENT, "If-None-Match": etag or ""}
                        http.get(source_url, headers=headers, timeout=20)

            bare.append(timed(plain))
            pooled.append(timed(session_calls))
        app.extensions["talkcast.engine"].dispose()
    server.shutdown()

    n, changed = args.sources, args.changed
    print(f"Polling {n} sources ({n - changed} answer 304, {changed} changed), "
          f"median of {args.rounds} rounds, {url.split(':', 1)[0]}")  # fmt: skip
    print(f"{'':44} {'seconds':>8} {'ms/source':>10}")
    rows = [
        ("talkcast check_due_sources (fetch+record+sync)", ours),
        ("bare requests.get, same conditional GETs", bare),
        ("bare requests.Session().get, same GETs", pooled),
    ]
    for label, times in rows:
        median = statistics.median(times)
        print(f"{label:44} {median:8.3f} {1000 * median / n:10.2f}")
    ratio = statistics.median(ours) / statistics.median(bare)
    print(f"ours / bare requests.get = {ratio:.1f}x")


if __name__ == "__main__":
    main()
