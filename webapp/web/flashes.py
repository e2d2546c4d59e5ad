"""Flash messages for saves: they say when the feeds will show the change."""

from __future__ import annotations

from flask import current_app, flash

from webapp import services

FEEDS_FOLLOW = "The feeds update in a few seconds."


def saved(message: str) -> None:
    """Flash ``message``, saying the feeds follow shortly when a worker rebuilds them."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    flash(message if services.rebuilds_inline(app) else f"{message} {FEEDS_FOLLOW}", "info")
