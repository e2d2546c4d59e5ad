"""probe(): format by content, durations, sizes and bitrates of generated media."""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from mutagen.mp3 import MP3, BitrateMode
from mutagen.mp4 import MP4
from PIL import Image

from media.errors import MediaError, UnsupportedMedia
from media.placeholder import silent_mp3
from media.probe import probe

MediaFile = Callable[[str], Path]
SECONDS = 3  # the length of every generated fixture (see conftest.RECIPES)
# Encoders add a few ms of delay and padding; a tenth of a second is far below what a wrong
# bitrate guess produces.
TOLERANCE = 0.1


@pytest.mark.parametrize(
    ("name", "mime_type", "extension"),
    [
        ("cbr.mp3", "audio/mpeg", ".mp3"),
        ("cbr-noxing.mp3", "audio/mpeg", ".mp3"),
        ("vbr-xing.mp3", "audio/mpeg", ".mp3"),
        ("vbr-noxing.mp3", "audio/mpeg", ".mp3"),
        ("aac.m4a", "audio/x-m4a", ".m4a"),
        ("opus.opus", "audio/opus", ".opus"),
        ("vorbis.ogg", "audio/ogg", ".ogg"),
        ("lossless.flac", "audio/flac", ".flac"),
        ("pcm.wav", "audio/wav", ".wav"),
    ],
)
def test_audio_formats(media_file: MediaFile, name: str, mime_type: str, extension: str) -> None:
    path = media_file(name)
    info = probe(path)
    assert (info.kind, info.mime_type, info.extension) == ("audio", mime_type, extension)
    assert info.duration == pytest.approx(SECONDS, abs=TOLERANCE)
    assert info.size == path.stat().st_size
    assert info.bitrate is not None and info.bitrate > 0
    assert info.width is None and info.height is None


def test_format_comes_from_content_not_name(
    media_file: MediaFile, copy_as: Callable[[Path, str], Path]
) -> None:
    renamed = probe(copy_as(media_file("vorbis.ogg"), "episode.mp3"))
    assert (renamed.mime_type, renamed.extension) == ("audio/ogg", ".ogg")
    video = probe(copy_as(media_file("video.mp4"), "episode.m4a"))
    assert (video.kind, video.extension) == ("video", ".mp4")


def test_cbr_mp3_bitrate_and_tags(media_file: MediaFile) -> None:
    info = probe(media_file("cbr.mp3"))
    assert info.bitrate == 64_000
    assert info.tags["title"] == "Sine talk"
    assert info.tags["artist"] == "INI Seminar Room 1"


def test_tags_from_mp4_and_vorbis_comments(media_file: MediaFile) -> None:
    assert probe(media_file("aac.m4a")).tags["title"] == "AAC talk"
    assert probe(media_file("vorbis.ogg")).tags["title"] == "Vorbis talk"
    assert probe(media_file("lossless.flac")).tags["artist"] == "FLAC speaker"


def test_vbr_without_xing_is_measured_by_walking_frames(media_file: MediaFile) -> None:
    path = media_file("vbr-noxing.mp3")
    alone = MP3(path).info
    # The case we correct: mutagen has no header to go on and guesses from the first frame.
    assert alone.bitrate_mode == BitrateMode.UNKNOWN
    assert abs(alone.length - SECONDS) > 1.0
    info = probe(path)
    assert info.duration == pytest.approx(SECONDS, abs=TOLERANCE)
    # An average of a quiet and a loud half lies between their bitrates.
    assert info.bitrate is not None and 32_000 < info.bitrate < 320_000


def test_mp4_video_size_and_overall_bitrate(media_file: MediaFile) -> None:
    path = media_file("video.mp4")
    info = probe(path)
    assert (info.kind, info.mime_type, info.extension) == ("video", "video/mp4", ".mp4")
    assert (info.width, info.height) == (320, 240)
    assert info.duration == pytest.approx(SECONDS, abs=TOLERANCE)
    assert info.bitrate == pytest.approx(path.stat().st_size * 8 / info.duration, rel=0.01)
    # mutagen alone reports the audio track's bitrate, well below video plus audio.
    assert info.bitrate > MP4(path).info.bitrate


