"""``talkcast sources``: upstream sources that new talks are imported from."""

from __future__ import annotations

from datetime import datetime

import click
from flask import Flask

from webapp import services
from webapp.cli.context import Context, pass_ctx
from webapp.ingest.sources import (
    KINDS,
    SourceError,
    add_source,
    address_policy,
    all_sources,
    format_every,
)
from webapp.ingest.sources import sync_config_sources as _sync_config
from webapp.jobs import tasks
from webapp.jobs.runs import RunReport


def when(value: datetime | None) -> str:
    """A time as the listings print it, or a dash."""
    return value.strftime("%Y-%m-%d %H:%M") if value else "-"


def sync_config(app: Flask) -> None:
    """Bring the ``[[sources]]`` of config.toml into the database."""
    try:
        with services.work(app) as session:
            entries, base_url = app.config.get("SOURCES") or [], str(app.config["BASE_URL"])
            _sync_config(session, entries, base_url, address_policy(app.config))
    except SourceError as exc:
        raise click.ClickException(f"config.toml: {exc}") from exc


def echo_report(report: RunReport) -> None:
    """One line per job run: what ran, its outcome and counts."""
    who = f"source {report.source_id}" if report.source_id else report.job
    line = f"{who}: {report.outcome}, {report.added} added, {report.updated} updated"
    click.echo(line + (f" ({report.error})" if report.error else ""))


@click.group()
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
                policy=address_policy(ctx.app.config),
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
                f"\tlast {when(s.last_checked_at)}\tnext {when(s.next_check_at)}"
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
        reports = tasks.check_sources(ctx.app, ids)
    else:
        assert source_id is not None
        reports = [tasks.check_source(ctx.app, source_id)]
    for report in reports:
        echo_report(report)
    # The recordings the check found are fetched now rather than at the scheduler's next run.
    downloads = tasks.process_media_tasks(ctx.app, kinds=("download",), limit=1000)
    if downloads.added or downloads.error:
        click.echo(
            f"recordings downloaded: {downloads.added}"
            + (f" ({downloads.error})" if downloads.error else "")
        )
    if any(r.outcome == "error" for r in reports):
        raise SystemExit(1)
