"""The ``talkcast`` command: set up, load demo data, build feeds, serve."""

from __future__ import annotations

import sys
from typing import Any

import click
from flask import Flask

from . import create_app, services
from .migrate import upgrade


class Context:
    """Creates the app lazily so ``--help`` works without a database."""

    def __init__(self) -> None:
        self._app: Flask | None = None

    @property
    def app(self) -> Flask:
        if self._app is None:
            self._app = create_app()
        return self._app


pass_ctx = click.make_pass_decorator(Context, ensure=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.pass_context
def main(ctx: click.Context) -> None:
    """Talkcast: publish podcast and video feeds of talks and collections.

    Configuration comes from config.toml and TALKCAST_* environment variables.
    """
    ctx.ensure_object(Context)


@main.command()
@pass_ctx
def init(ctx: Context) -> None:
    """Create the database or migrate it to the latest schema."""
    upgrade(ctx.app.config["DATABASE_URL"])
    click.echo(f"database ready: {_safe_url(ctx.app.config['DATABASE_URL'])}")


@main.command()
@click.option("--if-empty/--always", default=True, help="Skip when the catalogue has shows.")
@pass_ctx
def demo(ctx: Context, if_empty: bool) -> None:
    """Load the demo catalogue (INI talks and a Plus collection)."""
    from .demo import load_demo

    app = ctx.app
    with services.work(app) as session:
        count = load_demo(session, services.storage(app), app.config["BASE_URL"], if_empty)
    if count:
        click.echo(f"demo catalogue loaded: {count} episodes")
    else:
        click.echo("catalogue not empty: demo data not loaded")
    services.rebuild_feeds(app)


@main.group()
def feeds() -> None:
    """Build and inspect the prebuilt feed documents."""


@feeds.command("build")
@click.argument("slug", required=False)
@pass_ctx
def feeds_build(ctx: Context, slug: str | None) -> None:
    """Rebuild the feeds of SLUG, or of every show."""
    from .catalog import get_show

    app = ctx.app
    ids = None
    if slug:
        with services.work(app) as session:
            show = get_show(session, slug)
            if show is None:
                raise click.ClickException(f"no show with slug '{slug}'")
            ids = {show.id}
    written = services.rebuild_feeds(app, ids)
    click.echo(f"{len(written)} feed documents up to date")


@feeds.command("list")
@pass_ctx
def feeds_list(ctx: Context) -> None:
    """List every built feed with its URL."""
    base = ctx.app.config["BASE_URL"]
    for name in services.feed_cache(ctx.app).names():
        click.echo(f"{base}/feeds/{name}" if name != "feeds.opml" else f"{base}/feeds.opml")


@main.group()
def db() -> None:
    """Database schema and moving the catalogue between databases."""


@db.command("upgrade")
@pass_ctx
def db_upgrade(ctx: Context) -> None:
    """Migrate the configured database to the latest schema (same as init)."""
    upgrade(ctx.app.config["DATABASE_URL"])
    click.echo("schema up to date")


@db.command("migrate-to")
@click.argument("url")
@pass_ctx
def db_migrate_to(ctx: Context, url: str) -> None:
    """Copy the whole catalogue into an empty database at URL (e.g. PostgreSQL).

    Every row keeps its id, GUID, storage key and dates. Point TALKCAST_DATABASE_URL
    at URL afterwards; media files stay where they are.
    """
    from .transfer import TransferError, migrate_catalogue

    source = ctx.app.config["DATABASE_URL"]
    try:
        report = migrate_catalogue(source, url, lambda table, n: click.echo(f"  {table}: {n} rows"))
    except TransferError as exc:
        raise click.ClickException(str(exc)) from exc
    total = sum(report.rows.values())
    click.echo(f"copied {total} rows from {_safe_url(source)} to {_safe_url(url)}")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--scheduler/--no-scheduler", default=False, help="Run the job scheduler in-process.")
@click.option("--prod", is_flag=True, help="Serve with gunicorn (several workers, no scheduler).")
@click.option("--workers", type=int, default=None, help="gunicorn workers (default 2 x cores + 1).")
@click.option("--threads", type=int, default=4, show_default=True, help="Threads per worker.")
@pass_ctx
def serve(
    ctx: Context,
    host: str,
    port: int,
    scheduler: bool,
    prod: bool,
    workers: int | None,
    threads: int,
) -> None:
    """Serve the site and feeds (single machine; see README for production)."""
    from werkzeug.serving import run_simple

    if prod:
        if scheduler:
            raise click.UsageError("run the scheduler as its own process: talkcast scheduler")
        from .prod import serve as serve_prod

        serve_prod(host, port, workers, threads)
        return
    app = ctx.app
    if scheduler:
        from .scheduler import start_in_process

        start_in_process(app)
    click.echo(f"serving on http://{host}:{port}")
    run_simple(host, port, app, threaded=True, use_reloader=False)


def _safe_url(url: str) -> str:
    """A database URL without its password, for printing."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def run(argv: list[str] | None = None) -> Any:
    """Entry point usable from tests."""
    return main.main(args=argv, standalone_mode=False)


def _register_groups() -> None:
    """Command groups live in their own modules; importing them adds them to ``main``."""
    from . import cli_sources, cli_users  # noqa: F401


_register_groups()

if __name__ == "__main__":  # pragma: no cover
    # Under ``python -m`` this file is ``__main__``, a second copy of the module; the command
    # groups registered themselves on the imported ``webapp.cli``, so run that one.
    from webapp.cli import main as registered_main

    sys.exit(registered_main())
