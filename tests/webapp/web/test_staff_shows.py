"""Staff start and run a show in the browser: every channel field, cover art, slug changes
that keep old URLs answering, moving the feed to another host, archiving."""

from __future__ import annotations

import io

import feedparser
import pytest
from lxml import etree
from PIL import Image
from podcast_clients import partytime
from staffkit import csrf_in, make_user, sign_in

from webapp import services
from webapp.catalog.models import Show
from webapp.catalog.operations import get_show

NS = {
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "podcast": "https://podcastindex.org/namespace/1.0",
}
FULL = {
    "title": "Maths on Air",
    "slug": "maths-on-air",
    "kind": "podcast",
    "subtitle": "Conversations about mathematics",
    "description": "<p>Talks &amp; <em>conversations</em>.</p><script>alert(1)</script>",
    "category": "Science::Mathematics",
    "language": "en-GB",
    "author": "Plus magazine",
    "owner_name": "Plus team",
    "owner_email": "plus@example.org",
    "hosts": "Rachel Thomas (host)\nMarianne Freiberger",
    "explicit": "",
    "show_type": "serial",
    "copyright": "© University of Cambridge",
    "license": "CC-BY-4.0",
    "link": "https://plus.example.org/",
    "funding_url": "https://plus.example.org/support",
    "funding_text": "Support Plus",
    "location": "Isaac Newton Institute",
    "block": "y",
    "complete": "",
    "new_feed_url": "",
}


def _png(width: int = 2000, height: int = 1500) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "teal").save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def staff(app):
    make_user(app)
    client = app.test_client()
    assert sign_in(client).status_code == 302
    return client


def _post_form(staff, url: str, fields: dict, **files) -> object:
    token = csrf_in(staff.get(url).get_data(as_text=True))
    data = {k: v for k, v in fields.items() if v != ""}
    data.update({k: (io.BytesIO(v), f"{k}.png") for k, v in files.items()})
    return staff.post(url, data={**data, "csrf_token": token}, content_type="multipart/form-data")


def _channel(client, slug: str) -> etree._Element:
    response = client.get(f"/feeds/{slug}.rss")
    assert response.status_code == 200
    return etree.fromstring(response.data).find("channel")


def test_a_new_show_with_every_field_reaches_its_feed(app, staff):
    created = _post_form(staff, "/staff/shows/new", FULL, artwork=_png())
    assert created.status_code == 302, created.get_data(as_text=True)
    assert created.headers["Location"].endswith("/staff/shows/maths-on-air/edit")

    channel = _channel(staff, "maths-on-air")
    text = lambda path: channel.xpath(f"string({path})", namespaces=NS)  # noqa: E731
    assert text("title") == "Maths on Air"
    assert text("itunes:subtitle") == "Conversations about mathematics"
    assert "<script" not in text("description")
    assert text("language") == "en-GB"
    assert channel.xpath("itunes:category/@text", namespaces=NS) == ["Science"]
    assert channel.xpath("itunes:category/itunes:category/@text", namespaces=NS) == ["Mathematics"]
    assert text("itunes:owner/itunes:email") == "plus@example.org"
    assert text("itunes:owner/itunes:name") == "Plus team"
    assert text("itunes:author") == "Plus magazine"
    assert text("itunes:type") == "serial"
    assert text("itunes:explicit") == "false"
    assert text("itunes:block") == "Yes"
    assert text("copyright") == "© University of Cambridge"
    assert text("podcast:license") == "CC-BY-4.0"
    assert text("podcast:location") == "Isaac Newton Institute"
    assert channel.xpath("podcast:funding/@url", namespaces=NS) == [FULL["funding_url"]]
    assert text("podcast:funding") == "Support Plus"
    people = [(p.text, p.get("role")) for p in channel.xpath("podcast:person", namespaces=NS)]
    assert people == [("Rachel Thomas", "host"), ("Marianne Freiberger", "host")]

    art_url = channel.xpath("itunes:image/@href", namespaces=NS)[0]
    art = staff.get(art_url.removeprefix("http://talkcast.test"))
    assert art.status_code == 200 and art.mimetype == "image/jpeg"
    assert Image.open(io.BytesIO(art.data)).size == (1500, 1500)  # squared

    parsed, _ = partytime(staff.get("/feeds/maths-on-air.rss").data)
    assert parsed["title"] == "Maths on Air"
    assert parsed["itunesType"] == "serial"
    assert parsed["podcastFunding"][0]["url"] == FULL["funding_url"]
    assert parsed["itunesCategory"] and parsed["owner"]["email"] == "plus@example.org"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("category", "Science::Cooking", "Not a valid choice"),
        ("owner_email", "not-an-address", "is not an e-mail address"),
        ("language", "english please", "is not a language code"),
        ("funding_url", "javascript:alert(1)", "must be an http:// or https:// address"),
        ("slug", "all", "reserved"),
        ("slug", "Bad Slug!", "A slug is lower-case letters"),
        ("feed_redirect", "y", "Give the new feed URL before redirecting"),
    ],
)
def test_bad_settings_are_refused_with_a_reason_and_nothing_is_saved(
    app, staff, field, value, message
):
    response = _post_form(staff, "/staff/shows/new", {**FULL, field: value})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    with services.work(app) as session:
        assert session.query(Show).count() == 0


