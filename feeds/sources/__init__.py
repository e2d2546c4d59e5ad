"""Upstream source adapters: ``parse(kind, data, url)`` turns a fetched document into items."""

from __future__ import annotations

from collections.abc import Callable

from feeds.sources import collection_page, podcast_rss, talks_cam, youtube
from feeds.sources.model import SourceFormatError, UpstreamChannel, UpstreamItem, UpstreamMedia

Parser = Callable[[bytes, str], list[UpstreamItem]]

Describer = Callable[[bytes, str], UpstreamChannel]

DESCRIBERS: dict[str, Describer] = {
    "rss": podcast_rss.describe,
    "youtube": youtube.describe,
    "talks-cam": talks_cam.describe,
    "collection-page": collection_page.describe,
}

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


def describe(kind: str, data: bytes, url: str) -> UpstreamChannel:
    """What an upstream document of the given kind says about itself."""
    return DESCRIBERS[kind](data, url)


__all__ = [
    "DESCRIBERS",
    "PARSERS",
    "SourceFormatError",
    "UpstreamChannel",
    "UpstreamItem",
    "UpstreamMedia",
    "describe",
    "parse",
]
