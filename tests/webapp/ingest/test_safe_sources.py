"""Sources and their recordings are fetched from public addresses only, whichever way they came.

By the CLI, the staff form and config.toml, a URL on loopback, the local network or the cloud
metadata address is refused with a message; at check time (an old row, a name that resolves
inwards, a redirect inwards) the fetch is refused and recorded. These apps allow no private
network unless a test says so; the upstream listens on 127.0.0.1.
"""

from __future__ import annotations

import socket
import subprocess
import sys
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from sourcekit import MediaFileServer, Upstream, csrf_from, sign_in, source_row
from sqlalchemy import select
from werkzeug import Response

from feeds.sources import addresses
from webapp import services
from webapp.catalog.models import Episode, MediaTask, Source
from webapp.catalog.operations import create_show
from webapp.ingest.sources import SourceError, add_source, address_policy
from webapp.jobs import tasks

FORBIDDEN = [
    ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address"),
    ("http://127.0.0.1:5432/", "127.0.0.1 is a loopback address"),
    ("http://10.0.0.8/feed.xml", "10.0.0.8 is a private address"),
    ("http://[::1]:8080/feed", "::1 is a loopback address"),
]


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    """No private network allowed, as in production."""
    return {**app_config, "ALLOWED_PRIVATE_NETWORKS": []}


@pytest.fixture
def server(httpserver_ipv4: HTTPServer) -> HTTPServer:
    return httpserver_ipv4


def fake_dns(monkeypatch: pytest.MonkeyPatch, table: dict[str, str]) -> None:
    """Names in ``table`` resolve to its address (for the address checks only)."""
    real = addresses.resolve

    def resolve(host: str, port: int) -> list[tuple[Any, ...]]:
        if host not in table:
            return real(host, port)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (table[host], port))]

    monkeypatch.setattr(addresses, "resolve", resolve)


