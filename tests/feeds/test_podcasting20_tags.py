"""The Podcasting 2.0 tags apps read beyond the basics, as partytime, feedparser and
podcastparser see them: images, updateFrequency, txt, podroll, liveItem, soundbite,
item location and socialInteract."""

from __future__ import annotations

import dataclasses
import io
from datetime import UTC, datetime

import feedparser
import podcastparser
import pytest
from lxml import etree
from podcast_clients import partytime

from feeds.model import (
    Channel,
    Enclosure,
    ImageSize,
    Item,
    LiveItem,
    RemoteItem,
    SocialInteract,
    Soundbite,
    Txt,
    UpdateFrequency,
)
from feeds.rss import build_rss

NS = {"podcast": "https://podcastindex.org/namespace/1.0"}
OTHER_GUID = "917393e3-1b1e-5cef-ace4-edaa54e1f810"
START = datetime(2030, 5, 23, 13, 20, tzinfo=UTC)
END = datetime(2030, 5, 23, 13, 40, tzinfo=UTC)


@pytest.fixture
def full_channel(channel: Channel) -> Channel:
    announced = Item(
        guid="upcoming-talk-1",
        title="Geometric Deep Learning - Theory",
        link="https://talkcast.example.org/shows/mdl/geometric-theory",
        published=START,
        updated=START,
        summary="Live from the seminar room.",
        enclosures=(Enclosure("https://stream.example.org/seminar-room.m3u8", "audio/mpeg", 0),),
    )
    return dataclasses.replace(
        channel,
        images=(
            ImageSize("https://talkcast.example.org/art/1400/mdl.jpg", 1400),
            ImageSize("https://talkcast.example.org/art/600/mdl.jpg", 600),
        ),
        update_frequency=UpdateFrequency("Weekly during term", "FREQ=WEEKLY"),
        txt=Txt("S6lpp-7ZCn8-dZfGc-OoyVG", "verify"),
        podroll=(
            RemoteItem(OTHER_GUID, "https://plus.maths.org/podcast.rss", "Maths on the Move"),
        ),
        live_items=(
            LiveItem(
                announced, "pending", START, END, content_link="https://talks.example.org/t/1"
            ),
        ),
    )


@pytest.fixture
def full_talks(talks: list[Item]) -> list[Item]:
    first = dataclasses.replace(
        talks[0],
        soundbites=(Soundbite(73.5, 60.0, "Why networks are unstable"), Soundbite(600, 45)),
        location="Isaac Newton Institute",
        social=SocialInteract("https://mathstodon.xyz/@newton/1234567890"),
    )
    return [first, *talks[1:]]


@pytest.fixture
def document(full_channel: Channel, full_talks: list[Item]) -> bytes:
    return build_rss(full_channel, full_talks)


def test_partytime_reads_the_channel_tags(document: bytes, full_channel: Channel) -> None:
    parsed, _ = partytime(document)
    assert parsed is not None
    assert [i["parsed"] for i in parsed["podcastImages"]] == [
        {"url": i.url, "width": i.width} for i in full_channel.images
    ]
    assert parsed["podcastTxt"] == [{"value": "S6lpp-7ZCn8-dZfGc-OoyVG", "purpose": "verify"}]
    assert parsed["podroll"] == [
        {
            "feedGuid": OTHER_GUID,
            "feedUrl": "https://plus.maths.org/podcast.rss",
            "title": "Maths on the Move",
        }
    ]
    (live,) = parsed["podcastLiveItems"]
    assert live["status"] == "pending"
    assert live["start"] == "2030-05-23T13:20:00.000Z"
    assert live["end"] == "2030-05-23T13:40:00.000Z"
    assert live["guid"] == "upcoming-talk-1"
    assert live["enclosure"]["url"] == "https://stream.example.org/seminar-room.m3u8"
    assert live["contentLinks"] == [
        {"title": "The talk's page", "url": "https://talks.example.org/t/1"}
    ]


def test_partytime_reads_the_item_tags(document: bytes, full_talks: list[Item]) -> None:
    parsed, _ = partytime(document)
    assert parsed is not None
    item = next(i for i in parsed["items"] if i["guid"] == full_talks[0].guid)
    assert item["podcastSoundbites"] == [
        {"startTime": 73.5, "duration": 60, "title": "Why networks are unstable"},
        # An untitled soundbite takes the show's title, as partytime documents.
        {"startTime": 600, "duration": 45, "title": parsed["title"]},
    ]
    assert item["podcastLocation"] == {"name": "Isaac Newton Institute"}
    assert item["podcastSocialInteraction"] == [
        {
            "platform": "activitypub",
            "id": "",
            "url": "https://mathstodon.xyz/@newton/1234567890",
        }
    ]


def test_update_frequency_is_written_as_the_namespace_says(document: bytes) -> None:
    # partytime 5 (the newest release) does not read updateFrequency yet: check the XML.
    (frequency,) = etree.fromstring(document).xpath("//podcast:updateFrequency", namespaces=NS)
    assert frequency.text == "Weekly during term"
    assert frequency.get("rrule") == "FREQ=WEEKLY"
    assert frequency.get("complete") is None


def test_feedparser_keeps_every_item_and_the_tags(document: bytes, full_talks: list[Item]) -> None:
    parsed = feedparser.parse(document)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    # The live item is not a <item>: readers that do not know it are not confused by it.
    assert [e.id for e in parsed.entries] == [t.guid for t in full_talks]
    # feedparser keeps namespaced elements it does not know under their prefix (the
    # attributes, for elements that have some).
    assert parsed.entries[0]["podcast_location"] == "Isaac Newton Institute"
    assert parsed.feed["podcast_updatefrequency"] == {"rrule": "FREQ=WEEKLY"}
    assert parsed.feed["podcast_txt"] == {"purpose": "verify"}


def test_podcastparser_keeps_every_episode(document: bytes, full_talks: list[Item]) -> None:
    parsed = podcastparser.parse("https://talkcast.example.org/feed", io.BytesIO(document))
    assert {e["guid"] for e in parsed["episodes"]} == {t.guid for t in full_talks}
    assert all(e["enclosures"] for e in parsed["episodes"])


def test_without_these_fields_no_empty_tags(channel: Channel, talks: list[Item]) -> None:
    rss = etree.fromstring(build_rss(channel, talks))
    for tag in (
        "images",
        "updateFrequency",
        "txt",
        "podroll",
        "liveItem",
        "soundbite",
        "socialInteract",
    ):
        assert rss.xpath(f"//podcast:{tag}", namespaces=NS) == [], tag
