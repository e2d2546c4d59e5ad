"""Time one polling round over 200 upstream sources, 190 of them answering 304 Not Modified,
beside the same number of bare ``requests`` calls measured in the same run.

Ours is the whole job as the scheduler runs it: pick the due sources, conditional GET over one
kept-alive session per host, write one row for each unchanged source, import the changed ones
(10 sources gain an item each round), record their runs, and rebuild the feeds of the shows
whose items changed; the rebuild is also timed on its own. The baselines only send the
conditional GETs: once with ``requests.get`` (a new connection each) and once over one
``requests.Session``. One more round runs under cProfile (every polling thread) for the summary.

    .venv/bin/python benchmarks/poll.py [--sources 200,1000 --changed 10 --rounds 3]
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import io
import pstats
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import machine, summary_row  # noqa: E402
from webapp import create_app, services  # noqa: E402
from webapp.catalog.models import Source  # noqa: E402
from webapp.db.migrate import upgrade  # noqa: E402
from webapp.ingest.sources import add_source, address_policy  # noqa: E402
from webapp.jobs import polling, tasks  # noqa: E402

USER_AGENT = "Talkcast-benchmark/0.1 (+https://talkcast.example/about)"


class Upstream:
    """Documents per path: the first ``changed`` ones gain an item every round."""

    def __init__(self, changed: int) -> None:
        self.changed, self.round = changed, 0
        self.connections = self.requests = 0

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
        # TCP_NODELAY, as web servers set it (nginx's tcp_nodelay is on by default). Without
        # it, the body written after the headers of a 200 on a kept-alive connection waits
        # for the client's delayed ACK: about 30 ms per changed source, which a client
        # opening a new connection per request (quick ACKs) does not pay.
        disable_nagle_algorithm = True

        def setup(self) -> None:
            upstream.connections += 1  # once per TCP connection
            super().setup()

        def do_GET(self) -> None:  # noqa: N802 - the http.server contract
            upstream.requests += 1
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


@dataclass
class Watch:
    """Time spent rebuilding feeds, and SQL statements sent, while polling."""

    rebuild: float = 0.0
    statements: Counter[str] = field(default_factory=Counter)


@contextmanager
def watching(app: Any) -> Iterator[Watch]:
    """Time ``services.rebuild_feeds`` and count statements by verb (executemany rows each)."""
    watch, rebuild = Watch(), services.rebuild_feeds
    engine = app.extensions["talkcast.engine"]

    def timed_rebuild(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return rebuild(*args, **kwargs)
        finally:
            watch.rebuild += time.perf_counter() - start

    def count(_conn: Any, _cursor: Any, statement: str, params: Any, _ctx: Any, many: bool) -> None:
        verb = statement.lstrip().split(None, 1)[0].upper()
        watch.statements[verb] += len(params) if many else 1

    services.rebuild_feeds = timed_rebuild
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield watch
    finally:
        event.remove(engine, "before_cursor_execute", count)
        services.rebuild_feeds = rebuild


def _top(stats: pstats.Stats, sort: str, rows: int) -> str:
    out = io.StringIO()
    stats.stream = out  # type: ignore[attr-defined]
    stats.sort_stats(sort).print_stats(rows)
    lines = [line for line in out.getvalue().splitlines() if line.strip()]
    start = next(i for i, line in enumerate(lines) if "ncalls" in line)
    return "\n".join(["    " + lines[0].strip(), *("    " + line for line in lines[start:])])


def profile_round(app: Any) -> str:
    """One polling round under cProfile: the polling threads (by own time), then the main
    thread, which waits for them and rebuilds the feeds (cumulative)."""
    profiles: list[cProfile.Profile] = []
    check_group = polling._check_group

    def profiled_group(*args: Any) -> Any:
        profile = cProfile.Profile()
        profiles.append(profile)
        profile.enable()
        try:
            return check_group(*args)
        finally:
            profile.disable()

    polling._check_group = profiled_group
    main_thread = cProfile.Profile()
    try:
        main_thread.enable()
        tasks.check_due_sources(app)
        main_thread.disable()
    finally:
        polling._check_group = check_group
    threads = pstats.Stats(profiles[0])
    for profile in profiles[1:]:
        threads.add(profile)
    return "\n".join([
        f"  polling threads ({len(profiles)}), by own time:",
        _top(threads, "tottime", 10),
        "  main thread, cumulative:",
        _top(pstats.Stats(main_thread), "cumulative", 8),
    ])  # fmt: skip


@dataclass
class Figures:
    """Medians of one size's rounds."""

    sources: int
    ours: float
    rebuild: float
    bare: float
    pooled: float
    connections: float
    statements: Counter[str]
    profile: str


