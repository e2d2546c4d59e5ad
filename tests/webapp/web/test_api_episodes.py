"""The JSON API: bearer tokens only, episodes by GUID, uploads streamed and probed."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from lxml import etree
from staffkit import MediaMaker, make_token, make_user, sign_in, stored_files

from webapp import services

from factories import make_show


@pytest.fixture(scope="session")
def media(tmp_path_factory):
    return MediaMaker(tmp_path_factory.mktemp("api-media"))


@pytest.fixture
def api(app):
    make_show(app)
    token = make_token(app)
    client = app.test_client()

    def call(method, path, **kwargs):
        headers = {"Authorization": f"Bearer {token}", **kwargs.pop("headers", {})}
        return client.open(f"/api/v1{path}", method=method, headers=headers, **kwargs)

    call.client = client
    return call


def rss_titles(client):
    rss = etree.fromstring(client.get("/feeds/talks.rss").data)
    return [item.findtext("title") for item in rss.findall("channel/item")]


def create_multipart(api, media, **fields):
    data = {
        "title": "Modular forms",
        "persons": ["Maryna Viazovska", "Ada Lovelace (host)"],
        "media": (io.BytesIO(media("cbr.mp3").read_bytes()), "talk.mp3"),
        **fields,
    }
    return api("POST", "/shows/talks/episodes", data=data, content_type="multipart/form-data")


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer tc_not-a-token"}, {"Authorization": "Basic dXNlcjpwYXNz"}],
)
def test_requests_without_a_valid_token_are_refused(app, headers):
    make_show(app)
    response = app.test_client().get("/api/v1/shows", headers=headers)
    assert response.status_code == 401
    assert response.get_json()["error"] == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_signed_in_browser_session_is_not_enough(app, media):
    # The API is exempt from CSRF checks because cookies never authenticate it.
    make_show(app)
    make_user(app)
    client = app.test_client()
    sign_in(client)
    assert client.get("/api/v1/shows").status_code == 401
    response = client.post(
        "/api/v1/shows/talks/episodes", json={"title": "Smuggled in by a cookie"}
    )
    assert response.status_code == 401


def test_revoked_token_is_refused(app, api):
    from sqlalchemy import update

    from webapp.catalog.models import ApiToken

    assert api("GET", "/shows").status_code == 200
    with services.work(app) as session:
        session.execute(update(ApiToken).values(revoked=True))
    assert api("GET", "/shows").status_code == 401


def test_list_shows_with_feed_urls(api):
    body = api("GET", "/shows").get_json()
    (show,) = body["shows"]
    assert show["slug"] == "talks"
    assert show["feeds"]["rss"] == "http://talkcast.test/feeds/talks.rss"


def test_create_with_media_then_edit_publish_and_delete(app, api, media):
    response = create_multipart(api, media)
    assert response.status_code == 201, response.get_json()
    episode = response.get_json()
    guid = episode["guid"]
    assert response.headers["Location"].endswith(f"/api/v1/episodes/{guid}")
    assert episode["state"] == "draft"
    assert episode["persons"] == [
        {"name": "Maryna Viazovska", "role": "guest"},
        {"name": "Ada Lovelace", "role": "host"},
    ]
    (file,) = episode["media"]
    assert (file["mime_type"], file["kind"]) == ("audio/mpeg", "audio")
    assert file["duration"] == pytest.approx(3.0, abs=0.15)
    assert rss_titles(api.client) == []

    listed = api("GET", "/shows/talks/episodes").get_json()["episodes"]
    assert [e["guid"] for e in listed] == [guid]

    patched = api("PATCH", f"/episodes/{guid}", json={"title": "Modular forms, part 1"})
    assert patched.status_code == 200
    assert patched.get_json()["title"] == "Modular forms, part 1"

    published = api("POST", f"/episodes/{guid}/publish")
    assert published.get_json()["state"] == "published"
    assert rss_titles(api.client) == ["Modular forms, part 1"]
    media_url = file["url"].removeprefix("http://talkcast.test")
    assert api.client.get(media_url).status_code == 200

    assert api("POST", f"/episodes/{guid}/unpublish").get_json()["state"] == "unpublished"
    assert rss_titles(api.client) == []

    assert api("DELETE", f"/episodes/{guid}").status_code == 204
    assert api("GET", f"/episodes/{guid}").status_code == 404
    assert stored_files(app) == []


def test_publish_at_a_future_time_schedules(api, media):
    guid = create_multipart(api, media).get_json()["guid"]
    at = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0)
    body = api("POST", f"/episodes/{guid}/publish", json={"at": at.isoformat()}).get_json()
    assert body["state"] == "scheduled"
    assert datetime.fromisoformat(body["publish_at"]) == at
    assert body["public"] is False
    assert rss_titles(api.client) == []


def test_publish_in_the_past_is_refused(api, media):
    guid = create_multipart(api, media).get_json()["guid"]
    response = api("POST", f"/episodes/{guid}/publish", json={"at": "2001-01-01T10:00"})
    assert response.status_code == 400
    assert "in the future" in response.get_json()["message"]


def test_raw_upload_then_json_create(app, api, media):
    data = media("video.mp4").read_bytes()
    staged = api(
        "POST",
        "/uploads",
        data=data,
        headers={"X-Filename": "lecture.mp4", "Content-Type": "application/octet-stream"},
    )
    assert staged.status_code == 201
    upload_id = staged.get_json()["upload_id"]
    response = api(
        "POST",
        "/shows/talks/episodes",
        json={"title": "Video lecture", "upload_ids": [upload_id], "state": "published"},
    )
    assert response.status_code == 201, response.get_json()
    (file,) = response.get_json()["media"]
    assert (file["kind"], file["width"], file["height"]) == ("video", 320, 240)
    assert rss_titles(api.client) == ["Video lecture"]
    # The id is used up: the staged file moved into storage.
    again = api("POST", "/shows/talks/episodes", json={"title": "x", "upload_ids": [upload_id]})
    assert again.status_code == 400
    assert "upload it again" in again.get_json()["message"]


def test_fake_media_is_refused_with_a_reason_and_leaves_nothing(app, api):
    response = api(
        "POST",
        "/shows/talks/episodes",
        data={"title": "Oops", "media": (io.BytesIO(b"just some notes\n" * 40), "notes.mp3")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert response.get_json()["message"] == (
        "notes.mp3: This file is text, not an audio or video recording."
    )
    assert stored_files(app) == []
    assert api("GET", "/shows/talks/episodes").get_json()["episodes"] == []


def test_bad_fields_are_refused_and_staged_files_dropped(app, api, media):
    response = create_multipart(api, media, season="two")
    assert response.status_code == 400
    assert response.get_json()["message"] == "'season' must be a whole number"
    assert stored_files(app) == []
    response = api("PATCH", "/shows/talks/episodes", json={})
    assert response.status_code == 405
    unknown = api("POST", "/shows/talks/episodes", json={"title": "x", "colour": "red"})
    assert unknown.get_json()["message"] == "unknown field(s): colour"


def test_unknown_show_and_episode_are_404_json(api):
    assert api("GET", "/shows/nope/episodes").get_json()["error"] == "not_found"
    assert api("PATCH", "/episodes/nope", json={"title": "x"}).status_code == 404
