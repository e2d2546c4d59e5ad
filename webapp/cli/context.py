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
        """The app as commands use it: saves rebuild their feeds before the command returns."""
        if self._app is None:
            self._app = create_app()
            # A person at a terminal expects the files done when the command returns.
            feeds = dict(self._app.config.get("FEEDS") or {})
            self._app.config["FEEDS"] = {**feeds, "rebuild_mode": "inline"}
        return self._app

    def web_app(self) -> Flask:
        """The app as ``serve`` runs it: feeds rebuilt the configured way."""
        return create_app()


pass_ctx = click.make_pass_decorator(Context, ensure=True)


def safe_url(url: str) -> str:
    """A database URL without its password, for printing."""
    return make_url(url).render_as_string(hide_password=True)
