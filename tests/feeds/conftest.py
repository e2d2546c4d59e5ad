"""Factory fixtures for feed-writer tests: realistic INI talks and Plus podcast episodes."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from feeds.model import (
    AlternateLink,
    ArchiveLinks,
    Category,
    Channel,
    Chapters,
    Enclosure,
    Item,
    Person,
    Transcript,
)

# Podcasting 2.0 channel guids are UUIDv5 in this namespace over the feed URL without
# scheme and trailing slash.
PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")
FEED_URL = "https://talkcast.example.org/feeds/mdl/rss.xml"
LONDON_SUMMER = timezone(timedelta(hours=1))

HOSTILE_TEXT = (
    '<script>alert("x")</script> & AT&T ]]> \x00\x01\x08\x0b\x0c\x0e\x1f'
    "\ud800 lone \udfff surrogates \ufffe\uffff emoji \U0001f9ee \u03a9"
)
HOSTILE_CHARS = "\x00\x01\x08\x0b\x0c\x0e\x1f\ud800\udfff\ufffe\uffff"


def _channel(**overrides: Any) -> Channel:
    base = Channel(
        title="Isaac Newton Institute: Mathematics of Deep Learning",
        link="https://www.newton.ac.uk/event/mdl/",
        feed_url=FEED_URL,
        feed_id="urn:uuid:1f0e4a2c-52d5-4d3b-9a3e-6f3f2a6d7c10",
        description="Recorded talks from the Mathematics of Deep Learning programme.",
        updated=datetime(2019, 5, 28, 10, 0, tzinfo=LONDON_SUMMER),
        podcast_guid=str(uuid.uuid5(PODCAST_GUID_NAMESPACE, FEED_URL.split("://", 1)[1])),
        language="en-GB",
        author="Isaac Newton Institute",
        owner_name="INI Media",
        owner_email="media@newton.example.org",
        copyright="© 2019 Isaac Newton Institute",
        image="https://talkcast.example.org/artwork/mdl-3000.jpg",
        logo="https://talkcast.example.org/logo/mdl.jpg",
        categories=(Category("Science", "Mathematics"), Category("Education")),
        persons=(Person("Doe, J", role="host", href="https://www.newton.ac.uk/person/doe"),),
        archive=ArchiveLinks(
            current="https://talkcast.example.org/feeds/mdl/rss.xml",
            prev_archive="https://talkcast.example.org/feeds/mdl/rss-2018.xml",
            next_archive="https://talkcast.example.org/feeds/mdl/rss-2020.xml",
        ),
        alternates=(
            AlternateLink(
                "https://talkcast.example.org/feeds/mdl/atom.xml", "application/atom+xml", "Atom"
            ),
        ),
        hub="https://pubsubhubbub.example.org/",
    )
    return dataclasses.replace(base, **overrides)


def _talks() -> list[Item]:
    stable = Item(
        guid="7b1c9a4e-3f7e-4d1e-8a51-2d2c8f0b9e61",
        title="A Stable Learning Framework",
        link="https://sms.cam.ac.uk/media/2944183",
        published=datetime(2019, 5, 23, 14, 20, tzinfo=LONDON_SUMMER),
        updated=datetime(2019, 5, 28, 9, 0, tzinfo=LONDON_SUMMER),
        summary="Why deep networks are unstable and how to train stable ones.",
        content_html="<p>Speaker: <b>Thesing, L</b> (Cambridge)</p><p>Abstract &amp; slides.</p>",
        author="Thesing, L",
        enclosures=(
            Enclosure(
                "https://downloads.sms.cam.ac.uk/2944183/2944187.mp3",
                "audio/mpeg",
                23_664_000,
                duration=1478.6,
                bitrate=128_000,
            ),
        ),
        persons=(Person("Thesing, L", role="guest", img="https://example.org/thesing.jpg"),),
        transcripts=(
            Transcript("https://talkcast.example.org/t/2944183.vtt", "text/vtt", "en", "captions"),
        ),
        chapters=Chapters("https://talkcast.example.org/c/2944183.json"),
        tags=("deep learning", "stability"),
    )
    geometric = Item(
        guid="https://sms.cam.ac.uk/media/2944190",
        title="Geometric Deep Learning - Algorithms",
        link="https://www.youtube.com/watch?v=9mOX_JbVTNY",
        published=datetime(2019, 5, 23, 15, 0, tzinfo=LONDON_SUMMER),
        updated=datetime(2019, 5, 29, 8, 0, tzinfo=LONDON_SUMMER),
        summary="Graph neural networks from a geometric point of view.",
        author="Bronstein, M",
        enclosures=(
            Enclosure(
                "https://downloads.sms.cam.ac.uk/2944190/2944192.mp4",
                "video/mp4",
                412_000_000,
                duration=2701.2,
                bitrate=1_200_000,
                width=1280,
                height=720,
                title="Video (720p)",
            ),
            Enclosure(
                "https://downloads.sms.cam.ac.uk/2944190/2944193.m4a",
                "audio/x-m4a",
                43_100_000,
                duration=2701.0,
                bitrate=128_000,
                title="Audio only",
            ),
        ),
        explicit=True,
        season=2,
        episode=7,
        tags=("graphs",),
        external_url="https://sms.cam.ac.uk/media/2944190",
    )
    hart = Item(
        guid="plus-ep-0412",
        title="Living proof: A conversation with Sarah Hart",
        link="https://plus.maths.org/content/living-proof-sarah-hart",
        published=datetime(2025, 4, 22, 9, 0, tzinfo=UTC),
        updated=datetime(2025, 4, 22, 9, 0, tzinfo=UTC),
        content_html="<p>Sarah Hart is a mathematician &hellip;</p>",
        enclosures=(
            Enclosure("https://media.example.org/sarah-hart.mp3", "audio/mpeg", 23_664_000, 1479),
        ),
        episode_type="bonus",
        image="https://talkcast.example.org/artwork/hart.jpg",
    )
    return [stable, geometric, hart]


def _hostile() -> Item:
    return Item(
        guid="hostile-1",
        title=HOSTILE_TEXT,
        link="https://www.newton.ac.uk/seminar/51186/?a=1&b=2",
        published=datetime(2021, 8, 24, 12, 5, tzinfo=UTC),
        updated=datetime(2021, 8, 25, 8, 0, tzinfo=UTC),
        summary=HOSTILE_TEXT,
        content_html=f"<p>{HOSTILE_TEXT}</p>",
        author=HOSTILE_TEXT,
        enclosures=(Enclosure("https://media.example.org/h.mp3?x=1&y=2", "audio/mpeg", 1000, 1.4),),
        persons=(Person(HOSTILE_TEXT),),
        tags=(HOSTILE_TEXT,),
    )


@pytest.fixture
def make_channel() -> Callable[..., Channel]:
    """Return a factory for a realistic channel; keyword arguments override fields."""
    return _channel


@pytest.fixture
def channel() -> Channel:
    """A realistic INI programme channel with every optional field set."""
    return _channel()


@pytest.fixture
def talks() -> list[Item]:
    """Three talks: an mp3 with transcript and chapters, a video with two files, a podcast."""
    return _talks()


@pytest.fixture
def hostile_item() -> Item:
    """An item whose every text field is full of markup, controls and lone surrogates."""
    return _hostile()


@pytest.fixture
def forbidden_chars() -> str:
    """The characters of the hostile text that XML 1.0 forbids."""
    return HOSTILE_CHARS
