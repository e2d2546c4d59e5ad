"""Media fixtures generated during the run with ffmpeg; nothing binary is committed."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

SECONDS = 3
_SINE = ["-f", "lavfi", "-i", f"sine=frequency=440:duration={SECONDS}"]
_VIDEO = ["-f", "lavfi", "-i", f"testsrc=size=320x240:rate=10:duration={SECONDS}"]
_H264 = ["-c:v", "libx264", "-pix_fmt", "yuv420p"]
# Silence then loud noise: a VBR encoder spends far fewer bits on the first frames, so a
# duration guessed from the first frame's bitrate is far too long.
_SILENCE_THEN_NOISE = [
    "-f",
    "lavfi",
    "-i",
    f"aevalsrc=0:d={SECONDS / 2}[a];anoisesrc=d={SECONDS / 2}:amplitude=0.5[b];"
    "[a][b]concat=n=2:v=0:a=1",
]

# File name -> ffmpeg arguments between the inputs and the output name.
RECIPES: dict[str, list[str]] = {
    "cbr.mp3": [
        *_SINE,
        "-c:a", "libmp3lame", "-b:a", "64k",
        "-metadata", "title=Sine talk", "-metadata", "artist=INI Seminar Room 1",
    ],
    "cbr-noxing.mp3": [*_SINE, "-c:a", "libmp3lame", "-b:a", "64k", "-write_xing", "0"],
    "vbr-xing.mp3": [*_SINE, "-c:a", "libmp3lame", "-q:a", "4"],
    "vbr-noxing.mp3": [*_SILENCE_THEN_NOISE, "-c:a", "libmp3lame", "-q:a", "0", "-write_xing", "0"],
    "aac.m4a": [*_SINE, "-c:a", "aac", "-b:a", "64k", "-metadata", "title=AAC talk"],
    "video.mp4": [*_VIDEO, *_SINE, *_H264, "-c:a", "aac", "-shortest"],
    "silent-video.mp4": [*_VIDEO, *_H264],
    "video.m4v": [*_VIDEO, *_SINE, *_H264, "-c:a", "aac", "-shortest", "-f", "ipod"],
    "video.mov": [*_VIDEO, *_SINE, *_H264, "-c:a", "aac", "-shortest", "-f", "mov"],
    "opus.opus": [*_SINE, "-c:a", "libopus", "-b:a", "48k"],
    "vorbis.ogg": [*_SINE, "-c:a", "libvorbis", "-metadata", "title=Vorbis talk"],
    "lossless.flac": [*_SINE, "-c:a", "flac", "-metadata", "artist=FLAC speaker"],
    "pcm.wav": [*_SINE, "-c:a", "pcm_s16le"],
}  # fmt: skip


def ffmpeg_or_skip() -> str:
    """Path of ffmpeg, or skip the calling test."""
    found = shutil.which("ffmpeg")
    if found is None:
        pytest.skip("ffmpeg not installed: media fixtures are generated with it")
    return found


@pytest.fixture(scope="session")
def media_file(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """Return a function that generates (once per run) the fixture of a RECIPES name."""
    out = tmp_path_factory.mktemp("media-fixtures")

    def make(name: str) -> Path:
        ffmpeg = ffmpeg_or_skip()
        path = out / name
        if not path.exists():
            subprocess.run(
                [ffmpeg, "-v", "error", "-y", *RECIPES[name], str(path)],
                check=True,
                capture_output=True,
            )
        return path

    return make


@pytest.fixture
def copy_as(tmp_path: Path) -> Callable[[Path, str], Path]:
    """Copy a file under another name, to show the name plays no part."""

    def copy(source: Path, name: str) -> Path:
        target = tmp_path / name
        shutil.copyfile(source, target)
        return target

    return copy
