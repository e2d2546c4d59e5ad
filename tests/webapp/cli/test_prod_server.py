"""`talkcast serve --prod` runs gunicorn workers that serve pages and feeds."""

from __future__ import annotations

import signal
import subprocess
import sys

import feedparser
import requests
from processkit import free_port, wait_until_up


def test_prod_server_serves_feeds(talkcast_env):
    env = talkcast_env
    cli = [sys.executable, "-m", "webapp.cli"]
    subprocess.run([*cli, "demo"], env=env, check=True, capture_output=True, timeout=120)
    port = free_port()
    proc = subprocess.Popen(
        [*cli, "serve", "--prod", "--port", str(port), "--workers", "2", "--threads", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_up(f"{base}/healthz", proc)
        feed = requests.get(f"{base}/feeds/all.rss", timeout=10)
        assert feed.status_code == 200
        assert len(feedparser.parse(feed.content).entries) == 6  # the playable talks
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
