"""Atom 1.0 output: RFC 4287 RELAX NG validity, enclosures, ids and links."""

from __future__ import annotations

import copy
import dataclasses
import uuid
from collections.abc import Callable
from datetime import datetime

import feedparser
import pytest
from lxml import etree

from feeds.atom import build_atom, entry_id
from feeds.model import Channel, Item

ATOM = "http://www.w3.org/2005/Atom"
NS = {"a": ATOM}


@pytest.fixture
def atom_bytes(channel: Channel, talks: list[Item]) -> bytes:
    return build_atom(channel, talks)


@pytest.fixture
def feed(atom_bytes: bytes) -> etree._Element:
    return etree.fromstring(atom_bytes)


def test_validates_against_rfc4287_schema(relaxng: etree.RelaxNG, feed: etree._Element) -> None:
    assert relaxng.validate(feed), relaxng.error_log


def test_schema_rejects_entry_without_id(relaxng: etree.RelaxNG, feed: etree._Element) -> None:
    broken = copy.deepcopy(feed)
    entry = broken.find("a:entry", NS)
    entry.remove(entry.find("a:id", NS))
    assert not relaxng.validate(broken)
    assert "id" in str(relaxng.error_log)


def test_schema_rejects_bad_date(relaxng: etree.RelaxNG, feed: etree._Element) -> None:
    broken = copy.deepcopy(feed)
    broken.find("a:updated", NS).text = "Tue, 28 May 2019 10:00:00 +0100"
    assert not relaxng.validate(broken)


def test_minimal_channel_validates(
    relaxng: etree.RelaxNG, make_channel: Callable[..., Channel], talks: list[Item]
) -> None:
    bare = make_channel(author="", owner_email="", description="", copyright=None, image=None)
    items = [dataclasses.replace(t, summary="", content_html="", author=None) for t in talks]
    feed = etree.fromstring(build_atom(bare, items))
    assert relaxng.validate(feed), relaxng.error_log
    # RFC 4287 needs an author somewhere: the channel title stands in.
    assert feed.xpath("a:author/a:name/text()", namespaces=NS) == [bare.title]


def test_feedparser_recovers_titles_links_enclosures(
    atom_bytes: bytes, channel: Channel, talks: list[Item]
) -> None:
    parsed = feedparser.parse(atom_bytes)
    assert parsed.bozo == 0
    assert parsed.version == "atom10"
    assert parsed.feed.title == channel.title
    assert parsed.feed.link == channel.link
    assert [e.title for e in parsed.entries] == [t.title for t in talks]
    for entry, talk in zip(parsed.entries, talks, strict=True):
        assert entry.link == talk.link
        got = [(e.href, e.type, int(e.length)) for e in entry.enclosures]
        assert got == [(e.url, e.mime_type, e.length) for e in talk.enclosures]


def test_every_enclosure_is_a_link(feed: etree._Element, talks: list[Item]) -> None:
    geometric = talks[1]
    (entry,) = feed.xpath("a:entry[a:title=$t]", t=geometric.title, namespaces=NS)
    links = entry.xpath("a:link[@rel='enclosure']", namespaces=NS)
    assert [(ln.get("href"), ln.get("type"), ln.get("length")) for ln in links] == [
        (e.url, e.mime_type, str(e.length)) for e in geometric.enclosures
    ]


def test_feed_id_author_and_links(feed: etree._Element, channel: Channel) -> None:
    assert feed.findtext("a:id", namespaces=NS) == channel.feed_id
    assert feed.xpath("a:author/a:name/text()", namespaces=NS) == [channel.author]

    def hrefs(rel: str) -> list[str]:
        return feed.xpath("a:link[@rel=$rel]/@href", rel=rel, namespaces=NS)

    assert hrefs("self") == [channel.feed_url]
    assert hrefs("alternate") == [channel.link] + [a.url for a in channel.alternates]
    assert hrefs("hub") == [channel.hub]
    assert hrefs("current") == [channel.archive.current]
    assert hrefs("prev-archive") == [channel.archive.prev_archive]
    assert hrefs("next-archive") == [channel.archive.next_archive]
    lang = feed.get("{http://www.w3.org/XML/1998/namespace}lang")
    assert lang == channel.language


def test_dates_come_from_the_catalogue(
    feed: etree._Element, channel: Channel, talks: list[Item]
) -> None:
    assert datetime.fromisoformat(feed.findtext("a:updated", namespaces=NS)) == channel.updated
    for entry, talk in zip(feed.findall("a:entry", NS), talks, strict=True):
        assert datetime.fromisoformat(entry.findtext("a:updated", namespaces=NS)) == talk.updated
        published = entry.findtext("a:published", namespaces=NS)
        assert datetime.fromisoformat(published) == talk.published


