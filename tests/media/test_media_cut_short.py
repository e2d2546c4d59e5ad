"""Cut-short FLAC and Ogg files are refused like cut-short MP3s: mutagen would report the
length their headers announce, not the audio that is there."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest

from media.errors import UnsupportedMedia
from media.flacframes import crc8, crc16, frame_samples, read_stream_info
from media.oggpages import page_crc, page_length
from media.probe import probe

MediaFile = Callable[[str], Path]
OGG = ["vorbis.ogg", "opus.opus"]


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("name", ["lossless.flac", *OGG])
def test_whole_files_are_accepted(media_file: MediaFile, name: str) -> None:
    assert probe(media_file(name)).duration == pytest.approx(3, abs=0.1)


@pytest.mark.parametrize("name", ["lossless.flac", *OGG])
@pytest.mark.parametrize("keep", [1 / 3, 2 / 3, -1])
def test_files_cut_mid_frame_or_page_are_refused(
    media_file: MediaFile, tmp_path: Path, name: str, keep: float
) -> None:
    data = media_file(name).read_bytes()
    # An odd offset lands inside a frame (FLAC) or a page (Ogg); -1 drops the last byte.
    cut = len(data) - 1 if keep == -1 else int(len(data) * keep) + 7
    with pytest.raises(UnsupportedMedia, match="stops in the middle .* cut short"):
        probe(_write(tmp_path, name, data[:cut]))


def _flac_frame_starts(data: bytes) -> list[int]:
    info = read_stream_info(io.BytesIO(data))
    assert info is not None
    return [
        pos
        for pos in range(info.audio_start, len(data) - 16)
        if frame_samples(data[pos : pos + 16], info) is not None
    ]


def _ogg_page_starts(data: bytes) -> list[int]:
    starts, pos = [], 0
    while pos < len(data):
        starts.append(pos)
        length = page_length(data, pos)
        assert length is not None
        pos += length
    return starts


def test_flac_cut_between_frames_is_refused_by_its_sample_count(
    media_file: MediaFile, tmp_path: Path
) -> None:
    data = media_file("lossless.flac").read_bytes()
    last = _flac_frame_starts(data)[-1]
    # Every frame left is whole (its CRC-16 holds), but STREAMINFO announces more samples.
    with pytest.raises(UnsupportedMedia, match=r"announces 3\.0 s of audio but holds only"):
        probe(_write(tmp_path, "cut.flac", data[:last]))


def test_flac_with_only_its_header_is_refused(media_file: MediaFile, tmp_path: Path) -> None:
    data = media_file("lossless.flac").read_bytes()
    first = _flac_frame_starts(data)[0]
    with pytest.raises(UnsupportedMedia, match="cut short"):
        probe(_write(tmp_path, "header-only.flac", data[:first]))


def test_flac_with_an_id3v1_tag_after_its_frames_is_whole(
    media_file: MediaFile, tmp_path: Path
) -> None:
    data = media_file("lossless.flac").read_bytes()
    tagged = data + b"TAG" + b"Title".ljust(30, b"\0") + bytes(95)
    assert probe(_write(tmp_path, "tagged.flac", tagged)).duration == pytest.approx(3, abs=0.1)


@pytest.mark.parametrize("name", OGG)
def test_ogg_cut_between_pages_is_refused(media_file: MediaFile, tmp_path: Path, name: str) -> None:
    data = media_file(name).read_bytes()
    starts = _ogg_page_starts(data)
    # The pages left are whole and intact, but none closes the stream.
    with pytest.raises(UnsupportedMedia, match="ends before its stream does"):
        probe(_write(tmp_path, name, data[: starts[-1]]))


@pytest.mark.parametrize("name", OGG)
def test_ogg_whose_last_page_is_damaged_is_refused(
    media_file: MediaFile, tmp_path: Path, name: str
) -> None:
    data = bytearray(media_file(name).read_bytes())
    data[-3] ^= 0x55
    with pytest.raises(UnsupportedMedia, match="cut short"):
        probe(_write(tmp_path, name, bytes(data)))


@pytest.mark.parametrize("name", OGG)
def test_checksums_match_the_formats_reference_values(media_file: MediaFile, name: str) -> None:
    # FLAC's CRC-8 and CRC-16 are CRC-8/SMBUS and CRC-16/UMTS ("123456789" check values).
    assert crc8(b"123456789") == 0xF4
    assert crc16(b"123456789") == 0xFEE8
    # Ogg's: every page ffmpeg wrote carries the CRC we compute.
    data = media_file(name).read_bytes()
    bounds = [*_ogg_page_starts(data), len(data)]
    for start, end in zip(bounds, bounds[1:], strict=False):
        assert page_crc(data[start:end]) == int.from_bytes(data[start + 22 : start + 26], "little")
