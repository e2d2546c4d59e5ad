"""Copy a stream to a file at disk speed: hash as it goes, start writeback early, fsync once.

A received upload must be on disk (fsync) before we answer, and fsync of a whole file written
into the page cache waits for all of it at the end: for a 1 GiB upload that is seconds after
the last byte arrived. Asking the kernel to start writing each few MiB as soon as they are
written (``sync_file_range``, as PostgreSQL does for its checkpoints) lets the disk work while
the network still delivers, so the final fsync has little left to wait for. Where that call
does not exist (not Linux), the copy is the same without the head start.

Receiving, hashing and writing are each a good part of an upload's time. Done one after
another they add up; here the request's thread receives and hashes while a second thread
writes, so the three overlap (socket reads, ``hashlib`` on large buffers and ``os.write`` all
release the GIL). The chunks between them wait in a bounded queue: memory stays at a few
chunks however large the upload.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import queue
import sys
import threading
from collections.abc import Callable
from typing import IO

from media.errors import TooLarge

READ_BYTES = 4 * 1024 * 1024
# Start writeback once this much is dirty: large enough for big disk requests, small enough
# that the page cache never holds much unwritten upload.
WRITEBACK_BYTES = 16 * 1024 * 1024
_SYNC_FILE_RANGE_WRITE = 2  # <fcntl.h>: start writing dirty pages, do not wait
# Chunks received but not yet written: enough that a short stall of the disk or of the
# network does not stop the other side, few enough that memory stays flat.
QUEUED_CHUNKS = 3


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

    Memory stays at a few read buffers; TooLarge as soon as more than ``max_bytes`` arrive. A
    failed write (a full disk) is raised here, and the writing thread has always ended when
    this returns or raises: nothing writes to ``fd`` once the caller closes it.
    """
    digest = hashlib.sha256()
    size = 0
    writer = _Writer(fd)
    try:
        while chunk := stream.read(READ_BYTES):
            size += len(chunk)
            if size > max_bytes:
                raise TooLarge(f"The file is larger than the limit of {max_bytes} bytes.")
            digest.update(chunk)
            writer.put(chunk)
    except BaseException:
        writer.abandon()
        raise
    writer.finish()
    os.fsync(fd)
    return size, digest.hexdigest()


class _Writer:
    """A thread writing chunks to ``fd`` in order, starting writeback every few MiB.

    Its first error is kept and raised in the receiving thread by the next ``put`` or by
    ``finish``. After an error, or once abandoned, the thread still takes chunks off the
    queue without writing them, so the receiver never waits on a queue nobody empties.
    """

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._chunks: queue.Queue[bytes | None] = queue.Queue(maxsize=QUEUED_CHUNKS)
        self._error: BaseException | None = None
        self._abandoned = False
        # A daemon: a process that exits mid-upload does not wait for it.
        self._thread = threading.Thread(target=self._run, name="upload-writer", daemon=True)
        self._thread.start()

    def put(self, chunk: bytes) -> None:
        """Queue a chunk (waits while the queue is full); raises the thread's error, if any."""
        self._raise_error()
        self._chunks.put(chunk)

    def finish(self) -> None:
        """Wait until every queued chunk is written; raises the thread's error, if any."""
        self._stop()
        self._raise_error()

    def abandon(self) -> None:
        """Drop what is still queued and wait for the thread to end."""
        self._abandoned = True
        self._stop()

    def _stop(self) -> None:
        self._chunks.put(None)
        self._thread.join()

    def _raise_error(self) -> None:
        if self._error is not None:
            raise self._error

    def _run(self) -> None:
        written = flushed = 0
        while (chunk := self._chunks.get()) is not None:
            if self._error is not None or self._abandoned:
                continue
            try:
                _write_all(self._fd, chunk)
                written += len(chunk)
                if _start_writeback is not None and written - flushed >= WRITEBACK_BYTES:
                    _start_writeback(self._fd, flushed, written - flushed)
                    flushed = written
            except BaseException as exc:  # noqa: BLE001 (raised again in the receiving thread)
                self._error = exc


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
