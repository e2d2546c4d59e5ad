"""Inputs the fuzz tests (tests/fuzz) found troubling probe(), minimised."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest

from media.boundedfile import open_bounded
from media.errors import UnsupportedMedia
from media.probe import probe


@pytest.mark.parametrize(
    ("data", "says"),
    [
        # A WAV format chunk declaring 4 GiB, in a 20-byte file.
        (b"RIFF\xa6\t\x00\x00WAVEfmt \x00\x00\xff\xff", "WAV file, but it is damaged"),
        (b"RIFF\xa6\t\x00\x00WAVEfmt \x10\x00\x00\xfe", "WAV file, but it is damaged"),
        # An MP4 ftyp box declaring 2.8 GB, in an 8-byte file.
        (b"\xaa\x00\x00 ftyp", "cut short"),
    ],
)
def test_a_declared_size_past_the_end_costs_no_memory(
    tmp_path: Path, data: bytes, says: str
) -> None:
    # mutagen read the declared size, so Python allocated gigabytes before finding the file
    # shorter (a MemoryError where memory is limited, as in the fuzz worker).
    path = tmp_path / "case.bin"
    path.write_bytes(data)
    tracemalloc.start()
    try:
        with pytest.raises(UnsupportedMedia, match=says):
            probe(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 << 20


def test_bounded_reads_stop_at_the_end_of_the_file(tmp_path: Path) -> None:
    path = tmp_path / "short.bin"
    path.write_bytes(b"0123456789")
    with open_bounded(path) as fh:
        assert fh.read(4) == b"0123"
        assert fh.read(1 << 40) == b"456789"
        assert fh.read(5) == b""
        fh.seek(8)
        assert fh.read() == b"89"
