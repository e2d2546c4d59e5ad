"""Transcripts (WebVTT, SRT) and Podcasting 2.0 JSON chapters."""

from __future__ import annotations

import json

import pytest

from media.errors import UnsupportedMedia
from media.text_assets import (
    chapter_list,
    check_chapters,
    check_transcript,
    transcript_cues,
    transcript_text,
)

VTT = "WEBVTT\n\n00:00:00.000 --> 00:00:04.500\nWelcome to the Isaac Newton Institute.\n"
SRT = (
    "1\n00:00:00,000 --> 00:00:04,500\nWelcome to the Isaac Newton Institute.\n\n"
    "2\n00:00:04,500 --> 00:00:09,000\nToday: deep learning.\n"
)


@pytest.mark.parametrize(
    "data",
    [
        VTT.encode(),
        b"\xef\xbb\xbf" + VTT.encode(),
        VTT.replace("\n", "\r\n").encode(),
        b"WEBVTT - INI seminar\n\nintro\n01:00:00.000 --> 01:00:02.000 align:start\nHi\n",
    ],
    ids=["plain", "bom", "crlf", "header-text-and-cue-id"],
)
def test_webvtt_accepted(data: bytes) -> None:
    info = check_transcript(data)
    assert (info.mime_type, info.extension) == ("text/vtt", ".vtt")


@pytest.mark.parametrize(
    "data",
    [SRT.encode(), b"\xef\xbb\xbf" + SRT.replace("\n", "\r\n").encode(), SRT.encode() + b"\n\n\n"],
    ids=["plain", "bom-crlf", "trailing-blank-lines"],
)
def test_srt_accepted(data: bytes) -> None:
    info = check_transcript(data)
    assert (info.mime_type, info.extension) == ("application/x-subrip", ".srt")


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"Just some notes from the talk.\n",
        b"WEBVTT\n\nno cues here\n",
        b"WEBVTTX\n\n00:00:00.000 --> 00:00:01.000\nHi\n",
        b"1\n00:00:00 --> 00:00:01\nno milliseconds\n",
        SRT.encode() + b"\n3\nnot a timing\ntext\n",
        VTT.encode("utf-16"),
        "WEBVTT\n\n00:00:00.000 --> 00:00:01.000\ncaf\xe9\n".encode("latin-1"),
        b"WEBVTT\n\n00:00:00.000 --> 00:00:01.000\n\x00\x00\n",
        b"{\"version\": \"1.2.0\"}",
    ],
    ids=[
        "empty", "prose", "vtt-no-cues", "bad-signature", "srt-bad-timing", "srt-bad-later-cue",
        "utf16", "latin1", "nul", "json",
    ],
)  # fmt: skip
def test_transcript_rejected(data: bytes) -> None:
    with pytest.raises(UnsupportedMedia):
        check_transcript(data)


CHAPTERS = {
    "version": "1.2.0",
    "chapters": [
        {"startTime": 95.5, "title": "Théorème principal", "img": "https://example.org/c2.jpg"},
        {"startTime": 0, "title": "Introduction", "toc": True},
    ],
}


def test_chapters_normalised() -> None:
    raw = json.dumps(CHAPTERS, indent=4, ensure_ascii=True).encode("utf-8")
    out = check_chapters(b"\xef\xbb\xbf" + raw)
    assert "Théorème".encode() in out
    assert b"\n" not in out
    doc = json.loads(out.decode("utf-8"))
    assert doc["version"] == "1.2.0"
    assert [c["title"] for c in doc["chapters"]] == ["Introduction", "Théorème principal"]
    assert doc["chapters"][1]["img"] == "https://example.org/c2.jpg"
    assert check_chapters(out) == out


def _with(**changes: object) -> bytes:
    doc = json.loads(json.dumps(CHAPTERS))
    doc.update(changes)
    return json.dumps(doc).encode()


def _chapter(**fields: object) -> bytes:
    return _with(chapters=[{"startTime": 1, "title": "One", **fields}])


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"not json",
        b"[]",
        b'{"chapters": []}',
        _with(version=1.2),
        _with(version="2.0.0"),
        _with(chapters=[]),
        _with(chapters={"startTime": 0}),
        _with(chapters=["Introduction"]),
        _with(chapters=[{"title": "no start"}]),
        _with(chapters=[{"startTime": "0", "title": "string time"}]),
        _with(chapters=[{"startTime": True, "title": "bool time"}]),
        _with(chapters=[{"startTime": -1, "title": "negative"}]),
        _with(chapters=[{"startTime": 0}]),
        _with(chapters=[{"startTime": 0, "title": 7}]),
        b'{"version": "1.2.0", "chapters": [{"startTime": NaN, "title": "x"}]}',
        _chapter(toc="yes"),
        _chapter(img=5),
        _chapter(endTime=0.5),
        '{"version": "1.2.0", "chapters": [{"startTime": 0, "title": "é"}]}'.encode("latin-1"),
    ],
)
def test_chapters_rejected(data: bytes) -> None:
    with pytest.raises(UnsupportedMedia):
        check_chapters(data)


def test_transcript_text_keeps_only_the_words():
    vtt = (
        b"WEBVTT\n\nNOTE a remark for editors\n\n1\n00:00:00.000 --> 00:00:02.000 align:start\n"
        b"<v Ada>Welcome to the <b>stability</b> talk.\n\n00:00:02.000 --> 00:00:04.000\n"
        b"Two lines\nof text.\n"
    )
    assert transcript_text(vtt) == "Welcome to the stability talk. Two lines of text."
    srt = b"1\n00:00:01,000 --> 00:00:02,000\nHello\n\n2\n00:00:03,000 --> 00:00:04,000\nworld\n"
    assert transcript_text(srt) == "Hello world"
    assert transcript_text(b"\xff\xfe\x00garbage") == ""


def test_transcript_cues_have_their_times():
    vtt = (
        b"WEBVTT\n\n00:00.000 --> 00:02.500\nFirst words.\n\n"
        b"1\n01:00:02.000 --> 01:00:04.000\n<v Ada>Late words.\n"
    )
    cues = transcript_cues(vtt)
    assert [(c.start, c.end, c.text) for c in cues] == [
        (0.0, 2.5, "First words."),
        (3602.0, 3604.0, "Late words."),
    ]
    srt = b"1\n00:00:01,000 --> 00:00:02,250\nHello\n"
    assert [(c.start, c.end) for c in transcript_cues(srt)] == [(1.0, 2.25)]


def test_chapter_list_in_order_without_hidden_ones():
    data = json.dumps(
        {
            "version": "1.2.0",
            "chapters": [
                {"startTime": 300, "title": "Proof"},
                {"startTime": 0, "title": "Introduction"},
                {"startTime": 10, "title": "silent marker", "toc": False},
            ],
        }
    ).encode()
    assert [(c.start, c.title) for c in chapter_list(data)] == [(0, "Introduction"), (300, "Proof")]
    assert chapter_list(b"not json") == []


# The fuzz tests' minimised input, and one far past any recursion limit.
@pytest.mark.parametrize("depth", [990, 100_000])
def test_chapters_nested_a_thousand_deep_are_refused_not_a_crash(depth):
    # Found by fuzzing (tests/fuzz): json raises RecursionError, which is no ValueError.
    deep = b"[" * depth
    with pytest.raises(UnsupportedMedia, match="nested too deeply"):
        check_chapters(deep)
    assert chapter_list(deep) == []
