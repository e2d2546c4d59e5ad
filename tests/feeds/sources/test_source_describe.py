"""What each kind of upstream document says about itself, for a show made from it."""

from __future__ import annotations

from pathlib import Path

import pytest

from feeds.sources import DESCRIBERS, PARSERS, SourceFormatError, describe

FIXTURES = Path(__file__).parent / "fixtures"


def _describe(kind: str, name: str):
    return describe(kind, (FIXTURES / name).read_bytes(), "https://upstream.example/list")


def test_every_kind_can_describe_itself():
    assert set(DESCRIBERS) == set(PARSERS)


def test_podcast_feed():
    channel = _describe("rss", "podcast.rss")
    assert channel.title == "Maths on the Move"
    assert channel.description == "The podcast of Plus magazine."
    assert channel.link == "https://plus.maths.org/content/Podcast"
    assert channel.image == "https://plus.maths.org/podcast-cover.jpg"


def test_youtube_channel():
    channel = _describe("youtube", "youtube_channel.xml")
    assert channel.title == "INI Seminar Room 1"
    assert channel.link == "https://www.youtube.com/channel/UCini0seminar0room0one0"


def test_talks_cam_list():
    channel = _describe("talks-cam", "talks_cam_list.xml")
    assert channel.title == "INI seminar series"
    assert channel.description.startswith("Seminars at the Isaac Newton Institute")
    assert channel.link == "https://talks.cam.ac.uk/show/index/12345"


@pytest.mark.parametrize("name", ["collection_page.html", "collection_page.txt"])
def test_collection_page_heading_and_description(name):
    channel = _describe("collection-page", name)
    assert channel.title == "The Mathematics of Deep Learning and Data Science"
    assert channel.description.startswith("Background\n\nData science is a fast growing")
    assert "A Stable Learning Framework" not in channel.description  # stops at the items
    assert channel.link == "https://upstream.example/list"
    if name.endswith(".html"):  # the collection's own image, right under its heading
        assert channel.image == "https://upstream.example/image/2944180"


@pytest.mark.parametrize("kind", ["rss", "youtube", "talks-cam"])
def test_hostile_xml_is_refused_as_the_parsers_refuse_it(kind):
    with pytest.raises(SourceFormatError):
        describe(kind, (FIXTURES / "billion_laughs.xml").read_bytes(), "https://x.example/")
