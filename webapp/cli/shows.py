"""``talkcast shows``: create, change and list shows and collections."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from sqlalchemy import select

from webapp import services
from webapp.catalog.models import Show
from webapp.catalog.operations import CatalogError
from webapp.catalog.shows import SETTINGS
from webapp.cli.context import Context, pass_ctx
from webapp.uploads.show_saving import ShowChanges
from webapp.uploads.staging import UploadError
from webapp.web.shows import save

_SETTING_HELP = "A show setting, repeatable: " + ", ".join(sorted(SETTINGS - {"title"})) + "."


def _settings(pairs: tuple[str, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise click.UsageError(f"--set takes FIELD=VALUE, not '{pair}'")
        out[key.strip()] = value
    return out


def _save(ctx: Context, changes: ShowChanges, existing: str | None) -> str:
    app = ctx.app
    try:
        return save(app, changes, existing)
    except (CatalogError, UploadError) as exc:
        raise click.ClickException(str(exc)) from exc


def _artwork(path: str | None) -> bytes | None:
    return Path(path).read_bytes() if path else None


@click.group()
def shows() -> None:
    """Shows and collections: create, change and list them."""


@shows.command("list")
@pass_ctx
def shows_list(ctx: Context) -> None:
    """Every show: slug, kind, episodes' feed URL and title."""
    base = ctx.app.config["BASE_URL"]
    with services.work(ctx.app) as session:
        for show in session.scalars(select(Show).order_by(Show.title)):
            state = "archived" if show.archived else "current"
            click.echo(
                f"{show.slug}\t{show.kind}\t{state}\t{base}/feeds/{show.slug}.rss\t{show.title}"
            )


@shows.command("create")
@click.argument("title")
@click.option("--slug", default=None, help="Part of every URL (default: made from the title).")
@click.option("--artwork", type=click.Path(exists=True, dir_okay=False), help="Cover art file.")
@click.option("--set", "pairs", multiple=True, metavar="FIELD=VALUE", help=_SETTING_HELP)
@pass_ctx
def shows_create(
    ctx: Context, title: str, slug: str | None, artwork: str | None, pairs: tuple[str, ...]
) -> None:
    """Start a new show called TITLE."""
    changes = ShowChanges({"title": title, **_settings(pairs)}, slug, _artwork(artwork))
    new_slug = _save(ctx, changes, None)
    click.echo(f"created {new_slug}: {ctx.app.config['BASE_URL']}/feeds/{new_slug}.rss")


@shows.command("edit")
@click.argument("slug")
@click.option("--title", default=None)
@click.option("--new-slug", default=None, help="Rename: the old URLs answer 301.")
@click.option("--artwork", type=click.Path(exists=True, dir_okay=False), help="Cover art file.")
@click.option("--set", "pairs", multiple=True, metavar="FIELD=VALUE", help=_SETTING_HELP)
@pass_ctx
def shows_edit(
    ctx: Context,
    slug: str,
    title: str | None,
    new_slug: str | None,
    artwork: str | None,
    pairs: tuple[str, ...],
) -> None:
    """Change the show SLUG."""
    settings = _settings(pairs) | ({"title": title} if title is not None else {})
    final = _save(ctx, ShowChanges(settings, new_slug, _artwork(artwork)), slug)
    click.echo(f"saved {final}")
