"""JSON Feed 1.1 output."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import replace
from datetime import datetime
from typing import Any

from feeds.jsonfeed import build_json_feed
from feeds.model import Channel, Item


def _load(data: bytes) -> Any:
    return json.loads(data.decode("utf-8"))


def test_required_fields(channel: Channel, talks: list[Item]) -> None:
    feed = _load(build_json_feed(channel, talks))
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["title"] == channel.title
    assert feed["home_page_url"] == channel.link
    assert feed["feed_url"] == channel.feed_url
    assert feed["authors"][0]["name"] == channel.author
    assert [i["id"] for i in feed["items"]] == [t.guid for t in talks]
    for item in feed["items"]:
        assert isinstance(item["id"], str)
        # Every item needs some content.
        assert item.get("content_html") or item.get("content_text")
        for attachment in item["attachments"]:
            assert attachment["url"].startswith("https://")
            assert "/" in attachment["mime_type"]


def test_attachments_carry_size_and_duration(channel: Channel, talks: list[Item]) -> None:
    feed = _load(build_json_feed(channel, talks))
    geometric = feed["items"][1]
    assert [
        (a["url"], a["mime_type"], a["size_in_bytes"], a["duration_in_seconds"], a.get("title"))
        for a in geometric["attachments"]
    ] == [
        (e.url, e.mime_type, e.length, round(e.duration or 0), talks[1].title)
        for e in talks[1].enclosures
    ]


def test_item_fields(channel: Channel, talks: list[Item]) -> None:
    stable, _, hart = _load(build_json_feed(channel, talks))["items"]
    assert stable["url"] == talks[0].link
    assert stable["title"] == talks[0].title
    assert stable["content_html"] == talks[0].content_html
    assert stable["summary"] == talks[0].summary
    assert stable["authors"] == [{"name": talks[0].author}]
    assert stable["tags"] == list(talks[0].tags)
    assert datetime.fromisoformat(stable["date_published"]) == talks[0].published
    assert datetime.fromisoformat(stable["date_modified"]) == talks[0].updated
    assert hart["image"] == talks[2].image


def test_plain_text_fallback_when_no_html(channel: Channel, talks: list[Item]) -> None:
    item = dataclasses.replace(talks[1], content_html="")
    (out,) = _load(build_json_feed(channel, [item]))["items"]
    assert out["content_text"] == item.summary
    assert "content_html" not in out


def test_hub_and_paging(channel: Channel, talks: list[Item]) -> None:
    feed = _load(build_json_feed(channel, talks))
    assert feed["hubs"] == [{"type": "WebSub", "url": channel.hub}]
    assert feed["next_url"] == channel.archive.prev_archive


def test_rebuild_is_identical(channel: Channel, talks: list[Item]) -> None:
    assert build_json_feed(channel, talks) == build_json_feed(channel, talks)


def test_hostile_text_gives_valid_json(
    channel: Channel, hostile_item: Item, forbidden_chars: str
) -> None:
    data = build_json_feed(dataclasses.replace(channel, title=hostile_item.title), [hostile_item])
    feed = _load(data)  # strict UTF-8 decode: lone surrogates would fail here
    title = feed["items"][0]["title"]
    assert '<script>alert("x")</script> & AT&T ]]>' in title
    assert "\U0001f9ee" in title
    assert not set(title) & set(forbidden_chars)
    assert feed["title"] == title


def test_external_url_is_the_upstream_page(channel: Channel, talks: list[Item]) -> None:
    feed = _load(build_json_feed(channel, talks))
    assert [i.get("external_url") for i in feed["items"]] == [t.external_url for t in talks]
    assert any(t.external_url for t in talks)


def test_podcasting_extension_carries_transcripts_chapters_and_people(
    channel: Channel, talks: list[Item]
) -> None:
    feed = _load(build_json_feed(channel, talks))
    assert feed["_podcast"]["guid"] == channel.podcast_guid
    talk = talks[0]
    podcast = feed["items"][0]["_podcast"]
    assert podcast["about"] == "https://podcastindex.org/namespace/1.0"
    assert [(t["url"], t["type"]) for t in podcast["transcripts"]] == [
        (t.url, t.mime_type) for t in talk.transcripts
    ]
    assert talk.chapters is not None
    assert podcast["chapters"] == {"url": talk.chapters.url, "type": talk.chapters.mime_type}
    assert [p["name"] for p in podcast["persons"]] == [p.name for p in talk.persons]
    # An item with none of these carries no empty extension object.
    bare = replace(talk, persons=(), transcripts=(), chapters=None, season=None, episode=None)
    assert "_podcast" not in _load(build_json_feed(channel, [bare]))["items"][0]
