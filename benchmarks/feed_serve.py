"""Feed throughput: Talkcast under gunicorn (200 and 304) beside nginx serving the same file.

    .venv/bin/python benchmarks/feed_serve.py --seconds 10 --connections 32

Rows: the app as `talkcast serve --prod` runs it (the WSGI fast path answers current feeds),
the same with FEED_FAST_PATH off (every request through the Flask route), nginx in front as
deploy/nginx.conf runs it, and nginx serving the document as a plain static file: the
baseline. The ratios are the app's throughput over the baseline's, 200 and 304, from the
same run. Then py-spy samples the gunicorn workers under the same load and the busiest
functions are listed.

Needs nginx for the baseline (`apt-get install nginx`); wrk is used when installed.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import (  # noqa: E402
    Instance,
    Load,
    free_port,
    gunicorn,
    instance,
    load,
    machine,
    summary_row,
    wait_for,
)
from benchmarks.server_profile import cpu_seconds, sampled, server_pid, summary  # noqa: E402

GOALS = {"200": 0.3, "304": 0.1}

NGINX_CONF = """
worker_processes 2;
pid {root}/nginx.pid;
error_log {root}/error.log;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {root}/body;
    proxy_temp_path {root}/proxy;
    fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi;
    scgi_temp_path {root}/scgi;
    types {{ application/rss+xml rss; }}
    # Baseline: a plain static file.
    server {{
        listen 127.0.0.1:{port};
        location /feeds/ {{ alias {root}/feeds/; }}
    }}
    # Talkcast as deploy/nginx.conf runs it: feeds straight from the data dir, app behind.
    upstream talkcast {{ server 127.0.0.1:{app_port}; keepalive 32; }}
    server {{
        listen 127.0.0.1:{proxy_port};
        location /feeds/ {{
            root {www};
            gzip_static on;
            add_header Cache-Control "public, max-age=300";
            try_files $uri @talkcast;
        }}
        location @talkcast {{
            proxy_pass http://talkcast;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
        }}
    }}
}}
"""


def populate(inst: Instance, episodes: int) -> None:
    """One show with ``episodes`` talks, feeds built."""
    from datetime import timedelta

    from webapp import create_app, services
    from webapp.catalog.models import utcnow
    from webapp.catalog.operations import Credit, add_media_file, create_episode, create_show

    app = create_app(inst.config())
    with services.work(app) as session:
        show = create_show(
            session, slug="talks", title="Seminar talks", base_url="http://127.0.0.1"
        )
        start = utcnow() - timedelta(days=episodes)
        for n in range(episodes):
            episode = create_episode(
                session,
                show,
                title=f"A Stable Learning Framework, part {n}",
                credits=[Credit("Thesing, L")],
                state="published",
                publish_at=start + timedelta(days=n),
            )
            add_media_file(
                session,
                episode,
                kind="audio",
                url=f"https://media.example.org/{n}.mp3",
                mime_type="audio/mpeg",
                size=23_664_000,
                duration=1479.0,
            )
    services.rebuild_feeds(app)
    app.extensions["talkcast.engine"].dispose()


@contextmanager
def nginx_serving(document: bytes, app_port: int, www: Path) -> Iterator[tuple[str, str, int]]:
    """nginx serving ``document`` as a static file, and Talkcast as deploy/nginx.conf does;
    the two URLs and nginx's master process."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        raise RuntimeError("nginx is not installed (apt-get install nginx)")
    root = Path(tempfile.mkdtemp(prefix="talkcast-nginx-"))
    root.chmod(0o755)  # nginx workers run as an unprivileged user
    (root / "feeds").mkdir()
    (root / "feeds" / "talks.rss").write_bytes(document)
    port, proxy_port = free_port(), free_port()
    conf = root / "nginx.conf"
    conf.write_text(
        NGINX_CONF.format(root=root, port=port, proxy_port=proxy_port, app_port=app_port, www=www)
    )
    proc = subprocess.Popen([nginx, "-c", str(conf), "-g", "daemon off;"], stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}/feeds/talks.rss"
    try:
        wait_for(url, proc)
        yield url, f"http://127.0.0.1:{proxy_port}/feeds/talks.rss", proc.pid
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        shutil.rmtree(root, ignore_errors=True)


