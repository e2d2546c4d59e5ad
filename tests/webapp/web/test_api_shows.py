"""Shows through the JSON API: create, read, change, rename and give cover art, checked as the
staff form is, with a bearer token only."""

from __future__ import annotations

import io

import pytest
from lxml import etree
from PIL import Image
from staffkit import make_token, make_user, sign_in

NS = {"itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd"}


@pytest.fixture
def api(app):
    token = make_token(app)
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (1600, 1600), "purple").save(out, "JPEG")
    return out.getvalue()


def test_create_change_and_read_a_show(api):
    created = api.post(
        "/api/v1/shows",
        json={
            "title": "Newton Talks",
            "slug": "newton-talks",
            "category": "Science",
            "subcategory": "Physics",
            "owner_email": "media@newton.example.org",
            "show_type": "serial",
            "explicit": False,
        },
    )
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["slug"] == "newton-talks"
    assert body["feeds"]["rss"] == "http://talkcast.test/feeds/newton-talks.rss"
    guid = body["podcast_guid"]

    changed = api.patch(
        "/api/v1/shows/newton-talks", json={"subtitle": "From the institute", "slug": "ini-talks"}
    )
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["subtitle"] == "From the institute"
    assert changed.get_json()["podcast_guid"] == guid
    assert api.get("/feeds/newton-talks.rss").status_code == 301

    art = api.put(
        "/api/v1/shows/ini-talks/artwork", data=_jpeg(), content_type="image/jpeg"
    ).get_json()
    assert art["artwork"].startswith("http://talkcast.test/media/")
    channel = etree.fromstring(api.get("/feeds/ini-talks.rss").data).find("channel")
    assert channel.xpath("itunes:image/@href", namespaces=NS) == [art["artwork"]]
    assert channel.xpath("itunes:category/itunes:category/@text", namespaces=NS) == ["Physics"]

    listed = api.get("/api/v1/shows").get_json()["shows"]
    assert [s["slug"] for s in listed] == ["ini-talks"]
    assert api.get("/api/v1/shows/ini-talks").get_json()["show_type"] == "serial"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"category": "Science", "subcategory": "Cooking"}, "is not a subcategory of Science"),
        ({"category": "Maths"}, "is not an Apple Podcasts category"),
        ({"show_type": "random"}, "must be one of: episodic, serial"),
        ({"colour": "blue"}, "unknown show setting 'colour'"),
        ({"title": ""}, "A show needs a title."),
    ],
)
def test_bad_fields_are_refused_with_a_reason(api, fields, message):
    response = api.post("/api/v1/shows", json={"title": "Something", **fields})
    assert response.status_code == 400
    assert message in response.get_json()["message"]
    assert api.get("/api/v1/shows").get_json()["shows"] == []


def test_fake_artwork_is_refused_and_changes_nothing(api):
    api.post("/api/v1/shows", json={"title": "Art show"})
    refused = api.put("/api/v1/shows/art-show/artwork", data=b"<svg/>", content_type="image/png")
    assert refused.status_code == 400
    assert api.get("/api/v1/shows/art-show").get_json()["artwork"] is None


def test_cookies_do_not_authenticate_show_writes(app):
    make_user(app)
    client = app.test_client()
    sign_in(client)
    assert client.post("/api/v1/shows", json={"title": "Cookie show"}).status_code == 401
    assert client.patch("/api/v1/shows/x", json={}).status_code == 401
