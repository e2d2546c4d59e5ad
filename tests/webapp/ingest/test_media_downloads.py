"""Recordings offered upstream are copied here, politely, and become the episodes' enclosures;
talks without a recording reach feed readers only. Against a real loopback upstream."""

from __future__ import annotations

import shutil
import subprocess

import feedparser
import pytest
from lxml import etree
from podcast_clients import partytime
from pytest_httpserver import HTTPServer
from sourcekit import (
    MediaFileServer,
    Upstream,
    make_due,
    new_source,
    podcast_with_media,
    serve_kind,
)
from sqlalchemy import select, update
from staffkit import MediaMaker
from werkzeug import Response

from webapp import services
from webapp.catalog.models import MediaFile, MediaTask, utcnow
from webapp.jobs import tasks


@pytest.fixture
def server(httpserver_ipv4: HTTPServer) -> HTTPServer:
    return httpserver_ipv4


@pytest.fixture(scope="session")
def media(tmp_path_factory):
    return MediaMaker(tmp_path_factory.mktemp("download-media"))


@pytest.fixture(scope="session")
def long_recording(tmp_path_factory) -> bytes:
    """A minute of 64 kbit/s MP3 (about 480 kB): long enough to stop halfway through."""
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        pytest.skip("ffmpeg not installed: media fixtures are generated with it")
    path = tmp_path_factory.mktemp("download-long") / "long.mp3"
    subprocess.run(
        [ffmpeg, "-v", "error", "-y", "-f", "lavfi", "-i", "sine=frequency=500:duration=60",
         "-c:a", "libmp3lame", "-b:a", "64k", str(path)],
        check=True, capture_output=True,
    )  # fmt: skip
    return path.read_bytes()


def _rss_items(client) -> dict[str, etree._Element]:
    rss = etree.fromstring(client.get("/feeds/talks.rss").data)
    return {i.findtext("title"): i for i in rss.iter("item")}


def test_a_recording_on_the_sources_host_is_downloaded_and_played_from_here(
    app, client, server, media
):
    recording = media("cbr.mp3").read_bytes()
    served = MediaFileServer(server, "/media/talk-1.mp3", recording)
    upstream = podcast_with_media(server, len(recording))
    new_source(app, "rss", upstream.url)

    tasks.check_due_sources(app)
    # Queued, not yet here: podcast apps do not see a URL that is about to change.
    assert "Talk with a recording here" not in _rss_items(client)
    report = tasks.process_media_tasks(app)
    assert (report.outcome, report.added) == ("ok", 1)

    items = _rss_items(client)
    enclosure = items["Talk with a recording here"].find("enclosure")
    assert enclosure.get("url").startswith("http://talkcast.test/media/")
    assert int(enclosure.get("length")) == len(recording)
    stored = client.get(enclosure.get("url").removeprefix("http://talkcast.test"))
    assert stored.data == recording
    # Another host's file is never fetched; apps get it from upstream as listed.
    elsewhere = items["Talk recorded elsewhere"].find("enclosure")
    assert elsewhere.get("url") == "https://cdn.elsewhere.example/talk-2.mp3"
    assert [r["User-Agent"] for r in served.requests][0].startswith("Talkcast")

    # The second check finds nothing new and fetches nothing again.
    make_due(app, 1)
    tasks.check_due_sources(app)
    assert tasks.process_media_tasks(app).added == 0
    assert len(served.requests) == 1
    parsed, warnings = partytime(client.get("/feeds/talks.rss").data)
    assert len(parsed["items"]) == 2 and not warnings


def test_an_interrupted_download_resumes_where_it_stopped(app, client, server, long_recording):
    recording = long_recording
    served = MediaFileServer(server, "/media/talk-1.mp3", recording)
    served.cut_first = True
    new_source(app, "rss", podcast_with_media(server, len(recording)).url)
    tasks.check_due_sources(app)

    first = tasks.process_media_tasks(app)
    assert first.outcome == "error"
    with services.session_factory(app)() as session:
        (task,) = session.scalars(select(MediaTask)).all()
        assert task.state == "pending" and "stopped at" in task.last_error
        assert 0 < task.bytes_done < len(recording) and task.bytes_total == len(recording)
        arrived = task.bytes_done
        session.execute(update(MediaTask).values(next_attempt_at=utcnow()))
        session.commit()

    assert tasks.process_media_tasks(app).added == 1
    assert served.requests[1]["Range"] == f"bytes={arrived}-"  # only the rest is sent again
    enclosure = _rss_items(client)["Talk with a recording here"].find("enclosure")
    assert client.get(enclosure.get("url").removeprefix("http://talkcast.test")).data == recording


