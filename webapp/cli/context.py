"""What every ``talkcast`` command shares: the lazily created app."""

from __future__ import annotations

import click
from flask import Flask
from sqlalchemy.engine import make_url

from webapp import create_app


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


def safe_url(url: str) -> str:
    """A database URL without its password, for printing."""
    return make_url(url).render_as_string(hide_password=True)
