"""Several speakers stay several people in every format: "Fawzi, A" and "Fawzi, H" are two
people, never one string a reader would have to split again."""

from __future__ import annotations

import dataclasses
import io
import json

import feedparser
import podcastparser
from lxml import etree

from feeds.atom import build_atom
from feeds.jsonfeed import build_json_feed
from feeds.model import Channel, Item
from feeds.rss import build_rss

NS = {
    "atom": "http://www.w3.org/2005/Atom",
    "dc": "http://purl.org/dc/elements/1.1/",
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
}
PEOPLE = ("Fawzi, A", "Fawzi, H", "Ada Lovelace")


def _duo(talks: list[Item]) -> list[Item]:
    return [dataclasses.replace(talks[0], author="; ".join(PEOPLE), authors=PEOPLE)]


def test_atom_has_one_author_per_person(channel: Channel, talks: list[Item], relaxng) -> None:
    feed = etree.fromstring(build_atom(channel, _duo(talks)))
    names = feed.xpath("//atom:entry/atom:author/atom:name/text()", namespaces=NS)
    assert tuple(names) == PEOPLE
    assert relaxng.validate(feed), relaxng.error_log
    entry = feedparser.parse(etree.tostring(feed)).entries[0]
    assert tuple(a["name"] for a in entry.authors) == PEOPLE


def test_json_feed_has_one_author_object_per_person(channel: Channel, talks: list[Item]) -> None:
    item = json.loads(build_json_feed(channel, _duo(talks)))["items"][0]
    assert tuple(a["name"] for a in item["authors"]) == PEOPLE


def test_rss_joins_for_itunes_and_lists_each_as_dc_creator(
    channel: Channel, talks: list[Item]
) -> None:
    document = build_rss(channel, _duo(talks))
    item = etree.fromstring(document).find("channel/item")
    assert item.findtext("itunes:author", namespaces=NS) == "Fawzi, A; Fawzi, H; Ada Lovelace"
    assert tuple(item.xpath("dc:creator/text()", namespaces=NS)) == PEOPLE
    assert feedparser.parse(document).bozo == 0
    parsed = podcastparser.parse("https://talkcast.example.org/feed.rss", io.BytesIO(document))
    assert parsed["episodes"]
