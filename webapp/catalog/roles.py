"""Who may do what: admins do everything; others hold a role in each show they work on.

Roles are ordered, each including the ones below it: a viewer reads the show's statistics
and staff pages, a contributor also writes drafts, an editor also publishes, deletes and
changes the show's settings and sources.
"""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from webapp.catalog.errors import CatalogError
from webapp.catalog.models import ShowRole, User

VIEWER, CONTRIBUTOR, EDITOR, ADMIN = 1, 2, 3, 4
ROLES = {"viewer": VIEWER, "contributor": CONTRIBUTOR, "editor": EDITOR}
NAMES = {level: name for name, level in ROLES.items()} | {ADMIN: "admin"}


def level_in(session: Session, user: User, show_id: int | None) -> int:
    """The user's level in a show (0: none); an admin's is ADMIN everywhere."""
    if user.is_admin:
        return ADMIN
    if show_id is None:
        return 0
    role = session.scalar(
        select(ShowRole.role).where(ShowRole.user_id == user.id, ShowRole.show_id == show_id)
    )
    return ROLES.get(role or "", 0)


def best_level(session: Session, user: User) -> int:
    """The user's highest level in any show."""
    if user.is_admin:
        return ADMIN
    roles = session.scalars(select(ShowRole.role).where(ShowRole.user_id == user.id))
    return max((ROLES.get(r, 0) for r in roles), default=0)


def shows_with(session: Session, user: User, level: int) -> set[int] | None:
    """The ids of the shows where the user has at least ``level`` (None: every show)."""
    if user.is_admin:
        return None
    rows = session.execute(
        select(ShowRole.show_id, ShowRole.role).where(ShowRole.user_id == user.id)
    )
    return {show_id for show_id, role in rows if ROLES.get(role, 0) >= level}


def grant(session: Session, user: User, show_id: int, role: str) -> None:
    """Give (or change) the user's role in a show; "none" takes it away."""
    if role == "none":
        session.execute(
            delete(ShowRole).where(ShowRole.user_id == user.id, ShowRole.show_id == show_id)
        )
        return
    if role not in ROLES:
        raise CatalogError(f"role must be one of {', '.join(ROLES)} or none")
    row = session.get(ShowRole, (user.id, show_id))
    if row is None:
        session.add(ShowRole(user_id=user.id, show_id=show_id, role=role))
    else:
        row.role = role
    session.flush()
