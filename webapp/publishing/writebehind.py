"""Feed documents written by a thread of their own while the build makes the next ones.

After one new episode a rebuild spent about as long writing its documents (each a file,
its gzip twin and a pointer, all fsynced) as making them. Compressing and writing release
the GIL, so a thread that writes one document while the build makes the next overlaps the
two on two cores. A rebuild waits for every write before it returns (``finish``), so it
still returns only once its feeds are current, and raises the first write's error.
"""

from __future__ import annotations

from dataclasses import dataclass

from media.chunkthread import ChunkThread
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


class WriteBehind:
    """Stores documents in ``cache`` in the order they are handed over."""

    def __init__(self, cache: FeedCache, queued: int = QUEUED) -> None:
        self.cache = cache
        # Names handed over in this build (a build's list of feeds includes them).
        self.names: set[str] = set()
        # Feed URLs whose bytes changed.
        self.changed: set[str] = set()
        self._thread: ChunkThread[Write] = ChunkThread(self._write, "feed-writer", queued)

    def put(self, write: Write) -> None:
        """Hand a document over; raises an earlier write's error, if any."""
        self.names.add(write.name)
        self._thread.put(write)

    def _write(self, write: Write) -> None:
        before = self.cache.get(write.name)
        entry = self.cache.put(write.name, write.data, write.kind, write.stale_after, write.inputs)
        if write.url and (before is None or before.sha256 != entry.sha256):
            self.changed.add(write.url)

    def finish(self) -> set[str]:
        """Wait until every document is written; returns the feed URLs that changed."""
        self._thread.finish()
        return self.changed

    def abandon(self) -> None:
        """Drop what is not written yet (a failed build) and wait for the thread to end."""
        self._thread.abandon()
