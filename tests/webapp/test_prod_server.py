"""`talkcast serve --prod` runs gunicorn workers that serve pages and feeds."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import feedparser
import requests


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(url: str, proc: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"server exited: {proc.stdout.read()}")
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.ConnectionError:
            time.sleep(0.2)
    raise AssertionError("server did not start")


def test_prod_server_serves_feeds(tmp_path, database_url):
    env = dict(os.environ)
    env.update(
        {
            "TALKCAST_DATABASE_URL": database_url,
            "TALKCAST_DATA_DIR": str(tmp_path / "data"),
            "TALKCAST_MEDIA_ROOT": str(tmp_path / "media"),
            "TALKCAST_BASE_URL": "http://talkcast.test",
        }
    )
    cli = [sys.executable, "-m", "webapp.cli"]
    subprocess.run([*cli, "demo"], env=env, check=True, capture_output=True, timeout=120)
    port = _free_port()
    proc = subprocess.Popen(
        [*cli, "serve", "--prod", "--port", str(port), "--workers", "2", "--threads", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait(f"{base}/healthz", proc)
        feed = requests.get(f"{base}/feeds/all.rss", timeout=10)
        assert feed.status_code == 200
        assert len(feedparser.parse(feed.content).entries) == 17
        etag = feed.headers["ETag"]
        assert (
            requests.get(
                f"{base}/feeds/all.rss", headers={"If-None-Match": etag}, timeout=10
            ).status_code
            == 304
        )
        assert requests.get(f"{base}/", timeout=10).status_code == 200
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
