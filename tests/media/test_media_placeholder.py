"""silent_mp3(): a tiny valid MP3 that players and ffmpeg accept with the right duration."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from mutagen.mp3 import MP3, BitrateMode

from media.placeholder import labelled_silent_mp3, silent_mp3
from media.probe import probe

# One MPEG-2 Layer III frame at 16 kHz holds 576 samples.
FRAME_SECONDS = 576 / 16_000


@pytest.mark.parametrize("seconds", [0.5, 3.0, 61.25, 3600.0])
def test_mutagen_reads_the_duration(tmp_path: Path, seconds: float) -> None:
    path = tmp_path / "silence.mp3"
    path.write_bytes(silent_mp3(seconds))
    info = MP3(path).info
    assert info.length == pytest.approx(seconds, abs=FRAME_SECONDS)
    assert (info.sample_rate, info.channels, info.bitrate) == (16_000, 1, 8_000)
    assert info.bitrate_mode == BitrateMode.CBR
    assert not info.sketchy


def test_about_one_kilobyte_per_second() -> None:
    assert 900 <= len(silent_mp3(60.0)) / 60 <= 1100


def test_probe_accepts_it(tmp_path: Path) -> None:
    path = tmp_path / "silence.mp3"
    path.write_bytes(silent_mp3(42.0))
    info = probe(path)
    assert (info.kind, info.mime_type, info.bitrate) == ("audio", "audio/mpeg", 8_000)
    assert info.duration == pytest.approx(42.0, abs=FRAME_SECONDS)


def test_ffmpeg_decodes_it_without_errors(tmp_path: Path) -> None:
    ffmpeg, ffprobe = shutil.which("ffmpeg"), shutil.which("ffprobe")
    if ffmpeg is None or ffprobe is None:
        pytest.skip("ffmpeg not installed: needed to decode the placeholder")
    path = tmp_path / "silence.mp3"
    path.write_bytes(silent_mp3(5.0))
    decoded = subprocess.run(
        [ffmpeg, "-v", "error", "-i", str(path), "-f", "null", "-"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert decoded.returncode == 0
    assert decoded.stderr == ""
    probed = subprocess.run(
        [ffprobe, "-v", "error", "-show_entries", "format=duration:stream=codec_name",
         "-of", "json", str(path)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    report = json.loads(probed.stdout)
    assert report["streams"][0]["codec_name"] == "mp3"
    assert float(report["format"]["duration"]) == pytest.approx(5.0, abs=FRAME_SECONDS)


def test_ffmpeg_decodes_silence(tmp_path: Path) -> None:
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        pytest.skip("ffmpeg not installed: needed to decode the placeholder")
    path = tmp_path / "silence.mp3"
    path.write_bytes(silent_mp3(2.0))
    pcm = subprocess.run(
        [ffmpeg, "-v", "error", "-i", str(path), "-f", "s16le", "-"],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    assert len(pcm) > 0
    assert pcm == bytes(len(pcm))


@pytest.mark.parametrize("seconds", [0.0, -1.0, float("nan"), float("inf")])
def test_rejects_impossible_durations(seconds: float) -> None:
    with pytest.raises(ValueError, match="positive"):
        silent_mp3(seconds)


def test_labelled_placeholders_differ_and_carry_their_talk(tmp_path: Path) -> None:
    first = labelled_silent_mp3(1200.0, "A Stable Learning Framework", "Thesing, L")
    second = labelled_silent_mp3(1200.0, "The Ethics of Algorithmic Decision Making", "Boon, J")
    assert first != second  # same length, yet two files: two media URLs
    path = tmp_path / "talk.mp3"
    path.write_bytes(first)
    info = probe(path)
    assert info.tags == {"title": "A Stable Learning Framework", "artist": "Thesing, L"}
    assert info.duration == pytest.approx(1200.0, abs=FRAME_SECONDS)