# wrk sends no Accept-Encoding: measure the identity representation, and its ETag.
IDENTITY = {"Accept-Encoding": "identity"}


def identity_etag(url: str) -> str:
    """The identity document's ETag, checked to give a 304 (the gzip one would not)."""
    import requests

    etag = requests.get(url, headers=IDENTITY, timeout=10).headers["ETag"]
    again = requests.get(url, headers={**IDENTITY, "If-None-Match": etag}, timeout=10)
    if again.status_code != 304:
        raise RuntimeError(f"If-None-Match: {etag} got {again.status_code}, not 304")
    return etag


# Frames whose inclusive share says where a request's time goes.
STAGES = {
    "gunicorn: read + parse request": "Request.__init__ (gunicorn/http/message.py",
    "gunicorn: send headers": "Response.send_headers (gunicorn/http/wsgi.py",
    "gunicorn: sendfile body": "Response.sendfile (gunicorn/http/wsgi.py",
    "gunicorn: access log": "Logger.access (gunicorn/glogging.py",
    "feed fast path (WSGI)": "FeedFastPath.__call__ (webapp/web/feed_fastpath.py",
    "  pointer lookup (stat)": "FeedCache.get (webapp/publishing/feedcache.py",
    "Flask (whole request)": "Flask.wsgi_app (flask/app.py",
}


@dataclass(frozen=True)
class Row:
    """One load run: its result and the CPU the server's processes spent per request."""

    name: str
    result: Load
    cpu_us: float | None


