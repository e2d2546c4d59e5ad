"""A failing upstream never touches the catalogue: each failure is recorded, backed off, and
the feed stays served. Every case runs against a real local HTTP server."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from pytest_httpserver import HTTPServer
from sourcekit import catalogue, fixture, make_due, new_source, runs, serve_kind, source_row
from werkzeug import Request, Response

from feeds.sources.fetch import MIB
from webapp.catalog.models import utcnow
from webapp.jobs import tasks


@pytest.fixture
def server(httpserver_ipv4: HTTPServer) -> HTTPServer:
    """pytest-httpserver on 127.0.0.1."""
    return httpserver_ipv4


@pytest.fixture
def app_config(app_config):
    """Short fetch timeout and a small response cap so failures come quickly."""
    app_config["SCHEDULER"] = {"enabled": False, "fetch_timeout": 0.5, "max_response_mb": 5}
    return app_config


# The test server answers one request at a time: a slow answer is released when its test
# ends, so it cannot hold up the next test's requests.
RELEASE = threading.Event()


@pytest.fixture(autouse=True)
def _release_slow_answers() -> Iterator[None]:
    RELEASE.clear()
    yield
    RELEASE.set()


def _slow(request: Request) -> Response:
    RELEASE.wait(10)
    return Response(fixture("talks_cam_list.xml"))


def _fifty_megabytes() -> Iterator[bytes]:
    chunk = b"<" * MIB
    for _ in range(50):
        yield chunk


FAILURES: dict[str, tuple[Callable[[Request], Response], str]] = {
    "timeout": (_slow, "timed out"),
    "500": (lambda r: Response("oops", status=500), "HTTP 500"),
    "429": (lambda r: Response("", status=429, headers={"Retry-After": "3600"}), "HTTP 429"),
    "truncated": (
        lambda r: Response(
            iter([fixture("talks_cam_list.xml")[:300]]),
            headers={"Content-Length": "5000"},
            direct_passthrough=True,
        ),
        "body ended early",
    ),
    "html": (
        lambda r: Response(
            "<!doctype html><html><body>Moved</body></html>", content_type="text/html"
        ),
        "found an HTML page",
    ),
    "billion-laughs": (
        lambda r: Response(fixture("billion_laughs.xml"), content_type="text/xml"),
        "forbidden XML",
    ),
    "50MB": (
        lambda r: Response(_fifty_megabytes(), content_type="text/xml", direct_passthrough=True),
        "exceeds",
    ),
    "malformed": (
        lambda r: Response(fixture("talks_cam_list.xml")[:-200], content_type="text/xml"),
        "malformed XML",
    ),
}


@pytest.mark.parametrize("case", sorted(FAILURES))
def test_failure_leaves_catalogue_untouched_and_is_recorded(app, client, server, case):
    upstream = serve_kind(server, "talks-cam")
    source_id = new_source(app, "talks-cam", upstream.url)
    tasks.check_due_sources(app)
    before, good = catalogue(app), source_row(app, source_id)
    feed = client.get("/feeds/talks.rss")
    upstream.body = upstream.body.replace(b"Optimisation", b"Optimization")  # a real change
    upstream.override, message = FAILURES[case]
    make_due(app, source_id)
    started = utcnow()

    report = tasks.check_due_sources(app)

    assert report.outcome == "error"
    run = runs(app, "check_source")[-1]
    assert (run.outcome, run.added, run.updated) == ("error", 0, 0)
    assert message in run.error
    assert run.finished_at is not None
    assert catalogue(app) == before
    source = source_row(app, source_id)
    assert (source.failures, source.last_error) == (1, run.error)
    assert source.next_check_at > started
    # The validators stay those of the last good document, so the next check refetches.
    assert (source.etag, source.body_sha256) == (good.etag, good.body_sha256)
    # The feed is still served, unchanged.
    again = client.get("/feeds/talks.rss")
    assert again.status_code == 200
    assert again.headers["ETag"] == feed.headers["ETag"]


def test_retry_after_is_honoured(app, server):
    upstream = serve_kind(server, "rss")
    source_id = new_source(app, "rss", upstream.url)
    upstream.override = lambda r: Response("", status=429, headers={"Retry-After": "7200"})
    started = utcnow()

    tasks.check_due_sources(app)

    source = source_row(app, source_id)
    assert source.next_check_at >= started + timedelta(seconds=7200)
    # Not due again for now: nothing more is fetched.
    tasks.check_due_sources(app)
    assert len(upstream.requests) == 1


def test_failures_back_off_and_success_resets(app, server):
    upstream = serve_kind(server, "rss")
    source_id = new_source(app, "rss", upstream.url)
    upstream.override = FAILURES["500"][0]
    for expected in (1, 2, 3):
        make_due(app, source_id)
        tasks.check_due_sources(app)
        assert source_row(app, source_id).failures == expected
    upstream.override = None
    make_due(app, source_id)

    report = tasks.check_due_sources(app)

    source = source_row(app, source_id)
    assert (report.outcome, report.added) == ("ok", 3)
    assert (source.failures, source.last_error) == (0, None)


def test_failing_source_never_stops_the_others(app, client, server):
    broken = serve_kind(server, "rss", "/broken")
    broken.override = FAILURES["500"][0]
    good = serve_kind(server, "talks-cam", "/good")
    new_source(app, "rss", broken.url, into="podcast")
    new_source(app, "talks-cam", good.url, into="seminars")

    report = tasks.check_due_sources(app)

    assert report.outcome == "partial"
    assert report.added == 3
    assert "1 of 2 sources failed" in report.error
    assert client.get("/feeds/seminars.rss").status_code == 200
    assert sorted(r.outcome for r in runs(app, "check_source")) == ["error", "ok"]


def test_permanent_redirect_updates_the_stored_url(app, server):
    upstream = serve_kind(server, "rss", "/new-home")
    server.expect_request("/old-home").respond_with_data(
        "", status=301, headers={"Location": upstream.url}
    )
    source_id = new_source(app, "rss", server.url_for("/old-home"))

    report = tasks.check_source(app, source_id)

    assert (report.outcome, report.added) == ("ok", 3)
    assert source_row(app, source_id).url == upstream.url
    assert runs(app, "check_source")[-1].error.startswith("moved permanently")
    make_due(app, source_id)
    tasks.check_source(app, source_id)
    assert [r.path for r, _ in server.log] == ["/old-home", "/new-home", "/new-home"]


def test_gone_source_is_disabled(app, server):
    upstream = serve_kind(server, "rss")
    upstream.override = lambda r: Response("", status=410)
    source_id = new_source(app, "rss", upstream.url)

    tasks.check_due_sources(app)

    source = source_row(app, source_id)
    assert source.enabled is False
    assert "410" in source.last_error
