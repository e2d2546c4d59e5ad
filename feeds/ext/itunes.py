"""Apple Podcasts (iTunes) tags, written the way Apple documents them today.

feedgen's own podcast extension writes ``itunes:explicit`` as yes/no/clean; Apple now
expects ``true``/``false``, so we write the whole namespace ourselves.
"""

from __future__ import annotations

from lxml import etree

from feeds.ext.base import ChannelExtension, ItemExtension, rss_channel, sub
from feeds.text import whole_seconds

ITUNES_NS = "http://www.itunes.com/dtds/podcast-1.0.dtd"


def _tag(name: str) -> str:
    return f"{{{ITUNES_NS}}}{name}"


def _bool(value: bool) -> str:
    return "true" if value else "false"


class ItunesExtension(ChannelExtension):
    """Channel-level iTunes tags."""

    def extend_ns(self) -> dict[str, str]:
        """Namespace prefix for the feed root."""
        return {"itunes": ITUNES_NS}

    def extend_rss(self, rss: etree._Element) -> etree._Element:
        """Write new-feed-url, subtitle, author, owner, image, categories, explicit, type,
        complete and block."""
        c = self.channel
        channel = rss_channel(rss)
        if c.new_feed_url:
            sub(channel, _tag("new-feed-url"), c.new_feed_url)
        if c.subtitle:
            sub(channel, _tag("subtitle"), c.subtitle)
        if c.author:
            sub(channel, _tag("author"), c.author)
        if c.owner_name or c.owner_email:
            owner = sub(channel, _tag("owner"))
            if c.owner_name:
                sub(owner, _tag("name"), c.owner_name)
            if c.owner_email:
                sub(owner, _tag("email"), c.owner_email)
        if c.image:
            sub(channel, _tag("image"), href=c.image)
        for category in c.categories:
            outer = sub(channel, _tag("category"), text=category.name)
            if category.sub:
                sub(outer, _tag("category"), text=category.sub)
        sub(channel, _tag("explicit"), _bool(c.explicit))
        sub(channel, _tag("type"), c.show_type)
        if c.complete:
            sub(channel, _tag("complete"), "Yes")
        if c.block:
            sub(channel, _tag("block"), "Yes")
        return rss


class ItunesEntryExtension(ItemExtension):
    """Item-level iTunes tags."""

    def extend_rss(self, entry: etree._Element) -> etree._Element:
        """Write title, author, image, duration, explicit, episode type and numbering."""
        item = self.item
        sub(entry, _tag("title"), item.title)
        if item.author:
            sub(entry, _tag("author"), item.author)
        if item.image:
            sub(entry, _tag("image"), href=item.image)
        seconds = whole_seconds(item.duration)
        if seconds is not None:
            sub(entry, _tag("duration"), str(seconds))
        sub(entry, _tag("explicit"), _bool(item.explicit))
        sub(entry, _tag("episodeType"), item.episode_type)
        if item.season is not None:
            sub(entry, _tag("season"), str(item.season))
        if item.episode is not None:
            sub(entry, _tag("episode"), str(item.episode))
        if item.summary:
            sub(entry, _tag("summary"), item.summary)
        return entry
