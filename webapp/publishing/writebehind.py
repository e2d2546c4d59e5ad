"""Feed documents written by a thread of their own while the build makes the next ones.

After one new episode a rebuild spent about as long writing its documents (each a file,
its gzip twin and a pointer, all fsynced) as making them. Compressing and writing release
the GIL, so a thread that writes one document while the build makes the next overlaps the
two on two cores. When the build has made them all it writes what is still queued itself,
alongside the thread (``finish``): a rebuild still returns only once its feeds are current,
and raises the first write's error.
"""

from __future__ import annotations

import queue
import threading
from dataclasses import dataclass

from webapp.publishing.feedcache import FeedCache

# Documents handed over and not yet written: the build waits beyond this, so memory stays
# bounded in a full rebuild of a large catalogue.
QUEUED = 8


@dataclass(frozen=True)
class Write:
    """One document to store (FeedCache.put's arguments) and, for a subscription
    document, the feed URL to report when its bytes change (WebSub)."""

    name: str
    data: bytes
    kind: str
    stale_after: float | None
    inputs: str | None
    url: str | None


def store(cache: FeedCache, write: Write) -> bool:
    """Write one document into ``cache``; whether its bytes changed."""
    before = cache.get(write.name)
    entry = cache.put(write.name, write.data, write.kind, write.stale_after, write.inputs)
    return before is None or before.sha256 != entry.sha256


class WriteBehind:
    """Stores documents in ``cache``, each name at most once per build (so two writers may
    share the queue without reordering anything)."""

    def __init__(self, cache: FeedCache, queued: int = QUEUED) -> None:
        self.cache = cache
        # Names handed over in this build (a build's list of feeds includes them).
        self.names: set[str] = set()
        # Feed URLs whose bytes changed.
        self.changed: set[str] = set()
        self._queue: queue.Queue[Write | None] = queue.Queue(maxsize=queued)
        self._error: BaseException | None = None
        self._abandoned = False
        # A daemon: a process that exits mid-build does not wait for it.
        self._thread = threading.Thread(target=self._run, name="feed-writer", daemon=True)
        self._thread.start()

    def put(self, write: Write) -> None:
        """Hand a document over; raises an earlier write's error, if any."""
        self._raise_error()
        if write.name in self.names:
            raise ValueError(f"{write.name} handed over twice in one build")
        self.names.add(write.name)
        self._queue.put(write)

    def _run(self) -> None:
        while (write := self._queue.get()) is not None:
            self._write(write)

    def _write(self, write: Write) -> None:
        if self._error is not None or self._abandoned:
            return
        try:
            changed = store(self.cache, write)
        except BaseException as error:  # noqa: BLE001 (raised again in the build's thread)
            self._error = self._error or error
            return
        if write.url and changed:
            self.changed.add(write.url)

    def _raise_error(self) -> None:
        if self._error is not None:
            raise self._error

    def finish(self) -> set[str]:
        """Write what is still queued, alongside the thread, and wait for both; returns the
        feed URLs that changed."""
        while True:
            try:
                write = self._queue.get_nowait()
            except queue.Empty:
                break
            if write is not None:
                self._write(write)
        self._stop()
        self._raise_error()
        return self.changed

    def abandon(self) -> None:
        """Drop what is not written yet (a failed build) and wait for the thread to end."""
        self._abandoned = True
        self._stop()

    def _stop(self) -> None:
        self._queue.put(None)
        self._thread.join()
