"""A thread that handles chunks of a stream in order, fed through a bounded queue.

Used to overlap the stages of an upload (receive, hash, write): each stage that takes its own
thread works on one chunk while the request's thread receives the next. The queue is bounded,
so a slow stage makes the receiver wait instead of buffering the upload in memory.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable


class ChunkThread:
    """Calls ``handle(chunk)`` in a thread of its own for each chunk ``put``, in order.

    Its first error is kept and raised in the feeding thread by the next ``put`` or by
    ``finish``. After an error, or once abandoned, the thread still takes chunks off the
    queue without handling them, so the feeder never waits on a queue nobody empties.
    Every path out (``finish``, ``abandon``) waits for the thread to end.
    """

    def __init__(self, handle: Callable[[bytes], object], name: str, queued: int) -> None:
        self._handle = handle
        self._chunks: queue.Queue[bytes | None] = queue.Queue(maxsize=queued)
        self._error: BaseException | None = None
        self._abandoned = False
        # A daemon: a process that exits mid-upload does not wait for it.
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def put(self, chunk: bytes) -> None:
        """Queue a chunk (waits while the queue is full); raises the thread's error, if any."""
        self._raise_error()
        self._chunks.put(chunk)

    def finish(self) -> None:
        """Wait until every queued chunk is handled; raises the thread's error, if any."""
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
        while (chunk := self._chunks.get()) is not None:
            if self._error is not None or self._abandoned:
                continue
            try:
                self._handle(chunk)
            except BaseException as exc:  # noqa: BLE001 (raised again in the feeding thread)
                self._error = exc
