"""On an episode page a listener jumps to a chapter, follows the transcript as the talk
plays, and finds a sentence in it."""

from __future__ import annotations

import json

from webapp import services

from factories import attach_file, make_episode, make_show

VTT = (
    "WEBVTT\n\n00:00.000 --> 00:30.000\nWelcome to the talk on sphere packings.\n\n"
    "00:30.000 --> 01:00.000\nThe magic function does the work.\n\n"
    "01:00.000 --> 01:30.000\nQuestions from the audience.\n"
)
CHAPTERS = {
    "version": "1.2.0",
    "chapters": [{"startTime": 0, "title": "Introduction"}, {"startTime": 45, "title": "Proof"}],
}


def test_chapters_seek_and_the_transcript_follows(app, live_server, browser, long_mp3):
    make_show(app)
    storage = services.storage(app)
    audio = storage.put_bytes(long_mp3.read_bytes(), ".mp3").key
    talk = make_episode(
        app,
        title="Sphere packings",
        media=[{"kind": "audio", "storage_key": audio, "mime_type": "audio/mpeg",
                "size": long_mp3.stat().st_size, "duration": 90.0}],
    )  # fmt: skip
    attach_file(app, talk, "transcript", VTT.encode(), ".vtt", "text/vtt")
    chapters = json.dumps(CHAPTERS).encode()
    attach_file(app, talk, "chapters", chapters, ".json", "application/json+chapters")

    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(f"{live_server}/shows/talks/sphere-packings")
    assert page.locator(".chapters li").all_inner_texts() == ["0:00 Introduction", "0:45 Proof"]
    page.click(".chapters >> text=Proof")
    page.wait_for_function("document.querySelector('audio').currentTime >= 45")
    # The line being spoken at 0:45 is the second one, and it is marked.
    page.wait_for_selector("#transcript li.current")
    assert "magic function" in page.inner_text("#transcript li.current")
    page.fill("#transcript-filter", "audience")
    visible = [li for li in page.locator("#transcript li").all() if li.is_visible()]
    assert [li.inner_text().split(" ", 1)[1] for li in visible] == ["Questions from the audience."]
    assert page.inner_text("#transcript-count") == "1 of 3 lines"
    # Keyboard only: the first chapter is a button that Enter presses.
    page.focus(".chapters li:first-child button")
    page.keyboard.press("Enter")
    page.wait_for_function("document.querySelector('audio').currentTime < 45")
