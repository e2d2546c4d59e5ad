"""JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any

from feeds.ext.podcastindex import PODCAST_NS
from feeds.model import Channel, Enclosure, Item
from feeds.text import sanitize, whole_seconds

VERSION = "https://jsonfeed.org/version/1.1"


def build_json_feed(channel: Channel, items: Sequence[Item]) -> bytes:
    """Build a JSON Feed 1.1 document; items appear in the order given."""
    channel = sanitize(channel)
    feed: dict[str, Any] = {
        "version": VERSION,
        "title": channel.title,
        "home_page_url": channel.link,
        "feed_url": channel.feed_url,
    }
    if channel.description:
        feed["description"] = channel.description
    if channel.image:
        feed["icon"] = channel.image
    # JSON Feed pages run newest to oldest, as RFC 5005 prev-archive does.
    if channel.archive.prev_archive:
        feed["next_url"] = channel.archive.prev_archive
    feed["authors"] = [{"name": channel.author or channel.title, "url": channel.link}]
    feed["language"] = channel.language
    if channel.complete:
        feed["expired"] = True
    if channel.hub:
        feed["hubs"] = [{"type": "WebSub", "url": channel.hub}]
    feed["_podcast"] = {"about": PODCAST_NS, "guid": channel.podcast_guid, "medium": channel.medium}
    feed["items"] = [_item(sanitize(item)) for item in items]
    text = json.dumps(feed, ensure_ascii=False, indent=2)
    return (text + "\n").encode("utf-8")


def _date(value: datetime) -> str:
    return value.isoformat()


def _item(item: Item) -> dict[str, Any]:
    out: dict[str, Any] = {"id": item.guid, "url": item.link, "title": item.title}
    if item.external_url:
        out["external_url"] = item.external_url
    # JSON Feed requires content_html or content_text on every item.
    if item.content_html:
        out["content_html"] = item.content_html
    else:
        out["content_text"] = item.summary or item.title
    if item.summary:
        out["summary"] = item.summary
    if item.image:
        out["image"] = item.image
    out["date_published"] = _date(item.published)
    out["date_modified"] = _date(item.updated)
    if item.author_names:
        out["authors"] = [{"name": name} for name in item.author_names]
    if item.tags:
        out["tags"] = list(item.tags)
    if item.enclosures:
        # One title for every file: JSON Feed reads attachments that share a title as
        # alternate forms (audio, video) of one thing.
        out["attachments"] = [_attachment(e, item.title) for e in item.enclosures]
    podcast = _podcast_item(item)
    if podcast:
        out["_podcast"] = podcast
    return out


def _podcast_item(item: Item) -> dict[str, Any]:
    """What the RSS feed says in the Podcasting 2.0 namespace, in a JSON Feed extension
    object (keys are the tag and attribute names)."""
    out: dict[str, Any] = {}
    if item.transcripts:
        out["transcripts"] = [
            {
                k: v
                for k, v in (
                    ("url", t.url),
                    ("type", t.mime_type),
                    ("language", t.language),
                    ("rel", t.rel),
                )
                if v
            }
            for t in item.transcripts
        ]
    if item.chapters is not None:
        out["chapters"] = {"url": item.chapters.url, "type": item.chapters.mime_type}
    if item.persons:
        out["persons"] = [
            {k: v for k, v in asdict(p).items() if v is not None} for p in item.persons
        ]
    if item.season is not None:
        out["season"] = item.season
    if item.episode is not None:
        out["episode"] = item.episode
    return {"about": PODCAST_NS, **out} if out else {}


def _attachment(enclosure: Enclosure, title: str) -> dict[str, Any]:
    out: dict[str, Any] = {"url": enclosure.url, "mime_type": enclosure.mime_type}
    out["title"] = title
    out["size_in_bytes"] = enclosure.length
    seconds = whole_seconds(enclosure.duration)
    if seconds is not None:
        out["duration_in_seconds"] = seconds
    return out
