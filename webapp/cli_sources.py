"""``talkcast sources``, ``talkcast jobs`` and ``talkcast scheduler``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import click
from flask import Flask
from sqlalchemy import select

from . import jobs, services
from .cli import Context, main, pass_ctx
from .jobruns import RunReport
from .models import JobRun
from .sources import KINDS, SourceError, add_source, all_sources, format_every
from .sources import sync_config_sources as _sync_config


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "-"


def sync_config(app: Flask) -> None:
    """Bring the ``[[sources]]`` of config.toml into the database."""
    try:
        with services.work(app) as session:
            _sync_config(session, app.config.get("SOURCES") or [], str(app.config["BASE_URL"]))
    except SourceError as exc:
        raise click.ClickException(f"config.toml: {exc}") from exc


def _echo_report(report: RunReport) -> None:
    who = f"source {report.source_id}" if report.source_id else report.job
    line = f"{who}: {report.outcome}, {report.added} added, {report.updated} updated"
    click.echo(line + (f" ({report.error})" if report.error else ""))


@main.group()
def sources() -> None:
    """Upstream sources that new talks are imported from."""


@sources.command("add")
@click.argument("url")
@click.option("--kind", required=True, type=click.Choice(KINDS), help="What the URL serves.")
@click.option("--into", "into", required=True, help="Slug of the show to import into.")
@click.option("--every", default="6h", show_default=True, help="How often: 30m, 6h, 1d.")
@click.option("--title", default=None, help="Title for the show if it does not exist yet.")
@pass_ctx
def sources_add(
    ctx: Context, url: str, kind: str, into: str, every: str, title: str | None
) -> None:
    """Add a source: URL of KIND feeding show INTO, checked every EVERY."""
    try:
        with services.work(ctx.app) as session:
            source = add_source(
                session, kind=kind, url=url, into=into, every=every,
                base_url=str(ctx.app.config["BASE_URL"]), origin="cli", show_title=title,
            )  # fmt: skip
            click.echo(f"source {source.id}: {kind} {source.url} -> {source.show.slug}")
    except SourceError as exc:
        raise click.ClickException(str(exc)) from exc


@sources.command("list")
@pass_ctx
def sources_list(ctx: Context) -> None:
    """List sources with their last and next check and last error."""
    sync_config(ctx.app)
    with services.work(ctx.app) as session:
        rows = all_sources(session)
        if not rows:
            click.echo("no sources; add one: talkcast sources add URL --kind KIND --into SLUG")
        for s in rows:
            state = "enabled" if s.enabled else "disabled"
            every = format_every(s.every_seconds)
            click.echo(
                f"{s.id}\t{s.kind}\t{s.url}\t-> {s.show.slug}\tevery {every}\t{state}"
                f"\tlast {_when(s.last_checked_at)}\tnext {_when(s.next_check_at)}"
                + (f"\terror: {s.last_error}" if s.last_error else "")
            )


@sources.command("check")
@click.argument("source_id", required=False, type=int)
@click.option("--all", "check_all", is_flag=True, help="Check every enabled source now.")
@pass_ctx
def sources_check(ctx: Context, source_id: int | None, check_all: bool) -> None:
    """Check source ID (or --all) now, whatever its schedule; exit 1 if any failed."""
    if (source_id is None) == (not check_all):
        raise click.UsageError("give a source ID or --all")
    sync_config(ctx.app)
    if check_all:
        with services.work(ctx.app) as session:
            ids = [s.id for s in all_sources(session) if s.enabled]
        reports = jobs.check_sources(ctx.app, ids)
    else:
        assert source_id is not None
        reports = [jobs.check_source(ctx.app, source_id)]
    for report in reports:
        _echo_report(report)
    if any(r.outcome == "error" for r in reports):
        raise SystemExit(1)


@main.group("jobs")
def jobs_group() -> None:
    """Run a scheduled job once by hand, or show the job history."""


def _run(ctx: Context, function: Callable[[Flask], RunReport]) -> None:
    report = function(ctx.app)
    _echo_report(report)
    if report.outcome == "error":
        raise SystemExit(1)


@jobs_group.command("check-source")
@click.argument("source_id", type=int)
@pass_ctx
def jobs_check_source(ctx: Context, source_id: int) -> None:
    """Check one source (as the scheduler does)."""
    report = jobs.check_source(ctx.app, source_id)
    _echo_report(report)
    if report.outcome == "error":
        raise SystemExit(1)


@jobs_group.command("check-due-sources")
@pass_ctx
def jobs_check_due(ctx: Context) -> None:
    """Check every source whose next check time has come."""
    sync_config(ctx.app)
    _run(ctx, jobs.check_due_sources)


@jobs_group.command("publish-scheduled")
@pass_ctx
def jobs_publish(ctx: Context) -> None:
    """Publish scheduled episodes whose time has come."""
    _run(ctx, jobs.publish_scheduled)


@jobs_group.command("rebuild-stale-feeds")
@pass_ctx
def jobs_rebuild(ctx: Context) -> None:
    """Rebuild feeds whose content changed since they were built."""
    _run(ctx, jobs.rebuild_stale_feeds)


@jobs_group.command("cleanup")
@pass_ctx
def jobs_cleanup(ctx: Context) -> None:
    """Remove abandoned temp files, unused feed blobs and old job history."""
    _run(ctx, jobs.cleanup)


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
                f"{r.id}\t{_when(r.started_at)}\t{r.job}{source}\t{r.outcome}"
                f"\t+{r.added} ~{r.updated}" + (f"\t{r.error}" if r.error else "")
            )


@main.command("scheduler")
@click.option("--holder", default=None, help="This scheduler's name in the lease (host:pid).")
@pass_ctx
def scheduler_command(ctx: Context, holder: str | None) -> None:
    """Run the job scheduler in the foreground, in its own process.

    Start one per host if you like: only the holder of the database lease acts.
    """
    from .scheduler import run

    click.echo("scheduler running; stop with Ctrl-C or SIGTERM")
    run(ctx.app, holder)
