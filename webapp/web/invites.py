"""The one-time link of an invitation or a password reset: choose a password, then sign in."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_wtf import FlaskForm
from wtforms import PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

from webapp import services
from webapp.catalog.accounts import pending_invite
from webapp.catalog.accounts import redeem as use_link
from webapp.catalog.audit import ACTOR
from webapp.catalog.errors import CatalogError
from webapp.web.auth import MIN_PASSWORD, hash_password

bp = Blueprint("invites", __name__, url_prefix="/staff/invite")


class PasswordForm(FlaskForm):  # type: ignore[misc]
    password = PasswordField(
        "New password", validators=[DataRequired(), Length(min=MIN_PASSWORD, max=500)]
    )
    confirm = PasswordField(
        "The same again", validators=[EqualTo("password", message="The two do not match.")]
    )


@bp.route("/<secret>", methods=["GET", "POST"])
def redeem(secret: str) -> Any:
    """Set the password of a new account (invitation) or an existing one (reset)."""
    row = pending_invite(services.db(), secret)
    if row is None:
        message = "This link has expired or was already used; ask an admin for a new one."
        return render_template("error.html", code=410, title="Link expired", message=message), 410
    form = PasswordForm()
    if form.validate_on_submit():
        ACTOR.set(f"{row.email} (one-time link)")
        try:
            with services.work() as session:
                use_link(session, secret, hash_password(form.password.data))
        except CatalogError as exc:
            flash(str(exc), "error")
            return render_template(
                "staff/invite.html", form=form, invite=row, min_password=MIN_PASSWORD
            ), 400
        flash("Password set: sign in with it now.", "info")
        return redirect(url_for("auth.login"))
    status = 400 if form.is_submitted() else 200
    return render_template(
        "staff/invite.html", form=form, invite=row, min_password=MIN_PASSWORD
    ), status
