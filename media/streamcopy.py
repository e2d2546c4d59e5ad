"""Copy a stream to a file at disk speed: hash as it goes, start writeback early, fsync once.

A received upload must be on disk (fsync) before we answer, and fsync of a whole file written
into the page cache waits for all of it at the end: for a 1 GiB upload that is seconds after
the last byte arrived. Asking the kernel to start writing each few MiB as soon as they are
written (``sync_file_range``, as PostgreSQL does for its checkpoints) lets the disk work while
the network still delivers, so the final fsync has little left to wait for. Where that call
does not exist (not Linux), the copy is the same without the head start.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import sys
from collections.abc import Callable
from typing import IO

from media.errors import TooLarge

READ_BYTES = 4 * 1024 * 1024
# Start writeback once this much is dirty: large enough for big disk requests, small enough
# that the page cache never holds much unwritten upload.
WRITEBACK_BYTES = 16 * 1024 * 1024
_SYNC_FILE_RANGE_WRITE = 2  # <fcntl.h>: start writing dirty pages, do not wait


def _sync_file_range() -> Callable[[int, int, int], None] | None:
    """``sync_file_range(fd, offset, length, SYNC_FILE_RANGE_WRITE)`` where libc has it."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        function = libc.sync_file_range
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_int64, ctypes.c_int64, ctypes.c_uint]
    function.restype = ctypes.c_int

    def start_writeback(fd: int, offset: int, length: int) -> None:
        # Only a head start: if the kernel refuses, the final fsync still does all the work.
        function(fd, offset, length, _SYNC_FILE_RANGE_WRITE)

    return start_writeback


_start_writeback = _sync_file_range()


def copy_hashed(stream: IO[bytes], fd: int, max_bytes: int) -> tuple[int, str]:
    """Copy ``stream`` to the open file ``fd`` and fsync it; its size and SHA-256.

    Memory stays at one read buffer; TooLarge as soon as more than ``max_bytes`` arrive.
    """
    digest = hashlib.sha256()
    size = flushed = 0
    while chunk := stream.read(READ_BYTES):
        size += len(chunk)
        if size > max_bytes:
            raise TooLarge(f"The file is larger than the limit of {max_bytes} bytes.")
        # hashlib and os.write both release the GIL on large buffers: other requests run.
        digest.update(chunk)
        _write_all(fd, chunk)
        if _start_writeback is not None and size - flushed >= WRITEBACK_BYTES:
            _start_writeback(fd, flushed, size - flushed)
            flushed = size
    os.fsync(fd)
    return size, digest.hexdigest()


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
