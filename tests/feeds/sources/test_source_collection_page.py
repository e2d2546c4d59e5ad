"""Collection pages: the six talks of the seed page, from HTML, restyled HTML and plain text."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest

from feeds.sources import SourceFormatError, parse
from feeds.sources.collection_page import parse_created, parse_date_line

PAGE_URL = "https://sms.cam.ac.uk/collection/2944180;jsessionid=5392A1B2C3D4E5F6"
COLLECTION = "The Mathematics of Deep Learning and Data Science"
INSTITUTION = "Isaac Newton Institute for Mathematical Sciences"

# From the collection page: title, speaker, views, start and end on 23 May 2019 in UTC
# (the page shows British Summer Time, one hour ahead), media id in the HTML fixtures.
SEED_TALKS = [
    ("A Stable Learning Framework", "Thesing, L", 12, (13, 20), (13, 40), 2944183),
    (
        "Fundamental Limitations on Adversarial Robustness",
        "Fawzi, H",
        17,
        (10, 20),
        (11, 0),
        2944184,
    ),
    (
        "Meta Modelling and Deploying Machine Learning Software",
        "Lawrence, N",
        17,
        (14, 40),
        (15, 20),
        2944185,
    ),
    (
        "Privacy Preserving Machine Learning: A Human Imperative?",
        "Strohmer, T",
        22,
        (13, 40),
        (14, 20),
        2944186,
    ),
    ("Robustness and Geometry of Deep Neural Networks", "Fawzi, A", 27, (9, 20), (10, 0), 2944187),
    ("The Ethics of Algorithmic Decision Making", "Boon, J", 16, (11, 0), (11, 40), 2944188),
]


def _utc(hour_minute: tuple[int, int]) -> datetime:
    return datetime(2019, 5, 23, *hour_minute, tzinfo=UTC)


@pytest.mark.parametrize(
    "name", ["collection_page.html", "collection_page_variant.html", "collection_page.txt"]
)
def test_seed_talks_come_out_exactly(name: str, fixture_bytes: Callable[[str], bytes]) -> None:
    items = parse("collection-page", fixture_bytes(name), PAGE_URL)

    assert len(items) == len(SEED_TALKS)
    for item, (title, speaker, views, start, end, _media_id) in zip(items, SEED_TALKS, strict=True):
        assert item.title == title
        assert item.persons == (speaker,)
        assert item.views == views
        assert item.start == _utc(start)
        assert item.end == _utc(end)
        assert item.start is not None and item.start.utcoffset() is not None
        assert item.collection == COLLECTION
        assert item.institution == INSTITUTION
        assert item.created == date(2019, 5, 28)


def test_html_items_are_keyed_by_clean_absolute_media_link(
    fixture_bytes: Callable[[str], bytes],
) -> None:
    items = parse("collection-page", fixture_bytes("collection_page.html"), PAGE_URL)

    expected = [f"https://sms.cam.ac.uk/media/{talk[5]}" for talk in SEED_TALKS]
    assert [item.external_id for item in items] == expected
    assert [item.page_url for item in items] == expected
    assert all("jsessionid" not in item.external_id for item in items)


def test_restyled_page_gives_the_same_records(fixture_bytes: Callable[[str], bytes]) -> None:
    original = parse("collection-page", fixture_bytes("collection_page.html"), PAGE_URL)
    restyled = parse("collection-page", fixture_bytes("collection_page_variant.html"), PAGE_URL)

    assert restyled == original


def test_script_text_is_not_read_as_an_item(fixture_bytes: Callable[[str], bytes]) -> None:
    items = parse("collection-page", fixture_bytes("collection_page.html"), PAGE_URL)

    assert all(item.views != 99 for item in items)
    assert "Tracker Title" not in {item.title for item in items}


def test_plain_text_items_get_stable_distinct_ids(fixture_bytes: Callable[[str], bytes]) -> None:
    first = parse("collection-page", fixture_bytes("collection_page.txt"), PAGE_URL)
    again = parse("collection-page", fixture_bytes("collection_page.txt"), PAGE_URL)

    ids = [item.external_id for item in first]
    assert ids == [item.external_id for item in again]
    assert len(set(ids)) == len(ids)
    assert all(item.page_url is None for item in first)


def test_several_speakers_and_no_views_line() -> None:
    page = b"""<html><body><ul>
      <li><a href="/media/1">Joint talk</a><p>Doe, J; Roe, R and Poe, E A</p>
      <p>Monday 4th November 2019 - 09:30 to 10:15</p><p>Created: Tue 5 Nov 2019</p></li>
      <li><a href="/media/2">Late talk</a><p>Bloggs, F</p>
      <p>Saturday 30th March 2019 - 23:30 to 00:10</p></li>
    </ul></body></html>"""

    joint, late = parse("collection-page", page, "https://sms.cam.ac.uk/collection/9")

    assert joint.persons == ("Doe, J", "Roe, R", "Poe, E A")
    assert joint.views is None
    assert joint.start == datetime(2019, 11, 4, 9, 30, tzinfo=UTC)  # GMT in November
    assert joint.created == date(2019, 11, 5)
    assert late.external_id == "https://sms.cam.ac.uk/media/2"
    assert late.persons == ("Bloggs, F",)
    assert late.end == datetime(2019, 3, 31, 0, 10, tzinfo=UTC)  # past midnight, before BST


def test_page_without_items_is_a_format_error() -> None:
    with pytest.raises(SourceFormatError, match="expected a collection page"):
        parse("collection-page", b"<html><body><h1>Maintenance</h1></body></html>", PAGE_URL)


@pytest.mark.parametrize(
    ("line", "start_utc"),
    [
        ("Thursday 23rd May 2019 - 14:20 to 14:40", datetime(2019, 5, 23, 13, 20, tzinfo=UTC)),
        ("Tuesday 1st January 2019 - 14:20 to 14:40", datetime(2019, 1, 1, 14, 20, tzinfo=UTC)),
        ("Sunday 31st March 2019 - 02:30 to 03:00", datetime(2019, 3, 31, 1, 30, tzinfo=UTC)),
    ],
)
def test_date_lines_are_london_time(line: str, start_utc: datetime) -> None:
    parsed = parse_date_line(line)

    assert parsed is not None
    assert parsed[0] == start_utc


def test_unreadable_dates_give_none() -> None:
    assert parse_date_line("Thursday 31st February 2019 - 14:20 to 14:40") is None
    assert parse_date_line("Thursday 23rd Mayo 2019 - 14:20 to 14:40") is None
    assert parse_created("sometime") is None
    assert parse_created("2019-05-28 09:42") == date(2019, 5, 28)
