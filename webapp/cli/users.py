"""``talkcast users``: staff accounts and API tokens."""

from __future__ import annotations

import sys

import click
from sqlalchemy import select

from webapp import services
from webapp.catalog.models import Show, ShowRole, User
from webapp.catalog.operations import get_show
from webapp.catalog.roles import ROLES, grant
from webapp.cli.context import Context, pass_ctx
from webapp.web.auth import AuthError, create_token, create_user


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


@users.command("token")
@click.argument("email")
@click.option("--label", default="", help="What the token is for.")
@pass_ctx
def users_token(ctx: Context, email: str, label: str) -> None:
    """Make an API token for EMAIL and print it (it is shown only once)."""
    with services.work(ctx.app) as session:
        user = session.scalar(select(User).where(User.email == email.strip().lower()))
        if user is None:
            raise click.ClickException(f"no user {email}")
        click.echo(create_token(session, user, label))


@users.command("role")
@click.argument("email")
@click.argument("show")
@click.argument("role", type=click.Choice([*ROLES, "none"]))
@pass_ctx
def users_role(ctx: Context, email: str, show: str, role: str) -> None:
    """Give EMAIL a ROLE in SHOW (a slug): viewer, contributor, editor, or none."""
    with services.work(ctx.app) as session:
        user = session.scalar(select(User).where(User.email == email.strip().lower()))
        if user is None:
            raise click.ClickException(f"no user {email}")
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
