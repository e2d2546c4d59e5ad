"""``talkcast check``: rows against files, files against rows, feeds against their shows.

What it finds: a row naming a file that is not in the media root; a stored file no row
names; a show's feed older than the show's content (or never built); a feed whose pointer
names a blob that is gone or whose bytes no longer match its SHA-256. ``repair`` fixes what
can be fixed and says what cannot: a file finished by an interrupted upload is moved into
place, unreferenced files past a grace period are deleted (younger ones may belong to a save
in progress), stale and broken feeds are rebuilt; a lost media file can only come back from
a backup.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from media.errors import InvalidKey
from media.storage import LocalStorage
from webapp.catalog.models import Show, utcnow
from webapp.maintenance.instance import media_files
from webapp.maintenance.manifest import sha256_of
from webapp.publishing.feedcache import FeedCache
from webapp.uploads.pending import KEY_COLUMNS
from webapp.uploads.repair import referenced_keys, repair_storage

DEFAULT_GRACE_SECONDS = 24 * 3600


@dataclass
class Finding:
    """One problem: its kind, what it concerns, and (after a repair) what became of it."""

    kind: str
    subject: str
    detail: str
    outcome: str = ""
    fixed: bool = False

    def line(self) -> str:
        """The finding as one line for people."""
        after = f" -> {self.outcome}" if self.outcome else ""
        return f"{self.kind}: {self.subject} ({self.detail}){after}"


def missing_files(session: Session, storage: LocalStorage) -> list[Finding]:
    """Rows naming a storage key whose file is not there."""
    found = []
    for column in KEY_COLUMNS:
        table = column.class_.__tablename__
        ids = column.class_.id
        for row_id, key in session.execute(select(ids, column).where(column.is_not(None))):
            try:
                present = storage.exists(key)
            except InvalidKey:
                present = False
            if not present:
                found.append(Finding("missing-file", key, f"named by {table} {row_id}"))
    return found


def unreferenced_files(session: Session, storage: LocalStorage) -> list[Finding]:
    """Stored files that no row names (the temporary area is the clean-up job's)."""
    used = referenced_keys(session)
    found = []
    for path in media_files(storage.root):
        key = path.relative_to(storage.root).as_posix()
        if key not in used:
            age = time.time() - path.stat().st_mtime
            found.append(Finding("unreferenced-file", key, f"{age / 3600:.1f} hours old"))
    return found


def stale_feeds(session: Session, cache: FeedCache, now: datetime) -> list[Finding]:
    """Shows whose feed was never built, or is older than their content or a due episode."""
    stamp = now.timestamp()
    found = []
    for show_id, slug, changed in session.execute(
        select(Show.id, Show.slug, Show.content_updated_at).order_by(Show.id)
    ):
        entry = cache.get(f"{slug}.rss")
        if entry is None:
            detail = "never built"
        elif entry.stale_after is not None and entry.stale_after <= stamp:
            detail = "a scheduled episode fell due since it was built"
        elif int(changed.timestamp()) > entry.last_modified:  # Last-Modified is whole seconds
            detail = "older than the show's last change"
        else:
            continue
        found.append(Finding("stale-feed", f"{slug}.rss", f"show {show_id}: {detail}"))
    return found


def broken_feeds(cache: FeedCache) -> list[Finding]:
    """Feeds whose current blob is missing or no longer holds the bytes its name promises."""
    found = []
    for name in cache.names():
        entry = cache.get(name)
        if entry is None:
            continue
        blob = cache.blob_path(entry)
        if not blob.is_file():
            found.append(Finding("broken-feed", name, f"blob {entry.sha256[:12]} is gone"))
        elif sha256_of(blob) != entry.sha256:
            found.append(Finding("broken-feed", name, "its blob's bytes do not match its hash"))
    return found


def find_problems(
    session: Session, storage: LocalStorage, cache: FeedCache, now: datetime | None = None
) -> list[Finding]:
    """Every finding, in a stable order."""
    return [
        *missing_files(session, storage),
        *unreferenced_files(session, storage),
        *stale_feeds(session, cache, now or utcnow()),
        *broken_feeds(cache),
    ]


def repair(
    findings: list[Finding],
    session: Session,
    storage: LocalStorage,
    cache: FeedCache,
    rebuild: Callable[[set[int] | None], object],
    grace_seconds: float = DEFAULT_GRACE_SECONDS,
) -> None:
    """Fix what can be fixed, recording on each finding what was done or why not."""
    missing = [f for f in findings if f.kind == "missing-file"]
    if missing:
        restored = set(repair_storage(session, storage).restored)
        for finding in missing:
            if finding.subject in restored:
                finding.outcome, finding.fixed = "moved into place from an interrupted upload", True
            else:
                finding.outcome = "cannot fix: restore the file from a backup or upload it again"
    for finding in (f for f in findings if f.kind == "unreferenced-file"):
        path = storage.path(finding.subject)
        if time.time() - path.stat().st_mtime < grace_seconds:
            finding.outcome = "left: younger than the grace period (a save may be under way)"
        else:
            path.unlink(missing_ok=True)
            finding.outcome, finding.fixed = "deleted", True
    _repair_feeds(findings, cache, rebuild)


def _repair_feeds(
    findings: list[Finding], cache: FeedCache, rebuild: Callable[[set[int] | None], object]
) -> None:
    broken = [f for f in findings if f.kind == "broken-feed"]
    stale = [f for f in findings if f.kind == "stale-feed"]
    if not broken and not stale:
        return
    for finding in broken:
        # A rebuild keeps a pointer whose hash is unchanged: forget the feed and its bad blob
        # so the rebuild writes both again.
        entry = cache.get(finding.subject)
        if entry is not None:
            cache.blob_path(entry).unlink(missing_ok=True)
        cache.remove(finding.subject)
    show_ids = {int(f.detail.split(":")[0].removeprefix("show ")) for f in stale}
    rebuild(None if broken else show_ids)
    for finding in broken + stale:
        finding.outcome, finding.fixed = "rebuilt", True
