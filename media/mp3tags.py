"""Sizes of the tags an MP3 file carries around its audio frames (ID3v2, ID3v1, Lyrics3, APEv2)."""

from __future__ import annotations

import mmap


def id3v2_tag_size(header: bytes) -> int | None:
    """Total size of an ID3v2 tag from its 10-byte header; None if it is not one."""
    if len(header) < 10 or not header.startswith(b"ID3"):
        return None
    raw = header[6:10]
    if any(b & 0x80 for b in raw):
        return None
    size = (raw[0] << 21) | (raw[1] << 14) | (raw[2] << 7) | raw[3]
    return 10 + size + (10 if header[5] & 0x10 else 0)


def leading_tags_size(buf: bytes | mmap.mmap) -> int:
    """Bytes taken by ID3v2 tags at the start (there may be more than one)."""
    pos = 0
    while (size := id3v2_tag_size(bytes(buf[pos : pos + 10]))) is not None:
        pos += size
    return min(pos, len(buf))


def trailing_tags_size(buf: bytes | mmap.mmap) -> int:
    """Bytes taken by ID3v1, Lyrics3v2 and APEv2 tags at the end, in whatever order."""
    end = len(buf)
    # Taggers disagree on the order (APE before or after ID3v1), so peel until nothing changes.
    while True:
        before = end
        if end >= 128 and buf[end - 128 : end - 125] == b"TAG":
            end -= 128
        if end >= 15 and buf[end - 9 : end] == b"LYRICS200":
            digits = bytes(buf[end - 15 : end - 9])
            if digits.isdigit():
                end = max(0, end - 15 - int(digits))
        if end >= 32 and buf[end - 32 : end - 24] == b"APETAGEX":
            size = int.from_bytes(buf[end - 20 : end - 16], "little")
            flags = int.from_bytes(buf[end - 12 : end - 8], "little")
            header = 32 if flags & 0x80000000 else 0
            end = max(0, end - size - header)
        if end == before:
            return len(buf) - end
