"""Public HTML pages: listing, collection page, episode page, hostile input."""

from __future__ import annotations

import json
from datetime import timedelta

import feedparser
from lxml import etree, html

from webapp.catalog.models import utcnow

from factories import make_episode, make_show, video_file

INI = "mathematics-of-deep-learning-and-data-science"
HOSTILE = "<script>alert('x')</script> & \U0001f600 \x07bell \x00nul ]]> Ünïcode"


def test_home_lists_shows_with_feeds(demo_client):
    page = html.fromstring(demo_client.get("/").data)
    titles = page.xpath("//li[@class='show']//h2/a/text()")
    assert "The Mathematics of Deep Learning and Data Science" in titles
    assert "Learning the mathematics of the deep" in titles
    assert f"http://talkcast.test/feeds/{INI}.rss" in page.xpath("//a/@href")


def test_collection_page_shows_talks_like_the_original(demo_client):
    response = demo_client.get(f"/shows/{INI}")
    assert response.status_code == 200
    page = html.fromstring(response.data)
    items = page.xpath("//li[@class='episode']")
    assert len(items) == 6
    first = items[0]  # programme order: the 10:20 talk opens the day
    assert first.xpath("string(.//h3)") == "Robustness and Geometry of Deep Neural Networks"
    assert first.xpath("string(.//p[@class='speaker'])") == "Fawzi, A"
    assert first.xpath("string(.//p[@class='dateline'])") == (
        "Thursday 23rd May 2019 - 10:20 to 11:00"
    )
    assert first.xpath("string(.//p[@class='views'])") == "27 views"
    assert first.xpath(".//audio/@src")[0].startswith("/media/")
    text = first.text_content()
    assert "Institution: Isaac Newton Institute for Mathematical Sciences" in text
    assert "Created: Tue 28 May 2019" in text
    hrefs = page.xpath("//section[@class='subscribe']//a/@href")
    assert f"http://talkcast.test/feeds/{INI}.rss" in hrefs
    assert f"http://talkcast.test/feeds/{INI}.atom" in hrefs
    assert any(h.startswith("podcast://") for h in hrefs)
    assert page.xpath("//button[@data-copy]")


def test_episode_page_has_player_and_jsonld(demo_client):
    page_url = f"/shows/{INI}/a-stable-learning-framework"
    page = html.fromstring(demo_client.get(page_url).data)
    assert page.xpath("string(//h1)") == "A Stable Learning Framework"
    assert page.xpath("//audio[@controls]")
    (script,) = page.xpath("//script[@type='application/ld+json']/text()")
    data = json.loads(script)
    assert data["@type"] == "PodcastEpisode"
    assert data["name"] == "A Stable Learning Framework"
    assert data["author"] == [{"@type": "Person", "name": "Thesing, L"}]
    assert data["associatedMedia"]["encodingFormat"] == "audio/mpeg"
    assert data["duration"] == "PT1200S"
    # The talk as an event: "Thursday 23rd May 2019 - 14:20 to 14:40", where and by whom.
    event = data["recordedAt"]
    assert event["@type"] == "Event"
    assert (event["startDate"][:16], event["endDate"][:16]) == (
        "2019-05-23T13:20",
        "2019-05-23T13:40",
    )
    assert event["performer"] == data["author"]
    assert event["location"]["@type"] == "Place" and event["location"]["name"]


def test_video_episode_uses_video_player(app):
    make_show(app)
    make_episode(app, title="Geometric Deep Learning", media=[video_file()])
    page = html.fromstring(app.test_client().get("/shows/talks/geometric-deep-learning").data)
    assert page.xpath("//video[@controls]/@src") == ["https://media.example.org/1.mp4"]
    (script,) = page.xpath("//script[@type='application/ld+json']/text()")
    assert json.loads(script)["@type"] == "VideoObject"


