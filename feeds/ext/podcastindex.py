"""Podcasting 2.0 tags (https://podcastindex.org/namespace/1.0)."""

from __future__ import annotations

from lxml import etree

from feeds.ext.base import ChannelExtension, ItemExtension, rss_channel, sub
from feeds.model import Enclosure, Person

PODCAST_NS = "https://podcastindex.org/namespace/1.0"


def _tag(name: str) -> str:
    return f"{{{PODCAST_NS}}}{name}"


def _person(parent: etree._Element, person: Person) -> None:
    sub(
        parent,
        _tag("person"),
        person.name,
        role=person.role,
        group=person.group,
        href=person.href,
        img=person.img,
    )


def _alternate_enclosure(parent: etree._Element, enclosure: Enclosure, default: bool) -> None:
    alt = sub(
        parent,
        _tag("alternateEnclosure"),
        type=enclosure.mime_type,
        length=enclosure.length,
        bitrate=enclosure.bitrate,
        height=enclosure.height,
        title=enclosure.title,
        default="true" if default else None,
    )
    sub(alt, _tag("source"), uri=enclosure.url)


class PodcastIndexExtension(ChannelExtension):
    """Channel-level Podcasting 2.0 tags: guid, medium, locked, person, funding, location,
    license."""

    def extend_ns(self) -> dict[str, str]:
        """Namespace prefix for the feed root."""
        return {"podcast": PODCAST_NS}

    def extend_rss(self, rss: etree._Element) -> etree._Element:
        """Write the channel tags."""
        c = self.channel
        channel = rss_channel(rss)
        sub(channel, _tag("guid"), c.podcast_guid)
        sub(channel, _tag("medium"), c.medium)
        sub(
            channel,
            _tag("locked"),
            "yes" if c.locked else "no",
            owner=c.owner_email or None,
        )
        for person in c.persons:
            _person(channel, person)
        if c.funding:
            sub(channel, _tag("funding"), c.funding.text or None, url=c.funding.url)
        if c.location:
            sub(channel, _tag("location"), c.location)
        if c.license:
            sub(channel, _tag("license"), c.license)
        return rss


class PodcastIndexEntryExtension(ItemExtension):
    """Item-level Podcasting 2.0 tags."""

    def extend_rss(self, entry: etree._Element) -> etree._Element:
        """Write persons, transcripts, chapters, numbering and alternate enclosures."""
        item = self.item
        for person in item.persons:
            _person(entry, person)
        for transcript in item.transcripts:
            sub(
                entry,
                _tag("transcript"),
                url=transcript.url,
                type=transcript.mime_type,
                language=transcript.language,
                rel=transcript.rel,
            )
        if item.chapters is not None:
            sub(entry, _tag("chapters"), url=item.chapters.url, type=item.chapters.mime_type)
        if item.season is not None:
            sub(entry, _tag("season"), str(item.season))
        if item.episode is not None:
            sub(entry, _tag("episode"), str(item.episode))
        # A single file needs no alternates; with several, apps need the primary one
        # listed too (as the default) to offer a choice between them.
        if len(item.enclosures) > 1:
            for index, enclosure in enumerate(item.enclosures):
                _alternate_enclosure(entry, enclosure, default=index == 0)
        return entry
