"""ffmpeg-made media: an audio rendition at the podcast loudness norm, and a still frame."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from media.probe import probe
from media.transcode import TARGET_LUFS, TranscodeError, audio_rendition, still_frame

pytestmark = pytest.mark.skipif(
    shutil.which("ffmpeg") is None, reason="ffmpeg not installed: it makes the renditions"
)


@pytest.fixture(scope="module")
def quiet_video(tmp_path_factory) -> Path:
    """Six seconds of test picture with a tone far quieter (about -48 LUFS) than the norm."""
    path = tmp_path_factory.mktemp("transcode") / "talk.mp4"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y",
         "-f", "lavfi", "-i", "testsrc=size=320x240:rate=10:duration=6",
         "-f", "lavfi", "-i", "sine=frequency=440:duration=6,volume=0.05",
         "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", str(path)],
        check=True, capture_output=True,
    )  # fmt: skip
    return path


def integrated_loudness(path: Path) -> float:
    """Integrated loudness (LUFS) as ffmpeg's EBU R128 meter measures it."""
    command = ["ffmpeg", "-hide_banner", "-nostdin", "-i", str(path)]
    out = subprocess.run(
        [*command, "-af", "ebur128", "-f", "null", "-"], capture_output=True, text=True, check=True
    ).stderr
    return float(re.findall(r"I:\s+(-?[\d.]+) LUFS", out)[-1])


def test_the_rendition_is_aac_audio_at_the_podcast_loudness(quiet_video, tmp_path):
    target = tmp_path / "audio.m4a"
    audio_rendition(quiet_video, target)
    info = probe(target)
    assert (info.kind, info.mime_type, info.width) == ("audio", "audio/x-m4a", None)
    assert info.duration == pytest.approx(6.0, abs=0.2)
    assert integrated_loudness(quiet_video) < -40
    assert integrated_loudness(target) == pytest.approx(TARGET_LUFS, abs=1.0)


def test_a_still_frame_is_a_png_of_the_video(quiet_video):
    image = Image.open(io.BytesIO(still_frame(quiet_video, 1.0)))
    assert (image.format, image.size) == ("PNG", (320, 240))


def test_a_file_that_is_not_media_is_refused_with_the_reason(tmp_path):
    fake = tmp_path / "fake.mp4"
    fake.write_bytes(b"this is not a video")
    with pytest.raises(TranscodeError, match="ffmpeg failed"):
        audio_rendition(fake, tmp_path / "out.m4a")