def talkcast(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from webapp.cli import main; main()", *args],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


@pytest.fixture
def cli_env(talkcast_env: dict[str, str], tmp_path) -> dict[str, str]:
    config = tmp_path / "config.toml"
    config.write_text("")
    return {**talkcast_env, "TALKCAST_CONFIG": str(config), "TALKCAST_ALLOWED_PRIVATE_NETWORKS": ""}


def source_count(app: Any) -> int:
    with services.work(app) as session:
        return len(session.scalars(select(Source)).all())


@pytest.mark.parametrize(("url", "says"), FORBIDDEN[:2])
def test_sources_add_refuses_inward_addresses(app, cli_env, url, says):
    result = talkcast(cli_env, "sources", "add", url, "--kind", "rss", "--into", "talks")
    assert result.returncode == 1
    assert says in result.stderr and "allowed_private_networks" in result.stderr
    assert source_count(app) == 0


def test_sources_add_accepts_a_network_the_configuration_allows(app, cli_env, server):
    url = server.url_for("/feed")
    refused = talkcast(cli_env, "sources", "add", url, "--kind", "rss", "--into", "talks")
    allowed_env = {**cli_env, "TALKCAST_ALLOWED_PRIVATE_NETWORKS": "10.0.0.0/8, 127.0.0.1/32"}
    added = talkcast(allowed_env, "sources", "add", url, "--kind", "rss", "--into", "talks")
    assert refused.returncode == 1 and "loopback" in refused.stderr
    assert added.returncode == 0, added.stderr
    assert source_count(app) == 1


@pytest.mark.parametrize(("url", "says"), FORBIDDEN)
def test_the_staff_form_refuses_inward_addresses(app, client, url, says):
    from factories import make_show

    make_show(app, "talks", title="Talks")
    sign_in(app, client)
    page = client.get("/staff/sources/").get_data(as_text=True)
    answer = client.post(
        "/staff/sources/",
        data={"csrf_token": csrf_from(page), "url": url, "kind": "rss", "into": "talks",
              "every": "1h"},
    )  # fmt: skip
    assert answer.status_code == 400
    assert says in answer.get_data(as_text=True)
    assert source_count(app) == 0


def test_a_name_resolving_to_a_private_address_is_refused_when_added(app, monkeypatch):
    fake_dns(monkeypatch, {"feeds.example.org": "192.168.1.20"})
    refused = pytest.raises(SourceError, match="feeds.example.org resolves to 192.168.1.20")
    with refused, services.work(app) as session:
        add_source(
            session, kind="rss", url="https://feeds.example.org/podcast.rss", into="talks",
            base_url=app.config["BASE_URL"], policy=address_policy(app.config),
        )  # fmt: skip
    assert source_count(app) == 0


def test_config_toml_sources_are_checked(app, cli_env, tmp_path):
    (tmp_path / "config.toml").write_text(
        '[[sources]]\nkind = "rss"\nurl = "http://169.254.169.254/latest/meta-data/"\n'
        'into = "talks"\n'
    )
    result = talkcast(cli_env, "sources", "list")
    assert result.returncode == 1
    assert "config.toml:" in result.stderr and "link-local address" in result.stderr
    assert source_count(app) == 0


def _old_row(app: Any, url: str) -> int:
    """A source stored before addresses were checked: straight into the table."""
    with services.work(app) as session:
        show = create_show(session, slug="talks", title="Talks", base_url=app.config["BASE_URL"])
        source = Source(kind="rss", url=url, show=show, every_seconds=3600, origin="cli")
        session.add(source)
        session.flush()
        return source.id


def test_an_old_source_on_loopback_is_refused_at_check_time(app, server):
    server.expect_request("/feed").respond_with_data("<rss/>")
    source_id = _old_row(app, server.url_for("/feed"))

    report = tasks.check_source(app, source_id)

    assert report.outcome == "error" and "127.0.0.1 is a loopback address" in report.error
    assert server.log == []  # never connected
    assert "loopback" in source_row(app, source_id).last_error


def test_a_public_looking_source_redirecting_to_loopback_imports_nothing(
    app_config, server, monkeypatch
):
    """Only the upstream's own address is allowed; its redirect inwards is refused."""
    from webapp import create_app

    app = create_app({**app_config, "ALLOWED_PRIVATE_NETWORKS": ["127.0.0.1/32"]})
    fake_dns(monkeypatch, {"feeds.example.org": "127.0.0.1"})
    server.expect_request("/feed").respond_with_response(
        Response(status=302, headers={"Location": "http://127.0.0.2:5432/"})
    )
    try:
        with services.work(app) as session:
            source_id = add_source(
                session, kind="rss", url=f"http://feeds.example.org:{server.port}/feed",
                into="talks", base_url=app.config["BASE_URL"], policy=address_policy(app.config),
            ).id  # fmt: skip
        report = tasks.check_source(app, source_id)
        with services.work(app) as session:
            episodes = session.scalars(select(Episode)).all()
    finally:
        app.extensions["talkcast.engine"].dispose()
    assert report.outcome == "error"
    assert "127.0.0.2 is a loopback address" in report.error
    assert episodes == [] and len(server.log) == 1


FEED = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Upstream talks</title><link>{base}/</link>
<description>Talks.</description>
<item><title>A talk</title><guid>talk-1</guid><pubDate>Thu, 23 May 2019 14:20:00 +0100</pubDate>
  <enclosure url="{base}/media/talk-1.mp3" length="1000" type="audio/mpeg"/></item>
</channel></rss>"""


def test_a_recording_redirecting_to_a_private_name_is_not_downloaded(
    app_config, server, monkeypatch
):
    """The recording's host is the source's, its redirect is to a subdomain: allowed by host,
    refused by address, and the task stops for good."""
    from webapp import create_app

    app = create_app({**app_config, "ALLOWED_PRIVATE_NETWORKS": ["127.0.0.1/32"]})
    fake_dns(monkeypatch, {"feeds.example.org": "127.0.0.1", "cdn.feeds.example.org": "10.0.0.7"})
    port = server.port
    base = f"http://feeds.example.org:{port}"
    Upstream(server, "/podcast.rss", FEED.format(base=base).encode(), "application/rss+xml")
    server.expect_request("/media/talk-1.mp3").respond_with_response(
        Response(status=302, headers={"Location": f"http://cdn.feeds.example.org:{port}/1.mp3"})
    )
    served = MediaFileServer(server, "/1.mp3", b"not fetched")
    try:
        with services.work(app) as session:
            add_source(
                session, kind="rss", url=f"{base}/podcast.rss", into="talks",
                base_url=app.config["BASE_URL"], policy=address_policy(app.config),
            )  # fmt: skip
        assert tasks.check_due_sources(app).outcome == "ok"
        tasks.process_media_tasks(app)
        with services.work(app) as session:
            (task,) = session.scalars(select(MediaTask)).all()
            state, error = task.state, task.last_error
    finally:
        app.extensions["talkcast.engine"].dispose()
    assert state == "failed"
    assert "cdn.feeds.example.org resolves to 10.0.0.7, which is a private address" in error
    assert served.requests == []


def test_allowed_private_networks_come_from_the_environment_too():
    from webapp.config import load_config

    config = load_config(environ={"TALKCAST_ALLOWED_PRIVATE_NETWORKS": "10.20.0.0/16, fd00::/8"})
    assert config["ALLOWED_PRIVATE_NETWORKS"] == ["10.20.0.0/16", "fd00::/8"]
    assert address_policy(config).refusal(addresses.ipaddress.ip_address("10.20.1.1")) is None


def test_a_mistyped_network_stops_the_app_at_start(app_config):
    from webapp import create_app

    with pytest.raises(SourceError, match="allowed_private_networks"):
        create_app({**app_config, "ALLOWED_PRIVATE_NETWORKS": ["10.0.0.0/33"]})
