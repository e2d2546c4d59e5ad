"""Content-addressed file storage: a file's key is its SHA-256, so its content never changes.

Podcast apps cache media by URL and resume downloads with byte ranges, so a URL must never start
serving different bytes; naming files by their hash makes that true by construction.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Protocol

from media.errors import InvalidKey
from media.streamcopy import copy_hashed

TEMP_DIR = ".tmp"
_TEMP_SUFFIX = ".part"
_EXTENSION = re.compile(r"\.[a-z0-9]{1,10}")


@dataclass(frozen=True)
class StagedFile:
    """An upload written to a temporary file and hashed, not yet in storage."""

    path: Path
    size: int
    sha256: str


@dataclass(frozen=True)
class StoredFile:
    """A file in storage; ``key`` is a relative POSIX path such as ``ab/cd/abcd...ef.mp3``."""

    key: str
    size: int
    sha256: str


class Storage(Protocol):
    """Where media files live; implementations must never change a key's content."""

    def stage(self, stream: IO[bytes], max_bytes: int) -> StagedFile:
        """Copy a stream to a temporary file, hashing it; TooLarge past max_bytes."""
        ...

    def commit(self, staged: StagedFile, extension: str) -> StoredFile:
        """Move a staged file to its content address (or drop it if already stored)."""
        ...

    def discard(self, staged: StagedFile) -> None:
        """Remove a staged file that will not be committed."""
        ...

    def put_bytes(self, data: bytes, extension: str) -> StoredFile:
        """Store a small file held in memory."""
        ...

    def path(self, key: str) -> Path:
        """The local path of a key; InvalidKey for keys that could leave the storage."""
        ...

    def exists(self, key: str) -> bool:
        """True if a file is stored under the key."""
        ...

    def delete(self, key: str) -> bool:
        """Remove a stored file; False if there was none."""
        ...

    def size(self, key: str) -> int:
        """Size in bytes of a stored file."""
        ...

    def cleanup_stale_temp(self, older_than_seconds: float) -> int:
        """Remove temporary files abandoned by crashed uploads; return how many."""
        ...


def key_for(sha256: str, extension: str) -> str:
    """The storage key of content with this hash and extension: ``aa/bb/<sha256><ext>``."""
    if not re.fullmatch(r"[0-9a-f]{64}", sha256):
        raise InvalidKey("a content hash must be 64 lowercase hex digits")
    return f"{sha256[:2]}/{sha256[2:4]}/{sha256}{_check_extension(extension)}"


def _check_extension(extension: str) -> str:
    if extension and not _EXTENSION.fullmatch(extension):
        raise InvalidKey(f"not a usable file extension: {extension!r} (want e.g. '.mp3')")
    return extension


def check_key(key: str) -> PurePosixPath:
    """Refuse keys that are absolute, climb out, hide, or carry backslashes or NUL."""
    if not key or "\x00" in key or "\\" in key:
        raise InvalidKey("a storage key may not be empty or contain backslashes or NUL")
    pure = PurePosixPath(key)
    if pure.is_absolute() or key.startswith("/"):
        raise InvalidKey("a storage key must be relative")
    parts = key.split("/")
    # Dot-names cover "..", "." and the temporary area, which is not addressable.
    if any(part == "" or part.startswith(".") for part in parts):
        raise InvalidKey("a storage key may not contain empty, '.' or '..' parts")
    return pure


PUBLIC_MODE = 0o644


class LocalStorage:
    """Storage in a local directory, laid out as ``root/aa/bb/<sha256><ext>``."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.temp_dir = self.root / TEMP_DIR

    def stage(self, stream: IO[bytes], max_bytes: int) -> StagedFile:
        """Copy a stream in chunks to a temporary file, hashing as it goes; constant memory."""
        self.temp_dir.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=self.temp_dir, prefix="upload-", suffix=_TEMP_SUFFIX)
        temp = Path(name)
        try:
            try:
                size, sha256 = copy_hashed(stream, fd, max_bytes)
            finally:
                os.close(fd)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
        return StagedFile(temp, size, sha256)

    def commit(self, staged: StagedFile, extension: str) -> StoredFile:
        """Move a staged file to its content address; if that exists, drop the staged copy."""
        key = key_for(staged.sha256, extension)
        target = self.root / key
        target.parent.mkdir(parents=True, exist_ok=True)
        # Temp files are private (0600); stored media is public and may be sent by a web
        # server running as another user (nginx X-Accel-Redirect), so make it world-readable.
        os.chmod(staged.path, PUBLIC_MODE)
        try:
            # A hard link never overwrites: two uploads of the same content cannot race.
            os.link(staged.path, target)
        except FileExistsError:
            pass
        except OSError:
            # Some filesystems have no hard links; replacing equal content is still safe.
            if not target.exists():
                os.replace(staged.path, target)
        staged.path.unlink(missing_ok=True)
        _fsync_dir(target.parent)
        return StoredFile(key, target.stat().st_size, staged.sha256)

    def discard(self, staged: StagedFile) -> None:
        """Remove a staged file; nothing happens if it is already gone."""
        staged.path.unlink(missing_ok=True)

    def put_bytes(self, data: bytes, extension: str) -> StoredFile:
        """Store bytes held in memory (artwork, transcripts, chapters)."""
        _check_extension(extension)
        self.temp_dir.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=self.temp_dir, prefix="put-", suffix=_TEMP_SUFFIX)
        staged = StagedFile(Path(name), len(data), hashlib.sha256(data).hexdigest())
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            return self.commit(staged, extension)
        finally:
            self.discard(staged)

    def path(self, key: str) -> Path:
        """The local path of a key, after refusing any key that could resolve outside the root."""
        pure = check_key(key)
        root = self.root.resolve()
        candidate = (root / pure).resolve()
        if not candidate.is_relative_to(root) or candidate == root:
            raise InvalidKey("a storage key must name a file inside the storage")
        return candidate

    def exists(self, key: str) -> bool:
        """True if a regular file is stored under the key."""
        return self.path(key).is_file()

    def delete(self, key: str) -> bool:
        """Remove a stored file; False if there was none."""
        try:
            self.path(key).unlink()
        except FileNotFoundError:
            return False
        return True

    def size(self, key: str) -> int:
        """Size in bytes of a stored file; FileNotFoundError if there is none."""
        return self.path(key).stat().st_size

    def cleanup_stale_temp(self, older_than_seconds: float) -> int:
        """Remove temporary files not modified for the given time; return how many."""
        if not self.temp_dir.is_dir():
            return 0
        cutoff = time.time() - older_than_seconds
        removed = 0
        for entry in self.temp_dir.iterdir():
            with contextlib.suppress(FileNotFoundError):
                if entry.is_file() and entry.stat().st_mtime < cutoff:
                    entry.unlink()
                    removed += 1
        return removed


def _fsync_dir(directory: Path) -> None:
    """Make a rename durable: the directory entry must reach the disk too."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
