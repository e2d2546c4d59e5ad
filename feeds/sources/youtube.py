"""YouTube channel and playlist Atom feeds (kind ``youtube``)."""

from __future__ import annotations

import xml.etree.ElementTree as ET  # noqa: S405 - parsing itself goes through safexml
from urllib.parse import quote

from feeds.sources.model import SourceFormatError, UpstreamChannel, UpstreamItem
from feeds.sources.safexml import parse_xml
from feeds.sources.values import parse_int, parse_iso

NS = {
    "atom": "http://www.w3.org/2005/Atom",
    "yt": "http://www.youtube.com/xml/schemas/2015",
    "media": "http://search.yahoo.com/mrss/",
}
_FEED = f"{{{NS['atom']}}}feed"


def parse(data: bytes, url: str) -> list[UpstreamItem]:
    """Videos of a YouTube feed; page URLs are built from ``yt:videoId``, never media links."""
    root = parse_xml(data, expected="a YouTube Atom feed")
    if root.tag != _FEED:
        raise SourceFormatError(f"expected a YouTube Atom <feed>, found <{root.tag}>")
    collection = _text(root, "atom:title") or None
    items = []
    for entry in root.findall("atom:entry", NS):
        video_id = _text(entry, "yt:videoId")
        if not video_id:
            continue  # not a video entry; nothing to key it on
        items.append(_item(entry, video_id, collection))
    return items


def watch_url(video_id: str) -> str:
    """The public watch page of a video."""
    return f"https://www.youtube.com/watch?v={quote(video_id, safe='')}"


def _item(entry: ET.Element, video_id: str, collection: str | None) -> UpstreamItem:
    group = entry.find("media:group", NS)
    title = _text(group, "media:title") or _text(entry, "atom:title")
    thumbnail = group.find("media:thumbnail", NS) if group is not None else None
    statistics = group.find("media:community/media:statistics", NS) if group is not None else None
    return UpstreamItem(
        external_id=video_id,
        title=title,
        description=_text(group, "media:description"),
        published=parse_iso(_text(entry, "atom:published")),
        updated=parse_iso(_text(entry, "atom:updated")),
        page_url=watch_url(video_id),
        thumbnail=thumbnail.get("url") if thumbnail is not None else None,
        views=parse_int(statistics.get("views")) if statistics is not None else None,
        collection=collection,
    )


def _text(parent: ET.Element | None, path: str) -> str:
    if parent is None:
        return ""
    return (parent.findtext(path, default="", namespaces=NS) or "").strip()


def describe(data: bytes, url: str) -> UpstreamChannel:
    """The channel's (or playlist's) title and its page; YouTube feeds carry no description."""
    root = parse_xml(data, expected="a YouTube Atom feed")
    link = next(
        (e.get("href") for e in root.findall("atom:link", NS) if e.get("rel") == "alternate"), None
    )
    return UpstreamChannel(title=_text(root, "atom:title"), link=link or None)
