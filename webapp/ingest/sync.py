"""Upstream items -> episodes: idempotent, keyed by (source, external id).

Importing the same item twice changes nothing; an item changed upstream updates its one
episode in place, GUID untouched; an item gone from upstream is only marked
(``upstream_removed``) so staff can keep or delete it. Each change is written to the
episode's history (``EpisodeChange``). Media of imported items stay where they are:
the episode points at the upstream URL, nothing is downloaded.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlsplit

from markupsafe import escape
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from feeds.sources import UpstreamChannel, UpstreamItem
from media.formats import MIME_TYPES
from webapp.catalog.models import Episode, EpisodeChange, MediaTask, Show, Source, utcnow
from webapp.catalog.operations import (
    Credit,
    add_media_file,
    create_episode,
    set_credits,
    update_episode,
    update_show,
)
from webapp.catalog.text import clean_text, html_to_text, sanitize_html

# Podcast feeds name their hosts; every other kind lists a talk's speakers.
HOST_KINDS = {"rss"}
_TAG = re.compile(r"<[a-zA-Z/][^>]*>")
_SCALARS = (
    "title", "description_html", "recorded_start", "recorded_end", "institution", "venue",
    "source_url", "created_on",
)  # fmt: skip


@dataclass
class SyncResult:
    """What one import did."""

    added: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    removed: list[int] = field(default_factory=list)
    unchanged: int = 0
    downloads: int = 0  # upstream files queued for download


def _as_html(description: str) -> str:
    """Upstream descriptions are HTML (feeds) or plain text (pages): make both HTML."""
    text = description.strip()
    if not text or _TAG.search(text):
        return text
    paragraphs = re.split(r"\n\s*\n", text)
    return "".join(
        f"<p>{'<br>'.join(str(escape(line)) for line in p.splitlines())}</p>" for p in paragraphs
    )


def _media_kind(mime: str) -> str:
    return "video" if mime.startswith("video/") else "audio"


def _mime(url: str, declared: str | None) -> str:
    if declared and "/" in declared:
        return declared.split(";", 1)[0].strip().lower()
    path = urlsplit(url).path.lower()
    for ext, mime in MIME_TYPES.items():
        if path.endswith(ext):
            return mime
    return "application/octet-stream"


def external_key(item: UpstreamItem) -> str:
    """The item's upstream id as stored; over-long ids (some are URLs) become their hash."""
    if len(item.external_id) <= 500:
        return item.external_id
    return "sha256:" + hashlib.sha256(item.external_id.encode()).hexdigest()


def _cut(value: str | None, limit: int) -> str | None:
    """Upstream text can be any length; the columns cannot."""
    text = clean_text(value or "")
    return text[:limit] or None


def adopt_channel(session: Session, show: Show, channel: UpstreamChannel) -> None:
    """Describe a show as its upstream document describes itself (only fields it gives)."""
    wanted: dict[str, Any] = {}
    if title := _cut(channel.title, 500):
        wanted["title"] = title
    if channel.description.strip():
        wanted["description_html"] = sanitize_html(_as_html(channel.description))
    if channel.link and len(channel.link) <= 1000:
        wanted["link"] = channel.link
    changed = {key: value for key, value in wanted.items() if getattr(show, key) != value}
    if changed:
        if "description_html" in changed:
            show.summary = ""  # made again from the new description
        update_show(session, show, **changed)


def desired_fields(item: UpstreamItem, kind: str) -> dict[str, Any]:
    """The episode fields an upstream item asks for, normalised as the catalogue stores them."""
    role = "host" if kind in HOST_KINDS else "guest"
    names = [_cut(name, 300) for name in item.persons]
    title = _cut(item.title, 500) or _cut(item.page_url, 500) or external_key(item)
    page = item.page_url if item.page_url and len(item.page_url) <= 1000 else None
    media = [
        {
            "url": m.url,
            "mime_type": _mime(m.url, m.mime_type)[:100],
            "size": m.length or 0,
            "duration": item.duration,
        }
        for m in item.media
        if m.url.startswith(("http://", "https://")) and len(m.url) <= 1000
    ]
    return {
        "title": title,
        "description_html": sanitize_html(_as_html(item.description)),
        "recorded_start": item.start,
        "recorded_end": item.end,
        "institution": _cut(item.institution, 300),
        "venue": _cut(item.venue, 300),
        "source_url": page,
        "created_on": item.created,
        "credits": [[name, role] for name in dict.fromkeys(names) if name],
        "media": media,
    }


