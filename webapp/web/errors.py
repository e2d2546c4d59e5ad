"""Clear answers when the machine fails rather than the request: database down, disk full.

Feeds and media are served from files, so they keep working without the database; every
page that needs it answers 503 with a page saying so (JSON under /api/), instead of a
traceback. A full disk answers 507: what was being written is dropped, and the feeds
already published stay as they were (they are only ever replaced whole).
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, g, jsonify, make_response, render_template, request
from flask_login import AnonymousUserMixin
from sqlalchemy.exc import InterfaceError, OperationalError

from media.errors import is_disk_full

log = logging.getLogger(__name__)

RETRY_AFTER = "30"
DATABASE_DOWN = (
    "The database is unavailable, so this page cannot be shown right now. Published feeds "
    "and media files are still being served. Try again in a minute; if this lasts, ask the "
    "administrator to check the database server."
)
DISK_FULL = (
    "The server's disk is full, so nothing more could be written. Published feeds and media "
    "are unchanged and still served. Ask the administrator to free some space, then try again."
)


def _answer(code: int, title: str, message: str, error: str) -> Any:
    if request.path.startswith("/api/") or request.path.endswith("/uploads"):
        response = jsonify(error=error, message=message)
    else:
        page = render_template("error.html", code=code, title=title, message=message)
        response = make_response(page)
    response.status_code = code
    response.headers["Retry-After"] = RETRY_AFTER
    response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    """Answer a lost database with 503 and a full disk with 507, both explained."""

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def _database_down(exc: Exception) -> Any:
        log.error("database unavailable for %s: %s", request.path, exc)
        # Flask-Login loads the signed-in user for every template: without a database that
        # would fail again inside this page, so the page is drawn for an anonymous visitor.
        g._login_user = AnonymousUserMixin()
        return _answer(503, "Database unavailable", DATABASE_DOWN, "database_unavailable")

    @app.errorhandler(OSError)
    def _disk_full(exc: OSError) -> Any:
        if not is_disk_full(exc):
            raise exc
        log.error("disk full while answering %s: %s", request.path, exc)
        return _answer(507, "Disk full", DISK_FULL, "disk_full")
