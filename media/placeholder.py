"""A tiny silent MP3 for demo talks whose recording is not in the repository.

MPEG-2 Layer III, 8 kbit/s, mono, 16 kHz: every frame is exactly 36 bytes and 576 samples
(36 ms). Side information and main data are all zero, so each frame decodes as silence with no
bit reservoir, and a leading "Info" frame carries the frame count so players show the exact
duration without scanning.
"""

from __future__ import annotations

import math
from io import BytesIO
from typing import Any

from mutagen import id3

# mutagen's ID3 frame classes carry no type hints.
_id3: Any = id3

SAMPLE_RATE = 16_000
SAMPLES_PER_FRAME = 576
FRAME_BYTES = 36
# Sync, MPEG-2, Layer III, no CRC | 8 kbit/s, 16 kHz, no padding | mono.
_HEADER = bytes((0xFF, 0xF3, 0x18, 0xC0))
_SIDE_INFO_BYTES = 9  # MPEG-2 mono


def frames_for(seconds: float) -> int:
    """Number of audio frames closest to the given duration (at least one)."""
    return max(1, round(seconds * SAMPLE_RATE / SAMPLES_PER_FRAME))


def silent_mp3(seconds: float) -> bytes:
    """Return a valid MP3 of silence lasting ``seconds`` (to the nearest 36 ms frame)."""
    if not math.isfinite(seconds) or seconds <= 0:
        raise ValueError("a placeholder needs a positive, finite duration")
    count = frames_for(seconds)
    audio = _HEADER + bytes(FRAME_BYTES - len(_HEADER))
    info_body = (
        b"Info"
        + (0x03).to_bytes(4, "big")  # frame count and byte count present
        + count.to_bytes(4, "big")
        + ((count + 1) * FRAME_BYTES).to_bytes(4, "big")
    )
    info = _HEADER + bytes(_SIDE_INFO_BYTES) + info_body
    info += bytes(FRAME_BYTES - len(info))
    return info + audio * count


def labelled_silent_mp3(seconds: float, title: str, artist: str) -> bytes:
    """A silent MP3 carrying an ID3v2 title and artist.

    Two talks of the same length would otherwise get byte-identical files, hence one
    content-addressed URL, and podcast apps merge or drop episodes that share a media URL.
    The tags make each placeholder its own file, and apps show the talk's title and speaker.
    """
    buffer = BytesIO(silent_mp3(seconds))
    tags = _id3.ID3()
    tags.add(_id3.TIT2(encoding=3, text=title))
    tags.add(_id3.TPE1(encoding=3, text=artist))
    tags.save(buffer, v2_version=4, padding=lambda _info: 0)
    return buffer.getvalue()
