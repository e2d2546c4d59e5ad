"""Feed throughput: Talkcast under gunicorn (200 and 304) beside nginx serving the same file.

    .venv/bin/python benchmarks/feed_serve.py --seconds 10 --connections 32

Needs nginx for the baseline (`apt-get install nginx`); wrk is used when installed.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import Instance, free_port, gunicorn, instance, load, machine, wait_for  # noqa: E402

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
def nginx_serving(document: bytes, app_port: int, www: Path) -> Iterator[tuple[str, str]]:
    """nginx serving ``document`` as a static file, and Talkcast as deploy/nginx.conf does."""
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
        yield url, f"http://127.0.0.1:{proxy_port}/feeds/talks.rss"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        shutil.rmtree(root, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--episodes", type=int, default=300)
    args = parser.parse_args()

    import requests

    rows = []
    secs, conns = args.seconds, args.connections
    with instance() as inst:
        populate(inst, args.episodes)
        with gunicorn(inst) as base:
            url = f"{base}/feeds/talks.rss"
            first = requests.get(url, timeout=10)
            document, etag = first.content, first.headers["ETag"]
            rows.append(("talkcast (gunicorn) 200", load(url, secs, conns)))
            rows.append(
                ("talkcast (gunicorn) 304", load(url, secs, conns, {"If-None-Match": etag}))
            )
            www = inst.root / "data" / "www"
            inst.root.chmod(0o755)  # nginx workers run as an unprivileged user
            port = int(base.rsplit(":", 1)[1])
            with nginx_serving(document, port, www) as (static_url, deployed_url):
                # wrk sends no Accept-Encoding: compare against the identity representation.
                plain = {"Accept-Encoding": "identity"}
                deployed = requests.get(deployed_url, headers=plain, timeout=10)
                if deployed.content != document:
                    raise RuntimeError(f"nginx answered {deployed.status_code}, not the feed")
                deployed_etag = deployed.headers["ETag"]
                static_etag = requests.get(static_url, headers=plain, timeout=10).headers["ETag"]
                for name, target, etag_value in (
                    ("nginx + talkcast (deploy)", deployed_url, deployed_etag),
                    ("nginx static file", static_url, static_etag),
                ):
                    rows.append((f"{name} 200", load(target, secs, conns)))
                    rows.append(
                        (f"{name} 304", load(target, secs, conns, {"If-None-Match": etag_value}))
                    )
    print(f"# Feed throughput ({machine()}, {time.strftime('%Y-%m-%d')})")
    print(
        f"feed: {args.episodes} items, {len(document):,} bytes; "
        f"{args.connections} connections, {args.seconds:.0f} s each; load: {rows[0][1].tool}"
    )
    print(f"{'server':<28}{'req/s':>10}{'requests':>10}{'errors':>8}")
    for name, result in rows:
        print(f"{name:<28}{result.per_second:>10.0f}{result.requests:>10}{result.errors:>8}")


if __name__ == "__main__":
    main()
