"""Public pages, feeds and media: everything a listener or podcast app reaches."""

from __future__ import annotations

import logging
import re
import time
from pathlib import PurePosixPath
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    send_file,
)
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response as BaseResponse

from media.errors import InvalidKey
from media.formats import MIME_TYPES
from media.text_assets import Chapter, Cue, chapter_list, transcript_cues
from webapp import services
from webapp.catalog.models import Episode, Person, Show, utcnow
from webapp.catalog.operations import (
    count_public,
    download_name,
    public_episodes,
    public_talks_of,
    publish_due,
)
from webapp.catalog.shows import show_for_slug
from webapp.catalog.text import date_line, slugify
from webapp.publishing.feedcache import NAME_RE, CachedFeed, is_valid_name
from webapp.publishing.publisher import PEOPLE_PREFIX, TOPICS_PREFIX, feed_name
from webapp.stats import reports
from webapp.stats.logs import app_log_path, append_line, log_line
from webapp.web.cookies import mark_public
from webapp.web.embed import iframe_code, player_size
from webapp.web.feed_http import feed_headers, is_not_modified, representation_etag, wants_gzip

bp = Blueprint("public", __name__)
log = logging.getLogger(__name__)

PAGE_SIZE = 50
MEDIA_MAX_AGE = 7 * 24 * 3600


# Web players on other sites read feeds and media with fetch(): they need the validators
# (conditional requests) and the range headers (seeking) to cross origins.
CORS_PATHS = ("/feeds/", "/feeds.opml", "/media/")
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": (
        "ETag, Last-Modified, Content-Length, Content-Range, Accept-Ranges"
    ),
}
PREFLIGHT_HEADERS = {
    "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
    "Access-Control-Allow-Headers": "If-None-Match, If-Modified-Since, Range",
    "Access-Control-Max-Age": "86400",
}


@bp.after_app_request
def cross_origin(response: Response) -> Response:
    """CORS on feeds and media, and the answer to a browser's preflight request."""
    if request.path.startswith(CORS_PATHS):
        response.headers.update(CORS_HEADERS)
        if request.method == "OPTIONS":
            response.headers.update(PREFLIGHT_HEADERS)
    return response


@bp.app_template_filter("slug")
def _slug(text: str) -> str:
    return slugify(text)


@bp.app_template_filter("dateline")
def _dateline(episode: Episode) -> str:
    return date_line(episode.recorded_start, episode.recorded_end, current_app.config["TIMEZONE"])


@bp.app_template_filter("duration")
def _duration(seconds: float | None) -> str:
    if seconds is None:
        return ""
    total = int(round(seconds))
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def subscribe_links(slug: str) -> dict[str, Any]:
    """Feed URLs of a show and links that open them in podcast apps."""
    base = current_app.config["BASE_URL"]
    rss = f"{base}/feeds/{feed_name(slug, 'rss')}"
    bare = rss.split("://", 1)[1]
    return {
        "rss": rss,
        "atom": f"{base}/feeds/{feed_name(slug, 'atom')}",
        "json": f"{base}/feeds/{feed_name(slug, 'json')}",
        "apps": [
            ("Apple Podcasts", f"podcast://{bare}"),
            ("AntennaPod", f"https://antennapod.org/deeplink/subscribe?url={rss}"),
            ("Pocket Casts", f"pktc://subscribe/{bare}"),
            ("Overcast", f"overcast://x-callback-url/add?url={rss}"),
        ],
    }


@bp.get("/")
def home() -> str:
    """Every show and collection with its episode count."""
    session = services.db()
    now = utcnow()
    counts = dict(
        session.execute(
            select(Episode.show_id, func.count())
            .where(Episode.state.in_(("published", "scheduled")), Episode.publish_at <= now)
            .group_by(Episode.show_id)
        ).all()
    )
    shows = list(session.scalars(select(Show).where(~Show.archived).order_by(Show.title)))
    return render_template("home.html", shows=shows, counts=counts, links=subscribe_links)


def _show_or_redirect(slug: str, rest: str = "") -> Show:
    """The show of a page URL; an old slug answers 301 to the page under the new one."""
    show, old_slug = show_for_slug(services.db(), slug)
    if show is None:
        abort(404)
    if old_slug:
        abort(redirect(f"{current_app.config['BASE_URL']}/shows/{show.slug}{rest}", 301))
    return show


