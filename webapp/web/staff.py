"""Staff pages: dashboard, media upload, new and edited episodes, publishing and deleting.

Every route needs a signed-in user, and every POST a CSRF token (Flask-WTF checks the form
field, or the ``X-CSRFToken`` header for the upload XHR).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import unquote

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload
from wtforms.fields.choices import SelectChoice

from webapp import services
from webapp.catalog.models import Episode, MediaFile, MediaTask, Show, utcnow
from webapp.catalog.operations import CatalogError, set_state
from webapp.uploads.pending import PendingFiles
from webapp.uploads.staging import UploadError, check_length, load_upload, stage_media
from webapp.web.auth import staff_required
from webapp.web.episode_saving import (
    apply_with_files,
    save_episode_changes,
    save_new_episode,
    staged_uploads,
)
from webapp.web.flashes import saved
from webapp.web.forms import (
    ConfirmForm,
    EditEpisodeForm,
    EpisodeFields,
    NewEpisodeForm,
    ScheduleForm,
    format_credits,
    local_to_utc,
    utc_to_local,
)
from webapp.web.public import subscribe_links

bp = Blueprint("staff", __name__, url_prefix="/staff")


@bp.before_request
@staff_required
def _require_staff() -> None:
    """Every staff route refuses anonymous users."""


@bp.app_errorhandler(CSRFError)
def _csrf_error(exc: CSRFError) -> Any:
    message = f"The form's security token is missing or wrong ({exc.description}): reload the page."
    if request.path.endswith("/uploads"):
        return jsonify(error="csrf", message=message), 400
    return render_template("error.html", code=400, title="Bad request", message=message), 400


def _tz() -> str:
    return str(current_app.config["TIMEZONE"])


def _owner() -> str:
    return f"user:{current_user.id}"


@bp.get("/")
def dashboard() -> Any:
    """Shows with their feed URLs, episodes with their state, and recent uploads."""
    session = services.db()
    shows = list(session.scalars(select(Show).order_by(Show.title)))
    episodes = session.scalars(
        select(Episode)
        .options(selectinload(Episode.show))
        .order_by(Episode.updated_at.desc())
        .limit(50)
    )
    uploads = session.scalars(
        select(MediaFile)
        .where(MediaFile.storage_key.is_not(None))
        .order_by(MediaFile.created_at.desc(), MediaFile.id.desc())
        .limit(10)
    )
    return render_template(
        "staff/dashboard.html",
        shows=shows,
        feeds={s.id: subscribe_links(s.slug) for s in shows},
        episodes=list(episodes),
        uploads=list(uploads),
        local=lambda dt: utc_to_local(dt, _tz()),
    )


@bp.post("/uploads")
def upload_media() -> Any:
    """Stream one media file (the raw body; its name in X-Filename) to disk and probe it."""
    max_bytes = int(current_app.config["MAX_UPLOAD_MB"]) * 1024 * 1024
    try:
        check_length(request.content_length, max_bytes)
        upload = stage_media(
            services.storage(),
            request.stream,
            filename=unquote(request.headers.get("X-Filename", "")),
            max_bytes=max_bytes,
            owner=_owner(),
        )
    except UploadError as exc:
        return jsonify(error="upload", message=str(exc)), exc.status
    return jsonify(upload.describe()), 201


def _media_tasks(episode: Episode | None) -> list[MediaTask]:
    """The episode's background media work (audio renditions), newest first."""
    if episode is None:
        return []
    query = select(MediaTask).where(MediaTask.episode_id == episode.id)
    return list(services.db().scalars(query.order_by(MediaTask.id.desc())))


def _render_form(form: EpisodeFields, episode: Episode | None, status: int = 200) -> Any:
    pending = []
    for upload_id in form.upload_id_list():
        try:
            pending.append(load_upload(services.storage(), upload_id, _owner()))
        except UploadError:
            continue
    context = {
        "form": form,
        "episode": episode,
        "pending": pending,
        "max_bytes": int(current_app.config["MAX_UPLOAD_MB"]) * 1024 * 1024,
        "media_tasks": _media_tasks(episode),
        "schedule_form": ScheduleForm(formdata=None),
        "confirm_form": ConfirmForm(formdata=None),
        "local": lambda dt: utc_to_local(dt, _tz()),
        "now": utcnow,
    }
    return render_template("staff/episode_form.html", **context), status