def test_hostile_title_is_escaped_everywhere(app):
    make_show(app, title=HOSTILE)
    make_episode(
        app, title=HOSTILE, description_html="<p onclick='x()'>Hi<script>bad()</script></p>"
    )
    client = app.test_client()
    for url in ("/", "/shows/talks"):
        body = client.get(url).data.decode()
        assert "<script>alert" not in body
        assert "&lt;script&gt;alert" in body
    (slug,) = html.fromstring(client.get("/shows/talks").data).xpath("//li//h3/a/@href")
    body = client.get(slug).data.decode()
    assert "<script>alert" not in body and "bad()" not in body and "onclick" not in body
    (script,) = html.fromstring(body).xpath("//script[@type='application/ld+json']/text()")
    assert "<script>" not in script
    assert json.loads(script)["name"].startswith("<script>alert")
    for fmt in ("rss", "atom"):
        data = client.get(f"/feeds/talks.{fmt}").data
        etree.fromstring(data)  # well-formed XML despite control characters
        parsed = feedparser.parse(data)
        assert parsed.bozo == 0
        assert "\U0001f600" in parsed.entries[0].title
    json.loads(client.get("/feeds/talks.json").data)


def test_drafts_and_future_episodes_are_hidden(app):
    make_show(app)
    make_episode(app, title="Visible talk")
    make_episode(app, title="Draft talk", state="draft")
    make_episode(
        app, title="Future talk", state="scheduled", published=utcnow() + timedelta(days=3)
    )
    client = app.test_client()
    listing = client.get("/shows/talks").data.decode()
    assert "Visible talk" in listing
    assert "Draft talk" not in listing and "Future talk" not in listing
    assert client.get("/shows/talks/draft-talk").status_code == 404
    assert client.get("/shows/talks/future-talk").status_code == 404
    feed = client.get("/feeds/talks.rss").data.decode()
    assert "Draft talk" not in feed and "Future talk" not in feed


def test_scheduled_episode_appears_when_due_on_read(app, monkeypatch):
    """A feed built before a scheduled time is rebuilt on the first read after it."""
    import time as time_module

    make_show(app)
    make_episode(app, title="Visible talk")
    when = utcnow() + timedelta(minutes=5)
    make_episode(app, title="Scheduled talk", state="scheduled", published=when)
    client = app.test_client()
    assert b"Scheduled talk" not in client.get("/feeds/talks.rss").data
    real_time = time_module.time
    monkeypatch.setattr(time_module, "time", lambda: real_time() + 600)
    import webapp.catalog.operations as catalog

    monkeypatch.setattr(catalog, "utcnow", lambda: when + timedelta(seconds=1))
    import webapp.publishing.publisher as publish

    monkeypatch.setattr(publish, "utcnow", lambda: when + timedelta(seconds=1))
    assert b"Scheduled talk" in client.get("/feeds/talks.rss").data


def test_unknown_pages_are_404(demo_client):
    assert demo_client.get("/shows/nope").status_code == 404
    assert demo_client.get(f"/shows/{INI}/nope").status_code == 404


def test_long_show_pages_are_paged(app):
    make_show(app)
    for n in range(55):
        make_episode(app, title=f"Talk {n:02d}", media=[])
    client = app.test_client()
    first = html.fromstring(client.get("/shows/talks").data)
    assert len(first.xpath("//li[@class='episode']")) == 50
    assert "This collection contains 55 items." in first.text_content()
    assert first.xpath("//a[@rel='next']/@href") == ["/shows/talks?page=2"]
    second = html.fromstring(client.get("/shows/talks?page=2").data)
    assert len(second.xpath("//li[@class='episode']")) == 5
    assert second.xpath("//a[@rel='prev']/@href") == ["/shows/talks?page=1"]
    assert client.get("/shows/talks?page=3").status_code == 404


def test_every_public_page_names_its_canonical_address(demo_client):
    for path, canonical in (
        ("/", "http://talkcast.test/"),
        (f"/shows/{INI}", f"http://talkcast.test/shows/{INI}"),
        (f"/shows/{INI}?page=1&utm_source=x", f"http://talkcast.test/shows/{INI}"),
        (
            f"/shows/{INI}/a-stable-learning-framework",
            f"http://talkcast.test/shows/{INI}/a-stable-learning-framework",
        ),
        ("/search?q=stable", "http://talkcast.test/search"),
    ):
        page = html.fromstring(demo_client.get(path).data)
        assert page.xpath("//link[@rel='canonical']/@href") == [canonical], path
