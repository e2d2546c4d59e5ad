"""Upstream source adapters: ``parse(kind, data, url)`` turns a fetched document into items."""

from __future__ import annotations

from collections.abc import Callable

from feeds.sources import collection_page, podcast_rss, talks_cam, youtube
from feeds.sources.model import SourceFormatError, UpstreamItem, UpstreamMedia

Parser = Callable[[bytes, str], list[UpstreamItem]]

PARSERS: dict[str, Parser] = {
    "rss": podcast_rss.parse,
    "youtube": youtube.parse,
    "talks-cam": talks_cam.parse,
    "collection-page": collection_page.parse,
}


def parse(kind: str, data: bytes, url: str) -> list[UpstreamItem]:
    """Items of an upstream document of the given kind, fetched from ``url``."""
    try:
        parser = PARSERS[kind]
    except KeyError:
        known = ", ".join(sorted(PARSERS))
        raise ValueError(f"unknown source kind {kind!r}; expected one of {known}") from None
    return parser(data, url)


__all__ = ["PARSERS", "SourceFormatError", "UpstreamItem", "UpstreamMedia", "parse"]