@bp.route("/episodes/new", methods=["GET", "POST"])
def new_episode() -> Any:
    """The upload form: media (sent ahead by XHR), details, artwork, transcript, chapters."""
    shows = services.db().scalars(select(Show).order_by(Show.title))
    form = NewEpisodeForm()
    form.show_id.choices = [SelectChoice(s.id, f"{s.title} ({s.kind})") for s in shows]
    if not form.validate_on_submit():
        return _render_form(form, None, 400 if form.is_submitted() else 200)
    try:
        episode_id = save_new_episode(form, staged_uploads(form))
    except (UploadError, CatalogError) as exc:
        flash(str(exc), "error")
        return _render_form(form, None, 400)
    saved("Episode saved.")
    return redirect(url_for(".edit_episode", episode_id=episode_id))


def _episode_or_404(episode_id: int) -> Episode:
    episode = services.db().get(Episode, episode_id)
    if episode is None:
        abort(404)
    return episode


def _initial(episode: Episode) -> dict[str, Any]:
    return {
        "title": episode.title,
        "description": episode.description_html,
        "persons": format_credits(episode),
        "recorded": utc_to_local(episode.recorded_start, _tz()),
        "season": episode.season,
        "number": episode.number,
        "explicit": episode.explicit,
        "episode_type": episode.episode_type,
        "venue": episode.venue or "",
        "soundbites": episode.soundbites,
        "social_uri": episode.social_uri or "",
        "links": episode.links,
    }


@bp.route("/episodes/<int:episode_id>/edit", methods=["GET", "POST"])
def edit_episode(episode_id: int) -> Any:
    """Change an episode's details, add or remove media, replace artwork and text files."""
    episode = _episode_or_404(episode_id)
    form = EditEpisodeForm(data=_initial(episode))
    form.remove_media.choices = [
        SelectChoice(m.id, m.original_name or m.mime_type) for m in episode.media
    ]
    if not form.validate_on_submit():
        return _render_form(form, episode, 400 if form.is_submitted() else 200)
    try:
        save_episode_changes(episode_id, form, staged_uploads(form))
    except (UploadError, CatalogError) as exc:
        flash(str(exc), "error")
        return _render_form(form, episode, 400)
    saved("Changes saved.")
    return redirect(url_for(".edit_episode", episode_id=episode_id))


@bp.post("/episodes/<int:episode_id>/publish")
def publish_episode(episode_id: int) -> Any:
    """Publish now, or schedule for a future time (institute time zone)."""
    form = ScheduleForm()
    target = redirect(url_for(".edit_episode", episode_id=episode_id))
    if not form.validate_on_submit():
        for error in form.publish_at.errors:
            flash(str(error), "error")
        return target
    with services.work() as session:
        episode = session.get(Episode, episode_id) or abort(404)
        if not episode.media:
            flash("Add at least one audio or video file before publishing.", "error")
            return target
        if form.publish_at.data is not None:
            when = local_to_utc(form.publish_at.data, _tz())
            set_state(session, episode, "scheduled", when)
            flash(f"Scheduled for {form.publish_at.data:%d %b %Y %H:%M}.", "info")
        else:
            set_state(session, episode, "published", _publish_now_time(episode))
            saved("Published.")
    return target


def _publish_now_time(episode: Episode) -> datetime:
    """Republishing keeps the first publication date; a scheduled one is brought forward."""
    now = utcnow()
    return episode.publish_at if episode.publish_at and episode.publish_at <= now else now


@bp.post("/episodes/<int:episode_id>/unpublish")
def unpublish_episode(episode_id: int) -> Any:
    """Take an episode out of the feeds and public pages (it can be published again)."""
    if ConfirmForm().validate_on_submit():
        with services.work() as session:
            episode = session.get(Episode, episode_id) or abort(404)
            set_state(session, episode, "unpublished")
        saved("Unpublished: the episode leaves the feeds.")
    return redirect(url_for(".edit_episode", episode_id=episode_id))


@bp.route("/episodes/<int:episode_id>/delete", methods=["GET", "POST"])
def delete_episode(episode_id: int) -> Any:
    """Ask for confirmation, then delete the episode and the files no one else uses."""
    episode = _episode_or_404(episode_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        return render_template("staff/episode_delete.html", episode=episode, form=form)
    pending = PendingFiles(services.storage())

    def operation(session: Session) -> None:
        row = session.get(Episode, episode_id)
        if row is not None:
            pending.delete_episode(session, row)

    apply_with_files(pending, operation)
    saved(f"Deleted “{episode.title}”.")
    return redirect(url_for(".dashboard"))
