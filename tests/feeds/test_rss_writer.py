"""RSS 2.0 + iTunes + Podcasting 2.0 output, checked with real parsers and XPath."""

from __future__ import annotations

import dataclasses
import io
import re
from collections.abc import Callable
from email.utils import parsedate_to_datetime

import feedparser
import podcastparser
import pytest
from lxml import etree

from feeds.model import ArchiveLinks, Channel, Item
from feeds.rss import build_rss

NS = {
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "podcast": "https://podcastindex.org/namespace/1.0",
    "atom": "http://www.w3.org/2005/Atom",
    "content": "http://purl.org/rss/1.0/modules/content/",
}
RFC2822 = re.compile(r"[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}")


@pytest.fixture
def rss(channel: Channel, talks: list[Item]) -> etree._Element:
    return etree.fromstring(build_rss(channel, talks))


def _item(rss: etree._Element, guid: str) -> etree._Element:
    (item,) = rss.xpath("/rss/channel/item[guid=$g]", g=guid)
    return item


def test_output_is_utf8_with_declaration(channel: Channel, talks: list[Item]) -> None:
    data = build_rss(channel, talks)
    assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    data.decode("utf-8")


def test_feedparser_recovers_titles_links_enclosures(channel: Channel, talks: list[Item]) -> None:
    parsed = feedparser.parse(build_rss(channel, talks))
    assert parsed.bozo == 0
    assert parsed.version == "rss20"
    assert parsed.feed.title == channel.title
    assert parsed.feed.link == channel.link
    assert [e.title for e in parsed.entries] == [t.title for t in talks]
    for entry, talk in zip(parsed.entries, talks, strict=True):
        assert entry.link == talk.link
        assert entry.id == talk.guid
        primary = talk.enclosures[0]
        (enclosure,) = entry.enclosures
        assert enclosure.href == primary.url
        assert enclosure.type == primary.mime_type
        assert int(enclosure.length) == primary.length


def test_podcastparser_recovers_episodes(channel: Channel, talks: list[Item]) -> None:
    parsed = podcastparser.parse(channel.feed_url, io.BytesIO(build_rss(channel, talks)))
    assert parsed["title"] == channel.title
    episodes = {e["guid"]: e for e in parsed["episodes"]}
    assert set(episodes) == {t.guid for t in talks}
    for talk in talks:
        episode = episodes[talk.guid]
        primary = talk.enclosures[0]
        found = [(e["url"], e["file_size"], e["mime_type"]) for e in episode["enclosures"]]
        # The enclosure comes first; Media RSS repeats it with any alternates, which
        # gPodder lists too (the same URL twice is one file).
        assert found[0] == (primary.url, primary.length, primary.mime_type)
        assert set(found) == {(e.url, e.length, e.mime_type) for e in talk.enclosures}
        assert primary.duration is not None
        assert episode["total_time"] == round(primary.duration)
        assert episode["published"] == int(talk.published.timestamp())


def test_items_keep_the_given_order(channel: Channel, talks: list[Item]) -> None:
    reordered = [talks[2], talks[0], talks[1]]
    rss = etree.fromstring(build_rss(channel, reordered))
    assert rss.xpath("/rss/channel/item/guid/text()") == [t.guid for t in reordered]


def test_itunes_explicit_is_true_or_false(rss: etree._Element, talks: list[Item]) -> None:
    assert rss.xpath("string(/rss/channel/itunes:explicit)", namespaces=NS) == "false"
    for talk in talks:
        item = _item(rss, talk.guid)
        expected = "true" if talk.explicit else "false"
        assert item.xpath("itunes:explicit/text()", namespaces=NS) == [expected]
    values = set(rss.xpath("//itunes:explicit/text()", namespaces=NS))
    assert values == {"true", "false"}


def test_itunes_channel_tags(rss: etree._Element, channel: Channel) -> None:
    c = rss.find("channel")
    assert c.xpath("itunes:image/@href", namespaces=NS) == [channel.image]
    assert c.xpath("itunes:author/text()", namespaces=NS) == [channel.author]
    assert c.xpath("itunes:owner/itunes:name/text()", namespaces=NS) == [channel.owner_name]
    assert c.xpath("itunes:owner/itunes:email/text()", namespaces=NS) == [channel.owner_email]
    assert c.xpath("itunes:type/text()", namespaces=NS) == ["episodic"]
    assert c.xpath("itunes:complete", namespaces=NS) == []
    categories = [
        (cat.get("text"), cat.xpath("itunes:category/@text", namespaces=NS))
        for cat in c.xpath("itunes:category", namespaces=NS)
    ]
    assert categories == [("Science", ["Mathematics"]), ("Education", [])]


def test_itunes_complete_and_serial(
    make_channel: Callable[..., Channel], talks: list[Item]
) -> None:
    rss = etree.fromstring(build_rss(make_channel(complete=True, show_type="serial"), talks))
    assert rss.xpath("/rss/channel/itunes:complete/text()", namespaces=NS) == ["Yes"]
    assert rss.xpath("/rss/channel/itunes:type/text()", namespaces=NS) == ["serial"]


