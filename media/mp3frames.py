"""Walk the MPEG audio frames of an MP3 file.

mutagen reads the first frame and a Xing/VBRI header, if any. A VBR file without such a header
then gets a duration guessed from the first frame's bitrate, and a file cut short still reports
its declared length. Walking every frame gives the true sample count and shows truncation.
"""

from __future__ import annotations

import mmap
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

# Re-exported: the sniffer reads ID3v2 sizes from here.
from media.mp3tags import id3v2_tag_size as id3v2_tag_size
from media.mp3tags import leading_tags_size, trailing_tags_size

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
_VERSION_BITS = {name: bits for bits, name in _VERSIONS.items()}
_LAYER_BITS = {layer: bits for bits, layer in _LAYERS.items()}

# How far past the tags to look for the first frame, and how many frames must follow it.
_SYNC_SEARCH_BYTES = 64 * 1024
_FRAMES_TO_CONFIRM = 3
# How much of the file the walk covers between calls telling the caller what it is done with.
WINDOW_BYTES = 32 * 1024 * 1024
# Frames the regex engine steps over per match while counting them.
_BATCH = 256


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
    # True if the walk stopped at the caller's junk limit: frames and junk are counts so far.
    gave_up: bool = False

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


def _sync_pattern(ref: FrameHeader | None) -> re.Pattern[bytes]:
    """Where a frame may start: the sync bits and, within a stream, its version and layer
    (only the CRC bit may differ), so junk is skipped by the regex engine, not by Python.
    The second byte is a lookahead, so a match never hides one starting at that byte."""
    if ref is None:
        return re.compile(rb"\xff(?=[\xe0-\xff])")
    second = 0xE0 | _VERSION_BITS[ref.version] << 3 | _LAYER_BITS[ref.layer] << 1
    choices = re.escape(bytes([second])) + re.escape(bytes([second | 1]))
    return re.compile(rb"\xff(?=[" + choices + rb"])")


def _find_sync(
    buf: bytes | mmap.mmap, start: int, stop: int, end: int, ref: FrameHeader | None
) -> int | None:
    """The first offset in [start, stop) where a confirmed run of frames begins."""
    # One byte past stop, so that the lookahead can see the byte after a sync at stop - 1.
    for match in _sync_pattern(ref).finditer(buf, start, min(stop + 1, len(buf))):
        if _confirmed(buf, match.start(), end, ref):
            return match.start()
    return None


class _Frames:
    """The walk's tally, and the stream's frames as regular expressions.

    A frame's length follows from its header's first three bytes (sync, version, layer,
    CRC bit, bitrate, sample rate, padding, private bit): within one stream at most 112
    combinations, a handful in practice. Each is decoded once, in Python; a frame is then
    those bytes, any fourth byte (channel mode and flags) and a known number of bytes more,
    so runs of known frames are stepped over by the regex engine, which never looks at the
    bytes between headers: no Python per frame.
    """

    def __init__(self, ref: FrameHeader) -> None:
        self.ref = ref
        self.lengths: dict[bytes, int] = {}
        self.bitrates: set[int] = set()
        self.count = 0
        self._batch = self._one = re.compile(b"(?!)")

    def learn(self, buf: bytes | mmap.mmap, pos: int, end: int) -> bool | None:
        """Decode the header at pos: True if it is a frame of the stream that fits,
        False if it is one cut short by the end, None if it is not a frame of the stream."""
        head = bytes(buf[pos : pos + 4])
        header = parse_header(head)
        if header is None or not header.same_stream(self.ref):
            return None
        if pos + header.length > end:
            return False
        if head[:3] not in self.lengths:
            self.lengths[head[:3]] = header.length
            self.bitrates.add(header.bitrate)
            frame = b"|".join(re.escape(h) + b".{%d}" % (n - 3) for h, n in self.lengths.items())
            frame = b"(?s:" + frame + b")"
            # Possessive: a batch is never given back, so the engine keeps no state per frame.
            self._batch = re.compile(b"(?:" + frame + b"){%d}+" % _BATCH)
            self._one = re.compile(frame)
        return True

    def run(self, buf: bytes | mmap.mmap, pos: int, stop: int) -> int:
        """Step over the known frames that follow pos and end by stop; where the run ends."""
        # Match only at frame boundaries (a search could start inside a frame): batches
        # of frames while they last, then the few left one by one.
        count = 0
        while batch := self._batch.match(buf, pos, stop):
            count += _BATCH
            pos = batch.end()
        while one := self._one.match(buf, pos, stop):
            count += 1
            pos = one.end()
        self.count += count
        return pos


def scan_buffer(
    buf: bytes | mmap.mmap,
    *,
    junk_limit: int | None = None,
    done_with: Callable[[int], None] | None = None,
) -> FrameScan | None:
    """Walk every frame between the tags; None if no run of MPEG audio frames is found.

    With ``junk_limit`` the walk stops once more junk than that is found (the file is
    refused anyway, and a large fake file is not walked to its end). ``done_with(offset)``
    is told, every ``WINDOW_BYTES``, that the bytes before offset will not be read again.
    """
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
    frames = _Frames(ref)
    truncated = gave_up = False
    while pos < end:
        pos = frames.run(buf, pos, min(end, pos + WINDOW_BYTES))
        if done_with is not None:
            done_with(pos)
        if pos >= end:
            break
        fits = frames.learn(buf, pos, end)
        if fits:
            continue
        if fits is False:
            truncated = True
            break
        # Lost sync: count the bytes up to the next confirmed run as junk and go on; with a
        # junk limit, look no further than the limit allows.
        stop = end if junk_limit is None else min(end, pos + 2 + max(0, junk_limit - junk))
        found = _find_sync(buf, pos + 1, stop, end, ref)
        junk += (found if found is not None else stop) - pos
        if junk_limit is not None and junk > junk_limit:
            gave_up = True
            break
        if found is None:
            break
        pos = found
    return FrameScan(
        audio_start=start,
        audio_end=end,
        frames=frames.count,
        samples=frames.count * ref.samples,
        sample_rate=ref.sample_rate,
        bitrates=frozenset(frames.bitrates),
        junk_bytes=junk,
        truncated_frame=truncated,
        vbr_header=vbr,
        gave_up=gave_up,
    )


def scan_file(path: Path, *, junk_limit: int | None = None) -> FrameScan | None:
    """Walk the frames of a file through mmap, so large files are not read into memory.

    Pages already walked are dropped from the mapping as the walk goes (they stay in the
    page cache), so the process's resident memory stays flat however large the file is.
    """
    with path.open("rb") as fh:
        if path.stat().st_size == 0:
            return None
        with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as buf:
            if hasattr(buf, "madvise"):
                buf.madvise(mmap.MADV_SEQUENTIAL)
                drop = getattr(mmap, "MADV_DONTNEED", None)

                def done_with(offset: int) -> None:
                    behind = offset // mmap.PAGESIZE * mmap.PAGESIZE
                    if drop is not None and behind:
                        buf.madvise(drop, 0, behind)

                return scan_buffer(buf, junk_limit=junk_limit, done_with=done_with)
            return scan_buffer(buf, junk_limit=junk_limit)
