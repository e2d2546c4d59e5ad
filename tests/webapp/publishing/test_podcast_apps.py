"""Podcast apps keep every item of every podcast feed we publish.

Apps skip an item without an enclosure and merge or drop episodes that share a media URL,
so podcast (RSS) feeds carry only items with media, each with a file of its own; text items
(the Plus articles) stay in Atom and JSON Feed for feed readers.
"""

from __future__ import annotations

import feedparser
from lxml import etree
from podcast_clients import partytime

INI = "mathematics-of-deep-learning-and-data-science"
PLUS = "learning-the-mathematics-of-the-deep"


def _rss_names(client) -> list[str]:
    opml = etree.fromstring(client.get("/feeds.opml").data)
    names = [u.split("/feeds/", 1)[1] for u in opml.xpath("//outline/@xmlUrl")]
    assert names
    return [n for n in names if n.endswith(".rss")]


def test_partytime_keeps_every_item_of_every_demo_podcast_feed(demo_client):
    for name in _rss_names(demo_client):
        document = demo_client.get(f"/feeds/{name}").data
        published = etree.fromstring(document).xpath("//item")
        parsed, warnings = partytime(document)
        assert parsed is not None, name
        assert len(parsed["items"]) == len(published), (name, warnings)
        assert not [w for w in warnings if "skipping" in w], (name, warnings)
        urls = [i["enclosure"]["url"] for i in parsed["items"]]
        assert len(urls) == len(set(urls)), f"{name} repeats an enclosure URL"


def test_the_ini_talks_reach_apps_as_a_numbered_serial(demo_client):
    parsed, _ = partytime(demo_client.get(f"/feeds/{INI}.rss").data)
    assert parsed["itunesType"] == "serial"
    items = sorted(parsed["items"], key=lambda i: i["itunesEpisode"])
    assert [i["itunesEpisode"] for i in items] == [1, 2, 3, 4, 5, 6]
    assert items[0]["title"] == "Robustness and Geometry of Deep Neural Networks"
    assert len({i["pubDate"] for i in items}) == 6


def test_text_items_are_for_feed_readers_only(demo_client):
    rss = etree.fromstring(demo_client.get(f"/feeds/{PLUS}.rss").data)
    assert rss.xpath("//item") == []
    for fmt in ("atom", "json"):
        body = demo_client.get(f"/feeds/{PLUS}.{fmt}")
        count = (
            len(body.json["items"]) if fmt == "json" else len(feedparser.parse(body.data).entries)
        )
        assert count == 11, fmt


def test_the_all_feed_lists_playable_items_for_apps_and_everything_for_readers(demo_client):
    rss = etree.fromstring(demo_client.get("/feeds/all.rss").data)
    assert len(rss.xpath("//item")) == 6
    assert len(rss.xpath("//item/enclosure")) == 6
    assert len(feedparser.parse(demo_client.get("/feeds/all.atom").data).entries) == 17
