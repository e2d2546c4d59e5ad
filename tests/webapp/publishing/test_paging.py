"""Large shows are paged with RFC 5005 archives; the subscription feed stays small."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import feedparser
import pytest
from lxml import etree

from factories import make_episode, make_show

ATOM = "http://www.w3.org/2005/Atom"
FH = "http://purl.org/syndication/history/1.0"


@pytest.fixture
def paged_app(app_config):
    from webapp import create_app

    app = create_app({**app_config, "FEED_PAGE_SIZE": 3})
    make_show(app)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    for n in range(8):
        make_episode(app, title=f"Talk {n + 1}", published=start + timedelta(days=n))
    yield app
    app.extensions["talkcast.engine"].dispose()


def _links(data, rel):
    doc = etree.fromstring(data)
    return doc.xpath(f"//*[local-name()='link' and @rel='{rel}']/@href")


def _titles(data):
    return [e.title for e in feedparser.parse(data).entries]


def test_subscription_feed_has_newest_page(paged_app):
    client = paged_app.test_client()
    rss = client.get("/feeds/talks.rss").data
    assert _titles(rss) == ["Talk 8", "Talk 7", "Talk 6"]
    assert _links(rss, "prev-archive") == ["http://talkcast.test/feeds/talks.archive-2.rss"]
    assert not etree.fromstring(rss).xpath("//fh:archive", namespaces={"fh": FH})


def test_archive_pages_chain_and_are_marked(paged_app):
    client = paged_app.test_client()
    page1 = client.get("/feeds/talks.archive-1.atom")
    page2 = client.get("/feeds/talks.archive-2.atom")
    assert page1.status_code == page2.status_code == 200
    assert _titles(page1.data) == ["Talk 3", "Talk 2", "Talk 1"]
    assert _titles(page2.data) == ["Talk 6", "Talk 5", "Talk 4"]
    assert _links(page2.data, "prev-archive") == ["http://talkcast.test/feeds/talks.archive-1.atom"]
    assert _links(page1.data, "next-archive") == ["http://talkcast.test/feeds/talks.archive-2.atom"]
    assert _links(page1.data, "current") == ["http://talkcast.test/feeds/talks.atom"]
    for page in (page1, page2):
        assert etree.fromstring(page.data).xpath("//fh:archive", namespaces={"fh": FH})


def test_archive_pages_stay_stable_as_items_arrive(paged_app):
    client = paged_app.test_client()
    before = client.get("/feeds/talks.archive-1.rss").data
    make_episode(paged_app, title="Talk 9", published=datetime(2024, 2, 1, tzinfo=UTC))
    assert _titles(client.get("/feeds/talks.archive-1.rss").data) == _titles(before)
    assert _titles(client.get("/feeds/talks.rss").data) == ["Talk 9", "Talk 8", "Talk 7"]


def test_every_item_reachable_through_archives(paged_app):
    client = paged_app.test_client()
    seen, url = set(), "/feeds/talks.json"
    import json

    doc = json.loads(client.get(url).data)
    seen.update(i["title"] for i in doc["items"])
    for n in (1, 2):
        page = json.loads(client.get(f"/feeds/talks.archive-{n}.json").data)
        seen.update(i["title"] for i in page["items"])
    assert seen == {f"Talk {n}" for n in range(1, 9)}
    assert client.get("/feeds/talks.archive-3.rss").status_code == 404
