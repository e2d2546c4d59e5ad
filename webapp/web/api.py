"""JSON API for automation, under ``/api/v1``; episodes are addressed by their GUID.

Only ``Authorization: Bearer <token>`` authenticates here (tokens come from
``talkcast users token EMAIL``); session cookies are ignored, which is why the blueprint is
exempt from CSRF checks.

- Shows: see ``api_shows`` (list, create, change, artwork).
- ``GET /shows/<slug>/episodes``: every episode of a show, drafts included.
- ``POST /uploads``: one media file as the raw body, its name in ``X-Filename``; streamed to
  disk and probed, answers ``upload_id`` and what the file holds (as the staff form does).
- ``POST /shows/<slug>/episodes``: create an episode, either as ``multipart/form-data`` with
  the fields below and one or more ``media`` files (plus optional ``artwork``, ``transcript``,
  ``chapters`` files; the whole request at most ``MAX_UPLOAD_MB``), or as JSON with the fields
  and ``upload_ids`` from ``POST /uploads``. ``state`` is ``draft`` (default) or
  ``published``; ``at`` (ISO 8601) schedules it.
- ``GET``, ``PATCH`` (JSON fields), ``DELETE /episodes/<guid>``.
- ``POST /episodes/<guid>/publish`` with optional ``at``; ``POST /episodes/<guid>/unpublish``.

Fields: ``title``, ``description`` (HTML), ``persons`` (names, "Name (role)" strings or
``{"name", "role"}`` objects), ``recorded`` (ISO 8601; without an offset it is institute
time), ``season``, ``number``, ``explicit``, ``episode_type``, ``tags``. Errors are JSON
``{"error": ..., "message": ...}`` with a 4xx status.
"""

from __future__ import annotations

from typing import Any, TypeVar
from urllib.parse import unquote

from flask import Blueprint, current_app, g, jsonify, request
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.exceptions import HTTPException, NotFound

from webapp import services
from webapp.catalog.models import Episode, utcnow
from webapp.catalog.operations import (
    CatalogError,
    Credit,
    create_episode,
    get_show,
    set_credits,
    set_state,
)
from webapp.catalog.operations import update_episode as update_episode_row
from webapp.uploads.pending import Asset, PendingFiles, check_asset
from webapp.uploads.staging import (
    ARTWORK_LIMIT,
    CHAPTERS_LIMIT,
    TRANSCRIPT_LIMIT,
    StagedUpload,
    UploadError,
    check_length,
    forget_upload,
    load_upload,
    read_limited,
    stage_media,
)
from webapp.web.api_fields import CREATE_ONLY, FIELDS, episode_json, parse_fields, publish_time
from webapp.web.auth import token_required
from webapp.web.episode_saving import apply_with_files

bp = Blueprint("api", __name__, url_prefix="/api/v1")
T = TypeVar("T")


@bp.before_request
@token_required
def _require_token() -> None:
    """Every API route needs a bearer token."""


@bp.errorhandler(UploadError)
@bp.errorhandler(CatalogError)
def _refused(exc: ValueError) -> Any:
    return jsonify(error="invalid", message=str(exc)), getattr(exc, "status", 400)


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException) -> Any:
    return jsonify(error=exc.name.lower().replace(" ", "_"), message=exc.description), exc.code


def _owner() -> str:
    return f"user:{g.api_user_id}"


def _max_bytes() -> int:
    return int(current_app.config["MAX_UPLOAD_MB"]) * 1024 * 1024


def _episode(session: Session, guid: str) -> Episode:
    episode = session.scalar(select(Episode).where(Episode.guid == guid))
    if episode is None:
        raise NotFound(f"no episode with GUID {guid}")
    return episode


@bp.get("/shows/<slug>/episodes")
def show_episodes(slug: str) -> Any:
    """Every episode of a show, drafts included, newest first."""
    session = services.db()
    show = get_show(session, slug)
    if show is None:
        raise NotFound(f"no show with slug '{slug}'")
    rows = session.scalars(
        select(Episode).where(Episode.show_id == show.id).order_by(Episode.created_at.desc())
    )
    return jsonify(episodes=[episode_json(e) for e in rows])


@bp.post("/uploads")
def upload() -> Any:
    """Stream one media file (raw body) to disk and probe it; use its id to create an episode."""
    check_length(request.content_length, _max_bytes())
    staged = stage_media(
        services.storage(),
        request.stream,
        filename=unquote(request.headers.get("X-Filename", "")),
        max_bytes=_max_bytes(),
        owner=_owner(),
    )
    return jsonify(staged.describe()), 201


