"""A person starts a podcast in the browser, uploads a video to it, watches the audio version
appear, and finds both files in the feeds: the whole path from "new show" to an app."""

from __future__ import annotations

import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from lxml import etree
from PIL import Image
from staffkit import sign_in_browser

from webapp import services
from webapp.jobs.scheduler import start_in_process
from webapp.web.auth import create_user

EMAIL = "producer@example.org"
PASSWORD = "correct horse battery"
NS = {
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "podcast": "https://podcastindex.org/namespace/1.0",
}


@pytest.fixture
def scheduled_app(app):
    """The app with its scheduler running in-process, as `make run` starts it."""
    app.config["SCHEDULER"] = {
        **app.config.get("SCHEDULER", {}),
        "enabled": True,  # the test configuration turns it off for every other test
        "media_every_seconds": 1,
        "jitter_seconds": 0,
    }
    runner = start_in_process(app)
    assert runner is not None
    yield app
    runner.shutdown()


@pytest.fixture
def talk_video(tmp_path) -> Path:
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        pytest.skip("ffmpeg not installed: media fixtures are generated with it")
    path = tmp_path / "lecture.mp4"
    subprocess.run(
        [ffmpeg, "-v", "error", "-y",
         "-f", "lavfi", "-i", "testsrc=size=320x240:rate=10:duration=4",
         "-f", "lavfi", "-i", "sine=frequency=300:duration=4",
         "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest",
         "-metadata", "title=Lecture on video", str(path)],
        check=True, capture_output=True,
    )  # fmt: skip
    return path


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as response:
        return bytes(response.read())


def test_new_show_then_video_then_audio_rendition(
    scheduled_app, live_server, browser, talk_video, tmp_path
):
    with services.work(scheduled_app) as session:
        create_user(session, EMAIL, PASSWORD)
    cover = tmp_path / "cover.png"
    Image.new("RGB", (1600, 1600), "darkgreen").save(cover, "PNG")

    page = browser.new_page()
    sign_in_browser(page, live_server, EMAIL, PASSWORD)

    page.click("nav >> text=Shows")
    page.click("text=New show")
    page.fill("input[name=title]", "Lectures on Film")
    page.fill("input[name=slug]", "lectures-on-film")
    page.select_option("select[name=category]", "Education::Courses")
    page.fill("input[name=owner_email]", "media@example.org")
    page.set_input_files("input[name=artwork]", str(cover))
    page.click("text=Create show")
    page.wait_for_url("**/staff/shows/lectures-on-film/edit")
    assert "Show created:" in page.inner_text(".flashes")

    page.click("nav >> text=New episode")
    page.select_option("select[name=show_id]", label="Lectures on Film (podcast)")
    page.set_input_files("#media-files", str(talk_video))
    page.wait_for_selector("#upload-list li.upload.done", timeout=60_000)
    assert page.input_value("input[name=title]") == "Lecture on video"
    page.select_option("select[name=publish]", "now")
    page.click("#save-episode")
    page.wait_for_url("**/edit")

    deadline = time.monotonic() + 90
    while "state-done" not in page.inner_html("#media-tasks"):
        assert time.monotonic() < deadline, page.inner_text("#media-tasks")
        time.sleep(1)
        page.reload()
    assert "Audio version of the video: done" in page.inner_text("#media-tasks")
    page.close()

    channel = etree.fromstring(_get(f"{live_server}/feeds/lectures-on-film.rss")).find("channel")
    assert channel.xpath("itunes:category/@text", namespaces=NS) == ["Education"]
    assert channel.xpath("itunes:category/itunes:category/@text", namespaces=NS) == ["Courses"]
    assert channel.xpath("itunes:image/@href", namespaces=NS)
    (item,) = channel.findall("item")
    assert item.find("enclosure").get("type") == "video/mp4"
    types = sorted(item.xpath("podcast:alternateEnclosure/@type", namespaces=NS))
    assert types == ["audio/x-m4a", "video/mp4"]
    audio = etree.fromstring(_get(f"{live_server}/feeds/lectures-on-film.audio.rss"))
    assert audio.find("channel/item/enclosure").get("type") == "audio/x-m4a"
