"""A video episode gets an audio rendition in the background: stored, probed, offered in
every feed format, with a still as artwork; failures are recorded and retried."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from lxml import etree
from sqlalchemy import select, update
from staffkit import MediaMaker, make_token

from webapp import services
from webapp.catalog.models import Episode, MediaTask, utcnow
from webapp.jobs import tasks
from webapp.uploads.renditions import MAX_ATTEMPTS

from factories import make_show

NS = {"podcast": "https://podcastindex.org/namespace/1.0"}


@pytest.fixture(scope="session")
def media(tmp_path_factory):
    return MediaMaker(tmp_path_factory.mktemp("rendition-media"))


@pytest.fixture
def video_episode(app, media):
    """A published video episode made through the API, as a media team would."""
    make_show(app)
    token = make_token(app)
    response = app.test_client().post(
        "/api/v1/shows/talks/episodes",
        headers={"Authorization": f"Bearer {token}"},
        data={
            "title": "Moving pictures",
            "state": "published",
            "media": (io.BytesIO(media("video.mp4").read_bytes()), "talk.mp4"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()["guid"]


def _episode(app, guid):
    with services.session_factory(app)() as session:
        episode = session.scalar(select(Episode).where(Episode.guid == guid))
        return episode, list(episode.media), session.scalars(select(MediaTask)).all()


def test_a_video_gets_an_audio_rendition_in_every_feed(app, video_episode):
    _, files, (task,) = _episode(app, video_episode)
    assert [f.kind for f in files] == ["video"]
    assert (task.kind, task.state) == ("audio", "pending")

    report = tasks.process_media_tasks(app)
    assert (report.outcome, report.added) == ("ok", 1)

    episode, files, (task,) = _episode(app, video_episode)
    video, audio = files
    assert (task.state, task.attempts) == ("done", 1) and task.seconds > 0
    assert (audio.kind, audio.mime_type, audio.rendition_of) == ("audio", "audio/x-m4a", video.id)
    assert audio.storage_key.endswith(".m4a") and audio.size > 0
    assert episode.artwork_key is not None  # a still of the video

    client = app.test_client()
    item = etree.fromstring(client.get("/feeds/talks.rss").data).find("channel/item")
    assert item.find("enclosure").get("type") == "video/mp4"
    alternates = item.xpath("podcast:alternateEnclosure/@type", namespaces=NS)
    assert sorted(alternates) == ["audio/x-m4a", "video/mp4"]
    audio_item = etree.fromstring(client.get("/feeds/talks.audio.rss").data).find("channel/item")
    assert audio_item.find("enclosure").get("type") == "audio/x-m4a"
    assert int(audio_item.find("enclosure").get("length")) == audio.size
    attachments = client.get("/feeds/talks.json").json["items"][0]["attachments"]
    assert [a["mime_type"] for a in attachments] == ["video/mp4", "audio/x-m4a"]
    stored = client.get(f"/media/{audio.storage_key}")
    assert stored.status_code == 200 and len(stored.data) == audio.size


def test_a_failed_rendition_is_recorded_and_retried_with_backoff(app, video_episode):
    _, (video,), _ = _episode(app, video_episode)
    path = services.storage(app).path(video.storage_key)
    original = path.read_bytes()
    path.write_bytes(b"broken")  # the stored video went bad

    report = tasks.process_media_tasks(app)
    assert report.outcome == "error" and "retried" in report.error
    _, files, (task,) = _episode(app, video_episode)
    assert len(files) == 1 and task.state == "pending" and "ffmpeg failed" in task.last_error
    assert task.next_attempt_at > utcnow() + timedelta(seconds=30)
    assert tasks.process_media_tasks(app).added == 0  # not due yet

    path.write_bytes(original)
    with services.work(app) as session:
        session.execute(update(MediaTask).values(next_attempt_at=utcnow()))
    assert tasks.process_media_tasks(app).added == 1
    _, files, (task,) = _episode(app, video_episode)
    assert task.state == "done" and [f.kind for f in files] == ["video", "audio"]


def test_a_rendition_that_keeps_failing_stops_after_the_last_attempt(app, video_episode):
    _, (video,), _ = _episode(app, video_episode)
    services.storage(app).path(video.storage_key).write_bytes(b"broken")
    for _ in range(MAX_ATTEMPTS):
        with services.work(app) as session:
            session.execute(update(MediaTask).values(next_attempt_at=utcnow()))
        tasks.process_media_tasks(app)
    _, _, (task,) = _episode(app, video_episode)
    assert (task.state, task.attempts) == ("failed", MAX_ATTEMPTS)


def test_audio_uploads_queue_nothing(app, media):
    make_show(app)
    token = make_token(app)
    app.test_client().post(
        "/api/v1/shows/talks/episodes",
        headers={"Authorization": f"Bearer {token}"},
        data={"title": "Radio", "media": (io.BytesIO(media("cbr.mp3").read_bytes()), "a.mp3")},
        content_type="multipart/form-data",
    )
    with services.session_factory(app)() as session:
        assert session.scalars(select(MediaTask)).all() == []


def test_staff_see_the_state_of_the_rendition(app, video_episode):
    from staffkit import sign_in

    client = app.test_client()  # the account that made the API token signs in
    sign_in(client)
    episode, _, _ = _episode(app, video_episode)
    page = client.get(f"/staff/episodes/{episode.id}/edit").get_data(as_text=True)
    assert 'Audio version of the video: <strong class="state state-pending">pending' in page
    tasks.process_media_tasks(app)
    page = client.get(f"/staff/episodes/{episode.id}/edit").get_data(as_text=True)
    assert 'state-done">done</strong>' in page and "made in" in page
