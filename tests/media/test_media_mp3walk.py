"""The fast MP3 frame walk: it counts what a frame-by-frame walk counts, across its windows
and batches, and still refuses files damaged or cut short far into them."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from media import mp3frames
from media.errors import UnsupportedMedia
from media.mp3frames import parse_header, scan_buffer, scan_file
from media.placeholder import silent_mp3
from media.probe import probe

MediaFile = Callable[[str], Path]


def frame_by_frame(data: bytes) -> tuple[list[int], int, set[int]]:
    """Frame offsets, samples and bitrates of a clean stream, decoding every header in turn."""
    pos, offsets, samples, bitrates = 0, [], 0, set()
    while (header := parse_header(data[pos : pos + 4])) is not None:
        if pos + header.length > len(data):
            break
        offsets.append(pos)
        samples, pos = samples + header.samples, pos + header.length
        bitrates.add(header.bitrate)
    return offsets, samples, bitrates


def long_stream(media_file: MediaFile, name: str, copies: int) -> bytes:
    """A file's audio frames repeated: a longer stream with the same headers, no tags."""
    data = media_file(name).read_bytes()
    scan = scan_buffer(data)
    assert scan is not None and scan.junk_bytes == 0
    start = scan.audio_start
    if scan.vbr_header is not None:
        info_frame = parse_header(data[start : start + 4])
        assert info_frame is not None
        start += info_frame.length
    return data[start : scan.audio_end] * copies


@pytest.mark.parametrize("name", ["cbr-noxing.mp3", "vbr-noxing.mp3", "vbr-xing.mp3"])
def test_walk_counts_what_a_frame_by_frame_walk_counts(
    media_file: MediaFile, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = long_stream(media_file, name, 3)
    offsets, samples, bitrates = frame_by_frame(data)
    assert len(offsets) > 300
    # Small windows and batches, so that both boundaries fall many times inside the file.
    monkeypatch.setattr(mp3frames, "WINDOW_BYTES", 5000)
    monkeypatch.setattr(mp3frames, "_BATCH", 7)
    scan = scan_buffer(data)
    assert scan is not None
    assert (scan.frames, scan.samples, set(scan.bitrates)) == (len(offsets), samples, bitrates)
    assert (scan.junk_bytes, scan.truncated_frame, scan.gave_up) == (0, False, False)


def test_windows_are_handed_back_in_order(
    media_file: MediaFile, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "long.mp3"
    path.write_bytes(long_stream(media_file, "cbr-noxing.mp3", 4))
    monkeypatch.setattr(mp3frames, "WINDOW_BYTES", 8192)
    offsets: list[int] = []
    scan = scan_buffer(path.read_bytes(), done_with=offsets.append)
    assert scan is not None and len(offsets) > 5
    assert offsets == sorted(offsets)
    assert offsets[-1] == scan.audio_end
    # Through mmap, dropping the walked pages, the result is the same.
    assert scan_file(path) == scan


def test_resync_finds_a_frame_right_after_a_stray_sync_byte() -> None:
    data = silent_mp3(4.0)
    middle = 36 * 20
    # Junk ending in 0xFF: the next frame's own 0xFF follows it directly.
    junk = b"\x00junk" * 50 + b"\xff"
    scan = scan_buffer(data[:middle] + junk + data[middle:])
    clean = scan_buffer(data)
    assert scan is not None and clean is not None
    assert (scan.frames, scan.junk_bytes) == (clean.frames, len(junk))


@pytest.mark.parametrize("where", [0.5, 0.9, 0.99])
def test_damage_far_into_the_file_is_refused(
    media_file: MediaFile, tmp_path: Path, where: float
) -> None:
    data = long_stream(media_file, "cbr-noxing.mp3", 20)
    cut = int(len(data) * where)
    path = tmp_path / "damaged.mp3"
    path.write_bytes(data[:cut] + os.urandom(len(data) // 50) + data[cut:])
    with pytest.raises(UnsupportedMedia, match="damaged"):
        probe(path)


def test_a_file_cut_far_into_it_is_refused(media_file: MediaFile, tmp_path: Path) -> None:
    data = long_stream(media_file, "vbr-noxing.mp3", 20)
    offsets, _, _ = frame_by_frame(data)
    path = tmp_path / "cut.mp3"
    # Five bytes into the last frame: its header is there, the rest of it is not.
    path.write_bytes(data[: offsets[-1] + 5])
    with pytest.raises(UnsupportedMedia, match="cut short"):
        probe(path)


def test_a_fake_file_behind_real_frames_is_refused_without_walking_all_of_it(
    media_file: MediaFile, tmp_path: Path
) -> None:
    real = long_stream(media_file, "cbr-noxing.mp3", 1)[:20_000]
    fake = os.urandom(4 * 1024 * 1024)
    path = tmp_path / "fake.mp3"
    path.write_bytes(real + fake)
    scan = scan_file(path, junk_limit=50_000)
    assert scan is not None and scan.gave_up
    assert 50_000 < scan.junk_bytes < len(fake)
    with pytest.raises(UnsupportedMedia, match="damaged"):
        probe(path)
    # Without a limit the whole of it is counted as junk, as before.
    full = scan_file(path)
    assert full is not None and not full.gave_up
    assert full.junk_bytes >= len(fake) - 4096


def test_frames_whose_fourth_header_byte_varies_are_all_counted(media_file: MediaFile) -> None:
    # Joint-stereo encoders change the mode extension from frame to frame; copyright and
    # original bits may vary too. None of that changes a frame's length.
    data = bytearray(long_stream(media_file, "vbr-noxing.mp3", 2))
    offsets, samples, bitrates = frame_by_frame(bytes(data))
    for number, at in enumerate(offsets):
        data[at + 3] = (data[at + 3] & 0xC3) | (number % 16) << 2
    scan = scan_buffer(bytes(data))
    assert scan is not None
    assert (scan.frames, scan.samples, set(scan.bitrates)) == (len(offsets), samples, bitrates)
    assert scan.junk_bytes == 0