def measured(
    name: str, pid: int | None, url: str, secs: float, conns: int, etag: str | None = None
) -> Row:
    """Drive ``url`` (conditionally with ``etag``) and account the server's CPU time per
    request (``pid`` None: several servers took part)."""
    before = cpu_seconds(pid) if pid else 0.0
    result = load(url, secs, conns, {"If-None-Match": etag} if etag else None)
    used = cpu_seconds(pid) - before if pid else 0.0
    cpu = used / result.requests * 1e6 if pid and result.requests else None
    return Row(name, result, cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--episodes", type=int, default=300)
    parser.add_argument(
        "--rounds", type=int, default=3,
        help="paired rounds, ours then nginx static, for the ratios (this VM's speed drifts)",
    )  # fmt: skip
    args = parser.parse_args()

    import requests

    rows: list[Row] = []
    profiles: dict[str, list[str]] = {}
    pairs: dict[str, list[tuple[float, float]]] = {"200": [], "304": []}
    secs, conns = args.seconds, args.connections
    with instance() as inst:
        populate(inst, args.episodes)
        routed = Instance(inst.root, {**inst.env, "TALKCAST_FEED_FAST_PATH": "false"})
        with gunicorn(routed) as base:
            url, pid = f"{base}/feeds/talks.rss", server_pid(base)
            etag = identity_etag(url)
            rows.append(measured("talkcast, Flask route 200", pid, url, secs, conns))
            rows.append(measured("talkcast, Flask route 304", pid, url, secs, conns, etag))
        with gunicorn(inst) as base:
            url, pid = f"{base}/feeds/talks.rss", server_pid(base)
            document = requests.get(url, headers=IDENTITY, timeout=10).content
            etag = identity_etag(url)
            rows.append(measured("talkcast (gunicorn) 200", pid, url, secs, conns))
            rows.append(measured("talkcast (gunicorn) 304", pid, url, secs, conns, etag))
            spied = max(2.0, secs / 2)
            for status, headers in (("200", {}), ("304", {"If-None-Match": etag})):
                _, stacks = sampled(pid, spied, lambda h=headers: load(url, spied, conns, h))
                if stacks is not None:
                    profiles[status] = summary(stacks, STAGES, "ThreadWorker.handle ")
                    stacks.unlink()
            www = inst.root / "data" / "www"
            inst.root.chmod(0o755)  # nginx workers run as an unprivileged user
            port = int(base.rsplit(":", 1)[1])
            with nginx_serving(document, port, www) as (static_url, deployed_url, nginx_pid):
                deployed = requests.get(deployed_url, headers=IDENTITY, timeout=10)
                if deployed.content != document:
                    raise RuntimeError(f"nginx answered {deployed.status_code}, not the feed")
                static_etag = requests.get(static_url, headers=IDENTITY, timeout=10).headers["ETag"]
                for name, target, tag, server in (
                    ("nginx + talkcast (deploy)", deployed_url, deployed.headers["ETag"], None),
                    ("nginx static file", static_url, static_etag, nginx_pid),
                ):
                    rows.append(measured(f"{name} 200", server, target, secs, conns))
                    rows.append(measured(f"{name} 304", server, target, secs, conns, tag))
                # The machine's speed drifts over minutes: the ratios come from rounds that
                # measure ours and the static file one right after the other.
                short = max(2.0, secs / 2)
                for _ in range(args.rounds):
                    for status, ours_tag, static_tag in (
                        ("200", None, None),
                        ("304", etag, static_etag),
                    ):
                        mine = measured("", pid, url, short, conns, ours_tag)
                        theirs = measured("", nginx_pid, static_url, short, conns, static_tag)
                        pairs[status].append((mine.result.per_second, theirs.result.per_second))
        # max_requests recycles workers (each builds the app again): count it.
        log = (inst.root / "gunicorn.log").read_text(errors="replace")
        restarts = log.count("Autorestarting worker")
    report(args, document, rows, profiles, restarts, pairs)


def report(
    args: argparse.Namespace,
    document: bytes,
    rows: list[Row],
    profiles: dict[str, list[str]],
    restarts: int,
    pairs: dict[str, list[tuple[float, float]]],
) -> None:
    """The table, the ratios to the static-file baseline, and the profile summaries."""
    print(f"# Feed throughput ({machine()}, {time.strftime('%Y-%m-%d')})")
    print(
        f"feed: {args.episodes} items, {len(document):,} bytes; "
        f"{args.connections} connections, {args.seconds:.0f} s each; load: {rows[0].result.tool}; "
        "gunicorn: 2 workers x 4 threads; the load tool shares the cores"
    )
    print(f"{'server':<28}{'req/s':>10}{'requests':>10}{'errors':>8}{'CPU us/req':>12}")
    for row in rows:
        r = row.result
        cpu = f"{row.cpu_us:>12.0f}" if row.cpu_us is not None else f"{'-':>12}"
        print(f"{row.name:<28}{r.per_second:>10.0f}{r.requests:>10}{r.errors:>8}{cpu}")
    by_name = {row.name: row for row in rows}
    for status, goal in GOALS.items():
        base = by_name[f"nginx static file {status}"]
        ours = by_name[f"talkcast (gunicorn) {status}"]
        route = by_name[f"talkcast, Flask route {status}"]
        # The figure: medians of the paired rounds (each ours, then the static file).
        mine = statistics.median(o for o, _ in pairs[status])
        theirs = statistics.median(b for _, b in pairs[status])
        ratio = mine / theirs
        verdict = "met" if ratio >= goal else "NOT met"
        summary_row(
            f"cached feed {status}: app alone (gunicorn) vs nginx static file",
            mine,
            theirs,
            "req/s",
            f">= {goal}",
        )
        rounds = " ".join(f"{o / b:.2f}x" for o, b in pairs[status])
        print(
            f"ratio {status}: talkcast / nginx static = {ratio:.2f}x req/s, medians of "
            f"{len(pairs[status])} paired rounds of {max(2.0, args.seconds / 2):.0f} s "
            f"({rounds}) (goal >= {goal}x: {verdict}); in the table above "
            f"{ours.result.per_second / base.result.per_second:.2f}x; Flask route alone "
            f"{route.result.per_second / base.result.per_second:.2f}x"
        )
        if base.cpu_us and ours.cpu_us and route.cpu_us:
            print(
                f"  CPU per request: nginx {base.cpu_us:.0f} us, talkcast {ours.cpu_us:.0f} us "
                f"({base.cpu_us / ours.cpu_us:.2f}x), Flask route {route.cpu_us:.0f} us "
                f"({base.cpu_us / route.cpu_us:.2f}x)"
            )
    print(f"gunicorn workers recycled (max_requests) during the talkcast runs: {restarts}")
    for status, lines in profiles.items():
        print(f"## profile of the gunicorn workers, {status} (py-spy, busy threads)")
        print("\n".join(lines))


if __name__ == "__main__":
    main()
