"""Search engines find every public page and none of the staff ones."""

from __future__ import annotations

from lxml import etree

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def test_sitemap_lists_every_public_page_and_each_answers(demo_client):
    root = etree.fromstring(demo_client.get("/sitemap.xml").data)
    locs = root.xpath("//s:url/s:loc/text()", namespaces=NS)
    assert locs[0] == "http://talkcast.test/"
    assert any("/people/" in u for u in locs)
    assert sum("/shows/" in u for u in locs) >= 2 + 6  # two collections, six INI talks
    for url in locs:
        path = url.removeprefix("http://talkcast.test")
        assert demo_client.get(path).status_code == 200, url


def test_robots_keeps_crawlers_out_of_staff_pages(demo_client):
    text = demo_client.get("/robots.txt").get_data(as_text=True)
    assert "Disallow: /staff/" in text and "Disallow: /api/" in text
    assert "Sitemap: http://talkcast.test/sitemap.xml" in text
