"""A member's own account: API tokens (scoped, expiring, revocable) and two-factor sign-in."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask import session as cookie
from flask_login import current_user
from sqlalchemy import select

from webapp import services
from webapp.catalog.accounts import (
    TOKEN_SCOPES,
    check_second_factor,
    create_scoped_token,
    disable_totp,
    enable_totp,
    new_totp_secret,
    totp_uri,
)
from webapp.catalog.errors import CatalogError
from webapp.catalog.models import ApiToken, Show, User
from webapp.catalog.operations import get_show
from webapp.web.auth import staff_required
from webapp.web.forms import ConfirmForm

bp = Blueprint("account", __name__, url_prefix="/staff/account")
PENDING_SECRET = "totp_pending_secret"  # noqa: S105 (a session key name, not a secret)


@bp.before_request
@staff_required
def _require_staff() -> None:
    """Every route here refuses anonymous users."""


def _page(new_token: str | None = None, codes: list[str] | None = None, status: int = 200) -> Any:
    session = services.db()
    tokens = session.scalars(
        select(ApiToken).where(ApiToken.user_id == current_user.id).order_by(ApiToken.id)
    )
    pending = cookie.get(PENDING_SECRET)
    uri = (
        totp_uri(pending, current_user.email, current_app.config["SITE_TITLE"]) if pending else None
    )
    return render_template(
        "staff/account.html", tokens=list(tokens), new_token=new_token, codes=codes,
        shows=list(session.scalars(select(Show).order_by(Show.title))), scopes=TOKEN_SCOPES,
        pending=pending, uri=uri, form=ConfirmForm(),
    ), status  # fmt: skip


@bp.get("/")
def index() -> Any:
    """The member's tokens and two-factor state."""
    return _page()


def _me(session: Any) -> User:
    return session.get(User, current_user.id)  # type: ignore[no-any-return]


@bp.post("/tokens")
def new_token() -> Any:
    """Make a token (read or write; one show or all; expiring after N days, or never)."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    slug = request.form.get("show", "")
    days = request.form.get("days", "")
    try:
        with services.work() as session:
            show = get_show(session, slug) if slug else None
            if slug and show is None:
                raise CatalogError(f"no show {slug}")
            token = create_scoped_token(
                session, _me(session), request.form.get("label", "")[:200],
                scope=request.form.get("scope", "read"), show_id=show.id if show else None,
                days=int(days) if days.isdigit() and int(days) > 0 else None,
            )  # fmt: skip
    except CatalogError as exc:
        flash(str(exc), "error")
        return _page(status=400)
    return _page(new_token=token)


@bp.post("/tokens/<int:token_id>/revoke")
def revoke(token_id: int) -> Any:
    """Revoke one of the member's own tokens: it stops working at once."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    with services.work() as session:
        row = session.get(ApiToken, token_id)
        if row is None or row.user_id != current_user.id:
            abort(404)
        row.revoked = True
    flash("Token revoked.", "info")
    return redirect(url_for(".index"))


@bp.post("/two-factor/start")
def start_two_factor() -> Any:
    """A new secret for the authenticator app, kept in the signed session until confirmed."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    cookie[PENDING_SECRET] = new_totp_secret()
    return redirect(url_for(".index"))


@bp.post("/two-factor/confirm")
def confirm_two_factor() -> Any:
    """Turn two-factor sign-in on with a code from the app; show the recovery codes once."""
    secret = cookie.get(PENDING_SECRET)
    if not ConfirmForm().validate_on_submit() or not secret:
        abort(400)
    try:
        with services.work() as session:
            codes = enable_totp(_me(session), secret, request.form.get("code", ""))
    except CatalogError as exc:
        flash(str(exc), "error")
        return _page(status=400)
    cookie.pop(PENDING_SECRET, None)
    return _page(codes=codes)


@bp.post("/two-factor/off")
def two_factor_off() -> Any:
    """Turn two-factor sign-in off: needs a current code (or a recovery code)."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    with services.work() as session:
        me = _me(session)
        if not check_second_factor(me, request.form.get("code", "")):
            flash("That code does not match.", "error")
            return _page(status=400)
        disable_totp(me)
    flash("Two-factor sign-in is off.", "info")
    return redirect(url_for(".index"))
