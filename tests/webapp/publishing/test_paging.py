"""Large shows are paged with RFC 5005 archives: pages are immutable and a client that walks
them from the subscription feed sees every episode exactly once."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import feedparser
import pytest
from lxml import etree

from factories import make_episode, make_show

ATOM = "http://www.w3.org/2005/Atom"
FH = "http://purl.org/syndication/history/1.0"
BASE = "http://talkcast.test"
START = datetime(2024, 1, 1, tzinfo=UTC)


@pytest.fixture
def paged_app(app_config):
    from webapp import create_app

    app = create_app({**app_config, "FEED_PAGE_SIZE": 3})
    make_show(app)
    for n in range(8):
        make_episode(app, title=f"Talk {n + 1}", published=START + timedelta(days=n))
    yield app
    app.extensions["talkcast.engine"].dispose()


def _links(data, rel):
    doc = etree.fromstring(data)
    return doc.xpath(f"//*[local-name()='link' and @rel='{rel}']/@href")


def _titles(data):
    return [e.title for e in feedparser.parse(data).entries]


def _path(url):
    assert url.startswith(BASE)
    return url[len(BASE) :]


def _walk(client, fmt):
    """Every item id met walking back from the subscription feed, in order, as a client would."""
    seen, url, pages = [], f"{BASE}/feeds/talks.{fmt}", 0
    while url:
        response = client.get(_path(url))
        assert response.status_code == 200, url
        pages += 1
        if fmt == "json":
            doc = json.loads(response.data)
            seen += [i["id"] for i in doc["items"]]
            url = doc.get("next_url")
        else:
            seen += [e.id for e in feedparser.parse(response.data).entries]
            prev = _links(response.data, "prev-archive")
            url = prev[0] if prev else None
    return seen, pages


def test_subscription_feed_holds_what_no_full_page_holds(paged_app):
    client = paged_app.test_client()
    rss = client.get("/feeds/talks.rss").data
    # 8 items, pages of 3: one full archive page (the oldest 3), the other 5 are current.
    assert _titles(rss) == ["Talk 8", "Talk 7", "Talk 6", "Talk 5", "Talk 4"]
    assert _links(rss, "prev-archive") == [f"{BASE}/feeds/talks.archive-1.rss"]
    assert not etree.fromstring(rss).xpath("//fh:archive", namespaces={"fh": FH})


def test_archive_pages_chain_and_are_marked(paged_app):
    client = paged_app.test_client()
    page1 = client.get("/feeds/talks.archive-1.atom")
    assert page1.status_code == 200
    assert _titles(page1.data) == ["Talk 3", "Talk 2", "Talk 1"]
    assert _links(page1.data, "prev-archive") == []
    assert _links(page1.data, "next-archive") == [f"{BASE}/feeds/talks.archive-2.atom"]
    assert _links(page1.data, "current") == [f"{BASE}/feeds/talks.atom"]
    assert etree.fromstring(page1.data).xpath("//fh:archive", namespaces={"fh": FH})
    # The page after the newest is not written yet: its items are in the current feed.
    ahead = client.get("/feeds/talks.archive-2.atom")
    assert ahead.status_code == 302
    assert ahead.headers["Location"] == f"{BASE}/feeds/talks.atom"
    assert client.get("/feeds/talks.archive-3.atom").status_code == 404


@pytest.mark.parametrize("fmt", ["rss", "atom", "json"])
def test_walking_the_chain_meets_every_episode_exactly_once(paged_app, fmt):
    client = paged_app.test_client()
    for n in range(8, 15):
        make_episode(paged_app, title=f"Talk {n + 1}", published=START + timedelta(days=n))
    seen, pages = _walk(client, fmt)
    assert len(seen) == len(set(seen)) == 15
    assert pages == 5  # four full archive pages of 3, then the 3 newest


def _archive_pages(client):
    pages = {}
    for fmt in ("rss", "atom", "json"):
        n = 1
        while (response := client.get(f"/feeds/talks.archive-{n}.{fmt}")).status_code == 200:
            pages[response.request.path] = (response.data, response.headers["ETag"])
            n += 1
    return pages


def test_archive_pages_are_byte_identical_after_ten_new_episodes(paged_app):
    client = paged_app.test_client()
    before = _archive_pages(client)
    assert len(before) == 3  # archive-1 in each format
    for n in range(8, 18):
        make_episode(paged_app, title=f"Talk {n + 1}", published=START + timedelta(days=n))
    after = _archive_pages(client)
    assert len(after) == 3 * 5  # 18 items: five full archive pages, 3 current
    for path, (data, etag) in before.items():
        assert after[path] == (data, etag), path
    # The successor the newest page named before now exists, as that page said it would.
    assert _links(after["/feeds/talks.archive-1.rss"][0], "next-archive") == [
        f"{BASE}/feeds/talks.archive-2.rss"
    ]
    assert client.get("/feeds/talks.archive-2.rss").status_code == 200


def test_archive_page_date_is_its_own_items(paged_app):
    client = paged_app.test_client()
    parsed = feedparser.parse(client.get("/feeds/talks.archive-1.atom").data)
    newest_on_page = max(e.updated_parsed for e in parsed.entries)
    assert parsed.feed.updated_parsed == newest_on_page
