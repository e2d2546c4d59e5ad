"""``talkcast jobs`` and ``talkcast scheduler``: scheduled jobs run by hand, and the scheduler."""

from __future__ import annotations

from collections.abc import Callable

import click
from flask import Flask
from sqlalchemy import select

from webapp import services
from webapp.catalog.models import JobRun
from webapp.cli.context import Context, pass_ctx
from webapp.cli.sources import echo_report, sync_config, when
from webapp.jobs import backups, tasks
from webapp.jobs.runs import RunReport


@click.group("jobs")
def jobs_group() -> None:
    """Run a scheduled job once by hand, or show the job history."""


def _report(report: RunReport) -> None:
    echo_report(report)
    if report.outcome == "error":
        raise SystemExit(1)


@jobs_group.command("check-source")
@click.argument("source_id", type=int)
@pass_ctx
def jobs_check_source(ctx: Context, source_id: int) -> None:
    """Check one source (as the scheduler does)."""
    _report(tasks.check_source(ctx.app, source_id))


def _job_command(
    name: str, function: Callable[[Flask], RunReport], summary: str, *, sync: bool = False
) -> None:
    """A ``talkcast jobs NAME`` command that runs one scheduled job once; exit 1 on error."""

    @jobs_group.command(name, help=summary)
    @pass_ctx
    def command(ctx: Context) -> None:
        if sync:
            sync_config(ctx.app)
        _report(function(ctx.app))


_job_command(
    "check-due-sources",
    tasks.check_due_sources,
    "Check every source whose next check time has come.",
    sync=True,
)
_job_command(
    "publish-scheduled", tasks.publish_scheduled, "Publish scheduled episodes whose time has come."
)
_job_command(
    "rebuild-stale-feeds",
    tasks.rebuild_stale_feeds,
    "Rebuild feeds whose content changed since they were built.",
)
_job_command(
    "cleanup", tasks.cleanup, "Remove abandoned temp files, unused feed blobs and old job history."
)
_job_command(
    "process-media", tasks.process_media_tasks, "Make the audio renditions of new videos now."
)
_job_command(
    "count-downloads", tasks.count_downloads, "Count the downloads in the media access logs now."
)

_job_command(
    "backup",
    backups.backup,
    "Back up into a new folder under [backup] dir now; keep the newest [backup] keep.",
)


@jobs_group.command("history")
@click.option("--limit", default=20, show_default=True, type=int)
@pass_ctx
def jobs_history(ctx: Context, limit: int) -> None:
    """The latest job runs, newest first."""
    with services.work(ctx.app) as session:
        runs = session.scalars(select(JobRun).order_by(JobRun.id.desc()).limit(limit))
        for r in runs:
            source = f" source {r.source_id}" if r.source_id else ""
            click.echo(
                f"{r.id}\t{when(r.started_at)}\t{r.job}{source}\t{r.outcome}"
                f"\t+{r.added} ~{r.updated}" + (f"\t{r.error}" if r.error else "")
            )


@click.command("scheduler")
@click.option("--holder", default=None, help="This scheduler's name in the lease (host:pid).")
@pass_ctx
def scheduler_command(ctx: Context, holder: str | None) -> None:
    """Run the job scheduler in the foreground, in its own process.

    Start one per host if you like: only the holder of the database lease acts.
    """
    from webapp.jobs.scheduler import run

    click.echo("scheduler running; stop with Ctrl-C or SIGTERM")
    run(ctx.app, holder)
