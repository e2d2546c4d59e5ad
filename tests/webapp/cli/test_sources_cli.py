"""``talkcast sources`` and ``talkcast jobs``, run as a user would, in a subprocess."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner
from pytest_httpserver import HTTPServer
from sourcekit import runs, serve_kind, source_row
from werkzeug import Response

from webapp.cli import main


@pytest.fixture
def server(httpserver_ipv4: HTTPServer) -> HTTPServer:
    """pytest-httpserver on 127.0.0.1."""
    return httpserver_ipv4


@pytest.fixture
def cli_env(talkcast_env, tmp_path):
    """The same database and data folders as the ``app`` fixture, and a config.toml."""
    config = tmp_path / "config.toml"
    config.write_text("")
    return {**talkcast_env, "TALKCAST_CONFIG": str(config)}


def talkcast(env, *args):
    """Run the installed ``talkcast`` command's entry point."""
    return subprocess.run(
        [sys.executable, "-c", "from webapp.cli import main; main()", *args],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


@pytest.mark.parametrize(
    "args",
    [["sources"], ["sources", "add"], ["sources", "list"], ["sources", "check"], ["jobs"],
     ["jobs", "cleanup"], ["scheduler"]],
)  # fmt: skip
def test_help(args):
    result = CliRunner().invoke(main, [*args, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output


def test_add_list_check_and_feed(app, client, cli_env, server):
    upstream = serve_kind(server, "rss")

    added = talkcast(
        cli_env, "sources", "add", upstream.url, "--kind", "rss", "--into", "plus-podcast",
        "--every", "30m", "--title", "Maths on the Move",
    )  # fmt: skip
    listed = talkcast(cli_env, "sources", "list")
    checked = talkcast(cli_env, "sources", "check", "1")

    assert added.returncode == 0, added.stderr
    assert f"source 1: rss {upstream.url} -> plus-podcast" in added.stdout
    assert listed.returncode == 0, listed.stderr
    assert f"1\trss\t{upstream.url}\t-> plus-podcast\tevery 30m\tenabled\tlast -" in listed.stdout
    assert checked.returncode == 0, checked.stderr
    assert "source 1: ok, 3 added, 0 updated" in checked.stdout
    feed = client.get("/feeds/plus-podcast.rss")
    root = ET.fromstring(feed.data)
    assert root.findtext("channel/title") == "Maths on the Move"
    # The video on the source's own host is not served by this upstream: its download is
    # retried later, and until it arrives podcast apps see the two other talks.
    assert len(root.findall("channel/item")) == 2
    assert "recordings downloaded: 0 (of 1 media tasks, 1 failed and are retried" in checked.stdout
    assert len(client.get("/feeds/plus-podcast.json").json["items"]) == 3
    again = talkcast(cli_env, "sources", "list")
    assert "\tnext " in again.stdout and "next -" not in again.stdout


def test_add_refuses_bad_input(cli_env, app):
    bad_kind = talkcast(cli_env, "sources", "add", "https://x.example/f", "--kind", "ftp",
                        "--into", "talks")  # fmt: skip
    bad_url = talkcast(cli_env, "sources", "add", "file:///etc/passwd", "--kind", "rss",
                       "--into", "talks")  # fmt: skip
    bad_every = talkcast(cli_env, "sources", "add", "https://x.example/f", "--kind", "rss",
                         "--into", "talks", "--every", "5s")  # fmt: skip

    assert bad_kind.returncode != 0 and "ftp" in bad_kind.stderr
    assert bad_url.returncode != 0 and "http or https" in bad_url.stderr
    assert bad_every.returncode != 0 and "at most once a minute" in bad_every.stderr


def test_config_sources_are_synced_by_list_and_check(app, cli_env, server):
    upstream = serve_kind(server, "youtube")
    broken = serve_kind(server, "rss", "/broken")
    broken.override = lambda request: Response("down", status=503)
    with open(cli_env["TALKCAST_CONFIG"], "w") as fh:
        fh.write(
            f'[[sources]]\nkind = "youtube"\nurl = "{upstream.url}"\ninto = "videos"\n'
            'every = "2h"\n\n'
            f'[[sources]]\nkind = "rss"\nurl = "{broken.url}"\ninto = "videos"\n'
        )

    listed = talkcast(cli_env, "sources", "list")
    checked = talkcast(cli_env, "sources", "check", "--all")

    assert f"1\tyoutube\t{upstream.url}\t-> videos\tevery 2h" in listed.stdout
    assert f"2\trss\t{broken.url}\t-> videos\tevery 6h" in listed.stdout
    assert checked.returncode == 1  # one source failed: said so, and the other still ran
    assert "source 1: ok, 3 added" in checked.stdout
    assert "source 2: error" in checked.stdout and "HTTP 503" in checked.stdout
    assert source_row(app, 1).origin == "config"
    # Dropping an entry from config.toml stops that source; nothing is deleted.
    with open(cli_env["TALKCAST_CONFIG"], "w") as fh:
        fh.write(f'[[sources]]\nkind = "youtube"\nurl = "{upstream.url}"\ninto = "videos"\n')
    talkcast(cli_env, "sources", "list")
    assert source_row(app, 2).enabled is False
    assert source_row(app, 1).every_seconds == 6 * 3600


def test_jobs_commands_run_and_are_recorded(app, cli_env):
    for name in ("publish-scheduled", "rebuild-stale-feeds", "cleanup", "check-due-sources"):
        result = talkcast(cli_env, "jobs", name)
        assert result.returncode == 0, result.stderr
        assert ": ok," in result.stdout
    history = talkcast(cli_env, "jobs", "history")

    assert [r.job for r in runs(app)] == [
        "publish_scheduled", "rebuild_stale_feeds", "cleanup", "check_due_sources",
    ]  # fmt: skip
    assert all(r.outcome == "ok" and r.finished_at for r in runs(app))
    assert "cleanup" in history.stdout and "publish_scheduled" in history.stdout


def test_check_unknown_source_fails(app, cli_env):
    result = talkcast(cli_env, "sources", "check", "42")

    assert result.returncode == 1
    assert "no source 42" in result.stdout


def test_downloadable_recordings_are_playable_after_sources_check(cli_env, app, client, server):
    from sourcekit import MediaFileServer, podcast_with_media
    from staffkit import MediaMaker

    recording = MediaMaker(Path(cli_env["TALKCAST_DATA_DIR"]))("cbr.mp3").read_bytes()
    served = MediaFileServer(server, "/media/talk-1.mp3", recording)
    upstream = podcast_with_media(server, len(recording))
    talkcast(cli_env, "sources", "add", upstream.url, "--kind", "rss", "--into", "talks")

    first = talkcast(cli_env, "sources", "check", "1")
    second = talkcast(cli_env, "sources", "check", "1")
    assert first.returncode == 0, first.stderr
    assert "recordings downloaded: 1" in first.stdout
    assert "source 1: not_modified" in second.stdout
    assert "recordings downloaded" not in second.stdout
    assert len(served.requests) == 1  # fetched once

    rss = ET.fromstring(client.get("/feeds/talks.rss").data)
    enclosures = {i.findtext("title"): i.find("enclosure").get("url") for i in rss.iter("item")}
    assert enclosures["Talk with a recording here"].startswith("http://talkcast.test/media/")
    assert enclosures["Talk recorded elsewhere"] == "https://cdn.elsewhere.example/talk-2.mp3"


def test_a_source_without_recordings_gives_feed_reader_items_only(cli_env, app, client, server):
    upstream = serve_kind(server, "talks-cam")
    talkcast(cli_env, "sources", "add", upstream.url, "--kind", "talks-cam", "--into", "talks")
    checked = talkcast(cli_env, "sources", "check", "1")
    assert checked.returncode == 0, checked.stderr
    assert ET.fromstring(client.get("/feeds/talks.rss").data).findall("channel/item") == []
    assert len(client.get("/feeds/talks.json").json["items"]) == 3
