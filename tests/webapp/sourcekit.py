"""Helpers for the upstream source tests: a changeable upstream document, staff sign-in,
catalogue snapshots. Import as ``from sourcekit import ...``."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pytest_httpserver import HTTPServer
from sqlalchemy import select
from werkzeug import Request, Response

from webapp import services
from webapp.catalog.models import Episode, JobRun, Source
from webapp.ingest.sources import add_source, address_policy
from webapp.web.auth import create_user

FIXTURES = Path(__file__).resolve().parent.parent / "feeds" / "sources" / "fixtures"
OWN_FIXTURES = Path(__file__).resolve().parent / "fixtures"
CONTENT_TYPES = {
    "rss": "application/rss+xml",
    "youtube": "application/atom+xml",
    "talks-cam": "text/xml",
    "collection-page": "text/html; charset=utf-8",
}
FIXTURE_FOR = {
    "rss": "podcast.rss",
    "youtube": "youtube_channel.xml",
    "talks-cam": "talks_cam_list.xml",
    "collection-page": "collection_page.html",
}


def fixture(name: str) -> bytes:
    """A fixture document: ours (tests/webapp/fixtures) or the parsers' ones."""
    own = OWN_FIXTURES / name
    return (own if own.exists() else FIXTURES / name).read_bytes()


class Upstream:
    """One upstream document served with an ETag; answers 304 when the client has it."""

    def __init__(self, server: HTTPServer, path: str, body: bytes, content_type: str) -> None:
        self.body, self.content_type = body, content_type
        self.override: Callable[[Request], Response] | None = None
        self.requests: list[dict[str, str]] = []
        self.url = server.url_for(path)
        server.expect_request(path).respond_with_handler(self._handle)

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha256(self.body).hexdigest()[:16] + '"'

    def _handle(self, request: Request) -> Response:
        self.requests.append(dict(request.headers))
        if self.override is not None:
            return self.override(request)
        if request.headers.get("If-None-Match") == self.etag:
            return Response(status=304, headers={"ETag": self.etag})
        return Response(self.body, headers={"ETag": self.etag}, content_type=self.content_type)


def serve_kind(server: HTTPServer, kind: str, path: str | None = None) -> Upstream:
    """Serve the realistic fixture document of a source kind."""
    return Upstream(server, path or f"/{kind}", fixture(FIXTURE_FOR[kind]), CONTENT_TYPES[kind])


def new_source(app: Any, kind: str, url: str, into: str = "talks", every: str = "1h") -> int:
    """Add a source (and its show if missing); return its id."""
    with services.work(app) as session:
        return add_source(
            session, kind=kind, url=url, into=into, every=every,
            base_url=app.config["BASE_URL"], policy=address_policy(app.config),
        ).id  # fmt: skip


def make_due(app: Any, *source_ids: int) -> None:
    """Make sources due now, as if their interval had passed."""
    with services.work(app) as session:
        for source_id in source_ids:
            row = session.get(Source, source_id)
            assert row is not None
            row.next_check_at = None


def catalogue(app: Any) -> list[tuple[Any, ...]]:
    """Everything sync may change, to compare before and after a failing check."""
    with services.work(app) as session:
        episodes = session.scalars(select(Episode).order_by(Episode.id))
        return [
            (
                e.id, e.guid, e.title, e.description_html, e.state, e.publish_at,
                e.updated_at, e.upstream_removed, e.views,
                tuple((m.url, m.size) for m in e.media),
                tuple((c.person.name, c.role) for c in e.credits),
            )
            for e in episodes
        ]  # fmt: skip


def source_row(app: Any, source_id: int) -> Source:
    """A detached copy of a source row."""
    with services.work(app) as session:
        row = session.get(Source, source_id)
        assert row is not None
        return row


def runs(app: Any, job: str | None = None) -> list[JobRun]:
    """Recorded job runs, oldest first."""
    with services.work(app) as session:
        query = select(JobRun).order_by(JobRun.id)
        if job:
            query = query.where(JobRun.job == job)
        return list(session.scalars(query))


_CSRF = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"'
)


def csrf_from(html: str) -> str:
    """The CSRF token of the first form on a page."""
    match = _CSRF.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1) or match.group(2)


def sign_in(app: Any, client: Any, email: str = "staff@example.org") -> None:
    """Create a staff account and sign in through the real form."""
    password = "correct horse battery"
    with services.work(app) as session:
        create_user(session, email, password)
    page = client.get("/staff/login").get_data(as_text=True)
    response = client.post(
        "/staff/login",
        data={"email": email, "password": password, "csrf_token": csrf_from(page)},
    )
    assert response.status_code == 302, response.get_data(as_text=True)


PODCAST = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Upstream talks</title><link>{base}/</link>
<description>Talks with recordings.</description>
<item><title>Talk with a recording here</title><guid>talk-1</guid>
  <pubDate>Thu, 23 May 2019 14:20:00 +0100</pubDate>
  <enclosure url="{base}/media/talk-1.mp3" length="{size}" type="audio/mpeg"/></item>
<item><title>Talk recorded elsewhere</title><guid>talk-2</guid>
  <pubDate>Thu, 23 May 2019 15:20:00 +0100</pubDate>
  <enclosure url="https://cdn.elsewhere.example/talk-2.mp3" length="1234" type="audio/mpeg"/></item>
</channel></rss>"""


class MediaFileServer:
    """Serves one file with an ETag and byte ranges; can cut the first response short."""

    def __init__(self, server: HTTPServer, path: str, body: bytes) -> None:
        self.body, self.requests, self.cut_first = body, [], False
        self.etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        server.expect_request(path).respond_with_handler(self.handle)

    def handle(self, request: Request) -> Response:
        self.requests.append(dict(request.headers))
        wanted = request.headers.get("Range", "")
        if wanted.startswith("bytes=") and request.headers.get("If-Range") == self.etag:
            start = int(wanted.removeprefix("bytes=").rstrip("-"))
            part = self.body[start:]
            headers = {
                "ETag": self.etag,
                "Content-Range": f"bytes {start}-{len(self.body) - 1}/{len(self.body)}",
            }
            return Response(part, status=206, headers=headers, content_type="audio/mpeg")
        body = self.body
        if self.cut_first and len(self.requests) == 1:
            body = body[: len(body) // 2]  # the connection drops halfway
        response = Response(body, headers={"ETag": self.etag}, content_type="audio/mpeg")
        response.headers["Content-Length"] = str(len(self.body))
        response.automatically_set_content_length = False
        return response


def podcast_with_media(server: HTTPServer, size: int) -> Upstream:
    """A podcast feed with one recording on its own host and one on another host."""
    body = PODCAST.format(base=server.url_for("").rstrip("/"), size=size).encode()
    return Upstream(server, "/podcast.rss", body, "application/rss+xml")
