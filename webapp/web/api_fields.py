"""What the JSON API reads and writes: episode fields in, episode descriptions out."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from flask import current_app

from webapp.catalog.models import Episode, utcnow
from webapp.catalog.operations import CatalogError
from webapp.web.forms import parse_credits, parse_time

FIELDS = {
    "title", "description", "persons", "recorded", "season", "number", "explicit",
    "episode_type", "tags", "venue", "soundbites", "social_uri", "links",
}  # fmt: skip
CREATE_ONLY = {"state", "at", "upload_ids"}
_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off", ""}


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def episode_json(episode: Episode) -> dict[str, Any]:
    """Everything the API tells about an episode."""
    base = current_app.config["BASE_URL"]

    def url(key: str | None, fallback: str | None = None) -> str | None:
        return f"{base}/media/{key}" if key else fallback

    return {
        "guid": episode.guid,
        "show": episode.show.slug,
        "slug": episode.slug,
        "title": episode.title,
        "state": episode.state,
        "public": episode.is_public(utcnow()),
        "publish_at": _iso(episode.publish_at),
        "recorded": _iso(episode.recorded_start),
        "description": episode.description_html,
        "persons": [{"name": c.person.name, "role": c.role} for c in episode.credits],
        "season": episode.season,
        "number": episode.number,
        "explicit": episode.explicit,
        "episode_type": episode.episode_type,
        "tags": episode.tag_list,
        "venue": episode.venue,
        "soundbites": episode.soundbites,
        "social_uri": episode.social_uri,
        "links": [{"title": t, "url": u} for t, u in episode.link_list],
        "page": f"{base}/shows/{episode.show.slug}/{episode.slug}",
        "artwork": url(episode.artwork_key),
        "media": [
            {
                "kind": m.kind,
                "url": url(m.storage_key, m.url),
                "mime_type": m.mime_type,
                "size": m.size,
                "duration": m.duration,
                "bitrate": m.bitrate,
                "width": m.width,
                "height": m.height,
                "original_name": m.original_name,
            }
            for m in episode.media
        ],
        "attachments": [
            {"kind": a.kind, "url": url(a.storage_key, a.url), "mime_type": a.mime_type}
            for a in episode.attachments
        ],
    }


def _int(name: str, value: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError) as exc:
        raise CatalogError(f"'{name}' must be a whole number") from exc
    if number < 0:
        raise CatalogError(f"'{name}' may not be negative")
    return number


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if str(value).strip().lower() in _TRUE | _FALSE:
        return str(value).strip().lower() in _TRUE
    raise CatalogError("'explicit' must be true or false")


def parse_fields(data: Mapping[str, Any], allowed: set[str]) -> tuple[dict[str, Any], Any]:
    """Catalogue changes and credits (None when not given) from JSON or form fields."""
    unknown = set(data) - allowed
    if unknown:
        raise CatalogError(f"unknown field(s): {', '.join(sorted(unknown))}")
    changes: dict[str, Any] = {}
    try:
        for key in data.keys() & (FIELDS - {"persons"}):
            value = data[key]
            if key == "description":
                changes["description_html"] = str(value or "")
            elif key == "recorded":
                tz = current_app.config["TIMEZONE"]
                changes["recorded_start"] = parse_time(str(value), tz) if value else None
            elif key in ("season", "number"):
                changes[key] = _int(key, value)
            elif key == "explicit":
                changes[key] = _bool(value)
            elif key == "tags":
                changes[key] = value if isinstance(value, list) else str(value)
            elif key in ("venue", "social_uri"):
                changes[key] = str(value) if value else None
            else:
                changes[key] = str(value)
    except ValueError as exc:
        raise CatalogError(str(exc)) from exc
    credits = None
    if "persons" in data:
        persons = data.getlist("persons") if hasattr(data, "getlist") else data["persons"]
        credits = parse_credits(persons if isinstance(persons, list) else str(persons))
    return changes, credits


def publish_time(value: Any) -> datetime | None:
    """An optional publish time (ISO 8601; institute time without an offset)."""
    if not value:
        return None
    try:
        return parse_time(str(value), current_app.config["TIMEZONE"])
    except ValueError as exc:
        raise CatalogError(str(exc)) from exc
