"""RSS 2.0 with iTunes and Podcasting 2.0 tags, built with feedgen."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from feedgen.feed import FeedGenerator

from feeds import ext
from feeds.model import Channel, Item
from feeds.text import sanitize

GENERATOR = "Talkcast"
RSS_MIME = "application/rss+xml"


def build_rss(channel: Channel, items: Sequence[Item]) -> bytes:
    """Build an RSS 2.0 podcast feed; items appear in the order given."""
    channel = sanitize(channel)
    fg = FeedGenerator()
    ext.install(fg, channel, atom=False)
    fg.title(channel.title)
    fg.description(channel.description or channel.title)
    # feedgen takes the RSS <link> from the last link added, so the page link goes last.
    fg.link(href=channel.feed_url, rel="self", type=RSS_MIME)
    fg.link(href=channel.link, rel="alternate")
    fg.language(channel.language)
    # Set from the catalogue: feedgen would otherwise stamp the build time.
    fg.lastBuildDate(channel.updated)
    fg.generator(GENERATOR)
    if channel.copyright:
        fg.copyright(channel.copyright)
    if channel.image:
        fg.image(url=channel.image, title=channel.title, link=channel.link)
    for item in items:
        _add_item(fg, sanitize(item))
    xml: bytes = fg.rss_str(pretty=True, encoding="UTF-8", xml_declaration=True)
    return xml


def _add_item(fg: Any, item: Item) -> None:
    fe = fg.add_entry(order="append")
    ext.load_entry(fe, item)
    fe.title(item.title)
    fe.link(href=item.link, rel="alternate")
    fe.guid(item.guid, permalink=False)
    fe.pubDate(item.published)
    fe.updated(item.updated)
    description = item.summary or item.content_html
    if description:
        fe.description(description)
    if item.content_html:
        fe.content(item.content_html)
    if item.enclosures:
        primary = item.enclosures[0]
        fe.enclosure(url=primary.url, length=str(primary.length), type=primary.mime_type)
    for tag in item.tags:
        fe.category(term=tag)