def measure(n: int, changed: int, rounds: int, database_url: str | None) -> Figures:
    """Set up a throwaway instance with ``n`` sources, poll ``rounds`` times, then profile."""
    upstream = Upstream(changed)
    server = serve(upstream)
    base = f"http://127.0.0.1:{server.server_address[1]}/feed"
    with tempfile.TemporaryDirectory() as tmp:
        url = database_url or f"sqlite:///{tmp}/bench.sqlite3"
        upgrade(url)
        app = create_app(
            {"DATABASE_URL": url, "DATA_DIR": f"{tmp}/data", "MEDIA_ROOT": f"{tmp}/media",
             "BASE_URL": "http://talkcast.bench", "SECRET_KEY": "bench", "USER_AGENT": USER_AGENT,
             "SCHEDULER": {"enabled": False}, "ALLOWED_PRIVATE_NETWORKS": ["127.0.0.0/8"]}
        )  # fmt: skip
        with services.work(app) as session:
            for i in range(n):
                add_source(session, kind="rss", url=f"{base}/{i}", into=f"show-{i % 20}",
                           base_url=app.config["BASE_URL"], every="1h",
                           policy=address_policy(app.config))  # fmt: skip
        tasks.check_due_sources(app)  # first import: every source now has its ETag
        with services.work(app) as session:
            etags = {source.url: source.etag for source in session.query(Source)}

        def plain() -> None:
            for source_url, etag in etags.items():
                headers = {"User-Agent": USER_AGENT, "If-None-Match": etag or ""}
                requests.get(source_url, headers=headers, timeout=20)

        def session_calls() -> None:
            with requests.Session() as http:
                for source_url, etag in etags.items():
                    headers = {"User-Agent": USER_AGENT, "If-None-Match": etag or ""}
                    http.get(source_url, headers=headers, timeout=20)

        ours, rebuilds, bare, pooled, connections = [], [], [], [], []
        statements: Counter[str] = Counter()
        for _ in range(rounds):
            upstream.round += 1
            make_due(app)
            opened = upstream.connections
            with watching(app) as watch:
                start = time.perf_counter()
                report = tasks.check_due_sources(app)
                ours.append(time.perf_counter() - start)
            assert report.outcome == "ok", report.error
            assert report.added == changed, report
            rebuilds.append(watch.rebuild)
            connections.append(upstream.connections - opened)
            statements = watch.statements
            bare.append(timed(plain))
            pooled.append(timed(session_calls))
        upstream.round += 1
        make_due(app)
        profile = profile_round(app)
        app.extensions["talkcast.engine"].dispose()
    server.shutdown()
    med = statistics.median
    return Figures(n, med(ours), med(rebuilds), med(bare), med(pooled), med(connections),
                   statements, profile)  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    """Measure each size and print the table, the ratios and the profile."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sources", default="200,1000", help="comma-separated sizes")
    parser.add_argument("--changed", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database-url", default=None, help="default: SQLite in a temp dir")
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.sources.split(",")]
    results = [measure(n, args.changed, args.rounds, args.database_url) for n in sizes]
    database = (args.database_url or "sqlite").split(":", 1)[0].split("+", 1)[0]
    print(f"machine: {machine()}")
    print(f"Polling N sources ({args.changed} changed, the rest answer 304), median of "
          f"{args.rounds} rounds, {database}; all on one upstream host; ratios compare figures "
          "taken in the same run")  # fmt: skip
    print(f"{'':46} {'seconds':>8} {'ms/source':>10}")
    for figures in results:
        n = figures.sources
        print(f"-- {n} sources ({n - args.changed} answer 304)")
        rows = [
            ("talkcast check_due_sources (whole job)", figures.ours),
            ("  of which rebuilding the changed shows' feeds", figures.rebuild),
            ("  polling alone (fetch+record+sync)", figures.ours - figures.rebuild),
            ("bare requests.get, same conditional GETs", figures.bare),
            ("bare requests.Session().get, same GETs", figures.pooled),
        ]
        for label, seconds in rows:
            print(f"{label:46} {seconds:8.3f} {1000 * seconds / n:10.2f}")
        polling_alone = (figures.ours - figures.rebuild) / figures.bare
        if n == 200:
            summary_row("poll 200 sources (190 answer 304) vs bare requests.get", figures.ours,
                        figures.bare, "s", "<= 1.5")  # fmt: skip
        print(f"ours / bare requests.get = {figures.ours / figures.bare:.2f}x (whole job), "
              f"{polling_alone:.2f}x (polling alone)")  # fmt: skip
        writes = {verb: count for verb, count in figures.statements.items() if verb != "SELECT"}
        print(f"upstream connections opened per round: {figures.connections:.0f} "
              f"for {n} requests; SQL statements in the last round: "
              f"{figures.statements['SELECT']} SELECT, "
              + ", ".join(f"{count} {verb}" for verb, count in sorted(writes.items())))  # fmt: skip
    print(f"cProfile of one more round at {results[0].sources} sources (all threads, by own time):")
    print(results[0].profile)


if __name__ == "__main__":
    main()