def test_summary_and_html_content(feed: etree._Element, talks: list[Item]) -> None:
    stable = talks[0]
    entry = feed.find("a:entry", NS)
    assert entry.findtext("a:summary", namespaces=NS) == stable.summary
    content = entry.find("a:content", NS)
    assert (content.get("type"), content.text) == ("html", stable.content_html)
    assert entry.xpath("a:category/@term", namespaces=NS) == list(stable.tags)


def test_entry_ids(feed: etree._Element, talks: list[Item]) -> None:
    ids = feed.xpath("a:entry/a:id/text()", namespaces=NS)
    stable, geometric, hart = talks
    assert ids[0] == uuid.UUID(stable.guid).urn
    assert ids[1] == geometric.guid
    assert ids[2].startswith("tag:www.newton.ac.uk,")
    assert ids[2].endswith(":" + hart.guid)
    assert len(set(ids)) == len(ids)


@pytest.mark.parametrize(
    ("guid", "expected"),
    [
        ("7B1C9A4E-3F7E-4D1E-8A51-2D2C8F0B9E61", "urn:uuid:7b1c9a4e-3f7e-4d1e-8a51-2d2c8f0b9e61"),
        ("https://sms.cam.ac.uk/media/2944183", "https://sms.cam.ac.uk/media/2944183"),
        ("urn:isbn:0451450523", "urn:isbn:0451450523"),
        ("plus-ep-0412", "tag:plus.example.org,2024:plus-ep-0412"),
        (
            "4711 at https://plus.maths.org/content",
            "tag:plus.example.org,2024:4711%20at%20https://plus.maths.org/content",
        ),
    ],
)
def test_entry_id_forms(guid: str, expected: str) -> None:
    assert entry_id(guid, "plus.example.org") == expected


def test_rebuild_is_byte_identical(channel: Channel, talks: list[Item]) -> None:
    assert build_atom(channel, talks) == build_atom(channel, talks)


def test_hostile_text_gives_valid_atom(
    relaxng: etree.RelaxNG, channel: Channel, hostile_item: Item, forbidden_chars: str
) -> None:
    data = build_atom(dataclasses.replace(channel, title=hostile_item.title), [hostile_item])
    feed = etree.fromstring(data)
    assert relaxng.validate(feed), relaxng.error_log
    title = feed.findtext("a:entry/a:title", namespaces=NS)
    assert '<script>alert("x")</script> & AT&T ]]>' in title
    assert not set(title) & set(forbidden_chars)
    assert feedparser.parse(data).bozo == 0


def test_entry_without_media(relaxng: etree.RelaxNG, channel: Channel, talks: list[Item]) -> None:
    text_only = dataclasses.replace(talks[0], enclosures=())
    feed = etree.fromstring(build_atom(channel, [text_only]))
    assert relaxng.validate(feed), relaxng.error_log
    assert feed.xpath("a:entry/a:link/@href", namespaces=NS) == [text_only.link]


def test_the_upstream_page_is_a_related_link(feed: etree._Element, talks: list[Item]) -> None:
    related = feed.xpath("//a:entry/a:link[@rel='related']", namespaces=NS)
    assert [(e.get("href"), e.get("type")) for e in related] == [
        (t.external_url, "text/html") for t in talks if t.external_url
    ]
    parsed = feedparser.parse(etree.tostring(feed))
    hrefs = [link.href for e in parsed.entries for link in e.links if link.rel == "related"]
    assert hrefs == ["https://sms.cam.ac.uk/media/2944190"]


def test_icon_is_the_square_art_and_logo_the_banner(feed: etree._Element, channel: Channel) -> None:
    assert feed.findtext("a:icon", namespaces=NS) == channel.image
    assert feed.findtext("a:logo", namespaces=NS) == channel.logo


def test_every_entry_has_text_content(
    relaxng: etree.RelaxNG, channel: Channel, talks: list[Item]
) -> None:
    bare = dataclasses.replace(talks[0], content_html="", summary="")
    doc = etree.fromstring(build_atom(channel, [bare, *talks[1:]]))
    assert relaxng.validate(doc), relaxng.error_log
    contents = [e.find("a:content", NS) for e in doc.findall("a:entry", NS)]
    assert all(c is not None and c.text for c in contents)
    assert (contents[0].get("type"), contents[0].text) == ("text", bare.title)
    assert feedparser.parse(etree.tostring(doc)).entries[0].content[0].value == bare.title


def test_media_rss_gives_atom_readers_size_and_duration(
    atom_bytes: bytes, talks: list[Item]
) -> None:
    entries = feedparser.parse(atom_bytes).entries
    for entry, talk in zip(entries, talks, strict=True):
        media = {m["url"]: m for m in entry.media_content}
        assert set(media) == {e.url for e in talk.enclosures}
        for enclosure in talk.enclosures:
            found = media[enclosure.url]
            assert int(found["filesize"]) == enclosure.length
            assert found["type"] == enclosure.mime_type
            if enclosure.duration:
                assert int(found["duration"]) == round(enclosure.duration)
