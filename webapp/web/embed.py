"""The embeddable player and its discovery: ``/embed/<show>/<episode>`` (a small page any
site may frame, setting no cookies) and oEmbed, so a pasted link becomes that player."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, current_app, render_template, request
from markupsafe import Markup
from sqlalchemy import select

from webapp import services
from webapp.catalog.models import Episode, utcnow
from webapp.catalog.shows import show_for_slug
from webapp.web.cookies import mark_public

bp = Blueprint("embed", __name__)

WIDTH, AUDIO_HEIGHT, VIDEO_HEIGHT = 560, 180, 360
_IFRAME = Markup(
    '<iframe src="{src}" width="{width}" height="{height}" title="{title}" '
    'loading="lazy" style="border:0" allow="autoplay; fullscreen"></iframe>'
)


def public_episode(show_slug: str, episode_slug: str) -> Episode:
    """A public episode by its slugs (a show's old slug works too); 404 otherwise."""
    session = services.db()
    show, _ = show_for_slug(session, show_slug)
    if show is None:
        abort(404)
    episode = session.scalar(
        select(Episode).where(Episode.show_id == show.id, Episode.slug == episode_slug)
    )
    if episode is None or not episode.is_public(utcnow()):
        abort(404)
    return episode


def player_size(episode: Episode) -> tuple[int, int]:
    """The frame an episode's player needs: taller for video."""
    video = bool(episode.media) and episode.media[0].kind == "video"
    return WIDTH, VIDEO_HEIGHT if video else AUDIO_HEIGHT


def iframe_code(episode: Episode) -> Markup:
    """The HTML another site pastes to show this episode's player."""
    width, height = player_size(episode)
    src = f"{current_app.config['BASE_URL']}/embed/{episode.show.slug}/{episode.slug}"
    return _IFRAME.format(src=src, width=width, height=height, title=episode.title)


@bp.get("/embed/<slug>/<episode_slug>")
def player(slug: str, episode_slug: str) -> Response:
    """Just the player, for an iframe on any site."""
    mark_public()
    episode = public_episode(slug, episode_slug)
    response = Response(render_template("embed.html", episode=episode, show=episode.show))
    # Unlike every other page, this one is meant to be framed by anyone.
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; img-src 'self' https: data:; media-src 'self' https:; "
        "style-src 'self'; script-src 'self'; frame-ancestors *"
    )
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.get("/oembed")
def oembed() -> dict[str, Any]:
    """oEmbed (JSON) for an episode page's URL: a "rich" answer holding the player."""
    mark_public()
    if request.args.get("format", "json") != "json":
        abort(501)
    base = current_app.config["BASE_URL"]
    url = request.args.get("url", "")
    parts = urlsplit(url)
    segments = parts.path.strip("/").split("/")
    if not url.startswith(base + "/") or len(segments) != 3 or segments[0] != "shows":
        abort(404)
    episode = public_episode(segments[1], segments[2])
    width, height = player_size(episode)
    max_width = request.args.get("maxwidth", type=int)
    if max_width and max_width < width:
        width = max(200, max_width)
    answer: dict[str, Any] = {
        "version": "1.0",
        "type": "rich",
        "provider_name": current_app.config["SITE_TITLE"],
        "provider_url": base + "/",
        "title": episode.title,
        "author_name": "; ".join(c.person.name for c in episode.credits) or episode.show.title,
        "html": str(iframe_code(episode)).replace(f'width="{WIDTH}"', f'width="{width}"'),
        "width": width,
        "height": height,
    }
    art = episode.artwork_key or episode.show.artwork_key
    if art:
        answer["thumbnail_url"] = f"{base}/media/{art}"
    return answer
