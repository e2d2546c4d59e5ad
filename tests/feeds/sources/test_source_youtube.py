"""YouTube channel feeds: ids, watch URLs, views, thumbnails, dates."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from feeds.sources import SourceFormatError, parse

FEED_URL = "https://www.youtube.com/feeds/videos.xml?channel_id=UCini0seminar0room0one0"


def test_videos_come_out_with_ids_views_and_thumbnails(
    fixture_bytes: Callable[[str], bytes],
) -> None:
    items = parse("youtube", fixture_bytes("youtube_channel.xml"), FEED_URL)

    assert [(item.external_id, item.views) for item in items] == [
        ("9mOX_JbVTNY", 345),
        ("Qx7-aB3_cD0", 1289),
        ("Z_9yWq1LmN4", 0),
    ]
    first = items[0]
    assert first.title == "Geometric Deep Learning - Algorithms"
    assert first.description == "Speaker, affiliation & abstract of the seminar."
    assert first.thumbnail == "https://i1.ytimg.com/vi/9mOX_JbVTNY/hqdefault.jpg"
    assert first.published == datetime(2021, 8, 24, 12, 5, 11, tzinfo=UTC)
    assert first.updated == datetime(2021, 8, 25, 8, 0, tzinfo=UTC)
    assert first.collection == "INI Seminar Room 1"


def test_page_urls_are_built_from_the_video_id(fixture_bytes: Callable[[str], bytes]) -> None:
    items = parse("youtube", fixture_bytes("youtube_channel.xml"), FEED_URL)

    for item in items:
        assert item.page_url == f"https://www.youtube.com/watch?v={item.external_id}"
        assert item.media == ()


def test_entry_without_media_group_falls_back_to_atom_title() -> None:
    feed = b"""<feed xmlns="http://www.w3.org/2005/Atom"
      xmlns:yt="http://www.youtube.com/xml/schemas/2015"><title>Playlist</title>
      <entry><yt:videoId>abc_DEF-123</yt:videoId><title>Plain entry</title></entry>
      <entry><title>Not a video</title></entry></feed>"""

    (item,) = parse("youtube", feed, FEED_URL)

    assert (item.external_id, item.title, item.views, item.thumbnail) == (
        "abc_DEF-123",
        "Plain entry",
        None,
        None,
    )


def test_other_xml_is_a_format_error(fixture_bytes: Callable[[str], bytes]) -> None:
    with pytest.raises(SourceFormatError, match="expected a YouTube Atom <feed>, found <list>"):
        parse("youtube", fixture_bytes("talks_cam_list.xml"), FEED_URL)
