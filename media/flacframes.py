"""Tell whether a FLAC file ends where its stream does.

mutagen takes a FLAC file's length from the STREAMINFO block at its start, so a file cut
short (an interrupted upload or copy) still reports its whole duration. The last audio frame
tells the truth: it must end exactly at the end of the file (its CRC-16 covers every byte of
it), and its last sample must be the last one STREAMINFO announces. Only the tail of the file
is read, however long the recording.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from media.errors import UnsupportedMedia
from media.mp3tags import id3v2_tag_size, trailing_tags_size

_CUT = "it was cut short (an interrupted upload or copy?)"
# The most a frame header takes: sync, codes, a 7-byte number, block size, rate, CRC-8.
_HEADER_MAX = 16
# When STREAMINFO leaves the largest frame size unknown, a frame stored verbatim (the worst an
# encoder does) bounds it: every sample of every channel at full width, plus headers.
_FRAME_OVERHEAD = 64


@dataclass(frozen=True)
class StreamInfo:
    """The STREAMINFO fields that say how the stream ends."""

    min_blocksize: int
    max_blocksize: int
    max_framesize: int
    sample_rate: int
    channels: int
    bits_per_sample: int
    total_samples: int
    audio_start: int


def _crc_table(poly: int, width: int) -> tuple[int, ...]:
    top, mask = 1 << (width - 1), (1 << width) - 1
    table = []
    for byte in range(256):
        crc = byte << (width - 8)
        for _ in range(8):
            crc = ((crc << 1) ^ poly) if crc & top else crc << 1
        table.append(crc & mask)
    return tuple(table)


_CRC8 = _crc_table(0x07, 8)
_CRC16 = _crc_table(0x8005, 16)


def crc8(data: bytes) -> int:
    """FLAC's frame header CRC (polynomial x^8 + x^2 + x + 1, initial value 0)."""
    crc = 0
    for byte in data:
        crc = _CRC8[crc ^ byte]
    return crc


def crc16(data: bytes) -> int:
    """FLAC's whole-frame CRC (polynomial x^16 + x^15 + x^2 + 1, initial value 0)."""
    crc = 0
    for byte in data:
        crc = ((crc << 8) & 0xFFFF) ^ _CRC16[(crc >> 8) ^ byte]
    return crc


def read_stream_info(fh: BinaryIO) -> StreamInfo | None:
    """STREAMINFO and where the audio frames start; None if the file does not start so."""
    start = 0
    while (size := id3v2_tag_size(fh.read(10))) is not None:
        start += size
        fh.seek(start)
    fh.seek(start)
    if fh.read(4) != b"fLaC":
        return None
    info = None
    while True:
        header = fh.read(4)
        if len(header) < 4:
            return None
        length = int.from_bytes(header[1:], "big")
        if header[0] & 0x7F == 0 and info is None:
            info = fh.read(length)
            if len(info) < 34:
                return None
        else:
            fh.seek(length, 1)
        if header[0] & 0x80:
            break
    if info is None:
        return None
    min_block, max_block = struct.unpack(">HH", info[:4])
    packed = int.from_bytes(info[10:18], "big")
    return StreamInfo(
        min_blocksize=min_block,
        max_blocksize=max_block,
        max_framesize=int.from_bytes(info[7:10], "big"),
        sample_rate=packed >> 44,
        channels=((packed >> 41) & 0x7) + 1,
        bits_per_sample=((packed >> 36) & 0x1F) + 1,
        total_samples=packed & 0xFFFFFFFFF,
        audio_start=fh.tell(),
    )


def frame_samples(data: bytes, info: StreamInfo) -> tuple[int, int] | None:
    """First sample and sample count of the frame whose header starts ``data``; None if the
    bytes are not a frame header (its CRC-8 decides)."""
    if len(data) < 6 or data[0] != 0xFF or data[1] & 0xFE != 0xF8 or data[3] & 0x01:
        return None
    block_code, rate_code = data[2] >> 4, data[2] & 0x0F
    if block_code == 0 or rate_code == 15 or data[3] >> 4 > 10:
        return None
    # The frame or sample number, coded like UTF-8 (up to 36 bits in 7 bytes).
    ones = next((n for n in range(8) if not data[4] & (0x80 >> n)), 8)
    if ones == 1 or ones == 8:
        return None
    following = max(ones - 1, 0)
    value = data[4] & (0xFF >> (ones + 1))
    pos = 5
    for byte in data[pos : pos + following]:
        if byte & 0xC0 != 0x80:
            return None
        value = (value << 6) | (byte & 0x3F)
    pos += following
    if block_code in (6, 7):
        width = block_code - 5
        blocksize = int.from_bytes(data[pos : pos + width], "big") + 1
        pos += width
    else:
        blocksize = 192 if block_code == 1 else (
            576 << (block_code - 2) if block_code < 6 else 256 << (block_code - 8)
        )  # fmt: skip
    pos += {12: 1, 13: 2, 14: 2}.get(rate_code, 0)
    if len(data) <= pos or crc8(data[:pos]) != data[pos]:
        return None
    fixed = not data[1] & 0x01
    first_sample = value * info.max_blocksize if fixed else value
    return first_sample, blocksize


def check_complete(path: Path) -> None:
    """Raise UnsupportedMedia if a FLAC file was cut short: its last frame is incomplete, or
    its frames stop before the number of samples STREAMINFO announces."""
    with path.open("rb") as fh:
        info = read_stream_info(fh)
        if info is None or info.sample_rate == 0:
            return  # mutagen has judged the header; nothing here to compare with
        fh.seek(0, 2)
        size = fh.tell()
        bound = (
            info.max_framesize
            or (info.max_blocksize * info.channels * (info.bits_per_sample + 7) // 8)
            + _FRAME_OVERHEAD
        )
        tail_start = max(info.audio_start, size - bound - 128 - 64 * 1024)
        fh.seek(tail_start)
        tail = fh.read()
    end = len(tail) - trailing_tags_size(tail)
    last = _last_frame(tail, end, bound, info)
    if last is None:
        raise UnsupportedMedia(f"This FLAC file stops in the middle of an audio frame: {_CUT}.")
    held = last[0] + last[1]
    if info.total_samples and held < info.total_samples:
        raise UnsupportedMedia(
            f"This FLAC file announces {info.total_samples / info.sample_rate:.1f} s of audio "
            f"but holds only {held / info.sample_rate:.1f} s: {_CUT}."
        )


def _last_frame(tail: bytes, end: int, bound: int, info: StreamInfo) -> tuple[int, int] | None:
    """The frame that ends exactly at ``end`` with a matching CRC-16, searching back from the
    end; a sync code inside the audio data may look like a header but fails the CRC."""
    pos = tail.rfind(b"\xff", 0, end)
    while pos != -1 and end - pos <= bound:
        found = frame_samples(tail[pos : min(pos + _HEADER_MAX, end)], info)
        if found and crc16(tail[pos : end - 2]) == int.from_bytes(tail[end - 2 : end], "big"):
            return found
        pos = tail.rfind(b"\xff", 0, pos)
    return None