def test_itunes_item_tags(rss: etree._Element, talks: list[Item]) -> None:
    stable, geometric, hart = talks
    item = _item(rss, geometric.guid)
    assert item.xpath("itunes:duration/text()", namespaces=NS) == ["2701"]
    assert item.xpath("itunes:season/text()", namespaces=NS) == ["2"]
    assert item.xpath("itunes:episode/text()", namespaces=NS) == ["7"]
    assert item.xpath("itunes:episodeType/text()", namespaces=NS) == ["full"]
    assert item.xpath("itunes:title/text()", namespaces=NS) == [geometric.title]
    assert item.xpath("itunes:author/text()", namespaces=NS) == [geometric.author]
    item = _item(rss, hart.guid)
    assert item.xpath("itunes:episodeType/text()", namespaces=NS) == ["bonus"]
    assert item.xpath("itunes:image/@href", namespaces=NS) == [hart.image]
    assert item.xpath("itunes:season", namespaces=NS) == []
    # Durations are whole seconds: 1478.6 s rounds up.
    item = _item(rss, stable.guid)
    assert item.xpath("itunes:duration/text()", namespaces=NS) == ["1479"]


def test_enclosure_is_primary_file_with_length_in_bytes(
    rss: etree._Element, talks: list[Item]
) -> None:
    for talk in talks:
        (enclosure,) = _item(rss, talk.guid).findall("enclosure")
        primary = talk.enclosures[0]
        assert enclosure.get("url") == primary.url
        assert enclosure.get("type") == primary.mime_type
        assert enclosure.get("length") == str(primary.length)


def test_pub_date_is_rfc2822(rss: etree._Element, talks: list[Item]) -> None:
    for talk in talks:
        text = _item(rss, talk.guid).findtext("pubDate")
        assert RFC2822.fullmatch(text)
        assert parsedate_to_datetime(text) == talk.published
    last_build = rss.findtext("channel/lastBuildDate")
    assert RFC2822.fullmatch(last_build)


def test_last_build_date_comes_from_channel(rss: etree._Element, channel: Channel) -> None:
    assert parsedate_to_datetime(rss.findtext("channel/lastBuildDate")) == channel.updated


def test_guid_is_exactly_the_given_string_and_unique(
    rss: etree._Element, talks: list[Item]
) -> None:
    guids = rss.xpath("/rss/channel/item/guid")
    assert [g.text for g in guids] == [t.guid for t in talks]
    assert len({g.text for g in guids}) == len(guids)
    assert {g.get("isPermaLink") for g in guids} == {"false"}


def test_channel_basics(rss: etree._Element, channel: Channel) -> None:
    c = rss.find("channel")
    assert c.findtext("title") == channel.title
    assert c.findtext("link") == channel.link
    assert c.findtext("description") == channel.description
    assert c.findtext("language") == channel.language
    assert c.findtext("copyright") == channel.copyright
    assert c.findtext("image/url") == channel.image
    assert c.findtext("image/link") == channel.link


def test_atom_links(rss: etree._Element, channel: Channel) -> None:
    c = rss.find("channel")

    def hrefs(rel: str) -> list[str]:
        return c.xpath("atom:link[@rel=$rel]/@href", rel=rel, namespaces=NS)

    assert hrefs("self") == [channel.feed_url]
    assert c.xpath("atom:link[@rel='self']/@type", namespaces=NS) == ["application/rss+xml"]
    assert hrefs("hub") == [channel.hub]
    assert hrefs("current") == [channel.archive.current]
    assert hrefs("prev-archive") == [channel.archive.prev_archive]
    assert hrefs("next-archive") == [channel.archive.next_archive]
    assert hrefs("alternate") == [a.url for a in channel.alternates]


def test_no_optional_links_when_absent(
    make_channel: Callable[..., Channel], talks: list[Item]
) -> None:
    bare = make_channel(hub=None, alternates=(), archive=ArchiveLinks())
    rss = etree.fromstring(build_rss(bare, talks))
    rels = rss.xpath("/rss/channel/atom:link/@rel", namespaces=NS)
    assert rels == ["self"]


def test_item_text_fields(rss: etree._Element, talks: list[Item]) -> None:
    stable, geometric, hart = talks
    item = _item(rss, stable.guid)
    assert item.findtext("description") == stable.summary
    assert item.xpath("content:encoded/text()", namespaces=NS) == [stable.content_html]
    assert item.xpath("category/text()") == list(stable.tags)
    # Without a summary, the HTML doubles as the description.
    assert _item(rss, hart.guid).findtext("description") == hart.content_html
    assert _item(rss, geometric.guid).xpath("content:encoded", namespaces=NS) == []


