"""talks.cam.ac.uk list XML: talk ids, RFC 822 times (summer and winter), series."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest

from feeds.sources import SourceFormatError, parse

LIST_URL = "https://talks.cam.ac.uk/show/xml/12345?seconds_after_today=0&reverse_order=true"


def test_talks_are_keyed_by_talk_id(fixture_bytes: Callable[[str], bytes]) -> None:
    items = parse("talks-cam", fixture_bytes("talks_cam_list.xml"), LIST_URL)

    assert [item.external_id for item in items] == ["98765", "101112", "101200"]
    assert items[0].page_url == "https://talks.cam.ac.uk/talk/index/98765"


def test_summer_talk_times_keep_their_offset(fixture_bytes: Callable[[str], bytes]) -> None:
    bst = parse("talks-cam", fixture_bytes("talks_cam_list.xml"), LIST_URL)[0]

    assert bst.start == datetime(2019, 5, 23, 13, 20, tzinfo=UTC)
    assert bst.end == datetime(2019, 5, 23, 13, 40, tzinfo=UTC)
    assert bst.start is not None
    assert bst.start.utcoffset() == timedelta(hours=1)
    assert bst.updated == datetime(2019, 5, 28, 9, 0, tzinfo=UTC)
    assert bst.created == date(2019, 5, 13)


def test_talk_fields(fixture_bytes: Callable[[str], bytes]) -> None:
    bst, winter, bare = parse("talks-cam", fixture_bytes("talks_cam_list.xml"), LIST_URL)

    assert bst.title == "Learning the mathematics of the deep"
    assert bst.persons == ("Professor Jane Doe (University of Somewhere)",)
    assert bst.venue == "Seminar Room 1, Newton Institute"
    assert (
        bst.description
        == "Why do deep networks generalise? An overview of <em>open</em> questions."
    )
    assert bst.collection == "The Mathematics of Deep Learning and Data Science"
    assert winter.start == datetime(2020, 1, 14, 11, 0, tzinfo=UTC)
    assert winter.collection == "INI seminar series"  # empty <series/>: the list's name
    assert (bare.persons, bare.venue, bare.description) == ((), None, "")


def test_missing_zone_is_read_as_utc() -> None:
    doc = b"""<list><talk><id>7</id><title>T</title>
      <start_time>Thu, 23 May 2019 14:20:00 -0000</start_time></talk></list>"""

    (item,) = parse("talks-cam", doc, LIST_URL)

    assert item.start == datetime(2019, 5, 23, 14, 20, tzinfo=UTC)


def test_rss_instead_of_xml_is_a_format_error(fixture_bytes: Callable[[str], bytes]) -> None:
    with pytest.raises(SourceFormatError, match="found <rss>"):
        parse("talks-cam", fixture_bytes("podcast.rss"), LIST_URL)
