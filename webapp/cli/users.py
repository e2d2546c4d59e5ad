"""``talkcast users``: staff accounts and API tokens."""

from __future__ import annotations

import sys
from typing import Any

import click
from sqlalchemy import select

from webapp import services
from webapp.catalog.accounts import (
    TOKEN_SCOPES,
    create_scoped_token,
    invite,
    password_reset,
    set_active,
)
from webapp.catalog.audit import ACTOR
from webapp.catalog.errors import CatalogError
from webapp.catalog.models import ApiToken, Show, ShowRole, User
from webapp.catalog.operations import get_show
from webapp.catalog.roles import ROLES, grant
from webapp.cli.context import Context, pass_ctx
from webapp.web.auth import AuthError, create_user


@click.group()
def users() -> None:
    """Manage staff accounts and API tokens."""


def _read_password(from_stdin: bool) -> str:
    if from_stdin or not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))


@users.command("create")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option(
    "--admin/--no-admin",
    default=None,
    help="Manage users and every show (default: only the site's first account).",
)
@pass_ctx
def users_create(ctx: Context, email: str, password_stdin: bool, admin: bool | None) -> None:
    """Create a staff account; the password is asked for (or read from stdin)."""
    password = _read_password(password_stdin)
    try:
        with services.work(ctx.app) as session:
            user = create_user(session, email, password, admin)
            kind = "admin" if user.is_admin else "staff user (give a role: talkcast users role)"
            click.echo(f"created {kind} {user.email}")
    except AuthError as exc:
        raise click.ClickException(str(exc)) from exc


def _user(session: Any, email: str) -> User:
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise click.ClickException(f"no user {email}")
    return user  # type: ignore[no-any-return]


def _show_id(session: Any, slug: str | None) -> int | None:
    if not slug:
        return None
    show = get_show(session, slug)
    if show is None:
        raise click.ClickException(f"no show {slug}")
    return show.id


def _link(ctx: Context, secret: str) -> str:
    return f"{ctx.app.config['BASE_URL'].rstrip('/')}/staff/invite/{secret}"


@users.command("token")
@click.argument("email")
@click.option("--label", default="", help="What the token is for.")
@click.option("--scope", type=click.Choice(TOKEN_SCOPES), default="write", show_default=True)
@click.option("--show", default=None, help="Only this show (a slug); default: all of theirs.")
@click.option("--days", type=click.IntRange(min=1), default=None, help="Expire after N days.")
@pass_ctx
def users_token(
    ctx: Context, email: str, label: str, scope: str, show: str | None, days: int | None
) -> None:
    """Make an API token for EMAIL and print it (it is shown only once)."""
    try:
        with services.work(ctx.app) as session:
            user = _user(session, email)
            show_id = _show_id(session, show)
            click.echo(create_scoped_token(session, user, label, scope=scope, show_id=show_id,
                                           days=days))  # fmt: skip
    except CatalogError as exc:
        raise click.ClickException(str(exc)) from exc


@users.command("tokens")
@click.argument("email")
@pass_ctx
def users_tokens(ctx: Context, email: str) -> None:
    """List EMAIL's tokens: id, label, scope, show, expiry, last use, state."""
    with services.work(ctx.app) as session:
        user = _user(session, email)
        shows = {s.id: s.slug for s in session.scalars(select(Show))}
        for t in session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)):
            expires = t.expires_at.date().isoformat() if t.expires_at else "never"
            used = t.last_used_at.isoformat(timespec="minutes") if t.last_used_at else "never"
            show = shows.get(t.show_id, "-") if t.show_id else "all"
            state = "revoked" if t.revoked else "active"
            click.echo(f"{t.id}\t{t.label or '-'}\t{t.scope}\t{show}\t{expires}\t{used}\t{state}")


@users.command("revoke-token")
@click.argument("token_id", type=int)
@pass_ctx
def users_revoke_token(ctx: Context, token_id: int) -> None:
    """Revoke token TOKEN_ID (see `talkcast users tokens`): it stops working at once."""
    with services.work(ctx.app) as session:
        row = session.get(ApiToken, token_id)
        if row is None:
            raise click.ClickException(f"no token {token_id}")
        row.revoked = True
    click.echo(f"revoked token {token_id}")


@users.command("invite")
@click.argument("email")
@click.option("--admin", is_flag=True, help="Manage users and every show.")
@click.option("--show", default=None, help="A show (slug) to give a role in.")
@click.option("--role", type=click.Choice(list(ROLES)), default=None)
@pass_ctx
def users_invite(ctx: Context, email: str, admin: bool, show: str | None, role: str | None) -> None:
    """Print a one-time invitation link (valid for a week) for a new account."""
    try:
        with services.work(ctx.app) as session:
            secret = invite(session, email, by=ACTOR.get(), is_admin=admin,
                            show_id=_show_id(session, show), role=role)  # fmt: skip
    except CatalogError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(_link(ctx, secret))


@users.command("reset")
@click.argument("email")
@pass_ctx
def users_reset(ctx: Context, email: str) -> None:
    """Print a one-time link (valid for a day) with which EMAIL sets a new password."""
    with services.work(ctx.app) as session:
        secret = password_reset(session, _user(session, email), by=ACTOR.get())
    click.echo(_link(ctx, secret))


@users.command("disable")
@click.argument("email")
@pass_ctx
def users_disable(ctx: Context, email: str) -> None:
    """Disable EMAIL: no sign-in, no token works, until enabled again."""
    try:
        with services.work(ctx.app) as session:
            set_active(session, _user(session, email), False)
    except CatalogError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"disabled {email}")


@users.command("enable")
@click.argument("email")
@pass_ctx
def users_enable(ctx: Context, email: str) -> None:
    """Enable a disabled account again."""
    with services.work(ctx.app) as session:
        set_active(session, _user(session, email), True)
    click.echo(f"enabled {email}")


@users.command("role")
@click.argument("email")
@click.argument("show")
@click.argument("role", type=click.Choice([*ROLES, "none"]))
@pass_ctx
def users_role(ctx: Context, email: str, show: str, role: str) -> None:
    """Give EMAIL a ROLE in SHOW (a slug): viewer, contributor, editor, or none."""
    with services.work(ctx.app) as session:
        user = _user(session, email)
        found = get_show(session, show)
        if found is None:
            raise click.ClickException(f"no show {show}")
        grant(session, user, found.id, role)
    click.echo(f"{email}: {role} of {show}")


@users.command("list")
@pass_ctx
def users_list(ctx: Context) -> None:
    """List staff accounts with their roles."""
    with services.work(ctx.app) as session:
        shows = {s.id: s.slug for s in session.scalars(select(Show))}
        for user in session.scalars(select(User).order_by(User.email)):
            roles = session.scalars(select(ShowRole).where(ShowRole.user_id == user.id))
            held = (
                "admin"
                if user.is_admin
                else ", ".join(f"{r.role} of {shows.get(r.show_id, r.show_id)}" for r in roles)
            )
            click.echo(f"{user.email}\t{'active' if user.active else 'disabled'}\t{held or '-'}")
