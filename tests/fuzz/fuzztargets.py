"""Every parser the fuzz tests feed, with the error it may refuse an input with and what a
result it returns must look like.

A parser may return a result or raise its module's own error (``SourceFormatError`` for
``feeds/sources``, ``MediaError`` for ``media``); any other exception, a result that breaks
the documented contract (tz-aware datetimes, a positive finite duration...) or a hang is a bug.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import date, datetime
from pathlib import Path

from feeds.sources import describe, parse
from feeds.sources.media_page import download_links
from feeds.sources.model import SourceFormatError, UpstreamChannel, UpstreamItem
from media.artwork import make_banner, make_size, prepare_artwork
from media.errors import MediaError
from media.formats import MIME_TYPES
from media.probe import MediaInfo, probe
from media.text_assets import chapter_list, check_chapters, check_transcript, transcript_cues

URL = "https://upstream.example/list/1"
# The worker sets this to a folder of its own: probe() reads a file, not bytes.
WORKDIR = Path(".")


class BadResult(AssertionError):
    """A parser returned something its contract rules out."""


def expect(condition: bool, what: str) -> None:
    """Raise BadResult with ``what`` unless the condition holds."""
    if not condition:
        raise BadResult(what)


@dataclass(frozen=True)
class Target:
    """One parser under fuzzing: its name, a call on the input bytes, and its own error."""

    name: str
    run: Callable[[bytes], object]
    refusal: type[Exception]


def _check_item(item: object) -> None:
    expect(isinstance(item, UpstreamItem), f"not an UpstreamItem: {item!r}")
    assert isinstance(item, UpstreamItem)
    expect(isinstance(item.external_id, str) and bool(item.external_id), "empty external_id")
    expect(isinstance(item.title, str), "title is not text")
    for field in fields(item):
        value = getattr(item, field.name)
        if isinstance(value, datetime):
            expect(value.utcoffset() is not None, f"{field.name} is a naive datetime")
    expect(item.created is None or isinstance(item.created, date), "created is not a date")
    expect(
        item.duration is None or (math.isfinite(item.duration) and item.duration >= 0),
        f"bad duration {item.duration!r}",
    )
    expect(item.views is None or item.views >= 0, f"negative views {item.views!r}")
    expect(all(isinstance(m.url, str) and m.url for m in item.media), "media without a URL")
    expect(all(isinstance(p, str) and p for p in item.persons), "empty person name")


def _items(kind: str) -> Callable[[bytes], object]:
    def run(data: bytes) -> object:
        items = parse(kind, data, URL)
        expect(isinstance(items, list), "parse did not return a list")
        for item in items:
            _check_item(item)
        return items

    return run


def _channel(kind: str) -> Callable[[bytes], object]:
    def run(data: bytes) -> object:
        channel = describe(kind, data, URL)
        expect(isinstance(channel, UpstreamChannel), "describe did not return a channel")
        expect(isinstance(channel.title, str) and isinstance(channel.description, str), "text")
        for value in (channel.link, channel.image):
            expect(value is None or isinstance(value, str), f"bad link {value!r}")
        return channel

    return run


def _links(data: bytes) -> object:
    links = download_links(data, URL)
    expect(all(link.startswith(("http://", "https://")) for link in links), f"links {links}")
    expect(len(set(links)) == len(links), "a link listed twice")
    return links


def _probe(data: bytes) -> object:
    path = WORKDIR / "case.bin"
    path.write_bytes(data)
    info = probe(path)
    expect(isinstance(info, MediaInfo), "probe did not return MediaInfo")
    expect(math.isfinite(info.duration) and info.duration > 0, f"duration {info.duration!r}")
    expect(info.size == len(data), f"size {info.size} of {len(data)} bytes")
    expect(info.bitrate is None or info.bitrate > 0, f"bitrate {info.bitrate!r}")
    expect(info.mime_type in MIME_TYPES.values(), f"mime type {info.mime_type!r}")
    for side in (info.width, info.height):
        expect(side is None or side > 0, f"frame size {info.width}x{info.height}")
    expect(all(isinstance(v, str) for v in info.tags.values()), "a tag is not text")
    return info


def _transcript(data: bytes) -> object:
    info = check_transcript(data)
    expect(info.mime_type in ("text/vtt", "application/x-subrip"), f"type {info.mime_type}")
    return info


def _cues(data: bytes) -> object:
    cues = transcript_cues(data)
    for cue in cues:
        expect(math.isfinite(cue.start) and math.isfinite(cue.end), f"cue times {cue}")
        expect(bool(cue.text), "a cue without words")
    return cues


def _chapters(data: bytes) -> object:
    checked = check_chapters(data)
    # What check_chapters returns is stored and served: it must pass its own check again.
    expect(check_chapters(checked) == checked, "checked chapters change when checked again")
    return checked


def _chapter_list(data: bytes) -> object:
    chapters = chapter_list(data)
    starts = [chapter.start for chapter in chapters]
    expect(starts == sorted(starts), "chapters out of order")
    return chapters


def _artwork(data: bytes) -> object:
    art = prepare_artwork(data)
    expect(art.width == art.height and 1400 <= art.width <= 3000, f"size {art.width}")
    expect(art.data.startswith(b"\xff\xd8"), "not a JPEG")
    return art


def _sized(data: bytes) -> object:
    out = make_size(data, 64)
    expect(out.startswith(b"\xff\xd8"), "not a JPEG")
    return out


def _banner(data: bytes) -> object:
    out = make_banner(data, 32)
    expect(out.startswith(b"\xff\xd8"), "not a JPEG")
    return out


SOURCE_TARGETS: tuple[Target, ...] = (
    *(Target(f"parse:{kind}", _items(kind), SourceFormatError) for kind in
      ("rss", "youtube", "talks-cam", "collection-page")),
    *(Target(f"describe:{kind}", _channel(kind), SourceFormatError) for kind in
      ("rss", "youtube", "talks-cam", "collection-page")),
    Target("download_links", _links, SourceFormatError),
)  # fmt: skip

MEDIA_TARGETS: tuple[Target, ...] = (
    Target("probe", _probe, MediaError),
    Target("check_transcript", _transcript, MediaError),
    Target("transcript_cues", _cues, MediaError),
    Target("check_chapters", _chapters, MediaError),
    Target("chapter_list", _chapter_list, MediaError),
    Target("prepare_artwork", _artwork, MediaError),
    Target("make_size", _sized, MediaError),
    Target("make_banner", _banner, MediaError),
)


def _sleep(data: bytes) -> object:
    time.sleep(len(data))
    return None


def _fail(data: bytes) -> object:
    return {}[data]


def _refuse(data: bytes) -> object:
    if data:
        raise MediaError(data.decode())
    return None


# Targets that hang, crash or refuse on purpose, for the tests of the harness itself.
SELF_TEST_TARGETS: tuple[Target, ...] = (
    Target("selftest:sleep", _sleep, MediaError),
    Target("selftest:fail", _fail, MediaError),
    Target("selftest:refuse", _refuse, MediaError),
)

TARGETS: dict[str, Target] = {
    t.name: t for t in (*SOURCE_TARGETS, *MEDIA_TARGETS, *SELF_TEST_TARGETS)
}
