"""Art made from a show's square cover: the Atom logo (2:1) and the podcast:images sizes."""

from __future__ import annotations

import io
from pathlib import Path

import feedparser
from lxml import etree
from PIL import Image
from podcast_clients import partytime

from webapp import services


def _image(response):
    image = Image.open(io.BytesIO(response.data))
    image.load()
    return image


def test_every_atom_feed_logo_is_a_two_to_one_jpeg(demo_client):
    opml = etree.fromstring(demo_client.get("/feeds.opml").data)
    atom = opml.xpath("//outline[@version='atom']/@xmlUrl")
    # The two demo shows, "all", and the feeds of each person and topic (the site's art).
    gathered = ("/feeds/people/", "/feeds/topics/")
    assert len([url for url in atom if not any(g in url for g in gathered)]) == 3
    assert len(atom) > 3
    for url in atom:
        feed = feedparser.parse(demo_client.get(url.removeprefix("http://talkcast.test")).data).feed
        assert feed.icon != feed.logo
        response = demo_client.get(feed.logo.removeprefix("http://talkcast.test"))
        assert response.status_code == 200, feed.logo
        assert response.mimetype == "image/jpeg"
        assert _image(response).size == (800, 400)


def test_logo_is_made_once_and_cached(app):
    art = io.BytesIO()
    Image.new("RGB", (1400, 1400), (10, 120, 200)).save(art, "PNG")
    key = services.storage(app).put_bytes(art.getvalue(), ".png").key
    client = app.test_client()
    first = client.get(f"/logo/{key}")
    assert first.status_code == 200
    assert (
        client.get(f"/logo/{key}", headers={"If-None-Match": first.headers["ETag"]}).status_code
        == 304
    )
    assert client.get(f"/logo/{key}").data == first.data
    assert len(list((Path(app.config["DATA_DIR"]) / "art").iterdir())) == 1


def test_logo_of_anything_but_stored_art_is_404(app):
    client = app.test_client()
    fake = services.storage(app).put_bytes(b"not an image at all", ".jpg").key
    for key in ("../../secret_key", "aa/bb/nothing.jpg", fake):
        assert client.get(f"/logo/{key}").status_code == 404


def test_every_size_in_podcast_images_is_served_at_that_width(demo_client):
    parsed, _ = partytime(demo_client.get("/feeds/all.rss").data)
    sizes = [i["parsed"] for i in parsed["podcastImages"]]
    assert [s["width"] for s in sizes] == [1400, 600, 300]
    for size in sizes:
        response = demo_client.get(size["url"].removeprefix("http://talkcast.test"))
        assert response.status_code == 200
        assert _image(response).size == (size["width"], size["width"])


def test_only_listed_sizes(app):
    assert app.test_client().get("/art/123/site.jpg").status_code == 404
