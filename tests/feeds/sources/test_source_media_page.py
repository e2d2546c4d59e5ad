"""Download links found on a talk's media page."""

from __future__ import annotations

import pytest

from feeds.sources import SourceFormatError
from feeds.sources.media_page import download_links

PAGE = b"""<!DOCTYPE html><html><body>
<h1>A Stable Learning Framework</h1>
<video controls>
  <source src="https://downloads.sms.example/2944183/2944187.mp4" type="video/mp4">
</video>
<ul class="downloads">
  <li><a href="https://downloads.sms.example/2944183/2944188.m4a">Audio (m4a)</a></li>
  <li><a href="https://downloads.sms.example/2944183/2944187.mp4">Video (mp4)</a></li>
  <li><a href="/media/2944183/embed">Embed</a></li>
  <li><a href="/image/2944180.jpg">Poster</a></li>
  <li><a href="javascript:download('x.mp3')">Scripted</a></li>
</ul></body></html>"""


def test_video_first_then_audio_absolute_and_once_each():
    links = download_links(PAGE, "https://sms.example/media/2944183")
    assert links == [
        "https://downloads.sms.example/2944183/2944187.mp4",
        "https://downloads.sms.example/2944183/2944188.m4a",
    ]


def test_relative_links_resolve_against_the_page():
    page = b'<html><body><a href="/dl/talk.MP3">MP3</a></body></html>'
    assert download_links(page, "https://sms.example/media/1") == [
        "https://sms.example/dl/talk.MP3"
    ]


def test_a_page_without_recordings_has_no_links():
    assert (
        download_links(b"<html><body><p>No downloads</p></body></html>", "https://x.example/") == []
    )


def test_an_empty_document_is_refused():
    with pytest.raises(SourceFormatError):
        download_links(b"  ", "https://x.example/")
