"""Probe an uploaded audio or video file once: format by content, duration, bitrate, frame size.

The results are stored with the media row, so building a feed never opens a media file.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import mutagen
from mutagen.flac import FLAC
from mutagen.mp3 import MP3
from mutagen.mp4 import MP4
from mutagen.mp4._atom import AtomError
from mutagen.oggopus import OggOpus
from mutagen.oggvorbis import OggVorbis
from mutagen.wave import WAVE

from media import flacframes, oggpages
from media.boundedfile import open_bounded
from media.errors import UnsupportedMedia
from media.mp3frames import FrameScan, scan_file
from media.mp4boxes import M4V_BRANDS, QUICKTIME_BRANDS, read_layout
from media.sniff import Container, describe_unknown, sniff

# Bytes of non-audio data an MP3 may carry between frames (odd encoders, stray padding)
# before we call it damaged: 1 KiB, or 1% of the audio, whichever is more.
_MP3_JUNK_BYTES = 1024
_MP3_JUNK_RATIO = 0.01
# A Xing/VBRI frame count may differ from what we count by a frame or two.
_MP3_FRAME_SLACK = 2

_LABELS: dict[Container, str] = {
    "mp3": "an MP3",
    "mp4": "an MP4/QuickTime",
    "ogg-vorbis": "an Ogg Vorbis",
    "ogg-opus": "an Ogg Opus",
    "flac": "a FLAC",
    "wav": "a WAV",
}


@dataclass(frozen=True)
class MediaInfo:
    """Facts about one media file, as stored with it and announced in feeds."""

    kind: Literal["audio", "video"]
    mime_type: str
    extension: str
    size: int
    duration: float
    bitrate: int | None
    width: int | None = None
    height: int | None = None
    tags: dict[str, str] = field(default_factory=dict, hash=False)


def probe(path: Path) -> MediaInfo:
    """Identify and measure an audio/video file by its content; UnsupportedMedia if we refuse it."""
    size = path.stat().st_size
    if size == 0:
        raise UnsupportedMedia("The file is empty.")
    container = sniff(path)
    if container is None:
        raise UnsupportedMedia(describe_unknown(path))
    try:
        info = _PROBERS[container](path, size)
    except UnsupportedMedia:
        raise
    except (mutagen.MutagenError, AtomError, struct.error, EOFError, IndexError, ValueError) as exc:
        raise UnsupportedMedia(
            f"This looks like {_LABELS[container]} file, but it is damaged and cannot be read."
        ) from exc
    if not info.duration > 0:
        raise UnsupportedMedia("This file contains no playable audio or video (zero duration).")
    return info


def _probe_mp3(path: Path, size: int) -> MediaInfo:
    # The audio is at most the whole file, so past this much junk the file is refused
    # whatever the rest holds: a large fake file is not walked to its end.
    scan = scan_file(path, junk_limit=_junk_allowed(size))
    if scan is None or scan.frames == 0:
        raise UnsupportedMedia("This file is named or tagged as MP3 but holds no MP3 audio.")
    _check_mp3_complete(scan)
    audio = _load(MP3, path)
    declared = scan.vbr_header.frames if scan.vbr_header is not None else None
    # With a checked Xing/Info count, mutagen's length is right and also applies the LAME
    # tag's encoder delay and padding; without one, mutagen guessed from the first frame's
    # bitrate, which is wrong for VBR, so use the frame walk.
    duration = float(audio.info.length) if declared else scan.duration
    if len(scan.bitrates) == 1:
        bitrate: int | None = next(iter(scan.bitrates))
    else:
        bitrate = _average_bitrate(scan.audio_bytes, scan.duration)
    return MediaInfo("audio", "audio/mpeg", ".mp3", size, duration, bitrate, tags=_tags(audio.tags))


def _junk_allowed(audio_bytes: int) -> int:
    return max(_MP3_JUNK_BYTES, int(audio_bytes * _MP3_JUNK_RATIO))


def _check_mp3_complete(scan: FrameScan) -> None:
    damaged = UnsupportedMedia(
        f"This MP3 file is damaged: {scan.junk_bytes} bytes of it are not MP3 audio."
    )
    if scan.gave_up:
        raise damaged
    seconds = f"{scan.duration:.1f} s"
    if scan.truncated_frame:
        raise UnsupportedMedia(
            f"This MP3 file stops in the middle of an audio frame after {seconds}: "
            "it was cut short (an interrupted upload or copy?)."
        )
    declared = scan.vbr_header.frames if scan.vbr_header is not None else None
    if declared and scan.frames + _MP3_FRAME_SLACK < declared:
        expected = declared * scan.samples / max(scan.frames, 1) / scan.sample_rate
        raise UnsupportedMedia(
            f"This MP3 file announces {expected:.1f} s of audio but holds only {seconds}: "
            "it was cut short (an interrupted upload or copy?)."
        )
    if scan.junk_bytes > _junk_allowed(scan.audio_bytes):
        raise damaged


def _probe_mp4(path: Path, size: int) -> MediaInfo:
    with open_bounded(path) as fh:
        layout = read_layout(fh, size)
    if layout.truncated:
        raise UnsupportedMedia(
            "This MP4/QuickTime file is cut short: it ends before its last section does."
        )
    if not layout.has_moov:
        raise UnsupportedMedia(
            "This MP4/QuickTime file has no index ('moov' box): the recording was not "
            "finished properly or the file is incomplete."
        )
    audio = _load(MP4, path)
    duration = layout.duration or float(audio.info.length)
    if layout.has_video:
        if layout.brand in QUICKTIME_BRANDS:
            mime, ext = "video/quicktime", ".mov"
        elif layout.brand in M4V_BRANDS:
            mime, ext = "video/x-m4v", ".m4v"
        else:
            mime, ext = "video/mp4", ".mp4"
        # mutagen's bitrate is the audio track's alone.
        bitrate = round(size * 8 / duration) if duration > 0 else None
        return MediaInfo(
            "video", mime, ext, size, duration, bitrate, layout.width, layout.height,
            tags=_tags(audio.tags),
        )  # fmt: skip
    if not layout.has_audio:
        raise UnsupportedMedia("This MP4 file has neither an audio nor a video track.")
    bitrate = int(audio.info.bitrate) or _average_bitrate(size, duration)
    return MediaInfo(
        "audio", "audio/x-m4a", ".m4a", size, duration, bitrate, tags=_tags(audio.tags)
    )


def _probe_simple(
    cls: Any, mime: str, ext: str, check_complete: Callable[[Path], None] | None = None
) -> Callable[[Path, int], MediaInfo]:
    def run(path: Path, size: int) -> MediaInfo:
        # mutagen reads a length from the headers or the last page, not from the audio
        # that is there: a file cut short would pass with the length it announces.
        if check_complete is not None:
            check_complete(path)
        audio = _load(cls, path)
        duration = float(audio.info.length)
        bitrate = int(getattr(audio.info, "bitrate", 0) or 0) or _average_bitrate(size, duration)
        return MediaInfo("audio", mime, ext, size, duration, bitrate, tags=_tags(audio.tags))

    return run


def _load(cls: Any, path: Path) -> Any:
    """Open a file with a mutagen class (mutagen's own annotations are incomplete)."""
    with open_bounded(path) as fh:
        return cls(fh)


def _average_bitrate(size: int, duration: float) -> int | None:
    return round(size * 8 / duration) if duration > 0 else None


_PROBERS: dict[Container, Callable[[Path, int], MediaInfo]] = {
    "mp3": _probe_mp3,
    "mp4": _probe_mp4,
    "ogg-vorbis": _probe_simple(OggVorbis, "audio/ogg", ".ogg", oggpages.check_complete),
    "ogg-opus": _probe_simple(OggOpus, "audio/opus", ".opus", oggpages.check_complete),
    "flac": _probe_simple(FLAC, "audio/flac", ".flac", flacframes.check_complete),
    "wav": _probe_simple(WAVE, "audio/wav", ".wav"),
}

# Where each tag lives in ID3 (MP3, WAV), MP4 and Vorbis comments (Ogg, FLAC).
_TAG_KEYS: dict[str, tuple[str, ...]] = {
    "title": ("TIT2", "\xa9nam", "title"),
    "artist": ("TPE1", "\xa9ART", "artist"),
    "album": ("TALB", "\xa9alb", "album"),
    "comment": ("COMM", "\xa9cmt", "comment", "description"),
}


def _tags(tags: Any) -> dict[str, str]:
    """Title, artist, album and comment from any mutagen tag container, where present."""
    if tags is None:
        return {}
    found: dict[str, str] = {}
    for name, keys in _TAG_KEYS.items():
        for key in keys:
            text = _first_text(_lookup(tags, key))
            if text:
                found[name] = text
                break
    return found


def _lookup(tags: Any, key: str) -> Any:
    if key == "COMM" and hasattr(tags, "getall"):
        return [t for frame in tags.getall("COMM") for t in frame.text]
    try:
        return tags.get(key)
    except (KeyError, ValueError, TypeError):
        return None


def _first_text(value: Any) -> str | None:
    values = getattr(value, "text", value)
    if isinstance(values, str):
        values = [values]
    if not isinstance(values, list | tuple):
        return None
    for item in values:
        text = str(item).strip()
        if text:
            return text
    return None
