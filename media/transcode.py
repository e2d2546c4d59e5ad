"""ffmpeg runs that make new media from a stored file: an audio rendition of a video, and a
still frame for artwork. ffmpeg is found on PATH; nothing here touches a database.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from media.errors import MediaError

# The podcast loudness norm (Apple, Spotify and most apps aim at about -16 LUFS integrated),
# with true peaks kept under -1.5 dBTP so AAC encoding does not clip.
TARGET_LUFS = -16.0
TRUE_PEAK = -1.5
LOUDNESS_RANGE = 11.0
AUDIO_BITRATE = "96k"  # AAC at 96 kbit/s is transparent enough for speech
SAMPLE_RATE = 44_100


class TranscodeError(MediaError):
    """ffmpeg is missing, or refused the input."""


def ffmpeg_path() -> str:
    """The ffmpeg executable, or TranscodeError."""
    path = shutil.which("ffmpeg")
    if path is None:
        raise TranscodeError("ffmpeg is not installed; it makes the audio renditions")
    return path


def audio_rendition_command(source: Path, target: Path) -> list[str]:
    """The ffmpeg command that writes ``target`` (.m4a): AAC, loudness-normalised, no video."""
    loudnorm = f"loudnorm=I={TARGET_LUFS:g}:TP={TRUE_PEAK:g}:LRA={LOUDNESS_RANGE:g}"
    return [
        ffmpeg_path(), "-nostdin", "-v", "error", "-y", "-i", str(source),
        "-map", "0:a:0", "-vn", "-sn", "-dn", "-af", loudnorm, "-ar", str(SAMPLE_RATE),
        "-c:a", "aac", "-b:a", AUDIO_BITRATE, "-movflags", "+faststart", "-f", "ipod",
        str(target),
    ]  # fmt: skip


def audio_rendition(source: Path, target: Path, timeout: float = 6 * 3600) -> None:
    """Write an audio-only M4A of ``source`` to ``target``; TranscodeError if ffmpeg fails."""
    _run(audio_rendition_command(source, target), timeout)


def still_frame(source: Path, at_seconds: float, timeout: float = 120) -> bytes:
    """One video frame as PNG bytes (for artwork), taken at ``at_seconds``."""
    command = [
        ffmpeg_path(), "-nostdin", "-v", "error", "-ss", f"{max(at_seconds, 0):.3f}",
        "-i", str(source), "-frames:v", "1", "-f", "image2", "-c:v", "png", "pipe:1",
    ]  # fmt: skip
    result = _run(command, timeout)
    if not result:
        raise TranscodeError("ffmpeg found no video frame to use as artwork")
    return result


def _run(command: list[str], timeout: float) -> bytes:
    try:
        done = subprocess.run(command, capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        raise TranscodeError(f"ffmpeg took longer than {timeout:.0f} s") from exc
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise TranscodeError(f"ffmpeg failed: {detail[-1] if detail else done.returncode}")
    return done.stdout
