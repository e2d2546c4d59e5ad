"""Staff pages for shows and collections: list, create, edit (settings, art, slug), archive."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from sqlalchemy import func, select

from webapp import services
from webapp.catalog.models import Episode, Show
from webapp.catalog.operations import CatalogError, get_show
from webapp.catalog.shows import edit_show
from webapp.uploads.show_saving import ShowChanges
from webapp.uploads.staging import ARTWORK_LIMIT, UploadError
from webapp.web.auth import staff_required
from webapp.web.flashes import saved
from webapp.web.forms import ConfirmForm, submitted_file
from webapp.web.public import subscribe_links
from webapp.web.show_forms import NEW_SHOW_DEFAULTS, ShowForm, initial
from webapp.web.shows import save

bp = Blueprint("staff_shows", __name__, url_prefix="/staff/shows")


@bp.before_request
@staff_required
def _require_staff() -> None:
    """Every route here refuses anonymous users."""


@bp.get("/")
def index() -> Any:
    """Every show with its episode count; archived ones only when asked for."""
    session = services.db()
    archived = request.args.get("archived") == "1"
    shows = list(
        session.scalars(select(Show).where(Show.archived == archived).order_by(Show.title))
    )
    counts = dict(
        session.execute(select(Episode.show_id, func.count()).group_by(Episode.show_id)).all()
    )
    return render_template(
        "staff/shows/index.html",
        shows=shows,
        counts=counts,
        archived=archived,
        confirm_form=ConfirmForm(formdata=None),
    )


def _save(form: ShowForm, existing: str | None) -> str:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    changes = ShowChanges(settings=form.settings(), slug=form.slug.data or None)
    changes.artwork = submitted_file(form.artwork, ARTWORK_LIMIT, "artwork")
    return save(app, changes, existing)


def _render(form: ShowForm, show: Show | None, status: int = 200) -> Any:
    links = subscribe_links(show.slug) if show else None
    page = render_template("staff/shows/form.html", form=form, show=show, links=links)
    return page, status


@bp.route("/new", methods=["GET", "POST"])
def new() -> Any:
    """Start a new podcast or collection."""
    form = ShowForm(data=NEW_SHOW_DEFAULTS)
    if not form.validate_on_submit():
        return _render(form, None, 400 if form.is_submitted() else 200)
    try:
        slug = _save(form, None)
    except (CatalogError, UploadError) as exc:
        flash(str(exc), "error")
        return _render(form, None, 400)
    saved("Show created: its feeds can be submitted to podcast directories.")
    return redirect(url_for(".edit", slug=slug))


def _show_or_404(slug: str) -> Show:
    show = get_show(services.db(), slug)
    if show is None:
        abort(404)
    return show


@bp.route("/<slug>/edit", methods=["GET", "POST"])
def edit(slug: str) -> Any:
    """Change a show's settings, cover art or slug."""
    show = _show_or_404(slug)
    form = ShowForm(data=initial(show))
    if not form.validate_on_submit():
        return _render(form, show, 400 if form.is_submitted() else 200)
    try:
        new_slug = _save(form, slug)
    except (CatalogError, UploadError) as exc:
        flash(str(exc), "error")
        return _render(form, show, 400)
    saved("Changes saved.")
    return redirect(url_for(".edit", slug=new_slug))


@bp.post("/<slug>/archive")
def archive(slug: str) -> Any:
    """Archive a show (hidden from the site's lists; its feeds keep working) or bring it back."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    archived = request.form.get("archived", "1") == "1"
    with services.work() as session:
        show = get_show(session, slug)
        if show is None:
            abort(404)
        edit_show(session, show, archived=archived)
        flash(f"“{show.title}” {'archived' if archived else 'restored'}.", "info")
    return redirect(url_for(".index"))
