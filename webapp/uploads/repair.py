"""Finish what a killed process left half-done between the database and the media folder.

Saving an upload commits the rows first and moves the staged file into place after. A
process killed between the two leaves a row whose file is still in the staging folder,
described by its sidecar note. ``repair_storage`` moves such files into place; the clean-up
job runs it before staged files are expired, so no row is left without its file.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from media.storage import LocalStorage, StagedFile, key_for
from webapp.uploads.pending import KEY_COLUMNS
from webapp.uploads.staging import SIDECAR_SUFFIX

log = logging.getLogger(__name__)


@dataclass
class RepairReport:
    """Keys whose files were restored, and keys still missing (named by a row, no file)."""

    restored: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def referenced_keys(session: Session) -> set[str]:
    """Every storage key some row names."""
    keys: set[str] = set()
    for column in KEY_COLUMNS:
        keys |= {k for k in session.scalars(select(column).where(column.is_not(None))) if k}
    return keys


def _staged_by_key(storage: LocalStorage) -> dict[str, tuple[StagedFile, str, str]]:
    """Staged uploads still waiting, by the key they would get: (staged, ext, sidecar)."""
    found: dict[str, tuple[StagedFile, str, str]] = {}
    if not storage.temp_dir.exists():
        return found
    for sidecar in storage.temp_dir.glob(f"*{SIDECAR_SUFFIX}"):
        try:
            record = json.loads(sidecar.read_text(encoding="utf-8"))
            temp = storage.temp_dir / str(record["temp_name"])
            extension = str(record["info"]["extension"])
            staged = StagedFile(temp, int(record["size"]), str(record["sha256"]))
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if temp.parent == storage.temp_dir and temp.is_file():
            found[key_for(staged.sha256, extension)] = (staged, extension, str(sidecar))
    return found


def repair_storage(session: Session, storage: LocalStorage) -> RepairReport:
    """Move staged files whose rows were committed into place; report keys still missing."""
    report = RepairReport()
    absent = sorted(k for k in referenced_keys(session) if not storage.exists(k))
    if not absent:
        return report
    staged = _staged_by_key(storage)
    for key in absent:
        if key in staged:
            file, extension, sidecar = staged[key]
            storage.commit(file, extension)
            Path(sidecar).unlink(missing_ok=True)
            report.restored.append(key)
            log.warning("restored %s from an interrupted upload", key)
        else:
            report.missing.append(key)
            log.error("a row names %s but the file is gone", key)
    return report
