"""The scheduled backup job: on when ``[backup] dir`` is set, every ``every_seconds``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from webapp.jobs.runs import RunReport, recorded
from webapp.maintenance.instance import Instance
from webapp.maintenance.rotation import rotate, settings


def interval(config: Mapping[str, Any]) -> float | None:
    """Seconds between scheduled backups; None when backups are off."""
    chosen = settings(config)
    return None if chosen is None else chosen.every_seconds


def backup(app: Flask, *, host: str | None = None) -> RunReport:
    """Back up into a new folder under ``[backup] dir`` and prune the oldest beyond ``keep``."""
    with recorded(app, "backup", None, host) as report:
        chosen = settings(app.config)
        if chosen is None:
            report.outcome, report.error = "error", "backups are off: set [backup] dir"
            return report
        done = rotate(Instance.from_config(app.config), chosen)
        report.added, report.updated = done.backup.files, len(done.removed)
        report.error = f"{done.backup.folder.name}: {done.backup.files} files"
        report.error += f", {done.backup.size / 1024 / 1024:.1f} MB"
        if done.removed:
            report.error += f"; removed {', '.join(p.name for p in done.removed)}"
        if done.backup.missing:
            report.outcome = "partial"
            report.error += f"; rows name {len(done.backup.missing)} missing files"
    return report
