"""Each feed document names itself correctly: its own podcast:guid (UUIDv5 of its own URL),
variant titles and medium, and only links that answer."""

from __future__ import annotations

import uuid
from urllib.parse import urlsplit

import pytest
from lxml import etree

from webapp import services
from webapp.catalog.operations import get_show
from webapp.catalog.shows import rename_show

from factories import audio_file, make_episode, make_show, video_file

NS = {
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "podcast": "https://podcastindex.org/namespace/1.0",
    "atom": "http://www.w3.org/2005/Atom",
}
NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")


def _guid_of(url: str) -> str:
    return str(uuid.uuid5(NAMESPACE, url.split("://", 1)[1].rstrip("/")))


def _channel(client, name: str) -> etree._Element:
    response = client.get(f"/feeds/{name}")
    assert response.status_code == 200, name
    return etree.fromstring(response.data).find("channel")


@pytest.fixture
def mixed_show(app):
    """A show with an audio episode and a video episode: it gets audio and video feeds."""
    make_show(app, title="Seminar talks")
    make_episode(app, title="Heard", media=[audio_file()])
    make_episode(app, title="Seen", media=[video_file()])
    return app.test_client()


def test_every_feed_has_its_own_guid_from_its_own_url(mixed_show):
    for name in ("talks.rss", "talks.audio.rss", "talks.video.rss", "all.rss"):
        guid = _channel(mixed_show, name).xpath("string(podcast:guid)", namespaces=NS)
        assert guid == _guid_of(f"http://talkcast.test/feeds/{name}"), name


def test_variants_say_what_they_are(mixed_show):
    audio = _channel(mixed_show, "talks.audio.rss")
    video = _channel(mixed_show, "talks.video.rss")
    assert audio.findtext("title") == "Seminar talks (audio)"
    assert video.findtext("title") == "Seminar talks (video)"
    assert audio.xpath("string(podcast:medium)", namespaces=NS) == "podcast"
    assert video.xpath("string(podcast:medium)", namespaces=NS) == "video"


def test_variant_guids_are_kept_when_the_slug_changes(app, mixed_show):
    before = _channel(mixed_show, "talks.audio.rss").xpath("string(podcast:guid)", namespaces=NS)
    with services.work(app) as session:
        rename_show(session, get_show(session, "talks"), "seminars")
    after = _channel(mixed_show, "seminars.audio.rss").xpath("string(podcast:guid)", namespaces=NS)
    assert after == before


def test_the_all_feed_has_an_owner_and_a_home(demo_client):
    channel = _channel(demo_client, "all.rss")
    assert channel.findtext("link") == "http://talkcast.test/"
    assert channel.xpath("string(itunes:owner/itunes:email)", namespaces=NS) == "media@example.org"
    assert channel.xpath("string(itunes:owner/itunes:name)", namespaces=NS) == "Talkcast"
    assert demo_client.get("/feeds/all.json").json["home_page_url"] == "http://talkcast.test/"


def _links(client, name: str) -> set[str]:
    body = client.get(f"/feeds/{name}").data
    if name.endswith(".json"):
        feed = client.get(f"/feeds/{name}").json
        found = {feed["home_page_url"], feed["feed_url"], feed.get("icon", "")}
        for item in feed["items"]:
            found |= {item["url"]} | {a["url"] for a in item.get("attachments", [])}
        return found - {""}
    root = etree.fromstring(body)
    found = set(root.xpath("//link/text() | //url/text() | //@url | //@href | //@uri"))
    # Atom's icon and logo; podcast:images lists its sizes in a srcset.
    found |= set(root.xpath("//*[local-name()='icon' or local-name()='logo']/text()"))
    for srcset in root.xpath("//@srcset"):
        found |= {candidate.split()[0] for candidate in srcset.split(",")}
    return found


def test_every_link_a_demo_feed_carries_answers(demo_client):
    opml = etree.fromstring(demo_client.get("/feeds.opml").data)
    names = [u.split("/feeds/", 1)[1] for u in opml.xpath("//outline/@xmlUrl")]
    names += [n.replace(".rss", ".atom") for n in names] + [
        n.replace(".rss", ".json") for n in names
    ]
    checked = 0
    for name in names:
        for link in _links(demo_client, name):
            parts = urlsplit(link)
            if parts.netloc != "talkcast.test":
                continue  # upstream pages are the upstream's to answer
            response = demo_client.head(parts.path + (f"?{parts.query}" if parts.query else ""))
            assert response.status_code == 200, (name, link, response.status_code)
            checked += 1
    assert checked > 50
