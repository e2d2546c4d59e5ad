"""Staff pages for people: every speaker and host with their talks; merge two records of
one person, split one record of two."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import func, select

from webapp import services
from webapp.catalog.errors import CatalogError
from webapp.catalog.models import Episode, EpisodePerson, Person
from webapp.catalog.people import merge_people, split_person
from webapp.web.auth import staff_required
from webapp.web.forms import ConfirmForm

bp = Blueprint("staff_people", __name__, url_prefix="/staff/people")


@bp.before_request
@staff_required
def _require_staff() -> None:
    """Every route here refuses anonymous users."""


@bp.get("/")
def index() -> Any:
    """Everyone credited, with how many talks; same-surname records side by side."""
    session = services.db()
    rows = session.execute(
        select(Person, func.count(EpisodePerson.episode_id))
        .outerjoin(EpisodePerson, EpisodePerson.person_id == Person.id)
        .group_by(Person.id)
        .order_by(Person.name)
    ).all()
    return render_template("staff/people/index.html", rows=rows)


def _person(slug: str) -> Person:
    person = services.db().scalar(select(Person).where(Person.slug == slug))
    if person is None:
        abort(404)
    return person


def _talks(person: Person) -> list[Episode]:
    query = (
        select(Episode)
        .join(EpisodePerson, EpisodePerson.episode_id == Episode.id)
        .where(EpisodePerson.person_id == person.id)
        .order_by(Episode.recorded_start, Episode.title)
    )
    return list(services.db().scalars(query))


@bp.get("/<slug>")
def show(slug: str) -> Any:
    """One person's talks, and the merge and split forms."""
    person = _person(slug)
    others = services.db().scalars(
        select(Person).where(Person.id != person.id).order_by(Person.name)
    )
    return render_template(
        "staff/people/person.html",
        person=person,
        talks=_talks(person),
        others=list(others),
        form=ConfirmForm(formdata=None),
    )


@bp.post("/<slug>/merge")
def merge(slug: str) -> Any:
    """Merge this person into another: their talks move, this name stays as an alias."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    with services.work() as session:
        source = session.scalar(select(Person).where(Person.slug == slug))
        target = session.scalar(select(Person).where(Person.slug == request.form.get("into", "")))
        if source is None or target is None:
            abort(404)
        try:
            merged = merge_people(session, source, target)
        except CatalogError as exc:
            flash(str(exc), "error")
            return redirect(url_for("staff_people.show", slug=slug))
        flash(f"Merged into {merged.name}.", "info")
        target_slug = merged.slug
    return redirect(url_for("staff_people.show", slug=target_slug))


@bp.post("/<slug>/split")
def split(slug: str) -> Any:
    """Give the chosen talks to another person (a new record unless the name exists)."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    ids = [int(x) for x in request.form.getlist("episode") if x.isdigit()]
    with services.work() as session:
        person = session.scalar(select(Person).where(Person.slug == slug))
        if person is None:
            abort(404)
        try:
            other = split_person(session, person, ids, request.form.get("name", ""))
        except CatalogError as exc:
            flash(str(exc), "error")
            return redirect(url_for("staff_people.show", slug=slug))
        flash(f"{len(ids)} talk(s) now credited to {other.name}.", "info")
    return redirect(url_for("staff_people.show", slug=slug))
