"""Admins manage staff: invitations by one-time link, roles per show, disabling, resets."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from webapp import services
from webapp.catalog.accounts import invite, password_reset, set_active
from webapp.catalog.errors import CatalogError
from webapp.catalog.models import Invite, Show, ShowRole, User, utcnow
from webapp.catalog.operations import get_show
from webapp.catalog.roles import ROLES, grant
from webapp.web.auth import staff_required
from webapp.web.forms import ConfirmForm

bp = Blueprint("staff_users", __name__, url_prefix="/staff/users")


@bp.before_request
@staff_required
def _require_staff() -> None:
    """Every route here refuses anonymous users (and permissions.py: non-admins)."""


def _link(secret: str) -> str:
    return url_for("invites.redeem", secret=secret, _external=True)


def _page(new_link: str | None = None, status: int = 200) -> Any:
    session = services.db()
    shows = list(session.scalars(select(Show).order_by(Show.title)))
    users = list(session.scalars(select(User).order_by(User.email)))
    roles: dict[int, dict[int, str]] = {}
    for row in session.scalars(select(ShowRole)):
        roles.setdefault(row.user_id, {})[row.show_id] = row.role
    invites = session.scalars(
        select(Invite).where(Invite.used_at.is_(None), Invite.expires_at > utcnow())
    )
    return render_template(
        "staff/users.html", users=users, shows=shows, roles=roles, role_names=list(ROLES),
        invites=list(invites), new_link=new_link, form=ConfirmForm(),
    ), status  # fmt: skip


@bp.get("/")
def index() -> Any:
    """Every account with its roles, pending invitations, and the invitation form."""
    return _page()


def _show_id(slug: str) -> int | None:
    if not slug:
        return None
    show = get_show(services.db(), slug)
    if show is None:
        abort(400)
    return show.id


@bp.post("/invite")
def send_invite() -> Any:
    """Make a one-time invitation link (valid for a week) to pass on to the new member."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    role = request.form.get("role") or None
    try:
        with services.work() as session:
            secret = invite(
                session, request.form.get("email", ""), by=current_user.email,
                is_admin=request.form.get("admin") == "1",
                show_id=_show_id(request.form.get("show", "")), role=role,
            )  # fmt: skip
    except CatalogError as exc:
        flash(str(exc), "error")
        return _page(status=400)
    return _page(new_link=_link(secret))


def _user(session: Any, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        abort(404)
    return user  # type: ignore[no-any-return]


@bp.post("/<int:user_id>/active")
def change_active(user_id: int) -> Any:
    """Disable an account (it can no longer sign in or use its tokens), or enable it again."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        with services.work() as session:
            set_active(session, _user(session, user_id), request.form.get("active") == "1")
    except CatalogError as exc:
        flash(str(exc), "error")
        return _page(status=400)
    return redirect(url_for(".index"))


@bp.post("/<int:user_id>/reset")
def reset(user_id: int) -> Any:
    """A one-time link (valid for a day) with which the member sets a new password."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    with services.work() as session:
        secret = password_reset(session, _user(session, user_id), by=current_user.email)
    return _page(new_link=_link(secret))


@bp.post("/<int:user_id>/role")
def change_role(user_id: int) -> Any:
    """Set the member's role in one show (or take it away)."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        with services.work() as session:
            show_id = _show_id(request.form.get("show", ""))
            if show_id is None:
                raise CatalogError("choose a show")
            grant(session, _user(session, user_id), show_id, request.form.get("role", ""))
    except CatalogError as exc:
        flash(str(exc), "error")
        return _page(status=400)
    return redirect(url_for(".index"))
