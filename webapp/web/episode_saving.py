"""Saving the staff episode forms: catalogue rows first, files moved into storage after.

Views stay thin: they validate the form and call ``save_new_episode`` or
``save_episode_changes``; these turn form data into catalogue operations inside one unit of
work run by ``PendingFiles``, which stores the files only once the rows have committed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import current_app
from flask_login import current_user
from sqlalchemy.orm import Session

from webapp import services
from webapp.catalog.models import Episode, Show
from webapp.catalog.operations import (
    CatalogError,
    Credit,
    create_episode,
    set_credits,
    update_episode,
)
from webapp.uploads.pending import Asset, PendingFiles, check_asset
from webapp.uploads.staging import (
    ARTWORK_LIMIT,
    CHAPTERS_LIMIT,
    TRANSCRIPT_LIMIT,
    StagedUpload,
    load_upload,
)
from webapp.web.forms import (
    EditEpisodeForm,
    EpisodeFields,
    NewEpisodeForm,
    local_to_utc,
    parse_credits,
    submitted_file,
)

T = TypeVar("T")


def _tz() -> str:
    return str(current_app.config["TIMEZONE"])


def _owner() -> str:
    return f"user:{current_user.id}"


def apply_with_files(pending: PendingFiles, operation: Callable[[Session], T]) -> T:
    """Commit the rows (with their feed rebuild marks), then move the files into place; the
    feeds follow (``services.feeds_changed``)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    factory = services.session_factory(app)
    return pending.apply(factory, operation, lambda ids: services.feeds_changed(app, ids))


def staged_uploads(form: EpisodeFields) -> list[StagedUpload]:
    """The uploads the browser sent ahead, by the ids the form carries."""
    store = services.storage()
    return [load_upload(store, upload_id, _owner()) for upload_id in form.upload_id_list()]


def _assets(form: EpisodeFields) -> list[Asset]:
    """The small files attached to the form, read whole and checked before any row is written."""
    limits = {"artwork": ARTWORK_LIMIT, "transcript": TRANSCRIPT_LIMIT, "chapters": CHAPTERS_LIMIT}
    found = []
    for name, limit in limits.items():
        data = submitted_file(form[name], limit, name)
        if data is not None:
            found.append(check_asset(name, data))
    return found


def save_new_episode(form: NewEpisodeForm, uploads: list[StagedUpload]) -> int:
    """Create the episode of the upload form with its files; returns its id."""
    changes = form.episode_changes(_tz())
    tags = [u.info.tags for u in uploads]
    # Staff may leave title and speakers empty: the file's own tags fill them in.
    title = changes.pop("title", None) or next((t["title"] for t in tags if "title" in t), "")
    if not title:
        raise CatalogError("Give the episode a title (the uploaded file has none in its tags).")
    credits = parse_credits(form.persons.data or "") or [
        Credit(t["artist"]) for t in tags[:1] if "artist" in t
    ]
    state, publish_at = "draft", None
    if form.publish.data == "now":
        state = "published"
    elif form.publish.data == "schedule":
        state, publish_at = "scheduled", local_to_utc(form.publish_at.data, _tz())
    if state != "draft" and not uploads:
        raise CatalogError("Add at least one audio or video file before publishing.")
    assets = _assets(form)
    pending = PendingFiles(services.storage())
    pending.claim(uploads)

    def operation(session: Session) -> int:
        show = session.get(Show, form.show_id.data)
        if show is None:
            raise CatalogError("That show no longer exists.")
        episode = create_episode(
            session, show, title=title, credits=credits, state=state, publish_at=publish_at,
            **changes,
        )  # fmt: skip
        pending.created(episode)
        for upload in uploads:
            pending.add_media(session, episode, upload)
        for asset in assets:
            pending.attach(session, episode, asset)
        return episode.id

    return apply_with_files(pending, operation)


def save_episode_changes(
    episode_id: int, form: EditEpisodeForm, uploads: list[StagedUpload]
) -> None:
    """Apply the edit form: fields, credits, removed and added media, new assets."""
    changes = form.episode_changes(_tz())
    changes["title"] = form.title.data or ""
    assets = _assets(form)
    pending = PendingFiles(services.storage())
    pending.claim(uploads)
    removed = set(form.remove_media.data or [])

    def operation(session: Session) -> None:
        episode = session.get(Episode, episode_id)
        if episode is None:
            raise CatalogError("That episode no longer exists.")
        update_episode(session, episode, **changes)
        set_credits(session, episode, parse_credits(form.persons.data or ""))
        for media in [m for m in episode.media if m.id in removed]:
            pending.remove_media(session, episode, media)
        for upload in uploads:
            pending.add_media(session, episode, upload)
        for asset in assets:
            pending.attach(session, episode, asset)
        if episode.state in ("published", "scheduled") and not episode.media:
            raise CatalogError("A published or scheduled episode needs a media file.")

    apply_with_files(pending, operation)
