"""Staff pages for upstream sources: their state, "check now", job history, removed talks."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, ValidationError

from webapp import services
from webapp.catalog.models import Episode, EpisodeChange, JobRun, MediaTask, Show, Source
from webapp.catalog.operations import delete_episode
from webapp.ingest.sources import (
    KINDS,
    SourceError,
    add_source,
    address_policy,
    all_sources,
    format_every,
    parse_every,
)
from webapp.ingest.sync import keep_episode
from webapp.jobs import tasks
from webapp.jobs.tasks import JOBS
from webapp.uploads.pending import unreferenced
from webapp.web.auth import staff_required

bp = Blueprint("staff_sources", __name__, url_prefix="/staff/sources")
HISTORY_LIMIT = 200


def history(session: Session, episode_id: int) -> list[EpisodeChange]:
    """An episode's import history, newest first."""
    query = (
        select(EpisodeChange)
        .where(EpisodeChange.episode_id == episode_id)
        .order_by(EpisodeChange.at.desc(), EpisodeChange.id.desc())
    )
    return list(session.scalars(query))


def removed_upstream(session: Session) -> list[Episode]:
    """Episodes marked as gone upstream, waiting for staff to keep or delete them."""
    query = (
        select(Episode)
        .where(Episode.upstream_removed.is_(True))
        .options(selectinload(Episode.show))
        .order_by(Episode.updated_at.desc())
    )
    return list(session.scalars(query))


@bp.before_request
@staff_required
def _require_staff() -> None:
    """Every page here refuses anonymous users."""


def _valid_every(_form: Any, field: Any) -> None:
    try:
        parse_every(field.data)
    except SourceError as exc:
        raise ValidationError(str(exc)) from exc


class SourceForm(FlaskForm):  # type: ignore[misc]
    url = StringField("URL", validators=[DataRequired(), Length(max=1000)])
    kind = SelectField("Kind", choices=[SelectChoice(k) for k in KINDS])
    into = SelectField("Import into show", validators=[DataRequired()])
    every = StringField("Check every", default="6h", validators=[DataRequired(), _valid_every])


def _form() -> SourceForm:
    form = SourceForm()
    shows = services.db().execute(select(Show.slug, Show.title).order_by(Show.title)).all()
    form.into.choices = [SelectChoice(slug, title) for slug, title in shows]
    return form


def _downloads(session: Session) -> list[MediaTask]:
    """Recordings being copied from upstream, and the last ones that finished or failed."""
    query = select(MediaTask).where(MediaTask.kind == "download")
    active = query.where(MediaTask.state.in_(("pending", "running")))
    recent = query.where(MediaTask.state.not_in(("pending", "running")))
    rows = list(session.scalars(active.order_by(MediaTask.id)))
    return rows + list(session.scalars(recent.order_by(MediaTask.updated_at.desc()).limit(10)))


def _page(form: SourceForm | None = None) -> str:
    session = services.db()
    return render_template(
        "staff/sources.html",
        sources=all_sources(session),
        removed=removed_upstream(session),
        downloads=_downloads(session),
        form=form or _form(),
        every=format_every,
    )


@bp.get("/")
@staff_required
def index() -> Any:
    """Sources with last/next check and last error, the add form, talks gone upstream."""
    return _page()


@bp.post("/")
@staff_required
def add() -> Any:
    """Add a source from the form."""
    form = _form()
    if not form.validate_on_submit():
        return _page(form), 400
    try:
        with services.work() as session:
            source = add_source(
                session, kind=form.kind.data, url=form.url.data, into=form.into.data,
                every=form.every.data, base_url=current_app.config["BASE_URL"], origin="ui",
                policy=address_policy(current_app.config),
            )  # fmt: skip
            flash(f"Source {source.id} added: it is checked at the next scheduler run.", "info")
    except SourceError as exc:
        form.url.errors.append(str(exc))
        return _page(form), 400
    return redirect(url_for(".index"))


@bp.post("/<int:source_id>/check")
@staff_required
def check_now(source_id: int) -> Any:
    """Check a source now, whatever its schedule, and say what happened."""
    if services.db().get(Source, source_id) is None:
        abort(404)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    report = tasks.check_source(app, source_id)
    message = f"Source {source_id}: {report.outcome}, {report.added} added, "
    message += f"{report.updated} updated" + (f" ({report.error})" if report.error else "")
    flash(message, "error" if report.outcome == "error" else "info")
    return redirect(url_for(".index"))


@bp.get("/jobs")
@staff_required
def job_history() -> Any:
    """The latest job runs, newest first; ``?source=ID``, ``?job=NAME``, ``?failed=1`` narrow."""
    query = select(JobRun).order_by(JobRun.started_at.desc(), JobRun.id.desc())
    source_id = request.args.get("source", type=int)
    job = request.args.get("job", "")
    failed = request.args.get("failed") == "1"
    if source_id is not None:
        query = query.where(JobRun.source_id == source_id)
    if job:
        query = query.where(JobRun.job == job)
    if failed:
        query = query.where(JobRun.outcome.in_(("error", "partial")))
    runs = list(services.db().scalars(query.limit(HISTORY_LIMIT)))
    return render_template(
        "staff/jobs.html", runs=runs, source_id=source_id, job=job, failed=failed, jobs=JOBS
    )


def _removed_episode(session: Session, episode_id: int) -> Episode:
    """The episode, if it is one that vanished upstream; 404 otherwise."""
    episode = session.get(Episode, episode_id)
    if episode is None or not episode.upstream_removed:
        abort(404)
    return episode


@bp.post("/episodes/<int:episode_id>/keep")
@staff_required
def keep(episode_id: int) -> Any:
    """Keep a talk that vanished upstream; it is never marked again."""
    with services.work() as session:
        episode = _removed_episode(session, episode_id)
        keep_episode(session, episode)
        flash(f"Kept “{episode.title}”.", "info")
    return redirect(url_for(".index"))


@bp.post("/episodes/<int:episode_id>/delete")
@staff_required
def delete(episode_id: int) -> Any:
    """Delete a talk that vanished upstream, with any files no one else uses."""
    with services.work() as session:
        episode = _removed_episode(session, episode_id)
        title = episode.title
        keys = delete_episode(session, episode)
        orphans = sorted(unreferenced(session, set(keys)))
    storage = services.storage()
    for key in orphans:
        storage.delete(key)
    flash(f"Deleted “{title}”.", "info")
    return redirect(url_for(".index"))


@bp.get("/episodes/<int:episode_id>/history")
@staff_required
def episode_history(episode_id: int) -> Any:
    """What each upstream check changed on one episode."""
    session = services.db()
    episode = session.get(Episode, episode_id)
    if episode is None:
        abort(404)
    rows = [(c, json.loads(c.changes or "{}")) for c in history(session, episode_id)]
    source = session.get(Source, episode.source_id) if episode.source_id else None
    return render_template("staff/sources_history.html", episode=episode, rows=rows, source=source)
