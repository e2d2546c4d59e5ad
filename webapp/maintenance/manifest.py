"""The manifest of a backup: every file it holds with its size and SHA-256.

The manifest is written last, and atomically, so a backup folder without one was
interrupted; ``verify`` reads every file again before a restore touches anything.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MANIFEST = "manifest.json"
FORMAT = "talkcast-backup"
VERSION = 1
CHUNK = 1024 * 1024


class BackupError(RuntimeError):
    """A backup cannot be made or restored; the message says why."""


@dataclass
class Manifest:
    """What a backup holds: database facts, files by relative path, and keys it lacked."""

    created_at: str
    database: dict[str, Any]
    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)

    def to_json(self) -> bytes:
        """The manifest as written to disk."""
        data = {"format": FORMAT, "version": VERSION, **self.__dict__}
        return json.dumps(data, indent=1, sort_keys=True).encode()


def sha256_of(path: Path) -> str:
    """SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def add_file(manifest: Manifest, root: Path, relative: str) -> None:
    """Record a file already written under ``root``."""
    path = root / relative
    manifest.files[relative] = {"size": path.stat().st_size, "sha256": sha256_of(path)}


def copy_in(manifest: Manifest, source: Path, root: Path, relative: str) -> None:
    """Copy a file into the backup, hashing the bytes as they pass (one read, not two)."""
    target = root / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    with source.open("rb") as src, target.open("wb") as dst:
        while chunk := src.read(CHUNK):
            digest.update(chunk)
            dst.write(chunk)
            size += len(chunk)
    manifest.files[relative] = {"size": size, "sha256": digest.hexdigest()}


def write(manifest: Manifest, root: Path) -> None:
    """Write the manifest last and atomically: its presence means the backup is complete."""
    tmp = root / f".{MANIFEST}.tmp"
    with tmp.open("wb") as fh:
        fh.write(manifest.to_json())
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, root / MANIFEST)


def load(root: Path) -> Manifest:
    """Read a backup's manifest; BackupError if there is none (an interrupted backup)."""
    path = root / MANIFEST
    if not path.is_file():
        raise BackupError(
            f"{root} has no {MANIFEST}: the backup is partial (it was interrupted) "
            "or this is not a Talkcast backup; refusing to restore it"
        )
    try:
        data = json.loads(path.read_bytes())
    except ValueError as exc:
        raise BackupError(f"{path} is not readable JSON: {exc}") from exc
    if data.get("format") != FORMAT or data.get("version") != VERSION:
        raise BackupError(f"{path} is not a version {VERSION} Talkcast backup manifest")
    return Manifest(data["created_at"], data["database"], data["files"], data["missing"])


def verify(manifest: Manifest, root: Path) -> None:
    """Check every file's size and SHA-256; BackupError naming every one that differs."""
    problems = []
    for relative, facts in sorted(manifest.files.items()):
        path = root / relative
        if not path.is_file():
            problems.append(f"missing: {relative}")
        elif path.stat().st_size != facts["size"] or sha256_of(path) != facts["sha256"]:
            problems.append(f"checksum differs: {relative}")
    if problems:
        shown = "\n  ".join(problems[:20])
        more = f"\n  ...and {len(problems) - 20} more" if len(problems) > 20 else ""
        raise BackupError(
            f"the backup in {root} is damaged or partial; nothing was restored:\n  {shown}{more}"
        )