def current_fields(episode: Episode) -> dict[str, Any]:
    """The same fields as ``desired_fields``, read from a stored episode."""
    values: dict[str, Any] = {name: getattr(episode, name) for name in _SCALARS}
    values["credits"] = [[c.person.name, c.role] for c in episode.credits]
    values["media"] = [
        {"url": m.url, "mime_type": m.mime_type, "size": m.size, "duration": m.duration}
        for m in episode.media
        # Upstream-listed files only: not renditions, uploads or copies found on media pages.
        if m.rendition_of is None and m.url
    ]
    return values


def _media_urls(values: dict[str, Any]) -> dict[str, Any]:
    # A downloaded copy has its real size, type and duration, not what upstream claimed:
    # media count as changed only when upstream lists other files.
    return {**values, "media": [m["url"] for m in values["media"]]}


def media_host_allowed(url: str, source_url: str, extra_hosts: Collection[str] = ()) -> bool:
    """Downloads come only from the source's own host (or its subdomains), or from hosts
    listed in ``[scheduler] media_hosts``."""
    host = (urlsplit(url).hostname or "").lower()
    home = (urlsplit(source_url).hostname or "").lower()
    same_site = urlsplit(url).port == urlsplit(source_url).port and (
        host == home or host.endswith(f".{home}")
    )
    return bool(host) and (same_site or host in {h.lower() for h in extra_hosts})


def queue_downloads(
    session: Session, source: Source, episode: Episode, extra_hosts: Collection[str] = ()
) -> int:
    """Queue a download of each upstream file of the episode that may be fetched from here."""
    queued = 0
    page = episode.source_url
    if source.kind == "collection-page" and page and not episode.media:
        # The talk's own media page may offer the recording; it is looked at once.
        asked = session.scalar(
            select(MediaTask.id).where(MediaTask.episode_id == episode.id, MediaTask.url == page)
        )
        if asked is None and media_host_allowed(page, source.url, extra_hosts):
            session.add(MediaTask(episode_id=episode.id, kind="download", url=page))
            queued += 1
    for media in episode.media:
        if media.storage_key or not media.url or media.awaiting_download:
            continue
        if not media_host_allowed(media.url, source.url, extra_hosts):
            continue
        session.add(
            MediaTask(episode_id=episode.id, kind="download", media_id=media.id, url=media.url)
        )
        media.awaiting_download = True
        queued += 1
    session.flush()
    return queued


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list[Any]]:
    """Fields whose values differ, as ``{field: [old, new]}`` ready for JSON."""
    return {
        key: [_json_value(old.get(key)), _json_value(value)]
        for key, value in new.items()
        if _json_value(old.get(key)) != _json_value(value)
    }


def _record(
    session: Session, episode: Episode, source: Source, action: str, changes: dict[str, Any]
) -> None:
    session.add(
        EpisodeChange(
            episode_id=episode.id,
            source_id=source.id,
            action=action,
            changes=json.dumps(changes, ensure_ascii=False, sort_keys=True),
        )
    )


def _replace_media(session: Session, episode: Episode, media: list[dict[str, Any]]) -> None:
    episode.media.clear()
    session.flush()
    for spec in media:
        add_media_file(session, episode, kind=_media_kind(spec["mime_type"]), **spec)


def _add(session: Session, source: Source, item: UpstreamItem, wanted: dict[str, Any]) -> Episode:
    scalars = {k: wanted[k] for k in _SCALARS if k not in ("title", "description_html")}
    episode = create_episode(
        session,
        source.show,
        title=wanted["title"],
        description_html=wanted["description_html"],
        credits=[Credit(name, role) for name, role in wanted["credits"]],
        # "scheduled" turns into "published" at once unless the time is still to come
        # (an upcoming talk): then the publish job releases it when it is due.
        state="scheduled",
        publish_at=item.published or item.start or utcnow(),
        views=item.views or 0,
        **scalars,
    )
    episode.source_id = source.id
    episode.external_id = external_key(item)
    for spec in wanted["media"]:
        add_media_file(session, episode, kind=_media_kind(spec["mime_type"]), **spec)
    _record(session, episode, source, "added", diff({}, wanted))
    return episode


