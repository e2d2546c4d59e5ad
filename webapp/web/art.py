"""Artwork made from a show's square cover: the Atom logo (a 2:1 banner) and the smaller
sizes podcast:images lists.

Each is derived from the stored art on first request and kept in ``DATA_DIR/art`` under
the art's hash, so it is a cache that can be deleted at any time.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from flask import Blueprint, Response, abort, current_app, send_file

from media.artwork import make_banner, make_size
from media.errors import InvalidKey, UnsupportedMedia
from webapp import services
from webapp.publishing.feedcache import atomic_write
from webapp.publishing.publisher import ART_WIDTHS, SITE_ART
from webapp.web.cookies import mark_public

bp = Blueprint("art", __name__)

ART_MAX_AGE = 7 * 24 * 3600


def _source(key: str) -> tuple[bytes, str]:
    """The square art to derive from, and the hash its derivatives are kept under."""
    if key == SITE_ART:
        data = (Path(current_app.static_folder or "") / "artwork.png").read_bytes()
        return data, hashlib.sha256(data).hexdigest()
    try:
        path = services.storage().path(key)
    except InvalidKey:
        abort(404)
    if path.suffix.lower() not in (".jpg", ".jpeg", ".png") or not path.is_file():
        abort(404)
    # Stored keys are content hashes: the same art gives the same derived file.
    return path.read_bytes(), PurePosixPath(key).stem


def _derived(key: str, variant: str, make: Callable[[bytes], bytes]) -> Response:
    mark_public()
    data, name = _source(key)
    path = Path(current_app.config["DATA_DIR"]) / "art" / f"{name}-{variant}.jpg"
    if not path.is_file():
        try:
            made = make(data)
        except UnsupportedMedia:
            abort(404)
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, made)
    return send_file(
        path, mimetype="image/jpeg", conditional=True, etag=path.stem, max_age=ART_MAX_AGE
    )


@bp.get("/logo/<path:key>")
def logo(key: str) -> Response:
    """The 2:1 banner of one cover art (``site.jpg``: of the site's default art)."""
    return _derived(key, "logo", make_banner)


@bp.get("/art/<int:width>/<path:key>")
def sized(width: int, key: str) -> Response:
    """One cover art at one of the sizes the feeds list."""
    if width not in ART_WIDTHS:
        abort(404)
    return _derived(key, str(width), lambda data: make_size(data, width))
