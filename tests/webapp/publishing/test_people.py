"""A page and feeds per person: talks from every collection, people kept apart by full
name, merged and split by staff."""

from __future__ import annotations

import feedparser
import pytest
from lxml import etree
from podcast_clients import partytime
from sqlalchemy import select
from staffkit import make_user, sign_in, token_for

from webapp import services
from webapp.catalog.models import Person
from webapp.catalog.operations import Credit, person_named

from factories import make_episode, make_show

BASE = "http://talkcast.test"


@pytest.fixture
def two_collections(app):
    make_show(app, slug="deep-learning", title="Mathematics of Deep Learning")
    make_show(app, slug="plus", title="Plus podcasts")
    make_episode(app, "deep-learning", "A Stable Learning Framework", credits=[Credit("Fawzi, H")])
    make_episode(app, "deep-learning", "Adversarial robustness", credits=[Credit("Fawzi, A")])
    make_episode(
        app,
        "plus",
        "Maths in conversation",
        credits=[Credit("Fawzi, H"), Credit("Thomas, R", "host")],
    )
    return app


def _slug(app, name):
    with services.work(app) as session:
        return session.scalar(select(Person.slug).where(Person.name == name))


def test_same_surname_is_not_the_same_person(two_collections):
    app = two_collections
    h, a = _slug(app, "Fawzi, H"), _slug(app, "Fawzi, A")
    assert (h, a) == ("fawzi-h", "fawzi-a")
    client = app.test_client()
    page = client.get(f"/people/{h}").get_data(as_text=True)
    assert "A Stable Learning Framework" in page and "Maths in conversation" in page
    assert "Adversarial robustness" not in page
    assert "in 2 collections" in page


def test_person_feeds_in_every_format(two_collections):
    client = two_collections.test_client()
    expected = ["A Stable Learning Framework", "Maths in conversation"]
    for fmt in ("rss", "atom"):
        response = client.get(f"/feeds/people/fawzi-h.{fmt}")
        assert response.status_code == 200, fmt
        parsed = feedparser.parse(response.data)
        assert parsed.bozo == 0, parsed.get("bozo_exception")
        assert sorted(e.title for e in parsed.entries) == expected
        assert parsed.feed.title == "Talks by Fawzi, H"
        assert parsed.feed.link == f"{BASE}/people/fawzi-h"
    json_feed = client.get("/feeds/people/fawzi-h.json").get_json()
    assert sorted(i["title"] for i in json_feed["items"]) == expected
    assert json_feed["home_page_url"] == f"{BASE}/people/fawzi-h"
    assert json_feed["feed_url"] == f"{BASE}/feeds/people/fawzi-h.json"
    rss = client.get("/feeds/people/fawzi-h.rss").data
    self_link = etree.fromstring(rss).xpath("//*[local-name()='link' and @rel='self']/@href")
    assert self_link == [f"{BASE}/feeds/people/fawzi-h.rss"]
    parsed, _ = partytime(rss)
    assert parsed is not None and len(parsed["items"]) == 2
    opml = client.get("/feeds.opml").data.decode()
    for fmt in ("rss", "atom", "json"):
        assert f"{BASE}/feeds/people/fawzi-h.{fmt}" in opml
    assert client.get("/feeds/people/nobody.rss").status_code == 404


def test_staff_merge_two_records_of_one_person(two_collections):
    app = two_collections
    make_user(app)
    client = app.test_client()
    sign_in(client)
    token = token_for(client, "/staff/people/fawzi-a")
    response = client.post(
        "/staff/people/fawzi-a/merge", data={"csrf_token": token, "into": "fawzi-h"}
    )
    assert response.status_code == 302
    page = app.test_client().get("/people/fawzi-h").get_data(as_text=True)
    assert "Adversarial robustness" in page
    assert app.test_client().get("/people/fawzi-a").status_code == 404
    # An import that still spells the person the old way finds the merged record.
    with services.work(app) as session:
        assert person_named(session, "Fawzi, A").slug == "fawzi-h"
    feed = feedparser.parse(app.test_client().get("/feeds/people/fawzi-h.rss").data)
    assert len(feed.entries) == 3


def test_staff_split_one_record_of_two_people(two_collections):
    app = two_collections
    make_user(app)
    client = app.test_client()
    sign_in(client)
    page = client.get("/staff/people/fawzi-h").get_data(as_text=True)
    assert "Maths in conversation" in page
    with services.work(app) as session:
        from webapp.catalog.models import Episode

        talk = session.scalar(select(Episode.id).where(Episode.title == "Maths in conversation"))
    token = token_for(client, "/staff/people/fawzi-h")
    response = client.post(
        "/staff/people/fawzi-h/split",
        data={"csrf_token": token, "episode": str(talk), "name": "Fawzi, Hamza"},
    )
    assert response.status_code == 302
    public = app.test_client()
    assert "Maths in conversation" not in public.get("/people/fawzi-h").get_data(as_text=True)
    assert "Maths in conversation" in public.get("/people/fawzi-hamza").get_data(as_text=True)


def test_people_pages_need_staff_for_changes(two_collections):
    client = two_collections.test_client()
    assert client.get("/staff/people/").status_code == 302
    assert client.post("/staff/people/fawzi-a/merge", data={"into": "fawzi-h"}).status_code in (
        302,
        400,
    )
    assert _slug(two_collections, "Fawzi, A") == "fawzi-a"


def test_speaker_names_link_to_their_pages(two_collections):
    page = two_collections.test_client().get("/shows/deep-learning").get_data(as_text=True)
    assert 'href="/people/fawzi-h"' in page and 'href="/people/fawzi-a"' in page