def _staged_from_request() -> tuple[dict[str, Any], list[StagedUpload], list[Asset]]:
    """Fields, staged media and small assets from a JSON or multipart request."""
    store = services.storage()
    if request.is_json:
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            raise CatalogError("send a JSON object")
        ids = data.get("upload_ids") or []
        if not isinstance(ids, list):
            raise CatalogError("'upload_ids' must be a list")
        return data, [load_upload(store, str(i), _owner()) for i in dict.fromkeys(ids)], []
    check_length(request.content_length, _max_bytes())
    data = request.form.to_dict(flat=False)
    data = {k: (v if k == "persons" else v[0]) for k, v in data.items()}
    uploads: list[StagedUpload] = []
    try:
        for file in request.files.getlist("media"):
            uploads.append(
                stage_media(store, file.stream, filename=file.filename or "",
                            max_bytes=_max_bytes(), owner=_owner())
            )  # fmt: skip
    except BaseException:
        for staged in uploads:
            forget_upload(store, staged)
        raise
    limits = {"artwork": ARTWORK_LIMIT, "transcript": TRANSCRIPT_LIMIT, "chapters": CHAPTERS_LIMIT}
    try:
        assets = [
            check_asset(name, read_limited(request.files[name].stream, limit, name))
            for name, limit in limits.items()
            if name in request.files
        ]
    except BaseException:
        for staged in uploads:
            forget_upload(store, staged)
        raise
    return data, uploads, assets


@bp.post("/shows/<slug>/episodes")
def create(slug: str) -> Any:
    """Create an episode with its media (multipart, or JSON with upload ids); 201 + episode."""
    if get_show(services.db(), slug) is None:
        raise NotFound(f"no show with slug '{slug}'")
    data, uploads, assets = _staged_from_request()
    # Files sent in this request cannot be named again after a failure: drop them then.
    # Uploads named by id stay staged, so the client can retry with the same ids.
    store = services.storage()
    ephemeral = [] if request.is_json else uploads
    pending = PendingFiles(store)
    pending.claim(uploads)
    try:
        changes, credits = parse_fields(data, FIELDS | CREATE_ONLY)
        tags = [u.info.tags for u in uploads]
        title = changes.pop("title", "") or next((t["title"] for t in tags if "title" in t), "")
        if credits is None:
            credits = [Credit(t["artist"]) for t in tags[:1] if "artist" in t]
        at = publish_time(data.get("at"))
        state = "scheduled" if at else str(data.get("state") or "draft")
        if state not in ("draft", "published", "scheduled"):
            raise CatalogError("'state' must be draft or published (or give 'at' to schedule)")
        if state != "draft" and not uploads:
            raise CatalogError("an episode needs a media file before it can be published")
    except BaseException:
        for staged in ephemeral:
            forget_upload(store, staged)
        raise

    def operation(session: Session) -> dict[str, Any]:
        show = get_show(session, slug)
        if show is None:
            raise NotFound(f"no show with slug '{slug}'")
        episode = create_episode(
            session, show, title=title, credits=credits, state=state, publish_at=at, **changes
        )
        pending.created(episode)
        for staged in uploads:
            pending.add_media(session, episode, staged)
        for asset in assets:
            pending.attach(session, episode, asset)
        return episode_json(episode)

    body = apply_with_files(pending, operation)
    return jsonify(body), 201, {"Location": f"{request.host_url}api/v1/episodes/{body['guid']}"}


@bp.get("/episodes/<guid>")
def get_episode(guid: str) -> Any:
    """One episode by GUID."""
    return jsonify(episode_json(_episode(services.db(), guid)))


@bp.patch("/episodes/<guid>")
def update_episode(guid: str) -> Any:
    """Change an episode's fields (JSON); the GUID and slug never change."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise CatalogError("send a JSON object with the fields to change")
    changes, credits = parse_fields(data, FIELDS)
    with services.work() as session:
        episode = _episode(session, guid)
        update_episode_row(session, episode, **changes)
        if credits is not None:
            set_credits(session, episode, credits)
        body = episode_json(episode)
    return jsonify(body)


@bp.post("/episodes/<guid>/publish")
def publish(guid: str) -> Any:
    """Publish now, or schedule with ``at`` (ISO 8601, in the future)."""
    data = request.get_json(silent=True) or request.form
    at = publish_time(data.get("at"))
    if at is not None and at <= utcnow():
        raise CatalogError("'at' must be in the future (leave it out to publish now)")
    with services.work() as session:
        episode = _episode(session, guid)
        if not episode.media:
            raise CatalogError("an episode needs a media file before it can be published")
        if at is not None:
            set_state(session, episode, "scheduled", at)
        else:
            now = utcnow()
            first = episode.publish_at if episode.publish_at and episode.publish_at <= now else now
            set_state(session, episode, "published", first)
        body = episode_json(episode)
    return jsonify(body)


@bp.post("/episodes/<guid>/unpublish")
def unpublish(guid: str) -> Any:
    """Take an episode out of the feeds."""
    with services.work() as session:
        episode = _episode(session, guid)
        set_state(session, episode, "unpublished")
        body = episode_json(episode)
    return jsonify(body)


@bp.delete("/episodes/<guid>")
def delete(guid: str) -> Any:
    """Delete an episode and the files nothing else uses."""
    pending = PendingFiles(services.storage())

    def operation(session: Session) -> None:
        pending.delete_episode(session, _episode(session, guid))

    apply_with_files(pending, operation)
    return "", 204
