"""``talkcast feeds``: build and list the prebuilt feed documents."""

from __future__ import annotations

import os
import signal
from typing import Any

import click

from media.errors import is_disk_full
from webapp import services
from webapp.cli.context import Context, pass_ctx


@click.group()
def feeds() -> None:
    """Build and inspect the prebuilt feed documents."""


@feeds.command("build")
@click.argument("slug", required=False)
@pass_ctx
def feeds_build(ctx: Context, slug: str | None) -> None:
    """Rebuild the feeds of SLUG, or of every show."""
    from webapp.catalog.operations import get_show

    app = ctx.app
    ids = None
    if slug:
        with services.work(app) as session:
            show = get_show(session, slug)
            if show is None:
                raise click.ClickException(f"no show with slug '{slug}'")
            ids = {show.id}
    try:
        # The operator's rebuild: every document again, whatever it was built from.
        written = services.rebuild_feeds(app, ids, full=True)
    except OSError as exc:
        if not is_disk_full(exc):
            raise
        raise click.ClickException(
            f"the disk holding {app.config['DATA_DIR']} is full ({exc.strerror}): feeds were "
            "not rebuilt and the feeds being served are unchanged; free some space and run "
            "`talkcast feeds build` again"
        ) from exc
    click.echo(f"{len(written)} feed documents up to date")


@feeds.command("list")
@pass_ctx
def feeds_list(ctx: Context) -> None:
    """List every built feed with its URL."""
    base = ctx.app.config["BASE_URL"]
    for name in services.feed_cache(ctx.app).names():
        click.echo(f"{base}/feeds/{name}" if name != "feeds.opml" else f"{base}/feeds.opml")


def _interrupt(_signum: int, _frame: Any) -> None:
    raise KeyboardInterrupt


@feeds.command("worker")
@click.option("--nice", type=int, default=0, help="Lower this process's CPU priority by N.")
@click.option("--parent", type=int, default=None, hidden=True, help="Exit when PID is gone.")
@pass_ctx
def feeds_worker(ctx: Context, nice: int, parent: int | None) -> None:
    """Rebuild marked feeds every [feeds] rebuild_delay_seconds until stopped."""
    from webapp.jobs.rebuild_worker import run_forever

    if nice:
        os.nice(nice)
    signal.signal(signal.SIGTERM, _interrupt)
    # The serving configuration, not the CLI's inline one: this process is the worker.
    run_forever(ctx.web_app(), parent)
