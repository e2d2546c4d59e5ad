"""Copying an upload to disk: same bytes and hash, writeback started as it goes, fsync once."""

from __future__ import annotations

import hashlib
import io
import os
import sys
from pathlib import Path

import pytest

from media import streamcopy
from media.errors import TooLarge

MB = 1024 * 1024


def copy(tmp_path: Path, data: bytes, max_bytes: int) -> tuple[Path, int, str]:
    path = tmp_path / "upload.part"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        size, sha256 = streamcopy.copy_hashed(io.BytesIO(data), fd, max_bytes)
    finally:
        os.close(fd)
    return path, size, sha256


def test_copy_writes_the_bytes_and_their_hash(tmp_path: Path) -> None:
    data = os.urandom(3 * MB + 12345)
    path, size, sha256 = copy(tmp_path, data, len(data))
    assert path.read_bytes() == data
    assert (size, sha256) == (len(data), hashlib.sha256(data).hexdigest())


def test_writeback_starts_on_each_stretch_and_fsync_runs_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ranges: list[tuple[int, int]] = []
    fsyncs: list[int] = []
    monkeypatch.setattr(streamcopy, "WRITEBACK_BYTES", MB)
    monkeypatch.setattr(streamcopy, "READ_BYTES", MB // 2)
    monkeypatch.setattr(streamcopy, "_start_writeback", lambda fd, at, n: ranges.append((at, n)))
    real_fsync = os.fsync
    monkeypatch.setattr(streamcopy.os, "fsync", lambda fd: (fsyncs.append(fd), real_fsync(fd)))
    data = os.urandom(5 * MB + 100)
    copy(tmp_path, data, len(data))
    # Contiguous stretches from the start, each at least WRITEBACK_BYTES, none past the end.
    assert ranges[0][0] == 0
    assert all(a + n == b for (a, n), (b, _) in zip(ranges, ranges[1:], strict=False))
    assert all(n >= MB for _, n in ranges)
    assert ranges[-1][0] + ranges[-1][1] == 5 * MB
    assert len(fsyncs) == 1


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="sync_file_range is Linux's")
def test_linux_starts_writeback_with_libc(tmp_path: Path) -> None:
    start_writeback = streamcopy._start_writeback
    assert start_writeback is not None
    path = tmp_path / "dirty.bin"
    with path.open("wb") as out:
        out.write(b"x" * MB)
        out.flush()
        start_writeback(out.fileno(), 0, MB)
    assert path.read_bytes() == b"x" * MB


def test_too_large_stops_the_copy(tmp_path: Path) -> None:
    with pytest.raises(TooLarge):
        copy(tmp_path, b"x" * (2 * MB), MB)
