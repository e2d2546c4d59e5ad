"""The embeddable player: framable by any site, cookie-free, discoverable by oEmbed and by
the Open Graph and Twitter tags of the episode page."""

from __future__ import annotations

from lxml import html

from factories import make_episode, make_show

BASE = "http://talkcast.test"
PAGE = f"{BASE}/shows/talks/a-stable-learning-framework"


def _talk(app):
    make_show(app)
    make_episode(app, title="A Stable Learning Framework")


def test_embed_page_may_be_framed_by_any_site_and_sets_no_cookie(app):
    _talk(app)
    client = app.test_client()
    response = client.get("/embed/talks/a-stable-learning-framework")
    assert response.status_code == 200
    assert "frame-ancestors *" in response.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in response.headers
    assert "Set-Cookie" not in response.headers
    doc = html.fromstring(response.data)
    assert doc.xpath("//audio/@src") == ["https://media.example.org/1.mp3"]
    # Every other page still refuses to be framed.
    page = client.get("/shows/talks/a-stable-learning-framework")
    assert page.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]


def test_episode_page_offers_embed_code_and_share_previews(app):
    _talk(app)
    doc = html.fromstring(app.test_client().get("/shows/talks/a-stable-learning-framework").data)
    meta = {m.get("property") or m.get("name"): m.get("content") for m in doc.xpath("//meta")}
    assert meta["og:title"] == "A Stable Learning Framework"
    assert meta["og:url"] == PAGE
    assert meta["og:audio"] == "https://media.example.org/1.mp3"
    assert meta["twitter:card"] == "player"
    assert meta["twitter:player"] == f"{BASE}/embed/talks/a-stable-learning-framework"
    assert doc.xpath("//link[@rel='canonical']/@href") == [PAGE]
    (code,) = doc.xpath("//textarea[@id='embed-html']/text()")
    assert f'src="{BASE}/embed/talks/a-stable-learning-framework"' in code
    (oembed,) = doc.xpath("//link[@type='application/json+oembed']/@href")
    assert oembed.startswith(f"{BASE}/oembed?url=")


def test_oembed_answers_with_the_player(app):
    _talk(app)
    client = app.test_client()
    data = client.get("/oembed", query_string={"url": PAGE, "maxwidth": 400}).get_json()
    assert data["type"] == "rich" and data["version"] == "1.0"
    assert data["title"] == "A Stable Learning Framework"
    assert data["width"] == 400 and 'width="400"' in data["html"]
    assert "/embed/talks/a-stable-learning-framework" in data["html"]
    assert client.get("/oembed", query_string={"url": "https://elsewhere.org/x"}).status_code == 404
    assert client.get("/oembed", query_string={"url": PAGE, "format": "xml"}).status_code == 501


def test_drafts_are_not_embeddable(app):
    make_show(app)
    make_episode(app, title="Draft talk", state="draft")
    client = app.test_client()
    assert client.get("/embed/talks/draft-talk").status_code == 404
    query = {"url": f"{BASE}/shows/talks/draft-talk"}
    assert client.get("/oembed", query_string=query).status_code == 404
