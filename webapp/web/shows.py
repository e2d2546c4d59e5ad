"""Saving a show for the staff form, the API and the CLI alike: the app's sessions and
storage, and the feeds following the commit (inline, or from the rebuild worker)."""

from __future__ import annotations

from flask import Flask

from webapp import services
from webapp.uploads.show_saving import ShowChanges, save_show


def save(app: Flask, changes: ShowChanges, existing: str | None = None) -> str:
    """Create a show (``existing`` None) or change it; returns its slug afterwards."""
    return save_show(
        services.session_factory(app),
        services.storage(app),
        changes,
        base_url=str(app.config["BASE_URL"]),
        existing=existing,
        rebuild=lambda ids: services.feeds_changed(app, ids),
    )
