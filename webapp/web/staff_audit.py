"""Staff pages of the audit log: who changed what, per show and per episode, and as CSV."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, abort, render_template, url_for

from webapp import services
from webapp.catalog.audit import as_csv, entries
from webapp.catalog.models import AuditEntry, Episode
from webapp.catalog.operations import get_show
from webapp.web.auth import staff_required

bp = Blueprint("staff_audit", __name__, url_prefix="/staff")


@bp.before_request
@staff_required
def _require_staff() -> None:
    """Every route here refuses anonymous users."""


def _page(title: str, rows: list[AuditEntry], csv_url: str) -> Any:
    changes = [(row, json.loads(row.changes or "{}")) for row in rows]
    return render_template("staff/changes.html", title=title, rows=changes, csv_url=csv_url)


def _csv(rows: list[AuditEntry], name: str) -> Response:
    return Response(
        as_csv(rows),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.get("/changes")
def all_changes() -> Any:
    """Every recorded write, newest first."""
    rows = entries(services.db())
    return _page("Change log", rows, url_for(".all_changes_csv"))


@bp.get("/changes.csv")
def all_changes_csv() -> Response:
    return _csv(entries(services.db()), "talkcast-changes.csv")


@bp.get("/shows/<slug>/changes")
def show_changes(slug: str) -> Any:
    """A show's writes: its settings, sources and episodes."""
    show = get_show(services.db(), slug) or abort(404)
    rows = entries(services.db(), show_id=show.id)
    return _page(f"Changes: {show.title}", rows, url_for(".show_changes_csv", slug=slug))


@bp.get("/shows/<slug>/changes.csv")
def show_changes_csv(slug: str) -> Response:
    show = get_show(services.db(), slug) or abort(404)
    return _csv(entries(services.db(), show_id=show.id), f"{slug}-changes.csv")


@bp.get("/episodes/<int:episode_id>/changes")
def episode_changes(episode_id: int) -> Any:
    """One episode's writes, kept after the episode is deleted."""
    rows = entries(services.db(), episode_id=episode_id)
    episode = services.db().get(Episode, episode_id)
    if episode is None and not rows:
        abort(404)
    title = episode.title if episode else (rows[-1].summary or f"episode {episode_id}")
    csv_url = url_for(".episode_changes_csv", episode_id=episode_id)
    return _page(f"Changes: {title}", rows, csv_url)


@bp.get("/episodes/<int:episode_id>/changes.csv")
def episode_changes_csv(episode_id: int) -> Response:
    return _csv(entries(services.db(), episode_id=episode_id), f"episode-{episode_id}-changes.csv")
