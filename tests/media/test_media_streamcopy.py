"""Copying an upload to disk: same bytes and hash, writeback started as it goes, fsync once."""

from __future__ import annotations

import errno
import hashlib
import io
import os
import sys
import threading
from pathlib import Path
from typing import IO

import pytest

from media import streamcopy
from media.errors import TooLarge

MB = 1024 * 1024


def copy(tmp_path: Path, data: bytes | IO[bytes], max_bytes: int) -> tuple[Path, int, str]:
    path = tmp_path / "upload.part"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    stream = io.BytesIO(data) if isinstance(data, bytes) else data
    try:
        size, sha256 = streamcopy.copy_hashed(stream, fd, max_bytes)
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


def test_a_failed_write_is_raised_and_the_writer_is_gone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The second chunk finds the disk full; the receiver hears of it and stops reading.
    writes: list[int] = []

    def full_after_one(fd: int, data: bytes) -> None:
        writes.append(len(data))
        if len(writes) > 1:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(streamcopy, "READ_BYTES", MB)
    monkeypatch.setattr(streamcopy, "_write_all", full_after_one)
    stream = CountingStream(os.urandom(64 * MB))
    with pytest.raises(OSError) as raised:
        copy(tmp_path, stream, 64 * MB)
    assert raised.value.errno == errno.ENOSPC
    assert stream.reads < 64
    assert not writer_threads()


def test_a_failed_read_stops_the_writer_and_is_raised(tmp_path: Path) -> None:
    class Dropped(io.RawIOBase):
        def read(self, size: int = -1) -> bytes:
            raise ConnectionResetError("client went away")

    with pytest.raises(ConnectionResetError):
        copy(tmp_path, Dropped(), MB)
    assert not writer_threads()


def test_too_large_leaves_no_writer_running(tmp_path: Path) -> None:
    with pytest.raises(TooLarge):
        copy(tmp_path, b"x" * (8 * MB), MB)
    assert not writer_threads()


def test_memory_stays_at_a_few_chunks_when_the_disk_is_slower(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Writes wait until the reader has gone as far ahead as it can; the queue must stop it.
    monkeypatch.setattr(streamcopy, "READ_BYTES", MB // 4)
    stream = CountingStream(os.urandom(16 * MB))
    real_write_all = streamcopy._write_all
    written: list[int] = []
    ahead: list[int] = []

    def slow_write(fd: int, data: bytes) -> None:
        ahead.append(stream.reads - len(written))
        real_write_all(fd, data)
        written.append(len(data))

    monkeypatch.setattr(streamcopy, "_write_all", slow_write)
    path, size, sha256 = copy(tmp_path, stream, 16 * MB)
    assert (size, path.read_bytes()) == (16 * MB, stream.data)
    # Queued chunks, plus the one being written and the one just read.
    assert max(ahead) <= streamcopy.QUEUED_CHUNKS + 2


class CountingStream(io.BytesIO):
    """A request body that counts its reads."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.data = data
        self.reads = 0

    def read(self, size: int | None = -1) -> bytes:
        self.reads += 1
        return super().read(size)


def writer_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("upload-")]