def test_video_without_audio_track(media_file: MediaFile) -> None:
    info = probe(media_file("silent-video.mp4"))
    assert (info.kind, info.width, info.height) == ("video", 320, 240)
    assert info.duration == pytest.approx(SECONDS, abs=TOLERANCE)


@pytest.mark.parametrize(
    ("name", "mime_type", "extension"),
    [("video.m4v", "video/x-m4v", ".m4v"), ("video.mov", "video/quicktime", ".mov")],
)
def test_video_brands(media_file: MediaFile, name: str, mime_type: str, extension: str) -> None:
    info = probe(media_file(name))
    assert (info.kind, info.mime_type, info.extension) == ("video", mime_type, extension)
    assert (info.width, info.height) == (320, 240)


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 32), (200, 10, 10)).save(out, "JPEG")
    return out.getvalue()


def _zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("talk.txt", "not audio")
    return out.getvalue()


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"", "empty"),
        (b"Welcome to the talk. This is a transcript, not audio.\n" * 20, "text"),
        (_zip(), "ZIP"),
        (_jpeg(), "JPEG"),
        (b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"lorem ipsum " * 300, "holds no MP3 audio"),
        (bytes(range(256)) * 64, "not an audio or video format"),
        (b"\x00\x00\x00\x20ftypisom" + bytes(24), "index"),
    ],
    ids=["empty", "text", "zip", "jpeg", "id3-then-text", "binary", "mp4-without-moov"],
)
def test_rejects_non_media_named_mp3(tmp_path: Path, content: bytes, says: str) -> None:
    path = tmp_path / "episode.mp3"
    path.write_bytes(content)
    with pytest.raises(UnsupportedMedia, match=says):
        probe(path)


def test_unsupported_media_is_a_value_error() -> None:
    assert issubclass(UnsupportedMedia, MediaError)
    assert issubclass(MediaError, ValueError)


@pytest.mark.parametrize("name", ["cbr.mp3", "cbr-noxing.mp3", "vbr-xing.mp3", "vbr-noxing.mp3"])
def test_rejects_mp3_cut_to_a_third_with_junk(
    media_file: MediaFile, tmp_path: Path, name: str
) -> None:
    data = media_file(name).read_bytes()
    path = tmp_path / name
    path.write_bytes(data[: len(data) // 3] + os.urandom(4000))
    with pytest.raises(UnsupportedMedia, match="cut short|damaged"):
        probe(path)


@pytest.mark.parametrize("name", ["cbr.mp3", "vbr-noxing.mp3"])
def test_rejects_mp3_cut_mid_frame(media_file: MediaFile, tmp_path: Path, name: str) -> None:
    data = media_file(name).read_bytes()
    path = tmp_path / name
    # An odd offset a third of the way in lands inside a frame.
    path.write_bytes(data[: len(data) // 3 + 7])
    with pytest.raises(UnsupportedMedia, match="cut short"):
        probe(path)


def test_rejects_mp3_whose_info_header_announces_more_audio(tmp_path: Path) -> None:
    data = silent_mp3(10.0)
    # MPEG-2 Layer III at 8 kbit/s and 16 kHz: 72 * 8000 / 16000 = 36-byte frames, so this
    # cut keeps whole frames and only the Info header's frame count shows what is missing.
    path = tmp_path / "cut.mp3"
    path.write_bytes(data[: 36 * 100])
    with pytest.raises(UnsupportedMedia, match="announces"):
        probe(path)


def test_rejects_truncated_mp4(media_file: MediaFile, tmp_path: Path) -> None:
    data = media_file("video.mp4").read_bytes()
    path = tmp_path / "video.mp4"
    path.write_bytes(data[: len(data) * 2 // 3])
    with pytest.raises(UnsupportedMedia, match="cut short|index"):
        probe(path)
