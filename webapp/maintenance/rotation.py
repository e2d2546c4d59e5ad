"""Scheduled backups: one new folder per run under ``[backup] dir``, the oldest pruned.

Each run writes ``.partial-talkcast-<time>`` and renames it ``talkcast-<time>`` only once
its manifest is written, so a listing never shows an unfinished backup as complete. Only
complete backups count towards ``keep``; partial folders left by a killed run are removed
by the next run (one scheduler runs at a time, so none of them is still being written).
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from webapp.maintenance.backup import BackupReport, make_backup
from webapp.maintenance.instance import Instance
from webapp.maintenance.manifest import MANIFEST

PREFIX = "talkcast-"
PARTIAL = ".partial-"
DEFAULTS: dict[str, Any] = {"dir": "", "keep": 7, "every_seconds": 86400}


@dataclass(frozen=True)
class BackupSettings:
    """``[backup]``: where, how many to keep, how often."""

    folder: Path
    keep: int
    every_seconds: float


@dataclass
class RotationReport:
    """The new backup and the folders removed to make room."""

    backup: BackupReport
    removed: list[Path] = field(default_factory=list)


def settings(config: Mapping[str, Any]) -> BackupSettings | None:
    """The ``[backup]`` settings, or None when no ``dir`` is set (backups are off)."""
    section = {**DEFAULTS, **(config.get("BACKUP") or {})}
    if not str(section["dir"]).strip():
        return None
    folder = Path(str(section["dir"]))
    if not folder.is_absolute():
        folder = Path(str(config.get("CONFIG_BASE_DIR") or Path.cwd())) / folder
    return BackupSettings(folder, max(1, int(section["keep"])), float(section["every_seconds"]))


def complete_backups(root: Path) -> list[Path]:
    """Finished backups under ``root``, oldest first (their names sort by time)."""
    if not root.is_dir():
        return []
    return sorted(p for p in root.glob(f"{PREFIX}*") if (p / MANIFEST).is_file())


def rotate(
    instance: Instance, chosen: BackupSettings, now: datetime | None = None
) -> RotationReport:
    """Make a new backup, then keep only the newest ``keep`` complete ones."""
    stamp = PREFIX + (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    chosen.folder.mkdir(parents=True, exist_ok=True)
    name, n = stamp, 1
    while (chosen.folder / name).exists():  # two runs within a second (by hand)
        n += 1
        name = f"{stamp}-{n}"
    removed = [p for p in chosen.folder.glob(f"{PARTIAL}*") if p.is_dir()]
    for stale in removed:
        shutil.rmtree(stale, ignore_errors=True)
    work = chosen.folder / f"{PARTIAL}{name}"
    try:
        made = make_backup(
            instance.database_url, instance.media_root, instance.data_dir, work, say=_quiet
        )
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    final = chosen.folder / name
    work.rename(final)
    report = RotationReport(
        BackupReport(final, made.files, made.size, made.missing), removed=removed
    )
    for old in complete_backups(chosen.folder)[: -chosen.keep]:
        shutil.rmtree(old)
        report.removed.append(old)
    return report


def _quiet(_message: str) -> None:
    """Scheduled runs report through their job record, not standard output."""
