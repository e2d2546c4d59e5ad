"""Podcasting 2.0 tags (https://podcastindex.org/namespace/1.0)."""

from __future__ import annotations

from lxml import etree

from feeds.ext.base import ChannelExtension, ItemExtension, rss_channel, sub
from feeds.model import Channel, Enclosure, Item, LiveItem, Person

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


def _seconds(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".")


def _channel_extras(channel: etree._Element, c: Channel) -> None:
    """Artwork sizes, update frequency, txt, podroll and live items."""
    if c.images:
        srcset = ", ".join(f"{i.url} {i.width}w" for i in c.images)
        sub(channel, _tag("images"), srcset=srcset)
    if c.update_frequency:
        f = c.update_frequency
        sub(
            channel,
            _tag("updateFrequency"),
            f.text,
            rrule=f.rrule,
            complete="true" if f.complete else None,
        )
    if c.txt:
        sub(channel, _tag("txt"), c.txt.value, purpose=c.txt.purpose)
    if c.podroll:
        podroll = sub(channel, _tag("podroll"))
        for remote in c.podroll:
            sub(
                podroll,
                _tag("remoteItem"),
                feedGuid=remote.feed_guid,
                feedUrl=remote.feed_url,
                title=remote.title,
            )
    for live in c.live_items:
        _live_item(channel, live)


def _live_item(channel: etree._Element, live: LiveItem) -> None:
    """A talk to come or on now: an item-shaped element whose enclosure is the stream."""
    item = live.item
    elem = sub(
        channel,
        _tag("liveItem"),
        status=live.status,
        start=live.start.isoformat(),
        end=live.end.isoformat() if live.end else None,
    )
    sub(elem, "title", item.title)
    sub(elem, "guid", item.guid, isPermaLink="false")
    sub(elem, "link", item.link)
    if item.summary:
        sub(elem, "description", item.summary)
    for enclosure in item.enclosures[:1]:
        # A stream has no length; RSS wants the attribute, and 0 says "unknown".
        sub(elem, "enclosure", url=enclosure.url, type=enclosure.mime_type, length=0)
    for person in item.persons:
        _person(elem, person)
    if live.content_link:
        sub(elem, _tag("contentLink"), "The talk's page", href=live.content_link)


def _item_extras(entry: etree._Element, item: Item) -> None:
    """Soundbites, the venue and the discussion thread."""
    for bite in item.soundbites:
        sub(
            entry,
            _tag("soundbite"),
            bite.title or None,
            startTime=_seconds(bite.start),
            duration=_seconds(bite.duration),
        )
    if item.location:
        sub(entry, _tag("location"), item.location)
    if item.social:
        sub(entry, _tag("socialInteract"), uri=item.social.uri, protocol=item.social.protocol)


class PodcastIndexExtension(ChannelExtension):
    """Channel-level Podcasting 2.0 tags: guid, medium, locked, person, funding, location,
    license, images, updateFrequency, txt, podroll and liveItem."""

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
        _channel_extras(channel, c)
        return rss


class PodcastIndexEntryExtension(ItemExtension):
    """Item-level Podcasting 2.0 tags."""

    def extend_rss(self, entry: etree._Element) -> etree._Element:
        """Write persons, transcripts, chapters, numbering, alternate enclosures, soundbites,
        location and socialInteract."""
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
        _item_extras(entry, item)
        return entry
