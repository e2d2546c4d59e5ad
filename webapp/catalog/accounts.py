"""Staff accounts: invitations and password resets by one-time link, disabling, scoped API
tokens, and two-factor sign-in (TOTP, RFC 6238) with recovery codes.

Links, tokens and recovery codes are random and kept only as SHA-256s: a copy of the
database lets nobody in.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import datetime, timedelta

import pyotp
from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.catalog.errors import CatalogError
from webapp.catalog.models import ApiToken, Invite, User, utcnow
from webapp.catalog.roles import ROLES, grant

INVITE_DAYS = 7
RESET_HOURS = 24
RECOVERY_CODES = 10
TOKEN_SCOPES = ("read", "write")


def digest(secret: str) -> str:
    """The SHA-256 under which a link, token or recovery code is kept."""
    return hashlib.sha256(secret.encode()).hexdigest()


def invite(
    session: Session,
    email: str,
    *,
    by: str,
    is_admin: bool = False,
    show_id: int | None = None,
    role: str | None = None,
) -> str:
    """A one-time invitation for a new account; returns the secret for the link."""
    email = email.strip().lower()
    if "@" not in email:
        raise CatalogError("give an email address")
    if session.scalar(select(User.id).where(User.email == email)):
        raise CatalogError(f"{email} already has an account")
    if role is not None and role not in ROLES:
        raise CatalogError(f"role must be one of {', '.join(ROLES)}")
    secret = secrets.token_urlsafe(32)
    session.add(
        Invite(
            token_hash=digest(secret), email=email, purpose="invite", is_admin=is_admin,
            show_id=show_id if role else None, role=role if show_id else None, created_by=by,
            expires_at=utcnow() + timedelta(days=INVITE_DAYS),
        )
    )  # fmt: skip
    session.flush()
    return secret


def password_reset(session: Session, user: User, *, by: str) -> str:
    """A one-time link to set a new password (the old one keeps working until then)."""
    secret = secrets.token_urlsafe(32)
    session.add(
        Invite(
            token_hash=digest(secret), email=user.email, purpose="reset", created_by=by,
            expires_at=utcnow() + timedelta(hours=RESET_HOURS),
        )
    )  # fmt: skip
    session.flush()
    return secret


def pending_invite(session: Session, secret: str, now: datetime | None = None) -> Invite | None:
    """The unused, unexpired invitation or reset this secret opens, if any."""
    row = session.scalar(select(Invite).where(Invite.token_hash == digest(secret)))
    if row is None or row.used_at is not None or row.expires_at <= (now or utcnow()):
        return None
    return row


def redeem(session: Session, secret: str, password_hash: str) -> User:
    """Use an invitation (the account is made) or a reset (the password is replaced), once."""
    row = pending_invite(session, secret)
    if row is None:
        raise CatalogError("this link has expired or was already used; ask an admin for a new one")
    row.used_at = utcnow()
    user = session.scalar(select(User).where(User.email == row.email))
    if row.purpose == "reset":
        if user is None or not user.active:
            raise CatalogError("this account no longer exists or is disabled")
        user.password_hash = password_hash
        return user
    if user is not None:
        raise CatalogError(f"{row.email} already has an account")
    user = User(email=row.email, password_hash=password_hash, is_admin=row.is_admin)
    session.add(user)
    session.flush()
    if row.show_id and row.role:
        grant(session, user, row.show_id, row.role)
    return user


def set_active(session: Session, user: User, active: bool) -> None:
    """Disable (or enable again) an account; its tokens stop working with it."""
    if not active and user.is_admin:
        admins = session.scalars(select(User).where(User.is_admin.is_(True), User.active))
        if [u.id for u in admins] == [user.id]:
            raise CatalogError("the last active admin cannot be disabled")
    user.active = active


def create_scoped_token(
    session: Session,
    user: User,
    label: str = "",
    *,
    scope: str = "write",
    show_id: int | None = None,
    days: int | None = None,
) -> str:
    """A new API token; only its hash is kept, so it is shown now or never."""
    if scope not in TOKEN_SCOPES:
        raise CatalogError("scope must be read or write")
    token = "tc_" + secrets.token_urlsafe(32)
    expires = utcnow() + timedelta(days=days) if days else None
    session.add(
        ApiToken(user=user, token_hash=digest(token), label=label, scope=scope,
                 show_id=show_id, expires_at=expires)
    )  # fmt: skip
    session.flush()
    return token


def token_user(session: Session, token: str) -> tuple[User, ApiToken] | None:
    """The active user and the token row a bearer token opens, or None."""
    row = session.scalar(
        select(ApiToken).where(ApiToken.token_hash == digest(token), ApiToken.revoked.is_(False))
    )
    if row is None or not row.user.active:
        return None
    if row.expires_at is not None and row.expires_at <= utcnow():
        return None
    row.last_used_at = utcnow()
    return row.user, row


def new_totp_secret() -> str:
    """A fresh base32 secret to show as a QR code / text before it is confirmed."""
    return pyotp.random_base32()


def totp_uri(secret: str, email: str, issuer: str) -> str:
    """The otpauth:// URI authenticator apps read."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=issuer)


def enable_totp(user: User, secret: str, code: str) -> list[str]:
    """Turn two-factor sign-in on once a code from the app checks; returns recovery codes."""
    if not pyotp.TOTP(secret).verify(code.strip().replace(" ", ""), valid_window=1):
        raise CatalogError("that code does not match; check the time on your phone and try again")
    codes = [secrets.token_hex(5) for _ in range(RECOVERY_CODES)]
    user.totp_secret = secret
    user.recovery_codes = json.dumps([digest(c) for c in codes])
    return codes


def disable_totp(user: User) -> None:
    user.totp_secret = None
    user.recovery_codes = ""


def check_second_factor(user: User, code: str) -> bool:
    """A current TOTP code, or an unused recovery code (used up by this call)."""
    code = code.strip().replace(" ", "").lower()
    if not user.totp_secret or not code:
        return False
    if code.isdigit() and pyotp.TOTP(user.totp_secret).verify(code, valid_window=1):
        return True
    remaining = json.loads(user.recovery_codes or "[]")
    if digest(code) in remaining:
        remaining.remove(digest(code))
        user.recovery_codes = json.dumps(remaining)
        return True
    return False
