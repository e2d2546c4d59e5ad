"""Podcasting 2.0 settings staff set in the forms reach the feed as podcast apps read it
(partytime): images, updateFrequency, txt, podroll, soundbites, item location,
socialInteract, and live items for announced talks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from lxml import etree
from podcast_clients import partytime
from staffkit import csrf_in, signed_in_client

from webapp import services
from webapp.catalog.models import Episode, podcast_guid_for, utcnow
from webapp.catalog.operations import add_media_file

from factories import audio_file, make_episode, make_show

NS = {"podcast": "https://podcastindex.org/namespace/1.0"}
OTHER = "917393e3-1b1e-5cef-ace4-edaa54e1f810"
STREAM = "https://stream.example.org/seminar-room.mp3"
SHOW_FIELDS = {
    "title": "Seminar talks",
    "kind": "podcast",
    "category": "Science::Mathematics",
    "language": "en",
    "show_type": "episodic",
    "update_frequency": "Weekly during term",
    "update_rrule": "freq=weekly;byday=th",
    "podroll": f"https://plus.example.org/podcast.rss\n{OTHER}",
    "txt_value": "S6lpp-7ZCn8-dZfGc-OoyVG",
    "txt_purpose": "verify",
    "live_stream_url": STREAM,
    "live_stream_type": "audio/mpeg",
}


@pytest.fixture
def staff(app):
    return signed_in_client(app)


def _post(client, url, fields):
    token = csrf_in(client.get(url).get_data(as_text=True))
    return client.post(url, data={**fields, "csrf_token": token})


def _feed(client):
    document = client.get("/feeds/talks.rss").data
    parsed, _ = partytime(document)
    assert parsed is not None
    return parsed, etree.fromstring(document)


def test_show_settings_reach_podcast_apps(app, staff):
    make_show(app)
    response = _post(staff, "/staff/shows/talks/edit", SHOW_FIELDS)
    assert response.status_code == 302, response.get_data(as_text=True)
    make_episode(app, title="A talk with a file")
    parsed, rss = _feed(app.test_client())
    assert parsed["podcastTxt"] == [{"value": "S6lpp-7ZCn8-dZfGc-OoyVG", "purpose": "verify"}]
    assert parsed["podroll"] == [
        {
            "feedGuid": podcast_guid_for("https://plus.example.org/podcast.rss"),
            "feedUrl": "https://plus.example.org/podcast.rss",
        },
        {"feedGuid": OTHER},
    ]
    assert [i["parsed"]["width"] for i in parsed["podcastImages"]] == [1400, 600, 300]
    (frequency,) = rss.xpath("//podcast:updateFrequency", namespaces=NS)
    assert (frequency.text, frequency.get("rrule")) == (
        "Weekly during term",
        "FREQ=WEEKLY;BYDAY=TH",
    )
    # The form shows what was saved, in its checked spelling.
    page = staff.get("/staff/shows/talks/edit").get_data(as_text=True)
    assert "FREQ=WEEKLY;BYDAY=TH" in page and OTHER in page


def test_bad_settings_are_refused_with_the_reason(app, staff):
    make_show(app)
    response = _post(staff, "/staff/shows/talks/edit", {**SHOW_FIELDS, "podroll": "Plus"})
    assert response.status_code == 400
    assert "feed URL or a podcast:guid" in response.get_data(as_text=True)
    response = _post(staff, "/staff/shows/talks/edit", {**SHOW_FIELDS, "live_stream_type": ""})
    assert "Say what the live stream is" in response.get_data(as_text=True)


def test_episode_soundbites_venue_and_thread_reach_podcast_apps(app, staff):
    make_show(app)
    episode_id = make_episode(app, title="Sphere packings")
    response = _post(
        staff,
        f"/staff/episodes/{episode_id}/edit",
        {
            "title": "Sphere packings",
            "persons": "Maryna Viazovska",
            "episode_type": "full",
            "venue": "Seminar Room 1, Isaac Newton Institute",
            "soundbites": "12:30 0:45 The magic function\n1:00:00 30",
            "social_uri": "https://mathstodon.xyz/@ini/1234",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    parsed, _ = _feed(app.test_client())
    (item,) = parsed["items"]
    assert item["podcastSoundbites"] == [
        {"startTime": 750, "duration": 45, "title": "The magic function"},
        {"startTime": 3600, "duration": 30, "title": "Seminar talks"},
    ]
    assert item["podcastLocation"] == {"name": "Seminar Room 1, Isaac Newton Institute"}
    assert item["podcastSocialInteraction"][0]["url"] == "https://mathstodon.xyz/@ini/1234"
    bad = _post(
        staff,
        f"/staff/episodes/{episode_id}/edit",
        {"title": "Sphere packings", "episode_type": "full", "soundbites": "soon 30"},
    )
    assert "is not a time" in bad.get_data(as_text=True)


def test_announced_talk_is_a_live_item_until_its_recording_is_published(app, staff):
    make_show(app, live_stream_url=STREAM, live_stream_type="audio/mpeg")
    make_episode(app, title="An earlier talk")
    start = utcnow() + timedelta(days=2)
    talk_id = make_episode(
        app,
        title="Geometric deep learning",
        media=[],
        state="scheduled",
        published=start,
        recorded_start=start,
        recorded_end=start + timedelta(minutes=40),
        source_url="https://talks.example.org/talk/index/1",
    )
    client = app.test_client()
    parsed, _ = _feed(client)
    (live,) = parsed["podcastLiveItems"]
    assert live["status"] == "pending"
    assert live["title"] == "Geometric deep learning"
    assert live["enclosure"]["url"] == STREAM
    assert live["contentLinks"][0]["url"] == "https://talks.example.org/talk/index/1"
    assert [i["title"] for i in parsed["items"]] == ["An earlier talk"]
    # The talk is on (a rebuild with the clock five minutes past its start): the same
    # live item says so.
    with services.work(app) as session:
        show = session.get(Episode, talk_id).show
        services.publisher(app).build_show(session, show, now=start + timedelta(minutes=5))
    parsed, _ = _feed(client)
    assert [x["status"] for x in parsed["podcastLiveItems"]] == ["live"]
    # The recording is published: a normal item with the same guid, no live item.
    with services.work(app) as session:
        episode = session.get(Episode, talk_id)
        guid = episode.guid
        add_media_file(session, episode, **audio_file(7))
        episode.publish_at = utcnow() - timedelta(minutes=1)
    parsed, _ = _feed(client)
    assert "podcastLiveItems" not in parsed
    assert guid in [i["guid"] for i in parsed["items"]]


def test_no_live_items_without_a_stream(app):
    make_show(app)
    start = utcnow() + timedelta(days=2)
    make_episode(
        app, title="Announced", media=[], state="scheduled", published=start, recorded_start=start
    )
    make_episode(app, title="A talk with a file")
    _, rss = _feed(app.test_client())
    assert rss.xpath("//podcast:liveItem", namespaces=NS) == []


def test_a_live_items_links_answer(app):
    make_show(app, live_stream_url=STREAM, live_stream_type="audio/mpeg")
    make_episode(app, title="A talk with a file")
    start = utcnow() + timedelta(days=1)
    make_episode(
        app, title="Announced", media=[], state="scheduled", published=start, recorded_start=start
    )
    client = app.test_client()
    parsed, _ = _feed(client)
    (live,) = parsed["podcastLiveItems"]
    # Not published yet, so no episode page: the link goes to the show's page.
    assert live["link"] == "http://talkcast.test/shows/talks"
    assert client.get("/shows/talks").status_code == 200
