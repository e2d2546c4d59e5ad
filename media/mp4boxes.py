"""Read the few MP4/QuickTime boxes mutagen does not interpret: brand, tracks, size, duration.

mutagen's MP4 stream info describes the first audio track only, so a video's frame size and the
movie's own duration come from ``ftyp``, ``mvhd`` and each track's ``hdlr`` and ``tkhd``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, BinaryIO

# Atoms is mutagen's box parser; it lives in a private module but is what mutagen.mp4 uses.
from mutagen.mp4._atom import Atoms

# Names of brands that say how the file should be announced.
QUICKTIME_BRANDS = frozenset({b"qt  "})
M4V_BRANDS = frozenset({b"M4V ", b"M4VH", b"M4VP"})


@dataclass(frozen=True)
class Mp4Layout:
    """What the box structure of an MP4/QuickTime file says."""

    brand: bytes | None
    handlers: tuple[bytes, ...]
    duration: float | None
    width: int | None
    height: int | None
    truncated: bool
    has_moov: bool

    @property
    def has_video(self) -> bool:
        """True if any track is a video track."""
        return b"vide" in self.handlers

    @property
    def has_audio(self) -> bool:
        """True if any track is a sound track."""
        return b"soun" in self.handlers


def read_layout(fh: BinaryIO, size: int) -> Mp4Layout:
    """Parse the box tree of an open file; AtomError (from mutagen) if it is not a box tree."""
    atoms = Atoms(fh)
    truncated = any(atom.offset + atom.length > size for atom in atoms.atoms)
    brand = _brand(atoms, fh)
    try:
        moov = atoms[b"moov"]
    except KeyError:
        return Mp4Layout(brand, (), None, None, None, truncated, has_moov=False)
    handlers: list[bytes] = []
    width = height = None
    for trak in moov.findall(b"trak"):
        handler = _handler(trak, fh)
        handlers.append(handler)
        if handler == b"vide" and width is None:
            width, height = _track_size(trak, fh)
    return Mp4Layout(
        brand=brand,
        handlers=tuple(handlers),
        duration=_movie_duration(moov, fh),
        width=width,
        height=height,
        truncated=truncated,
        has_moov=True,
    )


def _payload(atom: Any, fh: BinaryIO) -> bytes | None:
    ok, data = atom.read(fh)
    return bytes(data) if ok else None


def _brand(atoms: Any, fh: BinaryIO) -> bytes | None:
    try:
        data = _payload(atoms[b"ftyp"], fh)
    except KeyError:
        return None
    return data[:4] if data is not None and len(data) >= 4 else None


def _handler(trak: Any, fh: BinaryIO) -> bytes:
    try:
        data = _payload(trak[b"mdia", b"hdlr"], fh)
    except KeyError:
        return b""
    # Full box: version and flags (4), pre_defined (4), then the handler type.
    return data[8:12] if data is not None and len(data) >= 12 else b""


def _track_size(trak: Any, fh: BinaryIO) -> tuple[int | None, int | None]:
    """Display width and height from tkhd: the last 8 bytes, 16.16 fixed point."""
    try:
        data = _payload(trak[(b"tkhd",)], fh)
    except KeyError:
        return None, None
    if data is None or len(data) < 84:
        return None, None
    width = int.from_bytes(data[-8:-4], "big") >> 16
    height = int.from_bytes(data[-4:], "big") >> 16
    if width <= 0 or height <= 0:
        return None, None
    # The 3x3 matrix before the size: a zero "a" and "d" mean a quarter turn (phone videos),
    # so the picture players show is the other way round.
    matrix = data[-44:-8]
    a = int.from_bytes(matrix[0:4], "big")
    d = int.from_bytes(matrix[16:20], "big")
    if a == 0 and d == 0:
        width, height = height, width
    return width, height


def _movie_duration(moov: Any, fh: BinaryIO) -> float | None:
    """Seconds from mvhd (timescale and duration, 32- or 64-bit by version)."""
    try:
        data = _payload(moov[(b"mvhd",)], fh)
    except KeyError:
        return None
    if data is None or len(data) < 20:
        return None
    if data[0] == 1:
        if len(data) < 32:
            return None
        timescale = int.from_bytes(data[20:24], "big")
        duration = int.from_bytes(data[24:32], "big")
    else:
        timescale = int.from_bytes(data[12:16], "big")
        duration = int.from_bytes(data[16:20], "big")
    # All ones means "unknown" (fragmented or live files).
    if timescale == 0 or duration in (0, 0xFFFFFFFF, 0xFFFFFFFFFFFFFFFF):
        return None
    return duration / timescale
