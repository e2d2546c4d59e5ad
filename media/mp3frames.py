"""Walk the MPEG audio frames of an MP3 file.

mutagen reads the first frame and a Xing/VBRI header, if any. A VBR file without such a header
then gets a duration guessed from the first frame's bitrate, and a file cut short still reports
its declared length. Walking every frame gives the true sample count and shows truncation.
"""

from __future__ import annotations

import mmap
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

# Bitrates in kbit/s, indexed by the 4-bit field; index 0 (free format) and 15 are not allowed.
_BITRATES_V1 = {
    1: (0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448),
    2: (0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384),
    3: (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
}
_BITRATES_V2 = {
    1: (0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256),
    2: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
    3: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
_SAMPLE_RATES = {
    "1": (44100, 48000, 32000),
    "2": (22050, 24000, 16000),
    "2.5": (11025, 12000, 8000),
}
_VERSIONS: dict[int, Literal["1", "2", "2.5"]] = {3: "1", 2: "2", 0: "2.5"}
_LAYERS = {3: 1, 2: 2, 1: 3}

# How far past the tags to look for the first frame, and how many frames must follow it.
_SYNC_SEARCH_BYTES = 64 * 1024
_FRAMES_TO_CONFIRM = 3


@dataclass(frozen=True)
class FrameHeader:
    """The fields of one 4-byte MPEG audio frame header that matter for walking."""

    version: Literal["1", "2", "2.5"]
    layer: int
    bitrate: int
    sample_rate: int
    padding: bool
    channels: int
    length: int
    samples: int

    def same_stream(self, other: FrameHeader) -> bool:
        """True if both headers can belong to one stream (a real stream never changes these)."""
        return (self.version, self.layer, self.sample_rate) == (
            other.version,
            other.layer,
            other.sample_rate,
        )


@dataclass(frozen=True)
class VbrHeader:
    """A Xing, Info or VBRI header found in the first frame."""

    tag: Literal["Xing", "Info", "VBRI"]
    frames: int | None
    size: int | None


@dataclass(frozen=True)
class FrameScan:
    """What a walk over the audio region found."""

    audio_start: int
    audio_end: int
    frames: int
    samples: int
    sample_rate: int
    bitrates: frozenset[int]
    junk_bytes: int
    truncated_frame: bool
    vbr_header: VbrHeader | None

    @property
    def duration(self) -> float:
        """Seconds of audio in the frames counted (encoder delay and padding included)."""
        return self.samples / self.sample_rate

    @property
    def audio_bytes(self) -> int:
        """Bytes between the leading and trailing tags."""
        return self.audio_end - self.audio_start


def parse_header(data: bytes) -> FrameHeader | None:
    """Decode a 4-byte frame header; None if the bytes are not a usable header."""
    if len(data) < 4 or data[0] != 0xFF or data[1] & 0xE0 != 0xE0:
        return None
    version = _VERSIONS.get((data[1] >> 3) & 0x03)
    layer = _LAYERS.get((data[1] >> 1) & 0x03)
    bitrate_index = data[2] >> 4
    rate_index = (data[2] >> 2) & 0x03
    if version is None or layer is None or bitrate_index in (0, 15) or rate_index == 3:
        return None
    table = _BITRATES_V1 if version == "1" else _BITRATES_V2
    bitrate = table[layer][bitrate_index] * 1000
    sample_rate = _SAMPLE_RATES[version][rate_index]
    padding = bool(data[2] & 0x02)
    channels = 1 if data[3] >> 6 == 3 else 2
    if layer == 1:
        samples = 384
        length = (12 * bitrate // sample_rate + padding) * 4
    else:
        samples = 576 if layer == 3 and version != "1" else 1152
        length = samples // 8 * bitrate // sample_rate + padding
    return FrameHeader(version, layer, bitrate, sample_rate, padding, channels, length, samples)


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


def read_vbr_header(buf: bytes | mmap.mmap, pos: int, header: FrameHeader) -> VbrHeader | None:
    """Find a Xing/Info header (after the side information) or a VBRI header in a frame."""
    mono = header.channels == 1
    side_info = (17 if mono else 32) if header.version == "1" else (9 if mono else 17)
    at = pos + 4 + side_info
    tag = bytes(buf[at : at + 4])
    if tag in (b"Xing", b"Info"):
        flags = int.from_bytes(buf[at + 4 : at + 8], "big")
        field = at + 8
        frames = size = None
        if flags & 0x01:
            frames = int.from_bytes(buf[field : field + 4], "big")
            field += 4
        if flags & 0x02:
            size = int.from_bytes(buf[field : field + 4], "big")
        return VbrHeader("Xing" if tag == b"Xing" else "Info", frames, size)
    at = pos + 4 + 32
    if buf[at : at + 4] == b"VBRI":
        size = int.from_bytes(buf[at + 10 : at + 14], "big")
        frames = int.from_bytes(buf[at + 14 : at + 18], "big")
        return VbrHeader("VBRI", frames, size)
    return None


def _header_at(buf: bytes | mmap.mmap, pos: int) -> FrameHeader | None:
    return parse_header(bytes(buf[pos : pos + 4]))


def _confirmed(buf: bytes | mmap.mmap, pos: int, end: int, ref: FrameHeader | None) -> bool:
    """True if frames follow one another from pos (or reach the end exactly)."""
    first = _header_at(buf, pos)
    if first is None or (ref is not None and not first.same_stream(ref)):
        return False
    header: FrameHeader | None = first
    for _ in range(_FRAMES_TO_CONFIRM):
        assert header is not None
        pos += header.length
        if pos == end:
            return True
        header = _header_at(buf, pos)
        if header is None or not header.same_stream(first) or pos + header.length > end:
            return False
    return True


def _find_sync(
    buf: bytes | mmap.mmap, start: int, stop: int, end: int, ref: FrameHeader | None
) -> int | None:
    """The first offset in [start, stop) where a confirmed run of frames begins."""
    pos = buf.find(b"\xff", start, stop)
    while pos != -1:
        if _confirmed(buf, pos, end, ref):
            return pos
        pos = buf.find(b"\xff", pos + 1, stop)
    return None


def scan_buffer(buf: bytes | mmap.mmap) -> FrameScan | None:
    """Walk every frame between the tags; None if no run of MPEG audio frames is found."""
    start = leading_tags_size(buf)
    end = len(buf) - trailing_tags_size(buf)
    first_pos = _find_sync(buf, start, min(end, start + _SYNC_SEARCH_BYTES), end, None)
    if first_pos is None:
        return None
    ref = _header_at(buf, first_pos)
    assert ref is not None
    vbr = read_vbr_header(buf, first_pos, ref)
    pos = first_pos + ref.length if vbr is not None else first_pos
    junk = first_pos - start
    frames = samples = 0
    bitrates: set[int] = set()
    truncated = False
    while pos < end:
        header = _header_at(buf, pos)
        if header is not None and header.same_stream(ref):
            if pos + header.length > end:
                truncated = True
                break
            frames += 1
            samples += header.samples
            bitrates.add(header.bitrate)
            pos += header.length
            continue
        # Lost sync: count the bytes up to the next confirmed run as junk and go on.
        found = _find_sync(buf, pos + 1, end, end, ref)
        junk += (found if found is not None else end) - pos
        if found is None:
            break
        pos = found
    return FrameScan(
        audio_start=start,
        audio_end=end,
        frames=frames,
        samples=samples,
        sample_rate=ref.sample_rate,
        bitrates=frozenset(bitrates),
        junk_bytes=junk,
        truncated_frame=truncated,
        vbr_header=vbr,
    )


def scan_file(path: Path) -> FrameScan | None:
    """Walk the frames of a file through mmap, so large files are not read into memory."""
    with path.open("rb") as fh:
        if path.stat().st_size == 0:
            return None
        with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as buf:
            return scan_buffer(buf)
