"""Every served feed parses in real clients' parsers and carries what Apple requires."""

from __future__ import annotations

import io
import json
from email.utils import parsedate_to_datetime

import feedparser
import podcastparser
import pytest
from lxml import etree

from factories import audio_file, make_episode, make_show, video_file

INI = "mathematics-of-deep-learning-and-data-science"
PLUS = "learning-the-mathematics-of-the-deep"
NS = {
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "podcast": "https://podcastindex.org/namespace/1.0",
    "atom": "http://www.w3.org/2005/Atom",
}


def _all_feed_names(client):
    opml = etree.fromstring(client.get("/feeds.opml").data)
    return [u.split("/feeds/", 1)[1] for u in opml.xpath("//outline/@xmlUrl")]


@pytest.mark.parametrize("slug", [INI, PLUS, "all"])
@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_feedparser_reads_every_xml_feed(demo_client, slug, fmt):
    parsed = feedparser.parse(demo_client.get(f"/feeds/{slug}.{fmt}").data)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.feed.title
    # The Plus collection is all articles: its podcast feed has no item to play.
    assert parsed.entries or (slug, fmt) == (PLUS, "rss")
    assert all(e.title and e.link and e.id for e in parsed.entries)


def test_podcastparser_gets_every_episode_with_its_file(demo_client):
    data = demo_client.get(f"/feeds/{INI}.rss").data
    parsed = podcastparser.parse(f"http://talkcast.test/feeds/{INI}.rss", io.BytesIO(data))
    assert parsed["title"] == "The Mathematics of Deep Learning and Data Science"
    assert len(parsed["episodes"]) == 6
    for episode in parsed["episodes"]:
        # gPodder lists the enclosure and its Media RSS twin (media:content): one file.
        (enclosure,) = {e["url"]: e for e in episode["enclosures"]}.values()
        assert enclosure["url"].startswith("http://talkcast.test/media/")
        assert enclosure["mime_type"] == "audio/mpeg"
        assert enclosure["file_size"] > 0
        assert episode["total_time"] in (1200, 2400)
        # the file really is that size
        path = enclosure["url"].removeprefix("http://talkcast.test")
        assert len(demo_client.get(path).data) == enclosure["file_size"]


def test_apple_required_tags(demo_client):
    doc = etree.fromstring(demo_client.get(f"/feeds/{INI}.rss").data)
    channel = doc.find("channel")
    assert channel.xpath("itunes:explicit/text()", namespaces=NS) == ["false"]
    assert channel.xpath("itunes:image/@href", namespaces=NS)[0].startswith("http://talkcast.test/")
    assert channel.xpath("itunes:category/@text", namespaces=NS) == ["Science"]
    assert channel.xpath("itunes:category/itunes:category/@text", namespaces=NS) == ["Mathematics"]
    assert channel.xpath("itunes:owner/itunes:email/text()", namespaces=NS)
    guids = channel.xpath("item/guid/text()")
    assert len(guids) == len(set(guids)) == 6
    for item in channel.xpath("item"):
        assert item.xpath("itunes:explicit/text()", namespaces=NS) == ["false"]
        length = item.xpath("enclosure/@length")[0]
        assert length.isdigit() and int(length) > 1000
        pub = item.findtext("pubDate")
        assert parsedate_to_datetime(pub).tzinfo is not None
        assert pub.endswith("+0000") or pub.endswith("GMT")
        assert item.xpath("podcast:person/text()", namespaces=NS)


def test_podcasting20_channel_tags(demo_client):
    doc = etree.fromstring(demo_client.get(f"/feeds/{INI}.rss").data)
    channel = doc.find("channel")
    assert len(channel.xpath("podcast:guid/text()", namespaces=NS)[0]) == 36
    assert channel.xpath("podcast:medium/text()", namespaces=NS) == ["podcast"]
    assert channel.xpath("podcast:locked/text()", namespaces=NS) == ["yes"]
    self_link = channel.xpath("atom:link[@rel='self']/@href", namespaces=NS)
    assert self_link == [f"http://talkcast.test/feeds/{INI}.rss"]


@pytest.mark.parametrize("slug", [INI, PLUS, "all"])
def test_atom_validates_against_rfc4287(demo_client, relaxng, slug):
    doc = etree.fromstring(demo_client.get(f"/feeds/{slug}.atom").data)
    assert relaxng.validate(doc), relaxng.error_log


