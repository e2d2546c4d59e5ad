"""XML-safe text helpers."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from lxml import etree

from feeds.model import Enclosure, Item, Person
from feeds.text import sanitize, whole_seconds, xml_safe

FORBIDDEN = [chr(c) for c in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20))] + [
    "\ud800",
    "\udbff",
    "\udc00",
    "\udfff",
    "\ufffe",
    "\uffff",
]


@pytest.mark.parametrize("char", FORBIDDEN, ids=lambda c: f"U+{ord(c):04X}")
def test_forbidden_characters_are_removed(char: str) -> None:
    text = f"a{char}b"
    # lxml itself refuses these, which is why they must go before feedgen sees them.
    with pytest.raises(ValueError):
        etree.Element("t").text = text
    assert xml_safe(text) == "ab"


def test_allowed_characters_are_kept() -> None:
    text = "tab\there\nnew\rline <b>&amp;</b> ]]> Ω \U0001f9ee \ue000 \U0010ffff"
    assert xml_safe(text) == text


def test_sanitize_walks_nested_dataclasses() -> None:
    when = datetime(2019, 5, 23, tzinfo=UTC)
    item = Item(
        guid="g\x00",
        title="t\x07",
        link="https://e.org/",
        published=when,
        updated=when,
        enclosures=(Enclosure("https://e.org/a.mp3\x1f", "audio/mpeg", 10, 1.5),),
        persons=(Person("Thesing,\x0b L"),),
        tags=("x\ud800",),
    )
    clean = sanitize(item)
    assert (clean.guid, clean.title, clean.tags) == ("g", "t", ("x",))
    assert clean.enclosures[0].url == "https://e.org/a.mp3"
    assert clean.enclosures[0].length == 10
    assert clean.persons[0].name == "Thesing, L"
    assert clean.published is when


def test_sanitize_copies_nothing_that_is_clean() -> None:
    """A clean item comes back as itself; a dirty one shares its clean parts."""
    when = datetime(2019, 5, 23, tzinfo=UTC)
    enclosure = Enclosure("https://e.org/a.mp3", "audio/mpeg", 10, 1.5)
    item = Item(
        guid="g", title="t", link="https://e.org/", published=when, updated=when,
        enclosures=(enclosure,), persons=(Person("Thesing, L"),), tags=("x",),
    )  # fmt: skip
    assert sanitize(item) is item
    dirty = sanitize(replace(item, title="t\x00"))
    assert dirty.title == "t" and dirty.enclosures is item.enclosures


@pytest.mark.parametrize(
    ("seconds", "expected"), [(None, None), (0.4, 0), (1478.4, 1478), (1478.6, 1479), (60, 60)]
)
def test_whole_seconds(seconds: float | None, expected: int | None) -> None:
    assert whole_seconds(seconds) == expected
