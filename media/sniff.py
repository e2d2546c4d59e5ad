"""Recognise a media container from the first bytes of a file, never from its name."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from media.mp3frames import id3v2_tag_size, parse_header

Container = Literal["mp3", "mp4", "ogg-vorbis", "ogg-opus", "flac", "wav"]

_HEAD_BYTES = 4096
# Top-level boxes an MP4/QuickTime file may start with (old QuickTime files have no ftyp).
_MP4_FIRST_BOXES = (b"ftyp", b"moov", b"mdat", b"wide", b"free", b"skip")

# Signatures of common files people upload by mistake, to say what they sent instead.
_KNOWN_OTHERS: tuple[tuple[int, bytes, str], ...] = (
    (0, b"\xff\xd8\xff", "a JPEG image"),
    (0, b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (0, b"GIF8", "a GIF image"),
    (0, b"PK\x03\x04", "a ZIP archive (or an Office document)"),
    (0, b"PK\x05\x06", "an empty ZIP archive"),
    (0, b"%PDF", "a PDF document"),
    (0, b"\x1a\x45\xdf\xa3", "a Matroska/WebM file, which podcast apps do not play"),
    (0, b"Rar!", "a RAR archive"),
    (0, b"\x1f\x8b", "a gzip archive"),
    (0, b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (8, b"AVI ", "an AVI video, which podcast apps do not play"),
    (8, b"WEBP", "a WebP image"),
)


def sniff(path: Path) -> Container | None:
    """Name the container of an audio/video file by its content; None if it is none we accept."""
    with path.open("rb") as fh:
        # ID3v2 tags can be large (cover art), so walk their headers and read what follows.
        pos = 0
        while (size := id3v2_tag_size(fh.read(10))) is not None:
            pos += size
            fh.seek(pos)
        fh.seek(pos)
        head = fh.read(_HEAD_BYTES)
    if pos:
        # Only MP3 (and, rarely, FLAC) carry ID3v2; the frame walk judges what follows.
        return "flac" if head.startswith(b"fLaC") else "mp3"
    return sniff_head(head)


def sniff_head(head: bytes) -> Container | None:
    """Name the container from the first bytes of a file (no leading ID3 tag)."""
    if head.startswith(b"fLaC"):
        return "flac"
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return "wav"
    if head.startswith(b"OggS") and len(head) > 27:
        packet = head[27 + head[26] :]
        if packet.startswith(b"\x01vorbis"):
            return "ogg-vorbis"
        if packet.startswith(b"OpusHead"):
            return "ogg-opus"
        return None
    if head[4:8] in _MP4_FIRST_BOXES:
        return "mp4"
    if parse_header(head[:4]) is not None:
        return "mp3"
    return None


def describe_unknown(path: Path) -> str:
    """A user-facing sentence saying what a rejected file seems to be."""
    with path.open("rb") as fh:
        head = fh.read(_HEAD_BYTES)
    for offset, magic, name in _KNOWN_OTHERS:
        if head[offset : offset + len(magic)] == magic:
            return f"This file is {name}, not an audio or video recording."
    if head.startswith(b"OggS"):
        return "This Ogg file holds neither Vorbis nor Opus audio (Ogg video is not supported)."
    if _looks_like_text(head):
        return "This file is text, not an audio or video recording."
    return (
        "This file is not an audio or video format we accept "
        "(MP3, M4A/AAC, MP4, M4V, MOV, Ogg Vorbis/Opus, FLAC or WAV)."
    )


def _looks_like_text(head: bytes) -> bool:
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        # A multi-byte character may be cut at the end of the sample.
        try:
            text = head[:-3].decode("utf-8")
        except UnicodeDecodeError:
            return False
    return bool(text) and all(ch.isprintable() or ch in "\r\n\t\f" for ch in text)
