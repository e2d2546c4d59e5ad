"""Atom logos: a 2:1 banner made once from a show's square cover art.

RFC 4287 wants the logo twice as wide as high and the icon square; the banner is derived
from the stored artwork on first request and kept in ``DATA_DIR/logos`` under the art's
hash, so it is a cache that can be deleted at any time.
"""

from __future__ import annotations

import hashlib
from pathlib import Path, PurePosixPath

from flask import Blueprint, Response, abort, current_app, send_file

from media.artwork import make_banner
from media.errors import InvalidKey, UnsupportedMedia
from webapp import services
from webapp.publishing.feedcache import atomic_write
from webapp.publishing.publisher import SITE_LOGO
from webapp.web.cookies import mark_public

bp = Blueprint("logos", __name__)

LOGO_MAX_AGE = 7 * 24 * 3600


def _source(key: str) -> tuple[bytes, str]:
    """The square art a logo is made from, and the name its banner is kept under."""
    if key == SITE_LOGO:
        data = (Path(current_app.static_folder or "") / "artwork.png").read_bytes()
        return data, hashlib.sha256(data).hexdigest()
    try:
        path = services.storage().path(key)
    except InvalidKey:
        abort(404)
    if path.suffix.lower() not in (".jpg", ".jpeg", ".png") or not path.is_file():
        abort(404)
    # Stored keys are content hashes: the banner of the same art is the same file.
    return path.read_bytes(), PurePosixPath(key).stem


@bp.get("/logo/<path:key>")
def logo(key: str) -> Response:
    """The banner of one cover art (``site.jpg``: of the site's default art)."""
    mark_public()
    data, name = _source(key)
    banner = Path(current_app.config["DATA_DIR"]) / "logos" / f"{name}.jpg"
    if not banner.is_file():
        try:
            made = make_banner(data)
        except UnsupportedMedia:
            abort(404)
        banner.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(banner, made)
    return send_file(
        banner, mimetype="image/jpeg", conditional=True, etag=name, max_age=LOGO_MAX_AGE
    )
