"""Load test: feed readers hammer the feeds while staff upload and a source imports.

    .venv/bin/python benchmarks/load_test.py --readers 50 --seconds 30 [--modes background inline]

Loopback only, bounded in time. Talkcast runs under gunicorn (`talkcast serve --prod`);
50 reader threads fetch feeds (half of them conditionally), parse every 200 with lxml and
each version of a feed with feedparser; meanwhile a staff client uploads episodes through
the API and the source check job imports new items from a local upstream feed that grows as
the test runs (in a process of its own, as the scheduler would). Baseline: the same readers
for a few seconds with nothing else going on, before the writes and again after them (the
feeds have grown: every 200 is a bigger document), their mean rate; the figure is the ratio
of the rates. The CPU each side used is printed per phase. Each mode is
`[feeds] rebuild_mode`: "background" (saves mark, a worker rebuilds) or "inline" (every
save rebuilds before it answers). py-spy samples the gunicorn workers while writes happen.
Exit status 1 if any request failed, any document did not parse, or an episode was lost.
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing
import os
import random
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import feedparser
import requests
from lxml import etree
from werkzeug.serving import make_server
from werkzeug.wrappers import Response

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import gunicorn, instance, machine, summary_row  # noqa: E402
from benchmarks.server_profile import cpu_seconds, server_pid  # noqa: E402
from benchmarks.spy import recording, server_workers, summarise  # noqa: E402

FIRST_ITEM = datetime(2024, 1, 1, tzinfo=UTC)


@dataclass
class Tally:
    """What the readers saw."""

    ok: int = 0
    not_modified: int = 0
    retried: int = 0
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # Seconds from request to the whole answer read, per request (the server's latency as
    # a reader sees it, without the reader's own parsing).
    waits: list[float] = field(default_factory=list)
    # Each version of each feed (URL, ETag) feedparser has read: once is enough.
    checked: set[tuple[str, str]] = field(default_factory=set)

    def percentile(self, share: float) -> float:
        waits = sorted(self.waits)
        return waits[min(len(waits) - 1, int(share * len(waits)))] * 1000 if waits else 0.0


class Upstream:
    """A local podcast feed that gains an item every ``every`` seconds."""

    def __init__(self, every: float) -> None:
        self.started = time.monotonic()
        self.every = every

        self.frozen: float | None = None

    def freeze(self) -> None:
        """Stop growing: the last import must find everything the count promises."""
        self.frozen = time.monotonic()

    def count(self) -> int:
        now = self.frozen if self.frozen is not None else time.monotonic()
        return 1 + int((now - self.started) / self.every)

    def __call__(self, environ, start_response):  # type: ignore[no-untyped-def]
        items = []
        for n in range(self.count()):
            when = format_datetime(FIRST_ITEM + timedelta(hours=n), usegmt=True)
            items.append(
                f"<item><title>Imported talk {n}</title><guid>upstream-{n}</guid>"
                f"<pubDate>{when}</pubDate><enclosure url='https://media.example.org/{n}.mp3' "
                f"length='1000' type='audio/mpeg'/></item>"
            )
        body = (
            "<?xml version='1.0'?><rss version='2.0'><channel><title>Upstream</title>"
            "<link>https://upstream.example.org/</link>" + "".join(items) + "</channel></rss>"
        )
        return Response(body, content_type="application/rss+xml")(environ, start_response)


def reader(base: str, deadline: float, tally: Tally, rng: random.Random) -> None:
    """Fetch feeds until the deadline; only 200/304 are fine, and every 200 must be a whole
    document: lxml parses each one; feedparser reads each version of a feed once (it is
    the slow part of a reader, and these threads share the server's two cores)."""
    etags: dict[str, str] = {}
    with requests.Session() as http:
        while time.monotonic() < deadline:
            url = f"{base}/feeds/{rng.choice(['talks.rss', 'talks.atom', 'all.rss'])}"
            headers = {"If-None-Match": etags[url]} if url in etags and rng.random() < 0.5 else {}
            try:
                asked = time.perf_counter()
                try:
                    r = http.get(url, headers=headers, timeout=30)
                except requests.ConnectionError:
                    # The server closed this kept-alive connection (idle past its keepalive
                    # while this thread parsed) as the request went out: like podcast apps
                    # and browsers (RFC 9112 9.3.1), retry a GET once; counted and printed.
                    with tally.lock:
                        tally.retried += 1
                    r = http.get(url, headers=headers, timeout=30)
                waited = time.perf_counter() - asked
                if r.status_code == 304:
                    with tally.lock:
                        tally.not_modified += 1
                        tally.waits.append(waited)
                    continue
                if r.status_code != 200:
                    raise RuntimeError(f"{url}: HTTP {r.status_code}")
                etree.fromstring(r.content)
                version = (url, r.headers["ETag"])
                with tally.lock:
                    tally.waits.append(waited)
                    new = version not in tally.checked
                    tally.checked.add(version)
                if new and feedparser.parse(r.content).bozo:
                    raise RuntimeError(f"{url}: feedparser bozo")
                etags[url] = r.headers["ETag"]
                with tally.lock:
                    tally.ok += 1
            except Exception as exc:  # every failure is counted and reported
                with tally.lock:
                    tally.errors.append(str(exc)[:200])


def run_readers(base: str, readers: int, seconds: float) -> tuple[Tally, float]:
    tally = Tally()
    deadline = time.monotonic() + seconds
    threads = [
        threading.Thread(target=reader, args=(base, deadline, tally, random.Random(n)))
        for n in range(readers)
    ]
    start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return tally, time.monotonic() - start


def import_loop(config: dict[str, Any], source_id: int, stop: Any, errors: Any) -> None:
    """The source check job, over and over, in its own process (as the scheduler runs it)."""
    from webapp import create_app
    from webapp.jobs import tasks

    app = create_app(config)
    while True:
        for report in tasks.check_sources(app, [source_id]):
            if report.outcome == "error":
                errors.put(f"import: {report.error}")
        if stop.wait(1.0):
            break
    tasks.check_sources(app, [source_id])  # import whatever appeared last
    app.extensions["talkcast.engine"].dispose()


@dataclass
class Outcome:
    """One mode's run."""

    mode: str
    baseline: Tally
    base_secs: float
    loaded: Tally
    loaded_secs: float
    created: int = 0
    imported: int = 0
    expected_imports: int = 0
    problems: list[str] = field(default_factory=list)
    profile: str = ""
    # CPU seconds per phase ("alone", "writes") and side: server (gunicorn and its rebuild
    # worker), importer, client (readers, and the uploader under writes).
    cpu: dict[str, dict[str, float]] = field(default_factory=dict)
    # Readers alone again once the writes are over, on the feeds as they grew.
    after: Tally = field(default_factory=Tally)
    after_secs: float = 0.0

    def rate(self, loaded: bool) -> float:
        """Under writes; or alone: the mean of the rates before and after the writes. The
        feeds grow during the writes (each 200 is a bigger document to send and parse), so
        the baseline is taken on the feeds both as they were and as they became."""
        if loaded:
            return _rate(self.loaded, self.loaded_secs)
        return (_rate(self.baseline, self.base_secs) + _rate(self.after, self.after_secs)) / 2


def _rate(tally: Tally, secs: float) -> float:
    return (tally.ok + tally.not_modified) / secs if secs else 0.0


def run_mode(mode: str, args: argparse.Namespace) -> Outcome:
    """Serve in ``mode``, measure readers alone, then readers while staff and a source write."""
    from media.placeholder import silent_mp3
    from webapp import create_app, services
    from webapp.catalog.models import Episode, Source
    from webapp.catalog.operations import create_show
    from webapp.publishing import marks
    from webapp.web.auth import create_token, create_user

    upstream = Upstream(every=max(1.0, args.seconds / 10))
    up_server = make_server("127.0.0.1", 0, upstream)
    threading.Thread(target=up_server.serve_forever, daemon=True).start()
    upstream_url = f"http://127.0.0.1:{up_server.server_port}/feed.rss"

    with instance(args.database_url) as inst:
        inst.env["TALKCAST_FEEDS__REBUILD_MODE"] = mode
        config = {**inst.config(), "FEEDS": {"rebuild_mode": mode}}
        app = create_app(config)
        with services.work(app) as session:
            show = create_show(session, slug="talks", title="Seminar talks", base_url="http://x")
            user = create_user(session, "editor@example.org", "a long enough password")
            token = create_token(session, user, "load test")
            source = Source(kind="rss", url=upstream_url, show_id=show.id, every_seconds=60)
            session.add(source)
            session.flush()
            source_id = source.id
        services.drain_marks(app, wait_seconds=60)
        services.rebuild_feeds(app)

        with gunicorn(inst, workers=2, threads=8) as base:
            port = int(base.rsplit(":", 1)[1])
            master = server_pid(base)
            cpu: dict[str, dict[str, float]] = {}
            before = _cpu(master, None)
            baseline, base_secs = run_readers(base, args.readers, min(10.0, args.seconds))
            cpu["alone"] = _spent(before, _cpu(master, None))
            spawn = multiprocessing.get_context("spawn")
            stop, import_errors = spawn.Event(), spawn.Queue()
            importer = spawn.Process(
                target=import_loop, args=(config, source_id, stop, import_errors)
            )
            done = threading.Event()
            created: list[str] = []
            writer_errors: list[str] = []

            def uploader() -> None:
                n = 0
                auth = {"Authorization": f"Bearer {token}"}
                while not done.is_set():
                    n += 1
                    files = {"media": (f"talk-{n}.mp3", silent_mp3(30 + n), "audio/mpeg")}
                    data = {"title": f"Uploaded talk {n}", "state": "published"}
                    try:
                        r = requests.post(
                            f"{base}/api/v1/shows/talks/episodes",
                            headers=auth,
                            data=data,
                            files=files,
                            timeout=60,
                        )
                        if r.status_code != 201:
                            raise RuntimeError(f"upload {n}: HTTP {r.status_code} {r.text[:200]}")
                        created.append(r.json()["guid"])
                    except Exception as exc:
                        writer_errors.append(str(exc)[:200])
                    done.wait(0.5)

            writer = threading.Thread(target=uploader)
            importer.start()
            writer.start()
            with tempfile.TemporaryDirectory() as folder:
                before = _cpu(master, importer.pid)
                with recording(server_workers(port), args.seconds - 1, Path(folder)) as outputs:
                    loaded, loaded_secs = run_readers(base, args.readers, args.seconds)
                cpu["writes"] = _spent(before, _cpu(master, importer.pid))
                profile = summarise(outputs)
            upstream.freeze()
            done.set()
            stop.set()
            writer.join(timeout=120)
            importer.join(timeout=120)
            while not import_errors.empty():
                writer_errors.append(import_errors.get())

            # The worker rebuilds within the delay: wait (bounded) until nothing is owed.
            engine = app.extensions["talkcast.engine"]
            deadline = time.monotonic() + 60
            while marks.any_pending(engine) and time.monotonic() < deadline:
                time.sleep(0.2)
            final = feedparser.parse(requests.get(f"{base}/feeds/talks.rss", timeout=30).content)
            in_feed = {e.id for e in final.entries}
            with services.work(app) as session:
                guids = {g for (g,) in session.query(Episode.guid).all()}
                imported = session.query(Episode).filter(Episode.source_id == source_id).count()
            lost = [g for g in created if g not in guids or g not in in_feed]
            after, after_secs = run_readers(base, args.readers, min(10.0, args.seconds))
        app.extensions["talkcast.engine"].dispose()
    up_server.shutdown()
    outcome = Outcome(mode, baseline, base_secs, loaded, loaded_secs, len(created), imported)
    outcome.expected_imports = upstream.count()
    outcome.profile = profile
    outcome.cpu = cpu
    outcome.after, outcome.after_secs = after, after_secs
    outcome.problems += after.errors
    outcome.problems = baseline.errors + loaded.errors + writer_errors + [f"lost {g}" for g in lost]
    if imported < outcome.expected_imports:
        outcome.problems.append(f"only {imported} of {outcome.expected_imports} items imported")
    return outcome


def _cpu(master: int, importer: int | None) -> dict[str, float]:
    """CPU seconds used so far by the server's processes, the importer and this client."""
    mine = os.times()
    return {
        "server": cpu_seconds(master),
        "importer": cpu_seconds(importer) if importer else 0.0,
        "client": mine.user + mine.system,
    }


def _spent(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    return {side: after[side] - before[side] for side in after}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--readers", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    parser.add_argument(
        "--modes", nargs="+", default=["background"], choices=["background", "inline"],
        help="[feeds] rebuild_mode values to measure, one after another",
    )  # fmt: skip
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per upstream request

    outcomes = [run_mode(mode, args) for mode in args.modes]

    print(f"# Load test ({machine()}, {time.strftime('%Y-%m-%d')})")
    print(f"{args.readers} readers; gunicorn 2 workers x 8 threads; SQLite unless --database-url")
    print(
        f"{'mode / phase':<44}{'req/s':>8}{'200':>8}{'304':>8}{'errors':>8}"
        f"{'p50 ms':>8}{'p99 ms':>8}{'versions':>9}"
    )
    for o in outcomes:
        for name, tally, secs in (
            (f"{o.mode}: readers alone ({o.base_secs:.0f} s)", o.baseline, o.base_secs),
            (
                f"{o.mode}: readers + uploads + import ({o.loaded_secs:.0f} s)",
                o.loaded,
                o.loaded_secs,
            ),
            (f"{o.mode}: readers alone after ({o.after_secs:.0f} s)", o.after, o.after_secs),
        ):
            print(
                f"{name:<44}{_rate(tally, secs):>8.0f}{tally.ok:>8}{tally.not_modified:>8}"
                f"{len(tally.errors):>8}{tally.percentile(0.5):>8.1f}{tally.percentile(0.99):>8.1f}"
                f"{len(tally.checked):>9}"
            )
    print(
        "p50/p99: milliseconds from request to the whole answer read, as the readers saw it; "
        "versions: distinct (feed, ETag) documents feedparser read; readers alone = mean "
        "of the rates before and after the writes"
    )
    for o in outcomes:
        retried = o.baseline.retried + o.loaded.retried + o.after.retried
        ratio = o.rate(True) / o.rate(False) if o.rate(False) else 0.0
        if o.mode == "background":
            summary_row("feed readers while staff upload and a source imports, vs readers alone",
                        o.rate(True), o.rate(False), "req/s", ">= 0.8")  # fmt: skip
        print(
            f"{o.mode}: readers under writes / readers alone = {ratio:.2f}x; GETs retried on a "
            f"closed keep-alive connection: {retried}; "
            f"uploads created: {o.created}; imported from upstream: {o.imported} of "
            f"{o.expected_imports}; problems: {len(o.problems)}"
        )
    cores = os.cpu_count() or 1
    for o in outcomes:
        for phase, secs in (("alone", o.base_secs), ("writes", o.loaded_secs)):
            used = o.cpu.get(phase, {})
            total = sum(used.values())
            print(
                f"{o.mode}, CPU with readers {phase}: "
                + ", ".join(f"{side} {100 * v / secs:.0f}%" for side, v in used.items())
                + f" of one core; {100 * total / (secs * cores):.0f}% of the {cores} cores"
            )
    for o in outcomes:
        print(f"\n## py-spy profile of the gunicorn workers under writes ({o.mode})")
        print(o.profile, end="")
    problems = [p for o in outcomes for p in o.problems]
    for problem in problems[:10]:
        print("problem:", problem)
    print("result:", "PASS" if not problems else "FAIL")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
