"""A WSGI fast path for GET and HEAD of a current built feed, in front of Flask.

Feed reading is the hot request (every podcast app polls every feed), and on a hit it
needs nothing of Flask: no routing, session, request context or database. Here such a
request costs one ``stat`` of the pointer file (webapp.publishing.feedcache keeps what it
says in memory), a few header lookups, and, for a 200, the blob handed to the server's
``wsgi.file_wrapper`` (gunicorn sends it with ``sendfile``). A 304 or a HEAD never opens
the blob.

Everything else goes on to Flask unchanged, which keeps those behaviours in one place:
other methods (OPTIONS preflight, 405), names never built (redirects for moved shows and
renamed slugs, archive pages not written yet, 404), a document gone stale because a
scheduled episode fell due (the feed route rebuilds it), and X-Accel-Redirect serving.
The answers are the feed route's, header for header (tests/webapp/web/test_feed_fastpath.py
compares the two).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from typing import IO, TYPE_CHECKING

from werkzeug.http import remove_entity_headers
from werkzeug.wsgi import wrap_file

from webapp import services
from webapp.publishing.feedcache import NAME_RE, CachedFeed
from webapp.publishing.publisher import PEOPLE_PREFIX, TOPICS_PREFIX
from webapp.web.feed_http import feed_headers, is_not_modified, representation_etag, wants_gzip
from webapp.web.public import CORS_HEADERS
from webapp.web.security import plain_headers

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment
    from flask import Flask

Headers = list[tuple[str, str]]
# The feed routes' folders for gathered feeds: /feeds/people/<name>, /feeds/topics/<name>.
FOLDERS = (("people/", PEOPLE_PREFIX), ("topics/", TOPICS_PREFIX))


def feed_for_path(path: str) -> str | None:
    """The cache name a feed route would serve for ``path``, or None if no route would."""
    if path == "/feeds.opml":
        return "feeds.opml"
    if not path.startswith("/feeds/"):
        return None
    rest = path[len("/feeds/") :]
    for folder, prefix in FOLDERS:
        if rest.startswith(folder):
            rest = rest[len(folder) :]
            return prefix + rest if NAME_RE.match(rest) else None
    if NAME_RE.match(rest) and not rest.startswith((PEOPLE_PREFIX, TOPICS_PREFIX)):
        return rest
    return None


class FeedFastPath:
    """WSGI middleware: answers current feeds itself, passes every other request on."""

    def __init__(self, app: Flask, next_app: WSGIApplication) -> None:
        self.config = app.config
        self.cache = services.feed_cache(app)
        self.next_app = next_app
        # (entry, gzipped) -> headers of the 200 (less Content-Length) and of the 304.
        self._headers: dict[tuple[CachedFeed, bool], tuple[Headers, Headers]] = {}
        # Headers the app adds to every feed answer after the view (its after_request hooks).
        https = str(app.config["BASE_URL"]).startswith("https://")
        self.extra_headers: Headers = [*CORS_HEADERS.items(), *plain_headers(https)]

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") in ("GET", "HEAD") and not self.config["X_ACCEL_REDIRECT"]:
            name = feed_for_path(environ.get("PATH_INFO", ""))
            if name is not None:
                answer = self._answer(name, environ, start_response)
                if answer is not None:
                    return answer
        return self.next_app(environ, start_response)

    def _answer(
        self, name: str, environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes] | None:
        """The feed's answer, or None to let the feed route decide."""
        entry = self.cache.get(name)
        if entry is None or entry.is_stale(time.time()):
            return None
        gzipped = wants_gzip(environ.get("HTTP_ACCEPT_ENCODING"))
        full, not_modified = self._headers_for(entry, gzipped)
        etag = representation_etag(entry, gzipped)
        conditions = (environ.get("HTTP_IF_NONE_MATCH"), environ.get("HTTP_IF_MODIFIED_SINCE"))
        if is_not_modified(entry, etag, *conditions):
            start_response("304 NOT MODIFIED", list(not_modified))
            return []
        if environ["REQUEST_METHOD"] == "HEAD":
            size = entry.gzip_size if gzipped else entry.size
            start_response("200 OK", [*full, ("Content-Length", str(size))])
            return []
        try:
            blob: IO[bytes] = open(self.cache.blob_path(entry, gzipped), "rb")  # noqa: SIM115
        except OSError:
            return None  # the feed route answers as it always has (a 500)
        try:
            size = os.fstat(blob.fileno()).st_size
            start_response("200 OK", [*full, ("Content-Length", str(size))])
        except BaseException:
            blob.close()
            raise
        return wrap_file(environ, blob)

    def _headers_for(self, entry: CachedFeed, gzipped: bool) -> tuple[Headers, Headers]:
        known = self._headers.get((entry, gzipped))
        if known is None:
            full: Headers = [
                *feed_headers(entry, gzipped).items(),
                ("Content-Type", entry.content_type),
                *self.extra_headers,
            ]
            # What werkzeug keeps of these in a 304.
            not_modified = list(full)
            remove_entity_headers(not_modified)
            known = (full, not_modified)
            if len(self._headers) > 1024:  # old documents' entries: never asked for again
                self._headers.clear()
            self._headers[(entry, gzipped)] = known
        return known


def install(app: Flask) -> None:
    """Put the fast path in front of the app's WSGI callable (unless configured off)."""
    if not app.config["FEED_FAST_PATH"]:
        return
    app.wsgi_app = FeedFastPath(app, app.wsgi_app)  # type: ignore[method-assign]