@bp.get("/shows/<slug>")
def show_page(slug: str) -> str:
    """A collection page: its talks with speaker, date line, player and subscribe links."""
    session = services.db()
    show = _show_or_redirect(slug)
    now = utcnow()
    total = count_public(session, show, now)
    pages = max(1, -(-total // PAGE_SIZE))
    page = request.args.get("page", 1, type=int) or 1
    if not 1 <= page <= pages:
        abort(404)
    # A collection reads in programme order; a podcast newest first.
    episodes = public_episodes(
        session,
        show,
        now,
        programme_order=show.kind == "collection",
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    return render_template(
        "show.html",
        show=show,
        episodes=episodes,
        plays=reports.plays(session, [e.id for e in episodes]),
        total=total,
        page=page,
        pages=pages,
        links=subscribe_links(show.slug),
    )


@bp.get("/shows/<slug>/<episode_slug>")
def episode_page(slug: str, episode_slug: str) -> str:
    """One episode with an HTML5 player and schema.org JSON-LD."""
    session = services.db()
    show = _show_or_redirect(slug, f"/{episode_slug}")
    episode = session.scalar(
        select(Episode).where(Episode.show_id == show.id, Episode.slug == episode_slug)
    )
    if episode is None or not episode.is_public(utcnow()):
        abort(404)
    chapters, cues = _chapters_and_transcript(episode)
    return render_template(
        "episode.html",
        chapters=chapters,
        cues=cues,
        embed_code=iframe_code(episode),
        player_size=player_size,
        episode=episode,
        plays=reports.plays(session, [episode.id]).get(episode.id, 0),
        show=episode.show,
        links=subscribe_links(slug),
        jsonld=episode_jsonld(episode),
    )


def _chapters_and_transcript(episode: Episode) -> tuple[list[Chapter], list[Cue]]:
    """The episode's chapters and transcript cues, read from its stored files (a file kept
    elsewhere, or missing, shows nothing: the page never waits on another server)."""
    store = services.storage()
    chapters: list[Chapter] = []
    cues: list[Cue] = []
    for attachment in episode.attachments:
        if not attachment.storage_key:
            continue
        try:
            data = store.path(attachment.storage_key).read_bytes()
        except (OSError, InvalidKey):
            continue
        if attachment.kind == "chapters" and not chapters:
            chapters = chapter_list(data)
        elif attachment.kind == "transcript" and not cues:
            cues = transcript_cues(data)
    return chapters, cues


def episode_jsonld(episode: Episode) -> dict[str, Any]:
    """schema.org description of an episode (PodcastEpisode, or VideoObject for video)."""
    base = current_app.config["BASE_URL"]
    url = f"{base}/shows/{episode.show.slug}/{episode.slug}"
    media = episode.media[0] if episode.media else None
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "VideoObject" if media and media.kind == "video" else "PodcastEpisode",
        "name": episode.title,
        "url": url,
        "description": episode.summary,
        "datePublished": episode.publish_at.isoformat() if episode.publish_at else None,
        "partOfSeries": {
            "@type": "PodcastSeries",
            "name": episode.show.title,
            "url": f"{base}/shows/{episode.show.slug}",
        },
        "author": [{"@type": "Person", "name": c.person.name} for c in episode.credits],
    }
    if media:
        content_url = f"{base}/media/{media.storage_key}" if media.storage_key else media.url
        data["associatedMedia"] = {
            "@type": "MediaObject",
            "contentUrl": content_url,
            "encodingFormat": media.mime_type,
            "contentSize": str(media.size),
        }
        if media.duration:
            data["duration"] = f"PT{int(round(media.duration))}S"
        if data["@type"] == "VideoObject":
            data["contentUrl"] = content_url
            data["uploadDate"] = data["datePublished"]
    if episode.recorded_start:
        # The talk as an event: when and where it was given, and by whom.
        event: dict[str, Any] = {
            "@type": "Event",
            "name": episode.title,
            "startDate": episode.recorded_start.isoformat(),
            "performer": data["author"],
        }
        if episode.recorded_end:
            event["endDate"] = episode.recorded_end.isoformat()
        place = episode.venue or episode.show.location or episode.show.institution
        if place:
            event["location"] = {"@type": "Place", "name": place}
        data["recordedAt"] = event
    return data


def _refresh_if_stale(name: str, entry: CachedFeed) -> CachedFeed:
    """A scheduled episode fell due since the build: publish it and rebuild before serving."""
    if entry.stale_after is None or time.time() < entry.stale_after:
        return entry
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    try:
        with services.work(app) as session:
            publish_due(session)
        services.rebuild_feeds(app)
    except SQLAlchemyError:
        # Without the database the document built last is still the best answer.
        log.warning("feed %s is due for a rebuild but the database is unavailable", name)
        return entry
    return services.feed_cache().get(name) or entry


def _moved_feed(name: str) -> BaseResponse | None:
    """A 301 for a feed that is not built here: its show moved host, or changed its slug.

    Only reached on a cache miss, so serving a current feed still needs no database query.
    """
    slug = name.split(".", 1)[0]
    show, old_slug = show_for_slug(services.db(), slug)
    if show is None:
        return None
    if show.feed_redirect and show.new_feed_url:
        return redirect(show.new_feed_url, 301)
    if old_slug:
        new_name = show.slug + name[len(slug) :]
        return redirect(f"{current_app.config['BASE_URL']}/feeds/{new_name}", 301)
    return None


ARCHIVE_PAGE = re.compile(r"^(?P<head>.+)\.archive-(?P<page>[0-9]+)\.(?P<fmt>rss|atom|json)$")


def _next_archive_page(name: str) -> BaseResponse | None:
    """The archive page after the newest one, not written yet: its items are still in the
    subscription document, so send the client there (302: it will exist one day)."""
    match = ARCHIVE_PAGE.match(name)
    if match is None:
        return None
    head, page, fmt = match["head"], int(match["page"]), match["fmt"]
    cache = services.feed_cache()
    previous = f"{head}.archive-{page - 1}.{fmt}" if page > 1 else None
    current = f"{head}.{fmt}"
    if (previous is None or cache.get(previous) is None) or cache.get(current) is None:
        return None
    response = redirect(services.publisher().urls.feed(current), 302)
    response.headers["Cache-Control"] = "no-cache"
    return response


def serve_feed(name: str) -> Response:
    """A prebuilt feed: strong ETag, Last-Modified, 304s, gzip; no database query on a hit."""
    mark_public()
    cache = services.feed_cache()
    entry = cache.get(name) if is_valid_name(name) else None
    if entry is None:
        abort(_moved_feed(name) or _next_archive_page(name) or 404)
    entry = _refresh_if_stale(name, entry)
    accel = bool(current_app.config["X_ACCEL_REDIRECT"])
    # Behind nginx the identity file is handed over and nginx compresses it: nginx does
    # not pass a Content-Encoding header through X-Accel-Redirect.
    gzipped = not accel and wants_gzip(request.headers.get("Accept-Encoding"))
    headers = feed_headers(entry, gzipped)
    etag = representation_etag(entry, gzipped)
    conditions = (request.headers.get("If-None-Match"), request.headers.get("If-Modified-Since"))
    if is_not_modified(entry, etag, *conditions):
        # The type keeps the HTML-only headers off; werkzeug drops it from a 304 itself.
        return Response(status=304, headers=headers, content_type=entry.content_type)
    if accel:
        blob = cache.blob_path(entry).name
        headers["X-Accel-Redirect"] = f"{current_app.config['X_ACCEL_PREFIX']}/feeds/{blob}"
        return Response(b"", headers=headers, content_type=entry.content_type)
    body = cache.blob_path(entry, gzipped).read_bytes()
    return Response(body, headers=headers, content_type=entry.content_type)


@bp.get("/feeds/<name>")
def feed(name: str) -> Response:
    """RSS, Atom or JSON Feed document of a show, a variant, an archive page or 'all'."""
    if not NAME_RE.match(name) or name.startswith((PEOPLE_PREFIX, TOPICS_PREFIX)):
        abort(404)  # the OPML is at /feeds.opml; people's and topics' feeds have their paths
    return serve_feed(name)


@bp.get("/feeds/people/<name>")
def person_feed(name: str) -> Response:
    """RSS, Atom or JSON Feed of one person's talks."""
    if not NAME_RE.match(name):
        abort(404)
    return serve_feed(PEOPLE_PREFIX + name)


@bp.get("/feeds/topics/<name>")
def topic_feed(name: str) -> Response:
    """RSS, Atom or JSON Feed of the talks on one topic."""
    if not NAME_RE.match(name):
        abort(404)
    return serve_feed(TOPICS_PREFIX + name)


def _gathered_page(
    kind: str, heading: str, feed_title: str, feeds_name: str, episodes: list[Episode],
    link: str | None = None,
) -> str:  # fmt: skip
    """A page of talks gathered from every show (a person's, a topic's), with its feeds."""
    urls = services.publisher().urls
    return render_template(
        "gathered.html",
        kind=kind,
        heading=heading,
        feed_title=feed_title,
        link=link,
        episodes=episodes,
        shows={e.show_id for e in episodes},
        feeds={fmt: urls.feed(feed_name(feeds_name, fmt)) for fmt in ("rss", "atom", "json")},
    )


@bp.get("/topics/<slug>")
def topic_page(slug: str) -> str:
    """The talks tagged with one topic, from every collection, with the topic's feeds."""
    episodes = [
        e
        for e in public_episodes(services.db(), None, utcnow())
        if slug in {slugify(t) for t in e.tag_list}
    ]
    if not episodes:
        abort(404)
    name = next(t for t in episodes[0].tag_list if slugify(t) == slug)
    return _gathered_page("topic", name, f"Talks on {name}", TOPICS_PREFIX + slug, episodes)


@bp.get("/people/<slug>")
def person_page(slug: str) -> str:
    """One person's talks from every collection, with their feeds."""
    session = services.db()
    person = session.scalar(select(Person).where(Person.slug == slug))
    if person is None:
        abort(404)
    episodes = public_talks_of(session, person.id, utcnow())
    return _gathered_page(
        "person",
        person.name,
        f"Talks by {person.name}",
        PEOPLE_PREFIX + person.slug,
        episodes,
        link=person.href,
    )


@bp.get("/feeds.opml")
def opml() -> Response:
    """OPML list of every feed, for importing into a podcast app or reader."""
    return serve_feed("feeds.opml")


@bp.get("/media/<path:key>")
def media(key: str) -> Response:
    """A stored file: content-addressed, so cacheable for long; HEAD and byte ranges work."""
    mark_public()
    store = services.storage()
    try:
        path = store.path(key)
    except InvalidKey:
        abort(404)
    if not path.is_file():
        abort(404)
    mimetype = MIME_TYPES.get(path.suffix.lower(), "application/octet-stream")
    # Saved downloads are named after the episode; "inline" keeps browsers playing it.
    try:
        name = download_name(services.db(), key)
    except SQLAlchemyError:
        name = None  # the file is served without the database, under its key's name
    if current_app.config["X_ACCEL_REDIRECT"]:
        # nginx serves the bytes, ranges and validators from its internal media location.
        response = Response(b"", content_type=mimetype)
        response.headers["X-Accel-Redirect"] = f"{current_app.config['X_ACCEL_PREFIX']}/media/{key}"
        if name:
            response.headers["Content-Disposition"] = f'inline; filename="{name}"'
        return response
    if _ranges(request.headers.get("Range")) > 1:
        # Werkzeug answers several ranges with 416; the whole file satisfies them all.
        request.environ.pop("HTTP_RANGE", None)
    response = send_file(
        path,
        mimetype=mimetype,
        download_name=name,
        conditional=True,
        # The key is the content's SHA-256: the same bytes keep the same ETag on any host.
        etag=PurePosixPath(key).stem,
        max_age=MEDIA_MAX_AGE,
    )
    response.headers["Accept-Ranges"] = "bytes"
    counting = (current_app.config.get("STATS") or {}).get("app_log", True)
    if counting and request.method == "GET" and response.status_code in (200, 206):
        _log_hit(key, response)
    return response


def _log_hit(key: str, response: Response) -> None:
    """Log the answer for the download counts (behind nginx, nginx logs it instead).

    Written as the answer starts: a file response goes straight to the server (which may
    use sendfile), so the bytes logged are those answered, not those the client took.
    """
    line = log_line(
        utcnow(),
        request.remote_addr or "",
        request.user_agent.string,
        request.method,
        response.status_code,
        f"/media/{key}",
        response.headers.get("Content-Range", ""),
        response.content_length or 0,
    )
    path = app_log_path(current_app.config["DATA_DIR"])
    try:
        append_line(path, line)
    except OSError:
        # Counting must never cost a listener the file.
        log.warning("could not log a media request to %s", path, exc_info=True)


def _ranges(header: str | None) -> int:
    """How many ranges a Range header asks for (0 without one)."""
    if not header or "=" not in header:
        return 0
    return len([part for part in header.split("=", 1)[1].split(",") if part.strip()])


@bp.get("/healthz")
def healthz() -> dict[str, str]:
    """Liveness check for load balancers."""
    return {"status": "ok"}
