"""``talkcast users``: staff accounts and API tokens."""

from __future__ import annotations

import sys

import click
from sqlalchemy import select

from webapp import services
from webapp.catalog.models import User
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
@pass_ctx
def users_create(ctx: Context, email: str, password_stdin: bool) -> None:
    """Create a staff account; the password is asked for (or read from stdin)."""
    password = _read_password(password_stdin)
    try:
        with services.work(ctx.app) as session:
            user = create_user(session, email, password)
            click.echo(f"created staff user {user.email}")
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


@users.command("list")
@pass_ctx
def users_list(ctx: Context) -> None:
    """List staff accounts."""
    with services.work(ctx.app) as session:
        for user in session.scalars(select(User).order_by(User.email)):
            click.echo(f"{user.email}\t{'active' if user.active else 'disabled'}")
