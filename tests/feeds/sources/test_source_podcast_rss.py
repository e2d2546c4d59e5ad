"""Podcast RSS 2.0 and Atom feeds through feedparser: enclosures, durations, ids."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from feeds.sources import SourceFormatError, UpstreamMedia, parse
from feeds.sources.values import parse_duration

FEED_URL = "https://feeds.example/plus.xml"


def test_rss_items_enclosures_and_durations(fixture_bytes: Callable[[str], bytes]) -> None:
    items = parse("rss", fixture_bytes("podcast.rss"), FEED_URL)

    assert [item.external_id for item in items] == [
        "plus-ep-0412",
        "plus-ep-0411",
        "https://plus.maths.org/content/opening-black-box-video",  # no guid: the link
    ]
    # 24:39, 1478 and 01:02:03 in the feed
    assert [item.duration for item in items] == [24 * 60 + 39, 1478, 3600 + 2 * 60 + 3]
    assert [item.media for item in items] == [
        (UpstreamMedia("https://media.example/sarah-hart.mp3", "audio/mpeg", 23664000),),
        (UpstreamMedia("https://media.example/digital-hearts.m4a", "audio/x-m4a", 1234567),),
        (UpstreamMedia("https://feeds.example/media/opening-black-box.mp4", "video/mp4", None),),
    ]


def test_rss_item_fields(fixture_bytes: Callable[[str], bytes]) -> None:
    first, second, third = parse("rss", fixture_bytes("podcast.rss"), FEED_URL)

    assert first.title == "Living proof: A conversation with Sarah Hart"
    assert first.persons == ("Rachel Thomas",)
    assert first.published == datetime(2025, 4, 22, 9, 0, tzinfo=UTC)
    assert first.thumbnail == "https://plus.maths.org/sarah-hart.jpg"
    assert first.page_url == "https://plus.maths.org/content/living-proof-sarah-hart"
    assert "Sarah Hart is a mathematician" in first.description
    assert first.collection == "Maths on the Move"
    assert second.published == datetime(2025, 11, 24, 9, 30, tzinfo=UTC)
    assert second.page_url is None
    assert "organisers of the MDL programme" in third.description


def test_atom_enclosure_links(fixture_bytes: Callable[[str], bytes]) -> None:
    web, bare = parse("rss", fixture_bytes("podcast.atom"), "https://feeds.example/lp.atom")

    assert web.external_id == "https://www.newton.ac.uk/podcast/building-digital-hearts"
    assert web.media == (
        UpstreamMedia("https://media.example/lp/digital-hearts.mp3", "audio/mpeg", 31457280),
    )
    assert web.duration == 32 * 60 + 46
    assert web.persons == ("Dan Aspel",)
    assert web.published == datetime(2025, 11, 20, 9, 0, tzinfo=UTC)
    assert web.updated == datetime(2025, 11, 21, 10, 0, tzinfo=UTC)
    assert bare.external_id == "urn:uuid:0d6f2c1a-3b7e-4c55-8d2a-2e4b9a6f1c77"
    assert bare.page_url is None
    assert bare.published == datetime(2025, 10, 2, 8, 0, tzinfo=UTC)  # only <updated> given


def test_undefined_html_entity_is_tolerated() -> None:
    feed = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Talks</title>
      <item><title>Deep&nbsp;learning</title><guid isPermaLink="false">t-1</guid></item>
      </channel></rss>"""

    (item,) = parse("rss", feed, FEED_URL)

    assert (item.external_id, item.title) == ("t-1", "Deep\xa0learning")


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (b"<!DOCTYPE html><html><body><p>Not found</p></body></html>", "found an HTML page"),
        (b'<?xml version="1.0"?><rss version="2.0"><chan', "found a broken document"),
        (b"<list><talk><id>1</id></talk></list>", "found no <rss>, <feed> or <rdf:RDF> root"),
        (b"", "found an empty document"),
    ],
)
def test_non_feeds_are_format_errors(document: bytes, message: str) -> None:
    with pytest.raises(SourceFormatError, match=message):
        parse("rss", document, FEED_URL)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("3600", 3600.0), ("24:39", 1479.0), ("01:02:03", 3723.0), (" 90.5 ", 90.5)],
)
def test_durations(value: str, seconds: float) -> None:
    assert parse_duration(value) == seconds


@pytest.mark.parametrize("value", ["", "soon", "-5", "nan", "1:2:3:4", None])
def test_unreadable_durations_are_none(value: str | None) -> None:
    assert parse_duration(value) is None
