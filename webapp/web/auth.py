"""Staff sign-in (Flask-Login), API bearer tokens, CSRF and the sign-in rate limit."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Blueprint, Flask, flash, g, jsonify, redirect, render_template, request
from flask import session as cookie
from flask import url_for as flask_url_for
from flask_login import LoginManager, current_user, login_user, logout_user
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Length, Regexp

from webapp import services
from webapp.catalog.accounts import check_second_factor, create_scoped_token, token_user
from webapp.catalog.audit import ACTOR
from webapp.catalog.models import LoginAttempt, User, utcnow

bp = Blueprint("auth", __name__, url_prefix="/staff")
login_manager = LoginManager()
csrf = CSRFProtect()

F = TypeVar("F", bound=Callable[..., Any])

MIN_PASSWORD = 10
SECOND_FACTOR = "signin_second_factor_user"
MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)


class AuthError(ValueError):
    """A user or token request that cannot be carried out; the message is for people."""


def hash_password(password: str) -> str:
    """A salted, slow hash (scrypt) of a password."""
    return generate_password_hash(password, method="scrypt")


def create_user(session: Session, email: str, password: str, admin: bool | None = None) -> User:
    """Create a staff account; the password is stored only as a hash.

    With ``admin`` None the account is an admin only if there is none yet: the first
    account of a new site runs it, and later ones get roles per show.
    """
    email = email.strip().lower()
    if "@" not in email:
        raise AuthError("give an email address")
    if len(password) < MIN_PASSWORD:
        raise AuthError(f"the password must have at least {MIN_PASSWORD} characters")
    if session.scalar(select(User).where(User.email == email)):
        raise AuthError(f"a user {email} already exists")
    if admin is None:
        admin = session.scalar(select(User.id).where(User.is_admin.is_(True)).limit(1)) is None
    user = User(email=email, password_hash=hash_password(password), is_admin=admin)
    session.add(user)
    session.flush()
    return user


def create_token(session: Session, user: User, label: str = "") -> str:
    """A new write token for all the user's shows; shown now or never (only a hash is kept)."""
    return create_scoped_token(session, user, label)


def user_for_token(session: Session, token: str) -> User | None:
    """The active user an unrevoked, unexpired bearer token belongs to, or None."""
    found = token_user(session, token)
    return found[0] if found else None


def staff_required(view: F) -> F:
    """Only signed-in staff; others are sent to the sign-in page."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        ACTOR.set(current_user.email)
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def token_required(view: F) -> F:
    """Only requests with a valid ``Authorization: Bearer <token>``; sets ``g.api_user``."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return _unauthorized("send Authorization: Bearer <token>")
        with services.work() as session:
            found = token_user(session, token.strip())
            if found is None:
                return _unauthorized("unknown, expired or revoked token")
            user, row = found
            g.api_user_id, g.api_token_scope, g.api_token_show = user.id, row.scope, row.show_id
            ACTOR.set(f"{user.email} (API token)")
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def _unauthorized(message: str) -> Any:
    response = jsonify(error="unauthorized", message=message)
    response.status_code = 401
    response.headers["WWW-Authenticate"] = 'Bearer realm="talkcast"'
    return response


class LoginForm(FlaskForm):  # type: ignore[misc]
    # WTForms' Email() needs the email_validator package; the address only has to look like one
    # here, since sign-in compares it with the stored address.
    email = EmailField(
        "Email",
        validators=[
            DataRequired(),
            Regexp(r"^[^@\s]+@[^@\s]+$", message="Enter an email address."),
            Length(max=320),
        ],
    )
    password = PasswordField("Password", validators=[DataRequired(), Length(max=500)])


def _too_many_failures(session: Session, keys: list[str]) -> bool:
    since = utcnow() - FAILURE_WINDOW
    session.execute(delete(LoginAttempt).where(LoginAttempt.at < since))
    # Each failure is recorded once per key (email and address): count them key by key.
    counts = session.execute(
        select(LoginAttempt.key, func.count())
        .where(LoginAttempt.key.in_(keys))
        .group_by(LoginAttempt.key)
    ).all()
    return any(count >= MAX_FAILURES for _key, count in counts)