def _update(
    session: Session, source: Source, episode: Episode, item: UpstreamItem, wanted: dict[str, Any]
) -> bool:
    changes = diff(_media_urls(current_fields(episode)), _media_urls(wanted))
    if item.views is not None:
        # View counts move on every check and are not in the feeds: keep them current
        # without calling it a change (no history row, no feed rebuild).
        episode.views = item.views
    if episode.upstream_removed:
        changes["upstream_removed"] = [True, False]
    if not changes:
        return False
    scalar_changes = {k: wanted[k] for k in changes if k in _SCALARS}
    if "description_html" in scalar_changes:
        scalar_changes["summary"] = html_to_text(wanted["description_html"])[:4000]
    if "upstream_removed" in changes:
        scalar_changes["upstream_removed"] = False
    update_episode(session, episode, **scalar_changes)
    if "credits" in changes:
        set_credits(session, episode, [Credit(name, role) for name, role in wanted["credits"]])
    if "media" in changes:
        _replace_media(session, episode, wanted["media"])
    _record(session, episode, source, "updated", changes)
    return True


def _kept_ids(session: Session, episode_ids: list[int]) -> set[int]:
    """Episodes staff chose to keep after they vanished upstream: never marked again."""
    if not episode_ids:
        return set()
    query = select(EpisodeChange.episode_id).where(
        EpisodeChange.action == "kept", EpisodeChange.episode_id.in_(episode_ids)
    )
    return set(session.scalars(query))


def _fell_out_of_window(episode: Episode, oldest: datetime | None) -> bool:
    """Feeds that list only their latest items (YouTube keeps ~15) drop old ones: not removals."""
    when = episode.recorded_start or episode.publish_at
    return oldest is not None and when is not None and when < oldest


def _mark_removed(
    session: Session, source: Source, gone: list[Episode], items: Sequence[UpstreamItem]
) -> list[int]:
    dates = [d for i in items if (d := i.start or i.published) is not None]
    oldest = min(dates) if dates else None
    kept = _kept_ids(session, [e.id for e in gone])
    removed = []
    for episode in gone:
        if episode.upstream_removed or episode.id in kept:
            continue
        if _fell_out_of_window(episode, oldest):
            continue
        # The flag is not in the feeds: set it without a feed rebuild.
        episode.upstream_removed = True
        _record(session, episode, source, "removed", {"upstream_removed": [False, True]})
        removed.append(episode.id)
    return removed


def sync_items(
    session: Session,
    source: Source,
    items: Sequence[UpstreamItem],
    media_hosts: Collection[str] = (),
) -> SyncResult:
    """Bring the source's episodes in line with the upstream items; flushes, never commits.

    Upstream files on the source's host are queued for download (``media_hosts`` adds hosts).
    """
    result = SyncResult()
    existing = {
        e.external_id: e
        for e in session.scalars(
            select(Episode)
            .where(Episode.source_id == source.id)
            .options(selectinload(Episode.media), selectinload(Episode.credits))
        )
    }
    seen: set[str] = set()
    for item in items:
        key = external_key(item)
        if key in seen:
            continue  # the first listing of a duplicated item wins
        seen.add(key)
        wanted = desired_fields(item, source.kind)
        episode = existing.get(key)
        if episode is None:
            episode = _add(session, source, item, wanted)
            result.added.append(episode.id)
        elif _update(session, source, episode, item, wanted):
            result.updated.append(episode.id)
        else:
            result.unchanged += 1
        result.downloads += queue_downloads(session, source, episode, media_hosts)
    gone = [e for key, e in existing.items() if key not in seen]
    # An empty listing is far more likely an upstream glitch than every talk withdrawn.
    if seen and gone:
        result.removed = _mark_removed(session, source, gone, items)
    session.flush()
    return result


def keep_episode(session: Session, episode: Episode) -> None:
    """Staff keep an episode that vanished upstream: clear the mark, never mark it again."""
    episode.upstream_removed = False
    session.add(
        EpisodeChange(
            episode_id=episode.id,
            source_id=episode.source_id,
            action="kept",
            changes=json.dumps({"upstream_removed": [True, False]}),
        )
    )
    session.flush()
