"""Tell whether an Ogg file ends where its stream does.

mutagen takes an Ogg file's length from the granule position of the last page it finds, so a
file cut short (an interrupted upload or copy) is measured by whatever page it ends on. Every
Ogg stream is closed by a page flagged end-of-stream, and every page carries a CRC of itself:
a whole file ends with a complete, intact page with that flag. Only the tail is read.
"""

from __future__ import annotations

import zlib
from pathlib import Path

from media.errors import UnsupportedMedia

_CUT = "it was cut short (an interrupted upload or copy?)"
_HEADER = 27
# The largest page: header, a full segment table, 255 segments of 255 bytes.
MAX_PAGE = _HEADER + 255 + 255 * 255
_END_OF_STREAM = 0x04
# Ogg's CRC-32 is zlib's with every byte's bits reversed, and the result reversed again.
_BITSWAP = bytes(int(f"{n:08b}"[::-1], 2) for n in range(256))


def page_crc(page: bytes) -> int:
    """The CRC-32 of an Ogg page (with its CRC field taken as zero), as stored in it."""
    blank = page[:22] + b"\0\0\0\0" + page[26:]
    crc = ~zlib.crc32(blank.translate(_BITSWAP), 0xFFFFFFFF) & 0xFFFFFFFF
    return int(f"{crc:032b}"[::-1], 2)


def page_length(data: bytes, pos: int) -> int | None:
    """Length of the page whose header starts at ``pos``; None if no page header is there."""
    if data[pos : pos + 4] != b"OggS" or len(data) < pos + _HEADER or data[pos + 4] != 0:
        return None
    segments = data[pos + 26]
    table = data[pos + _HEADER : pos + _HEADER + segments]
    if len(table) < segments:
        return None
    return _HEADER + segments + sum(table)


def check_complete(path: Path) -> None:
    """Raise UnsupportedMedia if an Ogg file was cut short: its last page is incomplete or
    damaged, or no page at its end closes the stream."""
    with path.open("rb") as fh:
        fh.seek(0, 2)
        size = fh.tell()
        fh.seek(max(0, size - MAX_PAGE))
        tail = fh.read()
    last = _last_page(tail)
    if last is None:
        raise UnsupportedMedia(f"This Ogg file stops in the middle of a page: {_CUT}.")
    if not tail[last + 5] & _END_OF_STREAM:
        raise UnsupportedMedia(f"This Ogg file ends before its stream does: {_CUT}.")


def _last_page(tail: bytes) -> int | None:
    """Where the page that ends exactly at the end of ``tail`` with an intact CRC starts;
    "OggS" inside a packet may look like a header but fails the length or the CRC."""
    pos = tail.rfind(b"OggS")
    while pos != -1:
        whole = page_length(tail, pos) == len(tail) - pos
        if whole and page_crc(tail[pos:]) == int.from_bytes(tail[pos + 22 : pos + 26], "little"):
            return pos
        pos = tail.rfind(b"OggS", 0, pos)
    return None