def _safe_next(target: str | None) -> str:
    """Only same-site paths after sign-in: never an open redirect."""
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return flask_url_for("staff.dashboard")


def _signed_in(user: User) -> Any:
    """Both factors (or the only one) checked: start the session, go where asked."""
    user.last_login_at = utcnow()
    login_user(user)
    return redirect(_safe_next(request.args.get("next")))


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    """Sign in with email and password; five failures in 15 minutes lock the form."""
    form = LoginForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        keys = [f"email:{email}", f"ip:{request.remote_addr}"]
        with services.work() as session:
            if _too_many_failures(session, keys):
                flash("Too many failed sign-ins. Try again in 15 minutes.", "error")
                return render_template("staff/login.html", form=form), 429
            user = session.scalar(select(User).where(User.email == email))
            if user and user.active and check_password_hash(user.password_hash, form.password.data):
                if user.totp_secret:
                    # The password is right; the code from the app comes next.
                    cookie[SECOND_FACTOR] = user.id
                    next_url = _safe_next(request.args.get("next"))
                    return redirect(flask_url_for("auth.second_factor", next=next_url))
                return _signed_in(user)
            session.add_all(LoginAttempt(key=k) for k in keys)
        flash("Wrong email or password.", "error")
        return render_template("staff/login.html", form=form), 401
    return render_template("staff/login.html", form=form)


class CodeForm(FlaskForm):  # type: ignore[misc]
    code = StringField("Code from your app, or a recovery code", validators=[DataRequired()])


@bp.route("/login/code", methods=["GET", "POST"])
def second_factor() -> Any:
    """The second step of sign-in for accounts with two-factor sign-in on."""
    user_id = cookie.get(SECOND_FACTOR)
    if user_id is None:
        return redirect(flask_url_for("auth.login"))
    form = CodeForm()
    if form.validate_on_submit():
        keys = [f"user:{user_id}", f"ip:{request.remote_addr}"]
        with services.work() as session:
            if _too_many_failures(session, keys):
                flash("Too many wrong codes. Try again in 15 minutes.", "error")
                return render_template("staff/login_code.html", form=form), 429
            user = session.get(User, user_id)
            if user and user.active and check_second_factor(user, form.code.data):
                cookie.pop(SECOND_FACTOR, None)
                return _signed_in(user)
            session.add_all(LoginAttempt(key=k) for k in keys)
        flash("That code does not match.", "error")
        return render_template("staff/login_code.html", form=form), 401
    return render_template("staff/login_code.html", form=form)


@bp.post("/logout")
def logout() -> Any:
    """Sign out (POST with a CSRF token, so another site cannot sign staff out)."""
    logout_user()
    flash("Signed out.", "info")
    return redirect(flask_url_for("public.home"))


def _load_user(user_id: str) -> User | None:
    try:
        user = services.db().get(User, int(user_id))
    except ValueError:
        return None
    return user if user and user.active else None


def init_app(app: Flask) -> None:
    """Wire Flask-Login, CSRF protection and cookie settings into the app."""
    secure = app.config["BASE_URL"].startswith("https://")
    # Flask's own defaults are already in app.config (SameSite None, Secure off, 31-day
    # sessions), so setdefault would never apply ours: tighten whatever was not tightened.
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = app.config.get("SESSION_COOKIE_SAMESITE") or "Lax"
    app.config["SESSION_COOKIE_SECURE"] = bool(app.config.get("SESSION_COOKIE_SECURE")) or secure
    app.config.setdefault("REMEMBER_COOKIE_HTTPONLY", True)
    app.config.setdefault("REMEMBER_COOKIE_SECURE", secure)
    if app.config.get("PERMANENT_SESSION_LIFETIME") == timedelta(days=31):
        app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=12)
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    login_manager.init_app(app)
    login_manager.user_loader(_load_user)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Sign in to continue."
    login_manager.session_protection = "strong"
    csrf.init_app(app)

    @app.before_request
    def _anonymous_until_signed_in() -> None:
        # Threads serve request after request: nobody's name may carry over to the next.
        ACTOR.set("web (signed out)")

    app.register_blueprint(bp)