def test_fake_media_is_refused_with_a_reason(app, client, server):
    MediaFileServer(server, "/media/talk-1.mp3", b"<html>Sign in to watch</html>" * 50)
    new_source(app, "rss", podcast_with_media(server, 1450).url)
    tasks.check_due_sources(app)
    tasks.process_media_tasks(app)
    with services.session_factory(app)() as session:
        (task,) = session.scalars(select(MediaTask)).all()
        (media,) = session.scalars(select(MediaFile).where(MediaFile.url == task.url)).all()
        assert task.state == "failed" and "not an audio or video recording" in task.last_error
        assert media.storage_key is None and not media.awaiting_download


def test_a_redirect_to_another_host_is_not_followed(app, server):
    server.expect_request("/media/talk-1.mp3").respond_with_response(
        Response(status=302, headers={"Location": "http://169.254.169.254/latest/meta-data"})
    )
    new_source(app, "rss", podcast_with_media(server, 1000).url)
    tasks.check_due_sources(app)
    tasks.process_media_tasks(app)
    with services.session_factory(app)() as session:
        (task,) = session.scalars(select(MediaTask)).all()
        assert task.state == "failed" and "not on the source's host" in task.last_error


def test_a_page_without_recordings_gives_feed_reader_items_only(app, client, server):
    new_source(app, "collection-page", serve_kind(server, "collection-page").url)
    tasks.check_due_sources(app)
    assert tasks.process_media_tasks(app).added == 0
    assert _rss_items(client) == {}
    assert len(feedparser.parse(client.get("/feeds/talks.atom").data).entries) >= 3


def test_the_sources_page_shows_each_download_with_its_progress(app, client, server, media):
    from staffkit import make_user, sign_in

    recording = media("cbr.mp3").read_bytes()
    MediaFileServer(server, "/media/talk-1.mp3", recording)
    new_source(app, "rss", podcast_with_media(server, len(recording)).url)
    tasks.check_due_sources(app)
    make_user(app)
    staff = app.test_client()
    sign_in(staff)
    page = staff.get("/staff/sources/").get_data(as_text=True)
    assert "Talk with a recording here" in page and 'state-pending">pending' in page
    tasks.process_media_tasks(app)
    page = staff.get("/staff/sources/").get_data(as_text=True)
    assert 'state-done">done' in page
    assert f'<progress value="{len(recording)}" max="{len(recording)}">' in page


COLLECTION = """<!DOCTYPE html><html><body><h1>Deep learning day</h1>
<ul>
<li><a href="/media/101">A Stable Learning Framework</a><span>12 views</span>
 <p>Thesing, L</p><p>Thursday 23rd May 2019 - 14:20 to 14:40</p></li>
<li><a href="/media/102">The Ethics of Algorithmic Decision Making</a><span>16 views</span>
 <p>Boon, J</p><p>Thursday 23rd May 2019 - 12:00 to 12:40</p></li>
</ul></body></html>"""
MEDIA_PAGE = """<html><body><h1>A Stable Learning Framework</h1>
<a href="/downloads/101/talk.mp3">Download audio</a> <a href="/media/101/embed">Embed</a>
</body></html>"""


def test_a_recording_linked_from_a_talks_media_page_is_downloaded(app, client, server, media):
    recording = media("cbr.mp3").read_bytes()
    page = Upstream(server, "/collection", COLLECTION.encode(), "text/html; charset=utf-8")
    server.expect_request("/media/101").respond_with_data(MEDIA_PAGE, content_type="text/html")
    server.expect_request("/media/102").respond_with_data(
        "<html><body><p>Video coming soon</p></body></html>", content_type="text/html"
    )
    MediaFileServer(server, "/downloads/101/talk.mp3", recording)
    new_source(app, "collection-page", page.url)

    tasks.check_due_sources(app)
    assert _rss_items(client) == {}
    report = tasks.process_media_tasks(app)
    assert report.added == 1 and "1 failed for good" in report.error

    items = _rss_items(client)
    assert list(items) == ["A Stable Learning Framework"]  # the other has no recording
    enclosure = items["A Stable Learning Framework"].find("enclosure")
    assert int(enclosure.get("length")) == len(recording)
    assert len(client.get("/feeds/talks.json").json["items"]) == 2
    with services.session_factory(app)() as session:
        failed = session.scalar(select(MediaTask).where(MediaTask.state == "failed"))
        assert "offers no recording to download" in failed.last_error

    # Later checks leave the copy alone and do not ask the pages again.
    make_due(app, 1)
    tasks.check_due_sources(app)
    assert tasks.process_media_tasks(app).added == 0
    assert list(_rss_items(client)) == ["A Stable Learning Framework"]
