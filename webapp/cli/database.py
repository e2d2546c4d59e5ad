"""``talkcast db``: the schema, and moving the catalogue to another database."""

from __future__ import annotations

import click

from webapp.cli.context import Context, pass_ctx, safe_url
from webapp.db.migrate import upgrade


@click.group()
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
    from webapp.catalog.transfer import TransferError, migrate_catalogue

    source = ctx.app.config["DATABASE_URL"]
    try:
        report = migrate_catalogue(source, url, lambda table, n: click.echo(f"  {table}: {n} rows"))
    except TransferError as exc:
        raise click.ClickException(str(exc)) from exc
    total = sum(report.rows.values())
    click.echo(f"copied {total} rows from {safe_url(source)} to {safe_url(url)}")
