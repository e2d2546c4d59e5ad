"""The scheduled backup job: off without `[backup] dir`, and keeping only the newest."""

from __future__ import annotations

import json

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from maintkit import cli
from sqlalchemy import select

from webapp import create_app, services
from webapp.catalog.models import JobRun
from webapp.jobs.scheduler import TalkcastScheduler
from webapp.maintenance.manifest import load, verify


def _scheduled_ids(app) -> set[str]:
    runner = TalkcastScheduler(app, BackgroundScheduler())
    runner.add_jobs()
    return {job.id for job in runner.scheduler.get_jobs()}


def test_the_backup_job_is_scheduled_only_when_a_folder_is_set(app_config, tmp_path):
    off = create_app(dict(app_config))
    assert "backup" not in _scheduled_ids(off)
    assert "cleanup" in _scheduled_ids(off)
    on = create_app({**app_config, "BACKUP": {"dir": str(tmp_path / "b"), "every_seconds": 3600}})
    runner = TalkcastScheduler(on, BackgroundScheduler())
    runner.add_jobs()
    job = runner.scheduler.get_job("backup")
    assert job is not None
    assert job.trigger.interval.total_seconds() == 3600
    for application in (off, on):
        application.extensions["talkcast.engine"].dispose()


@pytest.fixture
def backup_env(demo_app, talkcast_env, tmp_path):
    """The CLI's environment with a config.toml that turns scheduled backups on, keep 2."""
    config = tmp_path / "config.toml"
    config.write_text(f'[backup]\ndir = "{tmp_path / "backups"}"\nkeep = 2\nevery_seconds = 60\n')
    return {**talkcast_env, "TALKCAST_CONFIG": str(config)}


def test_the_job_keeps_the_newest_complete_backups_and_drops_partial_ones(
    demo_app, backup_env, tmp_path
):
    root = tmp_path / "backups"
    interrupted = root / ".partial-talkcast-20200101T000000Z"
    interrupted.mkdir(parents=True)
    (interrupted / "database.sqlite3").write_bytes(b"half")
    for _ in range(3):
        result = cli(backup_env, "jobs", "backup")
        assert result.returncode == 0, result.stdout
    kept = sorted(p.name for p in root.iterdir())
    assert len(kept) == 2
    assert all(name.startswith("talkcast-") for name in kept)
    for name in kept:
        verify(load(root / name), root / name)  # complete, every sum right
    manifest = json.loads((root / kept[-1] / "manifest.json").read_text())
    assert manifest["database"]["kind"] in ("sqlite", "postgresql")
    with services.work(demo_app) as session:
        runs = list(session.scalars(select(JobRun).where(JobRun.job == "backup")))
    assert [r.outcome for r in runs] == ["ok", "ok", "ok"]
    assert "removed" in (runs[-1].error or "")


def test_the_job_says_backups_are_off_without_a_folder(demo_app, talkcast_env):
    result = cli(talkcast_env, "jobs", "backup")
    assert result.returncode == 1
    assert "backups are off: set [backup] dir" in result.stdout
