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
from webapp.jobs import tasks
from webapp.jobs.runs import RunReport


@click.group("jobs")
def jobs_group() -> None:
    """Run a scheduled job once by hand, or show the job history."""


def _run(ctx: Context, function: Callable[[Flask], RunReport]) -> None:
    report = function(ctx.app)
    echo_report(report)
    if report.outcome == "error":
        raise SystemExit(1)


@jobs_group.command("check-source")
@click.argument("source_id", type=int)
@pass_ctx
def jobs_check_source(ctx: Context, source_id: int) -> None:
    """Check one source (as the scheduler does)."""
    report = tasks.check_source(ctx.app, source_id)
    echo_report(report)
    if report.outcome == "error":
        raise SystemExit(1)


@jobs_group.command("check-due-sources")
@pass_ctx
def jobs_check_due(ctx: Context) -> None:
    """Check every source whose next check time has come."""
    sync_config(ctx.app)
    _run(ctx, tasks.check_due_sources)


@jobs_group.command("publish-scheduled")
@pass_ctx
def jobs_publish(ctx: Context) -> None:
    """Publish scheduled episodes whose time has come."""
    _run(ctx, tasks.publish_scheduled)


@jobs_group.command("rebuild-stale-feeds")
@pass_ctx
def jobs_rebuild(ctx: Context) -> None:
    """Rebuild feeds whose content changed since they were built."""
    _run(ctx, tasks.rebuild_stale_feeds)


@jobs_group.command("cleanup")
@pass_ctx
def jobs_cleanup(ctx: Context) -> None:
    """Remove abandoned temp files, unused feed blobs and old job history."""
    _run(ctx, tasks.cleanup)


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