def test_podcast_channel_tags(rss: etree._Element, channel: Channel) -> None:
    c = rss.find("channel")
    assert c.xpath("podcast:guid/text()", namespaces=NS) == [channel.podcast_guid]
    assert c.xpath("podcast:medium/text()", namespaces=NS) == ["podcast"]
    (locked,) = c.xpath("podcast:locked", namespaces=NS)
    assert (locked.text, locked.get("owner")) == ("no", channel.owner_email)
    (person,) = c.xpath("podcast:person", namespaces=NS)
    host = channel.persons[0]
    assert (person.text, person.get("role"), person.get("group"), person.get("href")) == (
        host.name,
        host.role,
        host.group,
        host.href,
    )


def test_podcast_locked_yes(make_channel: Callable[..., Channel], talks: list[Item]) -> None:
    rss = etree.fromstring(build_rss(make_channel(locked=True), talks))
    assert rss.xpath("/rss/channel/podcast:locked/text()", namespaces=NS) == ["yes"]


def test_podcast_item_tags(rss: etree._Element, talks: list[Item]) -> None:
    stable, geometric, _ = talks
    item = _item(rss, stable.guid)
    (person,) = item.xpath("podcast:person", namespaces=NS)
    assert (person.text, person.get("role"), person.get("img")) == (
        "Thesing, L",
        "guest",
        stable.persons[0].img,
    )
    (transcript,) = item.xpath("podcast:transcript", namespaces=NS)
    expected = stable.transcripts[0]
    assert dict(transcript.attrib) == {
        "url": expected.url,
        "type": expected.mime_type,
        "language": expected.language,
        "rel": expected.rel,
    }
    assert stable.chapters is not None
    (chapters,) = item.xpath("podcast:chapters", namespaces=NS)
    assert dict(chapters.attrib) == {
        "url": stable.chapters.url,
        "type": "application/json+chapters",
    }
    # One file: no alternate enclosures at all.
    assert item.xpath("podcast:alternateEnclosure", namespaces=NS) == []
    item = _item(rss, geometric.guid)
    assert item.xpath("podcast:season/text()", namespaces=NS) == ["2"]
    assert item.xpath("podcast:episode/text()", namespaces=NS) == ["7"]


def test_alternate_enclosures_for_every_file(rss: etree._Element, talks: list[Item]) -> None:
    geometric = talks[1]
    alternates = _item(rss, geometric.guid).xpath("podcast:alternateEnclosure", namespaces=NS)
    assert len(alternates) == len(geometric.enclosures)
    for alt, enclosure in zip(alternates, geometric.enclosures, strict=True):
        assert alt.get("type") == enclosure.mime_type
        assert alt.get("length") == str(enclosure.length)
        assert alt.get("bitrate") == str(enclosure.bitrate)
        assert alt.get("title") == enclosure.title
        assert alt.xpath("podcast:source/@uri", namespaces=NS) == [enclosure.url]
    assert [a.get("default") for a in alternates] == ["true", None]


def test_rebuild_is_byte_identical(channel: Channel, talks: list[Item]) -> None:
    assert build_rss(channel, talks) == build_rss(channel, talks)


def test_hostile_text_gives_well_formed_xml(
    channel: Channel, hostile_item: Item, forbidden_chars: str
) -> None:
    data = build_rss(dataclasses.replace(channel, title=hostile_item.title), [hostile_item])
    rss = etree.fromstring(data)  # a strict parser: raises on anything malformed
    title = rss.findtext("channel/item/title")
    assert '<script>alert("x")</script> & AT&T ]]>' in title
    assert "\U0001f9ee" in title
    assert not set(title) & set(forbidden_chars)
    assert rss.findtext("channel/title") == title
    assert feedparser.parse(data).bozo == 0


def test_item_without_media(channel: Channel, talks: list[Item]) -> None:
    text_only = dataclasses.replace(talks[0], enclosures=())
    rss = etree.fromstring(build_rss(channel, [text_only]))
    item = _item(rss, text_only.guid)
    assert item.findall("enclosure") == []
    assert item.xpath("itunes:duration", namespaces=NS) == []
    assert item.findtext("title") == text_only.title


MRSS = {"media": "http://search.yahoo.com/mrss/"}


def test_media_rss_groups_an_items_files(rss: etree._Element, talks: list[Item]) -> None:
    items = rss.findall("channel/item")
    for item, talk in zip(items, talks, strict=True):
        if len(talk.enclosures) > 1:
            contents = item.findall("media:group/media:content", MRSS)
            assert [c.get("isDefault") for c in contents][0] == "true"
        else:
            contents = item.findall("media:content", MRSS)
        assert [(c.get("url"), c.get("fileSize"), c.get("medium")) for c in contents] == [
            (e.url, str(e.length), e.mime_type.split("/")[0]) for e in talk.enclosures
        ]
        video = [c for c in contents if c.get("medium") == "video"]
        assert all(c.get("width") and c.get("height") for c in video)
    thumbs = rss.xpath("channel/media:thumbnail/@url", namespaces=MRSS)
    assert thumbs == [rss.findtext("channel/image/url")]
