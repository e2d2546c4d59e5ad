"""Show settings as staff set them: checked values, a slug that can change, archiving.

Every channel field a podcast host offers is checked here once, whatever the way in (staff
form, JSON API, CLI), so all three refuse the same mistakes with the same words.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.catalog.models import Show, ShowAlias
from webapp.catalog.operations import (
    RESERVED_SLUGS,
    CatalogError,
    create_show,
    get_show,
    touch_show,
    update_show,
)
from webapp.catalog.podcasting import check_podroll, check_rrule
from webapp.catalog.text import clean_text, slugify

_DATA = Path(__file__).resolve().parent / "data" / "apple_categories.json"
# Apple's categories and their subcategories, in Apple's order.
CATEGORIES: dict[str, list[str]] = json.loads(_DATA.read_text(encoding="utf-8"))["categories"]
SHOW_TYPES = ("episodic", "serial")
KINDS = ("podcast", "collection")
MEDIUMS = ("podcast", "music", "video", "film", "audiobook", "newsletter", "blog")

TEXT_LIMITS = {
    "title": 500, "subtitle": 255, "summary": 4000, "author": 300, "owner_name": 300,
    "copyright": 500, "license": 300, "funding_text": 128, "location": 300, "institution": 300,
    "language": 20, "update_frequency": 100, "txt_value": 4000, "txt_purpose": 128,
}  # fmt: skip
URL_FIELDS = ("link", "funding_url", "new_feed_url", "live_stream_url")
# Streams podcast apps play live: the MIME types a live item's enclosure may have.
STREAM_TYPES = ("audio/mpeg", "audio/aac", "application/x-mpegURL", "video/mp4", "video/webm")
FLAGS = ("explicit", "block", "complete", "locked", "feed_redirect", "archived")
CHOICES = {
    "show_type": SHOW_TYPES,
    "kind": KINDS,
    "medium": MEDIUMS,
    "live_stream_type": ("", *STREAM_TYPES),
}
# Lines checked and rewritten in one spelling by their own readers.
CHECKED_TEXT = {"update_rrule": check_rrule, "podroll": check_podroll}
# What staff may set; slug changes go through ``rename_show``, artwork through PendingFiles.
SETTINGS = (
    set(TEXT_LIMITS)
    | set(URL_FIELDS)
    | set(FLAGS)
    | set(CHOICES)
    | set(CHECKED_TEXT)
    | {"description_html", "owner_email", "category", "subcategory", "hosts"}
)

_LANGUAGE = re.compile(r"[a-zA-Z]{2,3}(-[a-zA-Z0-9]{1,8})*\Z")
_EMAIL = re.compile(r"[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+\Z")
_URL = re.compile(r"https?://[^\s<>\"]+\Z")
_SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*\Z")
_HOST = re.compile(r"\s*(?P<name>[^()]+?)\s*(\((?P<role>[^()]+)\))?\s*\Z")


def check_settings(changes: Mapping[str, Any], show: Show | None = None) -> dict[str, Any]:
    """Validate and normalise show settings; CatalogError names the first problem."""
    unknown = sorted(set(changes) - SETTINGS)
    if unknown:
        raise CatalogError(f"unknown show setting '{unknown[0]}'")
    out: dict[str, Any] = {}
    for key, value in changes.items():
        if key in FLAGS:
            out[key] = _flag(key, value)
        elif key in TEXT_LIMITS:
            out[key] = _text(key, value)
        elif key in URL_FIELDS:
            out[key] = _url(key, value)
        elif key in CHOICES:
            if value not in CHOICES[key]:
                raise CatalogError(f"{_label(key)} must be one of: {', '.join(CHOICES[key])}")
            out[key] = value
        elif key == "owner_email":
            email = clean_text(str(value or ""))
            if email and not _EMAIL.match(email):
                raise CatalogError(f"'{email}' is not an e-mail address")
            out[key] = email
        elif key in CHECKED_TEXT:
            out[key] = CHECKED_TEXT[key](str(value or ""))
        elif key == "hosts":
            out[key] = "\n".join(f"{n} ({r})" for n, r in parse_hosts(str(value or "")))
        else:
            out[key] = value if key != "description_html" else str(value or "")
    if "title" in out and not out["title"]:
        raise CatalogError("A show needs a title.")
    if "language" in out and not _LANGUAGE.match(out["language"]):
        raise CatalogError(f"'{out['language']}' is not a language code such as en or en-GB")
    _check_category(out, show)
    redirect = out.get("feed_redirect", show.feed_redirect if show else False)
    new_url = out.get("new_feed_url", show.new_feed_url if show else None)
    if redirect and not new_url:
        raise CatalogError("Give the new feed URL before redirecting the old feed to it.")
    stream = out.get("live_stream_url", show.live_stream_url if show else None)
    stream_type = out.get("live_stream_type", show.live_stream_type if show else "")
    if stream and not stream_type:
        raise CatalogError("Say what the live stream is (its type), e.g. audio/mpeg.")
    return out


def _label(key: str) -> str:
    return key.replace("_", " ").capitalize()


def _flag(key: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false", "yes", "no", "1", "0", "on"):
        return value.lower() in ("true", "yes", "1", "on")
    raise CatalogError(f"{_label(key)} must be true or false")


def _text(key: str, value: Any) -> str:
    text = clean_text(str(value or ""))
    if len(text) > TEXT_LIMITS[key]:
        raise CatalogError(f"{_label(key)} is longer than {TEXT_LIMITS[key]} characters")
    return text


def _url(key: str, value: Any) -> str | None:
    url = clean_text(str(value or ""))
    if not url:
        return None
    if len(url) > 1000 or not _URL.match(url):
        raise CatalogError(f"{_label(key)} must be an http:// or https:// address")
    return url


def _check_category(out: dict[str, Any], show: Show | None) -> None:
    if "category" not in out and "subcategory" not in out:
        return
    category = out.get("category", show.category if show else "")
    sub = out.get("subcategory", show.subcategory if show else None) or None
    if category not in CATEGORIES:
        raise CatalogError(f"'{category}' is not an Apple Podcasts category")
    if sub and sub not in CATEGORIES[category]:
        raise CatalogError(f"'{sub}' is not a subcategory of {category}")
    out["category"], out["subcategory"] = category, sub


def parse_hosts(text: str) -> list[tuple[str, str]]:
    """Channel people from lines like 'Plus magazine' or 'Ada Lovelace (editor)'."""
    hosts = []
    for line in text.splitlines():
        match = _HOST.match(line)
        if match and match["name"].strip():
            role = (match["role"] or "host").strip().lower()
            hosts.append((clean_text(match["name"])[:300], role[:50]))
    return hosts


def check_slug(slug: str) -> str:
    """A slug as staff typed it, or CatalogError saying why it cannot be one."""
    slug = clean_text(slug).lower()
    if not slug or len(slug) > 120 or not _SLUG.match(slug):
        raise CatalogError(
            "A slug is lower-case letters, digits and single hyphens, e.g. 'maths-talks'."
        )
    if slug in RESERVED_SLUGS:
        raise CatalogError(f"'{slug}' is reserved; choose another slug")
    return slug


def new_show(session: Session, *, slug: str, title: str, base_url: str, **settings: Any) -> Show:
    """Create a show from checked settings; the slug may not be one a show had before."""
    slug = check_slug(slug or slugify(title))
    if session.scalar(select(ShowAlias).where(ShowAlias.slug == slug)) is not None:
        raise CatalogError(f"'{slug}' was a show's slug and still redirects; choose another")
    checked = check_settings({"title": title, **settings})
    return create_show(session, slug=slug, base_url=base_url, **checked)


def edit_show(session: Session, show: Show, **settings: Any) -> Show:
    """Apply checked settings to a show; from now on staff, not the upstream, describe it."""
    show.adopt_upstream = False
    return update_show(session, show, **check_settings(settings, show))


def rename_show(session: Session, show: Show, new_slug: str) -> Show:
    """Give a show a new slug; the old one stays as an alias whose URLs answer 301.

    The podcast:guid and every episode GUID stay as they are: apps follow the redirect and
    recognise the same show and episodes.
    """
    new_slug = check_slug(new_slug)
    if new_slug == show.slug:
        return show
    alias = session.scalar(select(ShowAlias).where(ShowAlias.slug == new_slug))
    if alias is not None and alias.show_id != show.id:
        raise CatalogError(f"'{new_slug}' was another show's slug and still redirects")
    if get_show(session, new_slug) is not None:
        raise CatalogError(f"a show with slug '{new_slug}' already exists")
    if alias is not None:
        session.delete(alias)  # Going back to an old slug: it is the real one again.
    session.add(ShowAlias(slug=show.slug, show_id=show.id))
    show.slug = new_slug
    session.flush()
    touch_show(session, show)
    return show


def show_for_slug(session: Session, slug: str) -> tuple[Show | None, bool]:
    """The show a slug names now or named before, and whether it was an old slug."""
    show = get_show(session, slug)
    if show is not None:
        return show, False
    alias = session.scalar(select(ShowAlias).where(ShowAlias.slug == slug))
    return (alias.show, True) if alias is not None else (None, False)
