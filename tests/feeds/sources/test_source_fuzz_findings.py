"""Inputs the fuzz tests (tests/fuzz) found crashing the upstream parsers, minimised: each now
gives items or a SourceFormatError."""

from __future__ import annotations

from datetime import date

import pytest

from feeds.sources import SourceFormatError, describe, parse
from feeds.sources.collection_page import parse_date_line
from feeds.sources.media_page import download_links
from feeds.sources.page_text import html_lines
from feeds.sources.values import absolute_url

URL = "https://upstream.example/list/1"


def test_an_enclosure_that_is_no_url_is_left_out():
    # urllib refuses "//[" as a broken IPv6 host with a ValueError.
    (item,) = parse("rss", b"<feed><entry><id>a</id><enclosure url='//['/></entry></feed>", URL)
    assert item.media == ()
    assert parse("rss", b"<feed<entry<enclosure url=//[>", URL) == []


def test_absolute_url_of_a_broken_host_is_none():
    assert absolute_url("//[", URL) is None
    assert absolute_url("/a;jsessionid=1?b", URL) == "https://upstream.example/a?b"


@pytest.mark.parametrize(
    "document",
    [
        b"<feed<entry<id>p</id<published>9999-19</published>",
        b"<rss><channel><item><guid>p</guid><pubDate>Fri, 31 Dec 9999 23:00:00 -1200</pubDate>"
        b"</item></channel></rss>",
    ],
)
def test_a_date_past_year_9999_is_no_date(document):
    (item,) = parse("rss", document, URL)
    assert item.external_id.endswith("p")  # feedparser resolves ids against the feed's URL
    assert (item.published, item.updated) == (None, None)


@pytest.mark.parametrize("kind", ["rss", "youtube", "talks-cam"])
def test_an_unknown_declared_encoding_is_a_format_error(kind):
    for call in (parse, describe):
        with pytest.raises(SourceFormatError, match="unknown encoding"):
            call(kind, b'<?xml version="" encoding="F"?>', URL)


@pytest.mark.parametrize("declaration", [b'<?encoding="\xc3"?>', b'<?xml encoding="\xff"?><rss/>'])
def test_an_encoding_name_that_is_not_text_is_a_format_error(declaration):
    # feedparser itself fails with a UnicodeDecodeError on these.
    for call in (parse, describe):
        with pytest.raises(SourceFormatError, match="encoding declaration"):
            call("rss", declaration, URL)


@pytest.mark.parametrize(
    "line",
    [
        "Tuesday 5th May 2019 - 99:99 to 00:00",
        "Tuesday 5th May 2019 - 10:00 to 10:60",
        "Friday 31st December 9999 - 23:00 to 00:30",
    ],
)
def test_date_lines_out_of_range_have_no_times(line):
    assert parse_date_line(line) is None
    (item,) = parse("collection-page", f"A talk\n{line}\nCreated: 2019-05-28".encode(), URL)
    assert (item.title, item.start, item.end) == ("A talk", None, None)
    assert item.created == date(2019, 5, 28)


def test_minimised_collection_pages_parse():
    for page in (b":sday 5th May 2019-99:99 to 00:00", b"y iday 31st December 9999-23:00 to 00:03"):
        (item,) = parse("collection-page", page, URL)
        assert item.start is None


def test_a_media_page_link_that_is_no_url_is_skipped():
    page = b'<a href="p://[">x</a><a href="/talk.mp3">audio</a>'
    assert download_links(b"<a href=p://[>", URL) == []
    assert download_links(page, URL) == ["https://upstream.example/talk.mp3"]


def test_a_page_with_a_control_character_after_a_dropped_element_reads():
    # lxml parses the form feed, then refused it when the head was dropped and its tail
    # joined to the text before it.
    assert html_lines(b"<!><html>\x0c<head></head>\n") == []
    page = b"<html><body>A talk<script>x()</script>\x0c12 views<p>Thursday</p></body></html>"
    assert [line.text for line in html_lines(page)] == ["A talk 12 views", "Thursday"]
    with pytest.raises(SourceFormatError, match="found none"):
        parse("collection-page", b"<!><html>\x0c<head></head>\n", URL)
