"""The audit log: every write to the catalogue as a row (who, when, what changed).

A listener on every session records, at each flush, the shows, episodes, media files,
attachments, credits, people, sources, users and tokens added, changed or deleted, in the
same transaction as the write itself: a rolled-back write leaves no entry, and no write
escapes it, whichever page, API route, command or job made it. Who acted comes from
``ACTOR``, set by the web layer per request, by the CLI and by each job.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Table, event, insert, inspect, select
from sqlalchemy.orm import Session

from webapp.catalog.models import (
    ApiToken,
    Attachment,
    AuditEntry,
    Episode,
    EpisodePerson,
    MediaFile,
    Person,
    PersonAlias,
    Show,
    ShowRole,
    Source,
    User,
    utcnow,
)

ACTOR: ContextVar[str] = ContextVar("talkcast_actor", default="system")

# Entity name of each audited model.
AUDITED: dict[type, str] = {
    Show: "show",
    Episode: "episode",
    MediaFile: "media file",
    Attachment: "attachment",
    EpisodePerson: "credit",
    Person: "person",
    PersonAlias: "person alias",
    Source: "source",
    User: "user",
    ApiToken: "api token",
    ShowRole: "role",
}
# Bookkeeping that changes on reads or checks, not on anyone's decision.
IGNORED = {
    "last_login_at",
    "last_used_at",
    "updated_at",
    "content_updated_at",
    "last_checked_at",
    "last_success_at",
    "next_check_at",
    "failures",
    "last_error",
    "etag",
    "last_modified",
    "body_sha256",
    "views",
    "revision",
    "position",
}
# Secrets are recorded as changed, never their values (not even hashes).
SECRET = {"password_hash", "token_hash", "totp_secret", "recovery_codes"}
_AUDIT = cast(Table, AuditEntry.__table__)


@contextmanager
def acting_as(actor: str) -> Iterator[None]:
    """Attribute the writes made inside the block to ``actor``."""
    token = ACTOR.set(actor)
    try:
        yield
    finally:
        ACTOR.reset(token)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _changes(obj: Any, action: str) -> dict[str, list[Any]]:
    """Column name -> [old, new] for what this flush writes."""
    state = inspect(obj)
    out: dict[str, list[Any]] = {}
    for attr in state.mapper.column_attrs:
        name = attr.key
        if name in IGNORED or name == "id":
            continue
        history = state.attrs[name].history
        if action == "update" and not history.has_changes():
            continue
        old = history.deleted[0] if history.deleted else None
        new = getattr(obj, name) if action != "delete" else None
        if action == "delete":
            old = getattr(obj, name)
        if action == "create" and new in (None, "", False):
            continue
        if old == new:
            continue
        if name in SECRET:
            out[name] = ["(hidden)", "(changed)"]
        else:
            out[name] = [_plain(old), _plain(new)]
    return out


def _where(
    session: Session, obj: Any, shows: dict[int, int | None]
) -> tuple[int | None, int | None]:
    """The show and episode an entity belongs to, for the per-show and per-episode views.

    ``shows`` remembers each episode's show for the rest of the flush: an import writes
    several media files and credits of one episode at once.
    """
    if isinstance(obj, Show):
        return obj.id, None
    if isinstance(obj, Episode):
        return obj.show_id, obj.id
    if isinstance(obj, Source | ShowRole):
        return obj.show_id, None
    episode_id = getattr(obj, "episode_id", None)
    if episode_id is None:
        return None, None
    if episode_id not in shows:
        # Read through the connection, not a relationship: no lazy load while flushing.
        shows[episode_id] = session.execute(
            select(Episode.show_id).where(Episode.id == episode_id)
        ).scalar_one_or_none()
    return shows[episode_id], episode_id


def _summary(obj: Any) -> str:
    person = obj.__dict__.get("person")
    if isinstance(obj, EpisodePerson) and person is not None:
        return f"{person.name} ({obj.role})"[:400]
    for name in ("title", "name", "email", "label", "url", "original_name", "role"):
        value = getattr(obj, name, None)
        if value:
            return str(value)[:400]
    return ""


def _record(session: Session, _context: Any) -> None:
    """After each flush: one row per audited object it wrote (ids are known by now)."""
    rows = []
    shows: dict[int, int | None] = {}
    for action, objects in (
        ("create", session.new),
        ("update", session.dirty),
        ("delete", session.deleted),
    ):
        for obj in objects:
            entity = AUDITED.get(type(obj))
            if entity is None or (action == "update" and not session.is_modified(obj)):
                continue
            changes = _changes(obj, action)
            if action == "update" and not changes:
                continue
            show_id, episode_id = _where(session, obj, shows)
            rows.append(
                {
                    "at": utcnow(),
                    "actor": ACTOR.get()[:400],
                    "action": action,
                    "entity": entity,
                    "entity_id": inspect(obj).identity[0] if inspect(obj).identity else None,
                    "show_id": show_id,
                    "episode_id": episode_id,
                    "summary": _summary(obj),
                    "changes": json.dumps(changes, sort_keys=True),
                }
            )
    if rows:
        session.execute(insert(_AUDIT), rows)


def install() -> None:
    """Listen on every session (idempotent)."""
    if not event.contains(Session, "after_flush", _record):
        event.listen(Session, "after_flush", _record)


def entries(
    session: Session, *, show_id: int | None = None, episode_id: int | None = None
) -> list[AuditEntry]:
    """Newest first: a show's entries (its own and its episodes') or one episode's."""
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if episode_id is not None:
        query = query.where(AuditEntry.episode_id == episode_id)
    elif show_id is not None:
        query = query.where(AuditEntry.show_id == show_id)
    return list(session.scalars(query.limit(5000)))


def as_csv(rows: list[AuditEntry]) -> str:
    """The entries as CSV: one line per changed field, so a spreadsheet can filter them."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["at", "actor", "action", "entity", "entity_id", "summary", "field", "old", "new"]
    )
    for row in rows:
        changes = json.loads(row.changes or "{}") or {"": [None, None]}
        for field, (old, new) in sorted(changes.items()):
            writer.writerow(
                [row.at.isoformat(), row.actor, row.action, row.entity, row.entity_id,
                 row.summary, field, "" if old is None else old, "" if new is None else new]
            )  # fmt: skip
    return out.getvalue()
