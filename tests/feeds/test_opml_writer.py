"""OPML subscription lists."""

from __future__ import annotations

from lxml import etree

from feeds.opml import OpmlGroup, OpmlOutline, build_opml

OUTLINES = [
    OpmlOutline(
        "Mathematics of Deep Learning",
        "https://talkcast.example.org/feeds/mdl/rss.xml",
        "https://www.newton.ac.uk/event/mdl/",
    ),
    OpmlOutline(
        "Maths on the Move & friends",
        "https://talkcast.example.org/feeds/plus/atom.xml",
        "https://plus.maths.org/content/Podcast",
        version="atom",
    ),
]


def test_one_outline_per_feed() -> None:
    data = build_opml("Talkcast feeds", OUTLINES)
    assert data.startswith(b"<?xml")
    root = etree.fromstring(data)
    assert root.tag == "opml"
    assert root.get("version") == "2.0"
    assert root.findtext("head/title") == "Talkcast feeds"
    outlines = root.findall("body/outline")
    assert [
        (o.get("text"), o.get("xmlUrl"), o.get("htmlUrl"), o.get("type"), o.get("version"))
        for o in outlines
    ] == [(o.title, o.xml_url, o.html_url, "rss", o.version) for o in OUTLINES]


def test_a_shows_feeds_are_one_group() -> None:
    group = OpmlGroup("Mathematics of Deep Learning", tuple(OUTLINES))
    root = etree.fromstring(build_opml("Talkcast feeds", [group, OUTLINES[0]]))
    (nested, flat) = root.findall("body/outline")
    assert nested.get("text") == group.title and nested.get("xmlUrl") is None
    assert [o.get("xmlUrl") for o in nested.findall("outline")] == [o.xml_url for o in OUTLINES]
    assert flat.get("xmlUrl") == OUTLINES[0].xml_url


def test_hostile_title_is_well_formed() -> None:
    outline = OpmlOutline(
        '<b>"x"</b> \x00\x1f\ud800', "https://e.org/rss?a=1&b=2", "https://e.org/"
    )
    root = etree.fromstring(build_opml("A & B \x0b", [outline]))
    assert root.findtext("head/title") == "A & B "
    assert root.find("body/outline").get("title") == '<b>"x"</b> '
    assert root.find("body/outline").get("xmlUrl") == "https://e.org/rss?a=1&b=2"


def test_empty_list() -> None:
    root = etree.fromstring(build_opml("Nothing yet", []))
    assert root.findall("body/outline") == []
    assert root.find("body") is not None
