"""Podcast RSS 2.0 / Atom feeds (kind ``rss``), read with feedparser after a safety check."""

from __future__ import annotations

import io
import time
from calendar import timegm
from datetime import UTC, datetime
from typing import Any
from xml.sax import SAXException  # noqa: S406 - only the exception type

import feedparser

from feeds.sources.model import (
    SourceFormatError,
    UpstreamChannel,
    UpstreamItem,
    UpstreamMedia,
)
from feeds.sources.safexml import check_xml
from feeds.sources.values import absolute_url, parse_duration, parse_int


def parse(data: bytes, url: str) -> list[UpstreamItem]:
    """Items of a podcast RSS 2.0 or Atom feed; enclosures become media."""
    parsed = _feedparser(data, url)
    if not parsed.get("version"):
        problem = parsed.get("bozo_exception")
        detail = f" ({problem})" if isinstance(problem, SAXException) else ""
        raise SourceFormatError(
            f"expected an RSS or Atom feed, found no <rss>, <feed> or <rdf:RDF> root{detail}"
        )
    if parsed.get("bozo") and not parsed.entries and not parsed.feed.get("title"):
        raise SourceFormatError(
            f"expected an RSS or Atom feed, found a broken document: {parsed.bozo_exception}"
        )
    collection = _text(parsed.feed.get("title")) or None
    items = (_item(entry, url, collection) for entry in parsed.entries)
    return [item for item in items if item is not None]


def _feedparser(data: bytes, url: str) -> Any:
    """feedparser's reading of a document that passed the safety check."""
    check_xml(data, expected="an RSS or Atom feed")
    try:
        # A stream, never the bytes themselves: feedparser treats a str/bytes argument as a
        # URL or file name to open.
        return feedparser.parse(io.BytesIO(data), response_headers={"content-location": url})
    except UnicodeDecodeError as exc:
        # feedparser decodes the declared encoding's name as UTF-8 without a guard.
        raise SourceFormatError(
            f"expected an RSS or Atom feed, found an unreadable encoding declaration ({exc})"
        ) from exc


def _item(entry: Any, url: str, collection: str | None) -> UpstreamItem | None:
    found = (_media(enclosure, url) for enclosure in entry.get("enclosures", []))
    media = tuple(m for m in found if m is not None)
    link = _text(entry.get("link"))
    # feedparser falls back to the id for ``link``; only a web address is a page.
    page_url = link if link.startswith(("http://", "https://")) else None
    external_id = _text(entry.get("id")) or page_url or (media[0].url if media else "")
    if not external_id:
        return None  # nothing stable to key it on
    published = _datetime(entry.get("published_parsed"))
    # Plain dict access: FeedParserDict would silently answer with the published date.
    updated = _datetime(dict.get(entry, "updated_parsed"))
    return UpstreamItem(
        external_id=external_id,
        title=_text(entry.get("title")),
        persons=_persons(entry),
        description=_description(entry),
        published=published or updated,
        updated=updated,
        duration=parse_duration(_text(entry.get("itunes_duration")) or None),
        media=media,
        page_url=page_url,
        thumbnail=_thumbnail(entry),
        collection=collection,
    )


def _media(enclosure: Any, base: str) -> UpstreamMedia | None:
    href = _text(enclosure.get("href"))
    url = absolute_url(href, base) if href else None
    if not url:
        return None
    return UpstreamMedia(
        url=url,
        mime_type=_text(enclosure.get("type")) or None,
        length=parse_int(_text(enclosure.get("length")) or None),
    )


def _persons(entry: Any) -> tuple[str, ...]:
    names = [_text(author.get("name")) for author in entry.get("authors", [])]
    if not any(names):
        names = [_text(entry.get("author"))]
    return tuple(dict.fromkeys(name for name in names if name))


def _description(entry: Any) -> str:
    summary = _text(entry.get("summary"))
    if summary:
        return summary
    contents = entry.get("content") or []
    return _text(contents[0].get("value")) if contents else ""


def _thumbnail(entry: Any) -> str | None:
    image = entry.get("image")
    if image and _text(image.get("href")):
        return _text(image.get("href"))
    thumbnails = entry.get("media_thumbnail") or []
    return (_text(thumbnails[0].get("url")) or None) if thumbnails else None


def _datetime(value: time.struct_time | None) -> datetime | None:
    if not value:
        return None
    # feedparser has already normalised these to UTC, but not checked the year: a date past
    # 9999 (or a zone that pushes one there) is no date Python can hold.
    try:
        return datetime.fromtimestamp(timegm(value), tz=UTC)
    except (ValueError, OverflowError, OSError):
        return None


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def describe(data: bytes, url: str) -> UpstreamChannel:
    """The feed's own title, description, home page and cover art."""
    feed = _feedparser(data, url).feed
    link = _text(feed.get("link"))
    image = feed.get("image") or {}
    image_url = _text(image.get("href") or image.get("url"))
    return UpstreamChannel(
        title=_text(feed.get("title")),
        description=_text(feed.get("summary") or feed.get("subtitle")),
        link=link if link.startswith(("http://", "https://")) else None,
        image=absolute_url(image_url, url) if image_url else None,
    )
