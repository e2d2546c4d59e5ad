"""Prebuilt feed documents on disk, shared by every worker and host that mounts the data dir.

Each document is an immutable blob named by its SHA-256 (plus a gzip twin), and a small
pointer file ``<name>.json`` says which blob is current. The current document is also
linked at ``<public>/feeds/<name>`` (and ``<name>.gz``) so that nginx can serve feeds
as plain static files (deploy/nginx.conf). Both are written to a temporary
file and moved into place with ``os.replace``, so a reader sees the old document or the new
one, never half of either, and a pointer never names a blob that is not complete.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

# A pointer read this soon after its last change may be rewritten within the same
# timestamp tick (and, its old inode freed, under the same inode number): it is read
# again on every request until it is older than this.
SETTLED_NS = 2_000_000_000

NAME_RE = re.compile(r"^[a-z0-9][a-z0-9-]*(\.(audio|video))?(\.archive-[0-9]+)?\.(rss|atom|json)$")
EXTRA_NAMES = {"feeds.opml"}

CONTENT_TYPES = {
    "rss": "application/rss+xml; charset=utf-8",
    "atom": "application/atom+xml; charset=utf-8",
    "json": "application/feed+json; charset=utf-8",
    "opml": "text/x-opml; charset=utf-8",
}


@dataclass(frozen=True)
class CachedFeed:
    """What the pointer file records about the current document of a feed."""

    name: str
    sha256: str
    size: int
    gzip_size: int
    content_type: str
    last_modified: float
    # When a scheduled episode becomes due, the document is stale from that moment on.
    stale_after: float | None = None
    # A digest of what the document was built from (publisher.py): the same inputs need
    # no new build.
    inputs: str | None = None

    def is_stale(self, now: float) -> bool:
        """Whether a scheduled episode has fallen due since this document was built."""
        return self.stale_after is not None and now >= self.stale_after

    @property
    def etag(self) -> str:
        """Strong ETag of the identity representation."""
        return self.sha256[:32]

    @property
    def last_modified_dt(self) -> datetime:
        """Last-Modified as an aware datetime."""
        return datetime.fromtimestamp(int(self.last_modified), UTC)


def is_valid_name(name: str) -> bool:
    """Only names we build can be asked for; this also rules out path traversal."""
    return bool(NAME_RE.match(name)) or name in EXTRA_NAMES


def atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "wb") as fh:
            # Feeds are public; a web server running as another user may send them.
            os.fchmod(fh.fileno(), 0o644)
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def gzip_bytes(data: bytes) -> bytes:
    # mtime=0 keeps the gzip bytes identical for identical documents.
    return gzip.compress(data, compresslevel=6, mtime=0)


class InThread:
    """``work()`` run in a thread; ``join`` waits for it and raises what it raised."""

    def __init__(self, work: Callable[[], object]) -> None:
        self._work = work
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="feed-write", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._work()
        except BaseException as error:  # handed to the joining thread
            self._error = error

    def join(self) -> None:
        self._thread.join()
        if self._error is not None:
            raise self._error


class FeedCache:
    """Read and write prebuilt feed documents under ``root``."""

    def __init__(self, root: Path | str, public: Path | str | None = None) -> None:
        self.root = Path(root)
        self._root = str(self.root)
        self.blobs = self.root / "blobs"
        self.public = Path(public) if public is not None else None
        # name -> (inode, mtime, size) of the pointer file when read, and what it said:
        # serving a feed then costs one stat, not an open, a read and a JSON parse.
        self._pointers: dict[str, tuple[tuple[int, int, int], CachedFeed]] = {}

    def _pointer(self, name: str) -> Path:
        if not is_valid_name(name):
            raise ValueError(f"not a feed name: {name!r}")
        return self.root / f"{name}.json"

    def blob_path(self, entry: CachedFeed, gzipped: bool = False) -> Path:
        """Where the document's bytes are."""
        return self.blobs / (entry.sha256 + (".gz" if gzipped else ""))

    def get(self, name: str) -> CachedFeed | None:
        """The current entry for a feed, or None if it was never built.

        Kept in memory and read again only when the pointer file changed: every write
        replaces the file (a new inode and mtime), so one ``stat`` tells.
        """
        if not is_valid_name(name):
            return None
        # A string path: a rebuild checks hundreds of pointers, and Path objects cost more
        # than the stat.
        path = f"{self._root}/{name}.json"
        try:
            st = os.stat(path)
        except FileNotFoundError:
            self._pointers.pop(name, None)
            return None
        known = self._pointers.get(name)
        if known is not None and known[0] == (st.st_ino, st.st_mtime_ns, st.st_size):
            return known[1]
        try:
            with open(path, "rb") as fh:
                # The key comes from the file actually read, not from the stat above.
                st = os.fstat(fh.fileno())
                entry = CachedFeed(**json.loads(fh.read()))
        except FileNotFoundError:
            return None
        if time.time_ns() - st.st_mtime_ns > SETTLED_NS:
            self._pointers[name] = ((st.st_ino, st.st_mtime_ns, st.st_size), entry)
        else:
            self._pointers.pop(name, None)
        return entry

    def read(self, name: str) -> bytes | None:
        """The current document's bytes (for tests and the CLI)."""
        entry = self.get(name)
        return None if entry is None else self.blob_path(entry).read_bytes()

    def put(
        self,
        name: str,
        data: bytes,
        kind: str,
        stale_after: float | None = None,
        inputs: str | None = None,
    ) -> CachedFeed:
        """Store a document; unchanged bytes keep their ETag and Last-Modified."""
        self.blobs.mkdir(parents=True, exist_ok=True)
        sha = hashlib.sha256(data).hexdigest()
        current = self.get(name)
        unchanged = (
            current
            and current.sha256 == sha
            and current.stale_after == stale_after
            and current.inputs == inputs
        )
        if unchanged and current and self._in_place(name):
            return current
        blob = self.blobs / sha
        gz = self.blobs / f"{sha}.gz"
        # The gzip twin is made and written in a thread of its own while this one writes
        # the document: zlib and file writes release the GIL, so the two overlap.

        def write_twin() -> None:
            if not gz.exists():
                atomic_write(gz, gzip_bytes(data))

        twin = InThread(write_twin)
        try:
            if not blob.exists():
                atomic_write(blob, data)
        finally:
            twin.join()
        last_modified = current.last_modified if current and current.sha256 == sha else time.time()
        entry = CachedFeed(
            name=name,
            sha256=sha,
            size=len(data),
            gzip_size=gz.stat().st_size,
            content_type=CONTENT_TYPES[kind],
            last_modified=float(int(last_modified)),
            stale_after=stale_after,
            inputs=inputs,
        )
        atomic_write(self._pointer(name), json.dumps(asdict(entry)).encode())
        self._publish(name, blob, gz)
        return entry

    def is_current(self, name: str, inputs: str, published: set[str] | None = None) -> bool:
        """Whether the document of ``name`` was built from ``inputs`` and is in place.

        ``published`` is what ``published_names`` listed (instead of a look per name).
        """
        entry = self.get(name)
        if entry is None or entry.inputs != inputs:
            return False
        return name in published if published is not None else self._in_place(name)

    def published_names(self) -> set[str] | None:
        """Names whose public copy is in place, in one listing (None: nothing is published)."""
        if self.public is None:
            return None
        try:
            names = set(os.listdir(self.public / "feeds"))
        except FileNotFoundError:
            names = set()
        return names | {name for name in EXTRA_NAMES if (self.public / name).exists()}

    def _in_place(self, name: str) -> bool:
        """Whether nginx's copy of ``name`` exists (always, when nothing is published)."""
        public = self.public_path(name)
        return public is None or public.exists()

    def public_path(self, name: str) -> Path | None:
        """Where nginx finds the current document of ``name`` (None if not published)."""
        if self.public is None:
            return None
        return self.public / name if name in EXTRA_NAMES else self.public / "feeds" / name

    def _publish(self, name: str, blob: Path, gz: Path) -> None:
        """Point the public file (and its .gz twin) at the new blob, atomically."""
        target = self.public_path(name)
        if target is None:
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        for source, path in ((gz, Path(f"{target}.gz")), (blob, target)):
            tmp = path.with_name(f".tmp-{os.getpid()}-{time.monotonic_ns()}-{path.name}")
            os.link(source, tmp)
            os.replace(tmp, path)

    def names(self) -> list[str]:
        """Names of every built feed."""
        try:
            files = os.listdir(self.root)
        except FileNotFoundError:
            return []
        return sorted(f[:-5] for f in files if f.endswith(".json") and is_valid_name(f[:-5]))

    def remove(self, name: str) -> None:
        """Forget a feed (its blobs go at the next collect_garbage)."""
        self._pointer(name).unlink(missing_ok=True)
        target = self.public_path(name)
        if target is not None:
            target.unlink(missing_ok=True)
            Path(f"{target}.gz").unlink(missing_ok=True)

    def collect_garbage(self, grace_seconds: float = 600) -> int:
        """Delete unreferenced blobs older than the grace period (a reader may still hold one)."""
        live: set[str] = set()
        for name in self.names():
            entry = self.get(name)
            if entry:
                live.update({entry.sha256, f"{entry.sha256}.gz"})
        removed = 0
        cutoff = time.time() - grace_seconds
        for blob in self.blobs.glob("*") if self.blobs.exists() else []:
            if blob.name not in live and blob.stat().st_mtime < cutoff:
                blob.unlink(missing_ok=True)
                removed += 1
        # Temporary files left by a process killed in the middle of a write.
        folders = [self.root, self.blobs]
        if self.public is not None:
            folders += [self.public, self.public / "feeds"]
        for folder in folders:
            for tmp in folder.glob(".tmp-*") if folder.exists() else []:
                if tmp.stat().st_mtime < cutoff:
                    tmp.unlink(missing_ok=True)
                    removed += 1
        return removed
