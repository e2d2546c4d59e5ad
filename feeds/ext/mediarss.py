"""Media RSS (https://www.rssboard.org/media-rss) for video readers, in RSS and Atom.

Readers that show video (and Atom readers, which have no enclosure duration) take size,
duration and frame size from ``media:content``; an item's several files are one
``media:group`` of alternates, the first being the default.
"""

from __future__ import annotations

from lxml import etree

from feeds.ext.base import ChannelExtension, ItemExtension, rss_channel, sub
from feeds.model import Enclosure
from feeds.text import whole_seconds

MEDIA_NS = "http://search.yahoo.com/mrss/"


def _tag(name: str) -> str:
    return f"{{{MEDIA_NS}}}{name}"


def _content(parent: etree._Element, enclosure: Enclosure, default: bool) -> None:
    medium = enclosure.mime_type.split("/", 1)[0]
    sub(
        parent,
        _tag("content"),
        url=enclosure.url,
        type=enclosure.mime_type,
        fileSize=enclosure.length,
        medium=medium if medium in ("audio", "video", "image") else None,
        isDefault="true" if default else None,
        duration=whole_seconds(enclosure.duration),
        # Media RSS gives bitrates in kilobits per second.
        bitrate=round(enclosure.bitrate / 1000) if enclosure.bitrate else None,
        width=enclosure.width,
        height=enclosure.height,
    )


class MediaRssExtension(ChannelExtension):
    """The channel's artwork as its thumbnail."""

    def extend_ns(self) -> dict[str, str]:
        """Namespace prefix for the feed root."""
        return {"media": MEDIA_NS}

    def _write(self, parent: etree._Element) -> None:
        if self.channel.image:
            sub(parent, _tag("thumbnail"), url=self.channel.image)

    def extend_rss(self, rss: etree._Element) -> etree._Element:
        """Add the thumbnail to the RSS channel."""
        self._write(rss_channel(rss))
        return rss

    def extend_atom(self, feed: etree._Element) -> etree._Element:
        """Add the thumbnail to the Atom feed."""
        self._write(feed)
        return feed


class MediaRssEntryExtension(ItemExtension):
    """Each item's files (one ``media:content``, or a ``media:group`` of them) and art."""

    def _write(self, entry: etree._Element) -> None:
        item = self.item
        enclosures = item.enclosures
        if len(enclosures) == 1:
            _content(entry, enclosures[0], default=False)
        elif enclosures:
            group = sub(entry, _tag("group"))
            for index, enclosure in enumerate(enclosures):
                _content(group, enclosure, default=index == 0)
        if item.image:
            sub(entry, _tag("thumbnail"), url=item.image)

    def extend_rss(self, entry: etree._Element) -> etree._Element:
        """Write into an RSS item."""
        self._write(entry)
        return entry

    def extend_atom(self, entry: etree._Element) -> etree._Element:
        """Write into an Atom entry."""
        self._write(entry)
        return entry
