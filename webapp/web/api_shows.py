"""JSON API for shows, under ``/api/v1`` beside the episode routes (same bearer tokens).

- ``GET /shows``: every show and collection with its settings and feed URLs.
- ``GET /shows/<slug>``: one show.
- ``POST /shows``: create one from JSON: ``title`` (required), ``slug`` (else made from the
  title) and any settings below; answers 201 with the show.
- ``PATCH /shows/<slug>``: change settings; a ``slug`` renames it (old URLs answer 301).
- ``PUT /shows/<slug>/artwork``: cover art (JPEG or PNG) as the raw body.

Settings: ``subtitle``, ``description_html``, ``kind``, ``category``, ``subcategory`` (Apple's
list), ``language``, ``author``, ``owner_name``, ``owner_email``, ``hosts`` (one per line,
"Name (role)"), ``explicit``, ``show_type`` (episodic/serial), ``copyright``, ``license``,
``link``, ``funding_url``, ``funding_text``, ``location``, ``block``, ``complete``,
``new_feed_url``, ``feed_redirect``, ``archived``. They are checked as the staff form's are.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, jsonify, request
from sqlalchemy import select
from werkzeug.exceptions import BadRequest, NotFound

from webapp import services
from webapp.catalog.models import Show
from webapp.catalog.operations import get_show
from webapp.catalog.shows import SETTINGS
from webapp.uploads.show_saving import ShowChanges
from webapp.uploads.staging import ARTWORK_LIMIT, check_length, read_limited
from webapp.web.api import bp
from webapp.web.public import subscribe_links
from webapp.web.shows import save


def show_json(show: Show) -> dict[str, Any]:
    """A show as the API returns it: identity, settings, artwork and feed URLs."""
    base = current_app.config["BASE_URL"]
    out: dict[str, Any] = {
        "slug": show.slug,
        "title": show.title,
        "podcast_guid": show.podcast_guid,
        "artwork": f"{base}/media/{show.artwork_key}" if show.artwork_key else None,
        "feeds": {k: v for k, v in subscribe_links(show.slug).items() if k != "apps"},
    }
    out.update({key: getattr(show, key) for key in sorted(SETTINGS - {"title"})})
    return out


def _body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise BadRequest("send the show's fields as a JSON object")
    return data


def _save(data: dict[str, Any], existing: str | None, artwork: bytes | None = None) -> Any:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    slug = data.pop("slug", None)
    changes = ShowChanges(settings=data, slug=str(slug) if slug else None, artwork=artwork)
    new_slug = save(app, changes, existing)
    with services.session_factory(app)() as session:
        show = get_show(session, new_slug)
        assert show is not None
        return show_json(show)


def _show(slug: str) -> Show:
    show = get_show(services.db(), slug)
    if show is None:
        raise NotFound(f"no show with slug '{slug}'")
    return show


@bp.get("/shows")
def list_shows() -> Any:
    """Every show and collection, archived ones included."""
    rows = services.db().scalars(select(Show).order_by(Show.title))
    return jsonify(shows=[show_json(s) for s in rows])


@bp.get("/shows/<slug>")
def get_one(slug: str) -> Any:
    """One show."""
    return jsonify(show_json(_show(slug)))


@bp.post("/shows")
def create_show() -> Any:
    """Create a show from JSON settings."""
    return jsonify(_save(_body(), None)), 201


@bp.patch("/shows/<slug>")
def update_show(slug: str) -> Any:
    """Change a show's settings, or its slug."""
    _show(slug)
    return jsonify(_save(_body(), slug))


@bp.put("/shows/<slug>/artwork")
def put_artwork(slug: str) -> Any:
    """Replace a show's cover art with the raw JPEG or PNG body."""
    _show(slug)
    check_length(request.content_length, ARTWORK_LIMIT)
    data = read_limited(request.stream, ARTWORK_LIMIT, "artwork")
    return jsonify(_save({}, slug, artwork=data))
