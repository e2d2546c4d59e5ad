"""read_layout() on hand-built MP4 box trees (ISO/IEC 14496-12 layouts)."""

from __future__ import annotations

import io
import struct
from pathlib import Path

import pytest

from media.errors import UnsupportedMedia
from media.mp4boxes import read_layout
from media.probe import probe

ONE = 0x00010000  # 1.0 in 16.16 fixed point
IDENTITY = (ONE, 0, 0, 0, ONE, 0, 0, 0, 0x40000000)
QUARTER_TURN = (0, ONE, 0, 0x100000000 - ONE, 0, 0, 0, 0, 0x40000000)


def box(name: bytes, *children: bytes) -> bytes:
    payload = b"".join(children)
    return struct.pack(">I4s", 8 + len(payload), name) + payload


def mvhd(timescale: int, duration: int) -> bytes:
    return box(b"mvhd", struct.pack(">B3xIIII", 0, 0, 0, timescale, duration) + bytes(80))


def tkhd(width: int, height: int, matrix: tuple[int, ...] = IDENTITY) -> bytes:
    head = struct.pack(">B3xIIIIIQhhhh", 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0)
    return box(
        b"tkhd", head + struct.pack(">9I", *matrix) + struct.pack(">II", width << 16, height << 16)
    )


def trak(handler: bytes, *extra: bytes) -> bytes:
    hdlr = box(b"hdlr", bytes(8) + handler + bytes(12) + b"\x00")
    return box(b"trak", *extra, box(b"mdia", hdlr))


def movie(*traks: bytes, brand: bytes = b"isom") -> bytes:
    return box(b"ftyp", brand + bytes(4) + brand) + box(b"moov", mvhd(1000, 4500), *traks)


def test_size_duration_and_handlers() -> None:
    data = movie(trak(b"vide", tkhd(640, 360)), trak(b"soun", tkhd(0, 0)))
    layout = read_layout(io.BytesIO(data), len(data))
    assert (layout.width, layout.height) == (640, 360)
    assert layout.duration == pytest.approx(4.5)
    assert layout.has_video and layout.has_audio and not layout.truncated
    assert layout.brand == b"isom"


def test_quarter_turn_swaps_width_and_height() -> None:
    data = movie(trak(b"vide", tkhd(1920, 1080, QUARTER_TURN)))
    layout = read_layout(io.BytesIO(data), len(data))
    assert (layout.width, layout.height) == (1080, 1920)


def test_missing_tkhd_leaves_size_unknown() -> None:
    data = movie(trak(b"vide"))
    layout = read_layout(io.BytesIO(data), len(data))
    assert layout.has_video
    assert (layout.width, layout.height) == (None, None)


def test_box_running_past_the_end_is_truncation() -> None:
    data = movie(trak(b"vide", tkhd(640, 360))) + struct.pack(">I4s", 10_000, b"mdat") + bytes(100)
    layout = read_layout(io.BytesIO(data), len(data))
    assert layout.truncated


def test_probe_reports_hand_built_video(tmp_path: Path) -> None:
    path = tmp_path / "talk.bin"
    path.write_bytes(movie(trak(b"vide", tkhd(640, 360)), brand=b"M4V "))
    info = probe(path)
    assert (info.kind, info.mime_type, info.width, info.height) == (
        "video",
        "video/x-m4v",
        640,
        360,
    )
    assert info.duration == pytest.approx(4.5)


def test_probe_rejects_movie_without_tracks(tmp_path: Path) -> None:
    path = tmp_path / "empty.mp4"
    path.write_bytes(movie(trak(b"text")))
    with pytest.raises(UnsupportedMedia, match="neither an audio nor a video track"):
        probe(path)
