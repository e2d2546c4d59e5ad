"""The HTTP answer to a feed request, shared by the feed routes and the WSGI fast path.

Both take raw header values, so a request answered before Flask sees it gets the same
validators, the same 304 decision and the same representation as one that goes through
the blueprint.
"""

from __future__ import annotations

from werkzeug.http import parse_accept_header, parse_date, parse_etags

from webapp.publishing.feedcache import CachedFeed

FEED_MAX_AGE = 300

_GZIP_ACCEPTED: dict[str, bool] = {}


def wants_gzip(accept_encoding: str | None) -> bool:
    """Whether an ``Accept-Encoding`` value accepts gzip (q > 0, wildcards included)."""
    if not accept_encoding:
        return False
    known = _GZIP_ACCEPTED.get(accept_encoding)
    if known is None:
        known = parse_accept_header(accept_encoding)["gzip"] > 0
        # Clients send a handful of distinct values; a hostile flood only costs a reparse.
        if len(_GZIP_ACCEPTED) > 256:
            _GZIP_ACCEPTED.clear()
        _GZIP_ACCEPTED[accept_encoding] = known
    return known


def representation_etag(entry: CachedFeed, gzipped: bool) -> str:
    """The strong ETag of the identity or the gzip representation (unquoted)."""
    return entry.etag + ("-gz" if gzipped else "")


def feed_headers(entry: CachedFeed, gzipped: bool) -> dict[str, str]:
    """Validators and caching headers of a feed answer (200 and 304 alike)."""
    headers = {
        "ETag": f'"{representation_etag(entry, gzipped)}"',
        "Last-Modified": entry.last_modified_dt.strftime("%a, %d %b %Y %H:%M:%S GMT"),
        "Cache-Control": f"public, max-age={FEED_MAX_AGE}",
        "Vary": "Accept-Encoding",
    }
    if gzipped:
        headers["Content-Encoding"] = "gzip"
    return headers


def is_not_modified(
    entry: CachedFeed, etag: str, if_none_match: str | None, if_modified_since: str | None
) -> bool:
    """RFC 9110 section 13.2.2: If-None-Match decides when present, else If-Modified-Since."""
    if if_none_match:
        tags = parse_etags(if_none_match)
        if tags:  # an unparsable value counts as absent, as werkzeug's request reads it
            return tags.contains_weak(etag)
    since = parse_date(if_modified_since)
    return since is not None and int(entry.last_modified) <= since.timestamp()