def test_atom_keeps_enclosures(demo_client):
    parsed = feedparser.parse(demo_client.get(f"/feeds/{INI}.atom").data)
    for entry in parsed.entries:
        (enclosure,) = entry.enclosures
        assert enclosure.type == "audio/mpeg"
        assert int(enclosure.length) > 0


def test_json_feed(demo_client):
    doc = json.loads(demo_client.get(f"/feeds/{INI}.json").data)
    assert doc["version"] == "https://jsonfeed.org/version/1.1"
    assert doc["feed_url"] == f"http://talkcast.test/feeds/{INI}.json"
    assert len(doc["items"]) == 6
    for item in doc["items"]:
        (attachment,) = item["attachments"]
        assert attachment["mime_type"] == "audio/mpeg"
        assert attachment["size_in_bytes"] > 0


def test_opml_lists_every_show_feed(demo_client):
    names = _all_feed_names(demo_client)
    for slug in (INI, PLUS, "all"):
        assert [n for n in names if n.split(".")[0] == slug] == [
            f"{slug}.rss",
            f"{slug}.atom",
            f"{slug}.json",
        ]
    for name in names:
        assert demo_client.get(f"/feeds/{name}").status_code == 200
    opml = etree.fromstring(demo_client.get("/feeds.opml").data)
    groups = opml.findall("body/outline")
    assert [g.get("title") for g in groups][-1] == "Talkcast: all episodes"
    for group in groups:
        versions = [o.get("version") for o in group.findall("outline")]
        assert versions == ["RSS2", "atom", "jsonfeed"]
        assert {o.get("type") for o in group.findall("outline")} == {"rss"}
    # One address for the list: the feed route serves feeds only.
    assert demo_client.get("/feeds/feeds.opml").status_code == 404


def test_opml_lists_audio_and_video_variants(app):
    make_show(app)
    make_episode(app, title="Talk with both", media=[video_file(1), audio_file(1)])
    names = _all_feed_names(app.test_client())
    assert [n for n in names if n.startswith("talks.")] == [
        f"talks.{variant}{fmt}"
        for variant in ("", "audio.", "video.")
        for fmt in ("rss", "atom", "json")
    ]


def test_audio_and_video_variants(app):
    make_show(app)
    make_episode(app, title="Talk with both", media=[video_file(1), audio_file(1)])
    make_episode(app, title="Audio only talk", media=[audio_file(2)])
    client = app.test_client()
    main = etree.fromstring(client.get("/feeds/talks.rss").data)
    both = main.xpath("//item[title='Talk with both']")[0]
    assert both.xpath("enclosure/@type") == ["video/mp4"]
    alternates = both.xpath("podcast:alternateEnclosure/@type", namespaces=NS)
    assert set(alternates) == {"video/mp4", "audio/mpeg"}
    audio = feedparser.parse(client.get("/feeds/talks.audio.rss").data)
    assert {e.title for e in audio.entries} == {"Talk with both", "Audio only talk"}
    assert all(e.enclosures[0].type == "audio/mpeg" for e in audio.entries)
    video = feedparser.parse(client.get("/feeds/talks.video.rss").data)
    assert [e.title for e in video.entries] == ["Talk with both"]
    assert video.entries[0].enclosures[0].type == "video/mp4"


def test_no_variants_for_audio_only_show(demo_client):
    assert demo_client.get(f"/feeds/{INI}.audio.rss").status_code == 404
    assert demo_client.get(f"/feeds/{INI}.video.rss").status_code == 404


def test_all_items_feed_has_every_public_episode(demo_client):
    # Atom carries the text items too; all.rss only the playable ones (test_podcast_apps).
    parsed = feedparser.parse(demo_client.get("/feeds/all.atom").data)
    assert len(parsed.entries) == 17


def test_plain_text_fields_hold_decoded_text_only(app):
    make_show(app)
    make_episode(
        app,
        description_html="<p>12&nbsp;views &amp; <em>caf&eacute;</em> talk&#8230;</p><p>More</p>",
    )
    client = app.test_client()
    rss = etree.fromstring(client.get("/feeds/talks.rss").data)
    summary = rss.xpath("string(//item/itunes:summary)", namespaces=NS)
    atom = feedparser.parse(client.get("/feeds/talks.atom").data).entries[0]
    json_item = client.get("/feeds/talks.json").json["items"][0]
    for text in (summary, atom.summary, json_item["summary"]):
        assert text.startswith("12 views & café talk…"), text
        assert "&" + "nbsp;" not in text and "<" not in text
    # The HTML stays HTML where HTML belongs.
    assert "<em>café</em>" in json_item["content_html"]
