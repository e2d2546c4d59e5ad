"""The MPEG frame walker: header arithmetic, tags at both ends, junk and resynchronisation."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from mutagen.apev2 import APEv2
from mutagen.id3 import ID3, TIT2

from media.mp3frames import parse_header, scan_buffer, scan_file
from media.placeholder import silent_mp3

MediaFile = Callable[[str], Path]


@pytest.mark.parametrize(
    ("header", "version", "layer", "bitrate", "rate", "length", "samples"),
    [
        # MPEG-1 Layer III, 128 kbit/s, 44.1 kHz: 144 * 128000 / 44100 = 417.96 -> 417 bytes.
        (b"\xff\xfb\x90\x64", "1", 3, 128_000, 44_100, 417, 1152),
        # The same with the padding bit set: one byte more.
        (b"\xff\xfb\x92\x64", "1", 3, 128_000, 44_100, 418, 1152),
        # MPEG-2 Layer III, 8 kbit/s, 16 kHz, mono: 72 * 8000 / 16000 = 36 bytes.
        (b"\xff\xf3\x18\xc0", "2", 3, 8_000, 16_000, 36, 576),
        # MPEG-1 Layer II, 192 kbit/s, 48 kHz: 144 * 192000 / 48000 = 576 bytes.
        (b"\xff\xfd\xa4\x00", "1", 2, 192_000, 48_000, 576, 1152),
        # MPEG-1 Layer I, 32 kbit/s, 32 kHz: (12 * 32000 / 32000) * 4 = 48 bytes.
        (b"\xff\xff\x18\x00", "1", 1, 32_000, 32_000, 48, 384),
    ],
)
def test_parse_header(
    header: bytes, version: str, layer: int, bitrate: int, rate: int, length: int, samples: int
) -> None:
    parsed = parse_header(header)
    assert parsed is not None
    assert (parsed.version, parsed.layer, parsed.bitrate, parsed.sample_rate) == (
        version,
        layer,
        bitrate,
        rate,
    )
    assert (parsed.length, parsed.samples) == (length, samples)


@pytest.mark.parametrize(
    "header",
    [
        b"\xff\xfb\xf0\x64",  # bitrate index 15
        b"\xff\xfb\x00\x64",  # free format
        b"\xff\xfb\x9c\x64",  # sample rate index 3
        b"\xff\xf9\x90\x64",  # layer 0 (reserved)
        b"\xff\xeb\x90\x64",  # version 01 (reserved)
        b"\xfe\xfb\x90\x64",  # no sync
        b"\xff\xfb",  # too short
    ],
)
def test_parse_header_rejects(header: bytes) -> None:
    assert parse_header(header) is None


def test_scan_counts_every_frame_after_the_info_frame() -> None:
    scan = scan_buffer(silent_mp3(2.0))
    assert scan is not None and scan.vbr_header is not None
    assert scan.vbr_header.tag == "Info"
    assert scan.frames == scan.vbr_header.frames
    assert (scan.junk_bytes, scan.truncated_frame) == (0, False)


def test_scan_skips_id3v2_id3v1_and_ape_tags(tmp_path: Path) -> None:
    path = tmp_path / "tagged.mp3"
    path.write_bytes(silent_mp3(2.0))
    plain = scan_file(path)
    tags = ID3()
    tags.add(TIT2(encoding=3, text="A talk with tags at both ends"))
    tags.save(path, v1=2)
    ape = APEv2()
    ape["Title"] = "APE title"
    ape.save(path)
    data = path.read_bytes()
    assert data.startswith(b"ID3") and b"APETAGEX" in data[-200:]
    tagged = scan_file(path)
    assert plain is not None and tagged is not None
    assert tagged.audio_start > 0
    assert (tagged.frames, tagged.junk_bytes, tagged.truncated_frame) == (plain.frames, 0, False)


def test_scan_resynchronises_after_junk_in_the_middle() -> None:
    data = silent_mp3(2.0)
    middle = 36 * 20
    junk = b"\x00junk" * 50
    scan = scan_buffer(data[:middle] + junk + data[middle:])
    clean = scan_buffer(data)
    assert scan is not None and clean is not None
    assert scan.frames == clean.frames
    assert scan.junk_bytes == len(junk)


def test_scan_flags_a_cut_last_frame() -> None:
    scan = scan_buffer(silent_mp3(2.0)[:-10])
    assert scan is not None and scan.truncated_frame


def test_scan_finds_nothing_in_text() -> None:
    assert scan_buffer(b"no frames here " * 100) is None


def test_scan_of_vbr_file_without_header(media_file: MediaFile) -> None:
    scan = scan_file(media_file("vbr-noxing.mp3"))
    assert scan is not None
    assert scan.vbr_header is None
    assert len(scan.bitrates) > 1
    assert scan.duration == pytest.approx(3, abs=0.1)
