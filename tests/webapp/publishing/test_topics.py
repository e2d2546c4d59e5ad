"""A page and feeds per topic (an episode's tags): talks from every collection."""

from __future__ import annotations

import feedparser

from webapp import services
from webapp.catalog.models import Episode
from webapp.catalog.operations import update_episode

from factories import make_episode, make_show

BASE = "http://talkcast.test"


def _tagged(app):
    make_show(app, slug="deep-learning", title="Mathematics of Deep Learning")
    make_show(app, slug="plus", title="Plus podcasts")
    make_episode(
        app, "deep-learning", "A Stable Learning Framework", tags="Machine learning, stability"
    )
    make_episode(app, "plus", "Maths of AI", tags="artificial intelligence, machine learning")
    make_episode(app, "plus", "Sphere packings", tags="geometry")


def test_topic_page_and_feeds_gather_talks_from_every_collection(app):
    _tagged(app)
    client = app.test_client()
    page = client.get("/topics/machine-learning").get_data(as_text=True)
    assert "A Stable Learning Framework" in page and "Maths of AI" in page
    assert "Sphere packings" not in page and "in 2 collections" in page
    for fmt in ("rss", "atom"):
        parsed = feedparser.parse(client.get(f"/feeds/topics/machine-learning.{fmt}").data)
        assert parsed.bozo == 0, parsed.get("bozo_exception")
        assert sorted(e.title for e in parsed.entries) == [
            "A Stable Learning Framework",
            "Maths of AI",
        ]
        assert parsed.feed.link == f"{BASE}/topics/machine-learning"
    assert client.get("/feeds/topics/machine-learning.json").get_json()["feed_url"] == (
        f"{BASE}/feeds/topics/machine-learning.json"
    )
    opml = client.get("/feeds.opml").get_data(as_text=True)
    assert f"{BASE}/feeds/topics/geometry.rss" in opml
    episode = client.get("/shows/plus/maths-of-ai").get_data(as_text=True)
    assert 'href="/topics/artificial-intelligence"' in episode


def test_a_topic_nobody_uses_any_more_goes(app):
    _tagged(app)
    client = app.test_client()
    assert client.get("/feeds/topics/geometry.rss").status_code == 200
    with services.work(app) as session:
        from sqlalchemy import select

        sphere = session.scalar(select(Episode).where(Episode.title == "Sphere packings"))
        update_episode(session, sphere, tags="")
    assert client.get("/feeds/topics/geometry.rss").status_code == 404
    assert client.get("/topics/geometry").status_code == 404
