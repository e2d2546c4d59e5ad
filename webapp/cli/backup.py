"""``talkcast backup`` and ``talkcast restore``: a whole installation to a folder and back."""

from __future__ import annotations

from pathlib import Path

import click

from webapp.cli.context import Context, pass_ctx
from webapp.maintenance.backup import make_backup, restore_backup
from webapp.maintenance.instance import Instance
from webapp.maintenance.manifest import BackupError
from webapp.maintenance.snapshot import SnapshotError


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


@click.command("backup")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@pass_ctx
def backup_command(ctx: Context, folder: Path) -> None:
    """Back up the database, media and feeds into FOLDER (new or empty).

    The database is copied as one consistent snapshot (SQLite's online backup, or pg_dump),
    with every media and feed file it references and a manifest of SHA-256 sums written
    last. The service may keep running meanwhile.
    """
    instance = Instance.from_config(ctx.app.config)
    try:
        report = make_backup(
            instance.database_url, instance.media_root, instance.data_dir, folder, click.echo
        )
    except (BackupError, SnapshotError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"backup complete: {report.files} files, {_mb(report.size)} in {folder}")
    if report.missing:
        click.echo(f"{len(report.missing)} files named by rows were missing (see warnings)")


@click.command("restore")
@click.argument("folder", type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite an instance that is not empty.")
@pass_ctx
def restore_command(ctx: Context, folder: Path, force: bool) -> None:
    """Restore a backup from FOLDER into this (empty) instance.

    Every file's SHA-256 is checked against the manifest first; a partial or damaged
    backup is refused before anything changes. Stop the service while restoring.
    """
    instance = Instance.from_config(ctx.app.config)
    try:
        report = restore_backup(folder, instance, force=force, say=click.echo)
    except (BackupError, SnapshotError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"restore complete: {report.files} files, {_mb(report.size)} from {folder}")
