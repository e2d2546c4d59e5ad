"""The polite fetcher against real local HTTP servers on 127.0.0.1."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from feeds.sources import SourceFormatError, parse
from feeds.sources.addresses import AddressPolicy
from feeds.sources.fetch import MIB, Fetcher, FetchError, parse_retry_after

USER_AGENT = "Talkcast/0.1 (+https://talkcast.example/about; feeds@talkcast.example)"
# The servers here listen on loopback, which a fetcher refuses unless told otherwise.
LOOPBACK = AddressPolicy.allowing(["127.0.0.0/8", "::1/128"])
FEED = b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title></channel></rss>'


@pytest.fixture
def server(httpserver_ipv4: HTTPServer) -> HTTPServer:
    """The pytest-httpserver instance listening on 127.0.0.1."""
    return httpserver_ipv4


@pytest.fixture
def fetcher() -> Fetcher:
    """A fetcher with a short timeout so failing cases stay quick."""
    return Fetcher(USER_AGENT, timeout=2.0, policy=LOOPBACK)


def _fetch_error(fetcher: Fetcher, url: str) -> FetchError:
    with pytest.raises(FetchError) as caught:
        fetcher.fetch(url)
    return caught.value


def test_conditional_get_gives_not_modified(server: HTTPServer, fetcher: Fetcher) -> None:
    def handler(request: Request) -> Response:
        if request.headers.get("If-None-Match") == '"v1"':
            return Response(status=304, headers={"ETag": '"v1"'})
        headers = {"ETag": '"v1"', "Last-Modified": "Tue, 28 May 2019 09:42:00 GMT"}
        return Response(FEED, headers=headers, content_type="application/rss+xml")

    server.expect_request("/feed.xml").respond_with_handler(handler)
    url = server.url_for("/feed.xml")

    first = fetcher.fetch(url)
    second = fetcher.fetch(url, etag=first.etag, last_modified=first.last_modified)

    assert (first.status, first.body, first.not_modified) == (200, FEED, False)
    assert first.content_type == "application/rss+xml"
    assert (second.status, second.body, second.not_modified) == (304, None, True)
    assert second.etag == '"v1"'
    assert second.last_modified == "Tue, 28 May 2019 09:42:00 GMT"
    (plain, _), (conditional, _) = server.log
    assert plain.headers["User-Agent"] == USER_AGENT
    assert "If-None-Match" not in plain.headers
    assert conditional.headers["User-Agent"] == USER_AGENT
    assert conditional.headers["If-None-Match"] == '"v1"'
    assert conditional.headers["If-Modified-Since"] == "Tue, 28 May 2019 09:42:00 GMT"


def test_permanent_redirect_is_recorded(server: HTTPServer, fetcher: Fetcher) -> None:
    server.expect_request("/old").respond_with_data(
        "", status=301, headers={"Location": server.url_for("/moved")}
    )
    server.expect_request("/moved").respond_with_data("", status=308, headers={"Location": "/new"})
    server.expect_request("/new").respond_with_data(FEED, content_type="application/xml")

    result = fetcher.fetch(server.url_for("/old"))

    assert result.body == FEED
    assert result.final_url == server.url_for("/new")
    assert result.permanent_redirect == server.url_for("/new")


def test_temporary_redirect_ends_the_permanent_chain(server: HTTPServer, fetcher: Fetcher) -> None:
    server.expect_request("/old").respond_with_data(
        "", status=301, headers={"Location": "/current"}
    )
    server.expect_request("/current").respond_with_data(
        "", status=302, headers={"Location": "/today"}
    )
    server.expect_request("/today").respond_with_data(FEED)

    result = fetcher.fetch(server.url_for("/old"))

    assert result.permanent_redirect == server.url_for("/current")
    assert result.final_url == server.url_for("/today")


def test_only_the_given_url_is_fetched(server: HTTPServer, fetcher: Fetcher) -> None:
    page = b'<html><body><a href="/media/1">talk</a><img src="/image/1"></body></html>'
    server.expect_request("/collection/1").respond_with_data(page, content_type="text/html")

    result = fetcher.fetch(server.url_for("/collection/1"))

    assert result.body == page
    assert [request.path for request, _ in server.log] == ["/collection/1"]


def test_timeout(server: HTTPServer) -> None:
    def slow(request: Request) -> Response:
        time.sleep(1.0)
        return Response(FEED)

    server.expect_request("/slow").respond_with_handler(slow)

    error = _fetch_error(Fetcher(USER_AGENT, timeout=0.2, policy=LOOPBACK), server.url_for("/slow"))

    assert error.kind == "timeout"


def test_server_error(server: HTTPServer, fetcher: Fetcher) -> None:
    server.expect_request("/feed").respond_with_data("oops", status=500)

    error = _fetch_error(fetcher, server.url_for("/feed"))

    assert (error.kind, error.status, error.retry_after) == ("http", 500, None)


def test_too_many_requests_with_delta_seconds(server: HTTPServer, fetcher: Fetcher) -> None:
    server.expect_request("/feed").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "120"}
    )

    error = _fetch_error(fetcher, server.url_for("/feed"))

    assert (error.kind, error.status, error.retry_after) == ("http", 429, 120.0)


def test_unavailable_with_http_date(server: HTTPServer, fetcher: Fetcher) -> None:
    later = format_datetime(datetime.now(UTC) + timedelta(hours=1), usegmt=True)
    server.expect_request("/feed").respond_with_data("", status=503, headers={"Retry-After": later})

    error = _fetch_error(fetcher, server.url_for("/feed"))

    assert (error.kind, error.status) == ("http", 503)
    assert error.retry_after is not None
    assert 1800 < error.retry_after <= 3600


@pytest.mark.parametrize(("status", "kind"), [(410, "gone"), (404, "http"), (403, "http")])
def test_client_errors(server: HTTPServer, fetcher: Fetcher, status: int, kind: str) -> None:
    server.expect_request("/feed").respond_with_data("", status=status)

    error = _fetch_error(fetcher, server.url_for("/feed"))

    assert (error.kind, error.status) == (kind, status)


def _fifty_megabytes() -> Iterator[bytes]:
    chunk = b"x" * MIB
    for _ in range(50):
        yield chunk


@pytest.mark.parametrize("declare_length", [True, False])
def test_fifty_megabytes_is_rejected_at_the_cap(
    server: HTTPServer, fetcher: Fetcher, declare_length: bool
) -> None:
    headers = {"Content-Length": str(50 * MIB)} if declare_length else {}

    def huge(request: Request) -> Response:
        return Response(_fifty_megabytes(), headers=headers, direct_passthrough=True)

    server.expect_request("/huge").respond_with_handler(huge)

    error = _fetch_error(fetcher, server.url_for("/huge"))

    assert error.kind == "too_large"
    assert ("Content-Length" in error.message) is declare_length


@pytest.fixture
def raw_server() -> Iterator[Callable[[Callable[[socket.socket], None]], str]]:
    """Serve one connection on 127.0.0.1 with a hand-written response; yields a starter."""
    threads: list[threading.Thread] = []
    listeners: list[socket.socket] = []

    def start(respond: Callable[[socket.socket], None]) -> str:
        listener = socket.create_server(("127.0.0.1", 0))
        listeners.append(listener)

        def serve() -> None:
            conn, _ = listener.accept()
            with conn:
                request = b""
                while b"\r\n\r\n" not in request:
                    request += conn.recv(4096)
                # The fetcher hanging up early is what some tests expect.
                with contextlib.suppress(OSError):
                    respond(conn)

        thread = threading.Thread(target=serve, daemon=True)
        thread.start()
        threads.append(thread)
        return f"http://127.0.0.1:{listener.getsockname()[1]}/feed.xml"

    yield start
    for thread in threads:
        thread.join(timeout=5)
    for listener in listeners:
        listener.close()


def test_body_shorter_than_content_length(
    raw_server: Callable[[Callable[[socket.socket], None]], str], fetcher: Fetcher
) -> None:
    def short(conn: socket.socket) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\nConnection: close\r\n\r\n")
        conn.sendall(FEED[:40])

    error = _fetch_error(fetcher, raw_server(short))

    assert error.kind == "truncated"


def test_trickling_body_hits_the_total_timeout(
    raw_server: Callable[[Callable[[socket.socket], None]], str],
) -> None:
    def trickle(conn: socket.socket) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\nConnection: close\r\n\r\n")
        for _ in range(20):
            conn.sendall(b"x")
            time.sleep(0.05)

    fetcher = Fetcher(USER_AGENT, timeout=0.5, total_timeout=0.3, policy=LOOPBACK)

    error = _fetch_error(fetcher, raw_server(trickle))

    assert error.kind == "timeout"


def test_connection_refused(fetcher: Fetcher) -> None:
    with socket.create_server(("127.0.0.1", 0)) as closed:
        port = closed.getsockname()[1]

    error = _fetch_error(fetcher, f"http://127.0.0.1:{port}/feed.xml")

    assert error.kind == "connection"


@pytest.mark.parametrize("url", ["file:///etc/passwd", "not a url"])
def test_non_http_urls_are_refused(fetcher: Fetcher, url: str) -> None:
    assert _fetch_error(fetcher, url).kind == "invalid_url"


def test_user_agent_is_required() -> None:
    with pytest.raises(ValueError, match="User-Agent"):
        Fetcher(" ")


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("120", 120.0),
        ("Wed, 21 Oct 2015 07:30:00 GMT", 90.0),
        ("Wed, 21 Oct 2015 07:00:00 GMT", 0.0),  # already past
        ("soon", None),
        (None, None),
    ],
)
def test_parse_retry_after(value: str | None, seconds: float | None) -> None:
    now = datetime(2015, 10, 21, 7, 28, 30, tzinfo=UTC)

    assert parse_retry_after(value, now=now) == seconds


@pytest.mark.parametrize(
    ("name", "body", "content_type", "message"),
    [
        ("html", b"<!DOCTYPE html><html><body>Log in</body></html>", "text/html", "HTML page"),
        ("laughs", None, "application/rss+xml", "forbidden XML"),
    ],
)
def test_fetched_unsafe_or_html_documents_are_refused(
    server: HTTPServer,
    fetcher: Fetcher,
    fixture_bytes: Callable[[str], bytes],
    name: str,
    body: bytes | None,
    content_type: str,
    message: str,
) -> None:
    document = body if body is not None else fixture_bytes("billion_laughs.xml")
    server.expect_request(f"/{name}").respond_with_data(document, content_type=content_type)

    result = fetcher.fetch(server.url_for(f"/{name}"))

    assert result.body is not None
    for kind in ("rss", "youtube", "talks-cam"):
        with pytest.raises(SourceFormatError, match=message):
            parse(kind, result.body, result.final_url)


def test_fetched_external_entity_is_refused(
    server: HTTPServer, fetcher: Fetcher, external_entity: tuple[bytes, str]
) -> None:
    document, secret = external_entity
    server.expect_request("/xxe").respond_with_data(document, content_type="application/xml")

    result = fetcher.fetch(server.url_for("/xxe"))

    assert result.body is not None
    with pytest.raises(SourceFormatError, match="forbidden XML") as caught:
        parse("rss", result.body, result.final_url)
    assert secret not in str(caught.value)


def test_one_kept_alive_connection_serves_many_fetches() -> None:
    from keepalivekit import CountingUpstream, rss

    with CountingUpstream() as upstream:
        paths = [f"/feed/{n}" for n in range(3)]
        for path in paths:
            upstream.documents[path] = rss(path, "talk")
        with Fetcher(USER_AGENT, timeout=2.0, policy=LOOPBACK) as fetcher:
            first = [fetcher.fetch(upstream.url(path)) for path in paths]
            pairs = zip(paths, [result.etag for result in first], strict=True)
            again = [fetcher.fetch(upstream.url(path), etag=etag) for path, etag in pairs]

            assert [r.status for r in first + again] == [200] * 3 + [304] * 3
            assert (upstream.requests, upstream.connections) == (6, 1)
        assert upstream.wait_until_closed() == 0  # closing the fetcher closes its connection
