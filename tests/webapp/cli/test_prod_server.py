"""`talkcast serve --prod` runs gunicorn workers that serve pages and feeds."""

from __future__ import annotations

import gzip
import signal
import subprocess
import sys
import time

import feedparser
import requests
from processkit import free_port, wait_until_up

from webapp.cli.prod import gunicorn_options


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
        # The fast path hands the blobs to gunicorn's sendfile: whole, in both encodings.
        identity = {"Accept-Encoding": "identity"}
        plain = requests.get(f"{base}/feeds/all.rss", headers=identity, timeout=10)
        assert plain.content == feed.content
        assert plain.headers["Content-Length"] == str(len(plain.content))
        zipped = requests.get(f"{base}/feeds/all.rss", stream=True, timeout=10)
        assert zipped.headers["Content-Encoding"] == "gzip"
        raw = zipped.raw.read(decode_content=False)
        assert gzip.decompress(raw) == plain.content
        head = requests.head(f"{base}/feeds/all.rss", timeout=10)
        assert head.headers["Content-Length"] == str(len(raw))
        assert requests.get(f"{base}/", timeout=10).status_code == 200
    finally:
        proc.send_signal(signal.SIGTERM)
        output, _ = proc.communicate(timeout=30)
    # No access log by default: behind nginx, nginx logs every request.
    assert "GET /feeds/all.rss" not in output


def test_prod_server_logs_requests_when_configured(talkcast_env):
    env = {**talkcast_env, "TALKCAST_SERVER__ACCESS_LOG": "true"}
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "webapp.cli", "serve", "--prod", "--port", str(port),
         "--workers", "1", "--threads", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_up(f"{base}/healthz", proc)
        requests.get(f"{base}/feeds/nothing-here.rss", timeout=10)
    finally:
        proc.send_signal(signal.SIGTERM)
        output, _ = proc.communicate(timeout=30)
    assert '"GET /feeds/nothing-here.rss HTTP/1.1" 404' in output


def test_gunicorn_logs_requests_only_when_asked():
    quiet = gunicorn_options("127.0.0.1", 8000, 2, 4, rebuild_process=True, access_log=False)
    logged = gunicorn_options("127.0.0.1", 8000, 2, 4, rebuild_process=True, access_log=True)
    assert quiet["accesslog"] is None
    assert logged["accesslog"] == "-"


def test_prod_server_rebuilds_feeds_after_an_api_save_returns(app, talkcast_env):
    from staffkit import make_token, make_user

    from media.placeholder import silent_mp3

    from factories import make_show

    make_show(app)
    make_user(app)
    token = make_token(app)
    env = {
        **talkcast_env,
        "TALKCAST_FEEDS__REBUILD_MODE": "background",
        "TALKCAST_FEEDS__REBUILD_DELAY_SECONDS": "0.5",
    }
    cli = [sys.executable, "-m", "webapp.cli"]
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
        saved = requests.post(
            f"{base}/api/v1/shows/talks/episodes",
            headers={"Authorization": f"Bearer {token}"},
            data={"title": "Saved through the API", "state": "published"},
            files={"media": ("talk.mp3", silent_mp3(5), "audio/mpeg")},
            timeout=60,
        )
        assert saved.status_code == 201, saved.text
        # The save answered before any rebuild; the worker process follows within its delay
        # (the deadline only bounds the wait on a loaded machine).
        deadline = time.monotonic() + 60
        titles: list[str] = []
        while "Saved through the API" not in titles and time.monotonic() < deadline:
            feed = requests.get(f"{base}/feeds/talks.rss", timeout=10)
            titles = [e.title for e in feedparser.parse(feed.content).entries]
            time.sleep(0.1)
        assert titles == ["Saved through the API"]
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=120)  # gunicorn, then the rebuild process, on a busy machine
    # The rebuild process stopped with the server: nothing of it is left running.
    leftover = subprocess.run(
        ["pgrep", "-f", f"feeds worker --nice 10 --parent {proc.pid}"], capture_output=True
    )
    assert leftover.returncode == 1