def test_a_fake_image_is_refused_and_leaves_no_show(app, staff):
    response = _post_form(staff, "/staff/shows/new", FULL, artwork=b"GIF89a not really")
    assert response.status_code == 400
    with services.work(app) as session:
        assert get_show(session, "maths-on-air") is None


def test_changing_the_slug_keeps_old_urls_answering_with_301(app, staff):
    _post_form(staff, "/staff/shows/new", FULL)
    guid_before = _channel(staff, "maths-on-air").xpath("string(podcast:guid)", namespaces=NS)
    edited = _post_form(
        staff, "/staff/shows/maths-on-air/edit", {**FULL, "slug": "maths-aloud", "explicit": ""}
    )
    assert edited.status_code == 302

    for old, new in [
        ("/feeds/maths-on-air.rss", "/feeds/maths-aloud.rss"),
        ("/feeds/maths-on-air.json", "/feeds/maths-aloud.json"),
        ("/shows/maths-on-air", "/shows/maths-aloud"),
    ]:
        moved = staff.get(old)
        assert moved.status_code == 301, old
        assert moved.headers["Location"] == f"http://talkcast.test{new}"
    channel = _channel(staff, "maths-aloud")
    assert channel.xpath("string(podcast:guid)", namespaces=NS) == guid_before
    # A new show cannot take the old slug while it still redirects.
    again = _post_form(staff, "/staff/shows/new", {**FULL, "title": "Other"})
    assert again.status_code == 400
    assert "still redirects" in again.get_data(as_text=True)


def test_moving_host_announces_the_new_url_then_redirects(app, staff):
    _post_form(staff, "/staff/shows/new", FULL)
    new_home = "https://new-host.example.net/maths-on-air.xml"
    _post_form(staff, "/staff/shows/maths-on-air/edit", {**FULL, "new_feed_url": new_home})
    channel = _channel(staff, "maths-on-air")
    assert channel.xpath("string(itunes:new-feed-url)", namespaces=NS) == new_home
    assert feedparser.parse(staff.get("/feeds/maths-on-air.rss").data).bozo == 0

    _post_form(
        staff,
        "/staff/shows/maths-on-air/edit",
        {**FULL, "new_feed_url": new_home, "feed_redirect": "y"},
    )
    for name in ("maths-on-air.rss", "maths-on-air.atom"):
        moved = staff.get(f"/feeds/{name}")
        assert (moved.status_code, moved.headers["Location"]) == (301, new_home)
    opml = staff.get("/feeds.opml").get_data(as_text=True)
    assert "maths-on-air.rss" not in opml


def test_archived_shows_leave_the_lists_but_keep_their_feeds(app, staff):
    _post_form(staff, "/staff/shows/new", FULL)
    listing = staff.get("/staff/shows/").get_data(as_text=True)
    token = csrf_in(listing)
    archived = staff.post(
        "/staff/shows/maths-on-air/archive", data={"csrf_token": token}, follow_redirects=True
    )
    assert "“Maths on Air” archived." in archived.get_data(as_text=True)
    assert "Maths on Air" not in staff.get("/").get_data(as_text=True)
    assert "Maths on Air" not in staff.get("/staff/shows/").get_data(as_text=True)
    assert "Maths on Air" in staff.get("/staff/shows/?archived=1").get_data(as_text=True)
    assert staff.get("/feeds/maths-on-air.rss").status_code == 200


def test_show_pages_need_a_signed_in_user(app):
    client = app.test_client()
    for url in ("/staff/shows/", "/staff/shows/new"):
        assert client.get(url).status_code in (302, 401)
    refused = client.post("/staff/shows/new", data={"title": "x"})
    assert refused.status_code in (302, 400, 401)
    with services.work(app) as session:
        assert session.query(Show).count() == 0
