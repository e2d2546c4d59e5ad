"""``talkcast init``, ``demo`` and ``serve``: set a site up and serve it."""

from __future__ import annotations

import click

from webapp import services
from webapp.cli.context import Context, pass_ctx, safe_url
from webapp.db.migrate import upgrade


@click.command()
@pass_ctx
def init(ctx: Context) -> None:
    """Create the database or migrate it to the latest schema."""
    upgrade(ctx.app.config["DATABASE_URL"])
    click.echo(f"database ready: {safe_url(ctx.app.config['DATABASE_URL'])}")


@click.command()
@click.option("--if-empty/--always", default=True, help="Skip when the catalogue has shows.")
@pass_ctx
def demo(ctx: Context, if_empty: bool) -> None:
    """Load the demo catalogue (INI talks and a Plus collection)."""
    from webapp.catalog.demo import load_demo

    app = ctx.app
    with services.work(app) as session:
        count = load_demo(session, services.storage(app), app.config["BASE_URL"], if_empty)
    if count:
        click.echo(f"demo catalogue loaded: {count} episodes")
    else:
        click.echo("catalogue not empty: demo data not loaded")
    services.rebuild_feeds(app)


@click.command()
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
        from webapp.cli.prod import serve as serve_prod

        serve_prod(host, port, workers, threads)
        return
    from webapp.jobs.rebuild_worker import start_in_web_process
    from webapp.jobs.scheduler import start_in_process

    app = ctx.web_app()
    # The scheduler's own job rebuilds marked feeds; without one, a thread of this process.
    if not scheduler or start_in_process(app) is None:
        start_in_web_process(app)
    click.echo(f"serving on http://{host}:{port}")
    run_simple(host, port, app, threaded=True, use_reloader=False)
