"""Catalogue operations: plain functions over a session. They flush, never commit."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import PurePosixPath
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, selectinload

from webapp.catalog.errors import CatalogError as CatalogError  # re-exported
from webapp.catalog.models import (
    EPISODE_STATES,
    Attachment,
    Episode,
    EpisodePerson,
    MediaFile,
    MediaTask,
    Person,
    Show,
    podcast_guid_for,
    utcnow,
)
from webapp.catalog.people import find_person, unique_person_slug
from webapp.catalog.podcasting import check_links, check_social_uri, check_soundbites
from webapp.catalog.text import clean_text, html_to_text, sanitize_html, slugify
from webapp.db.engine import mark_show_changed

RESERVED_SLUGS = {"all", "static", "feeds", "staff", "api", "media"}
EPISODE_TYPES = ("full", "trailer", "bonus")

SHOW_FIELDS = {
    "title", "summary", "link", "language", "author", "owner_name", "owner_email", "copyright",
    "institution", "category", "subcategory", "explicit", "show_type", "medium", "locked",
    "complete", "artwork_key", "kind", "created_on", "created_at", "subtitle", "license",
    "funding_url", "funding_text", "location", "hosts", "block", "new_feed_url", "feed_redirect",
    "archived", "update_frequency", "update_rrule", "txt_value", "txt_purpose", "podroll",
    "live_stream_url", "live_stream_type",
}  # fmt: skip
EPISODE_FIELDS = {
    "title", "summary", "recorded_start", "recorded_end", "institution", "venue", "source_url",
    "views", "season", "number", "episode_type", "explicit", "artwork_key", "created_on",
    "upstream_removed", "tags", "soundbites", "social_uri", "links",
}  # fmt: skip


@dataclass(frozen=True)
class Credit:
    """A person's name and role on an episode, as given by staff or upstream."""

    name: str
    role: str = "guest"
    group: str = "cast"


def touch_show(session: Session, show: Show, when: datetime | None = None) -> None:
    """Record that the show's feeds changed: new 'updated' time, rebuild after commit."""
    show.content_updated_at = when or utcnow()
    session.flush()
    mark_show_changed(session, show.id)


def get_show(session: Session, slug: str) -> Show | None:
    """The show with this slug, or None."""
    return session.scalar(select(Show).where(Show.slug == slug))


def create_show(session: Session, *, slug: str, title: str, base_url: str, **fields: Any) -> Show:
    """Create a show; its podcast:guid comes from its RSS URL and never changes after."""
    slug = slugify(slug)
    if slug in RESERVED_SLUGS:
        raise CatalogError(f"'{slug}' is reserved; choose another slug")
    if get_show(session, slug) is not None:
        raise CatalogError(f"a show with slug '{slug}' already exists")
    show = Show(slug=slug, title=clean_text(title) or slug)
    show.podcast_guid = podcast_guid_for(f"{base_url}/feeds/{slug}.rss")
    update_show(session, show, description_html=fields.pop("description_html", ""), **fields)
    session.add(show)
    session.flush()
    touch_show(session, show)
    return show


def update_show(session: Session, show: Show, **changes: Any) -> Show:
    """Change a show's fields. Its slug and podcast:guid are not editable here."""
    for key, value in changes.items():
        if key == "description_html":
            show.description_html = sanitize_html(value or "")
            if not changes.get("summary") and not show.summary:
                show.summary = html_to_text(show.description_html)[:4000]
        elif key in SHOW_FIELDS:
            setattr(show, key, clean_text(value) if isinstance(value, str) else value)
        else:
            raise CatalogError(f"unknown show field '{key}'")
    if show.id is not None:
        touch_show(session, show)
    return show


def _unique_episode_slug(session: Session, show: Show, title: str) -> str:
    base = slugify(title)
    taken = set(session.scalars(select(Episode.slug).where(Episode.show_id == show.id)))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def create_episode(
    session: Session,
    show: Show,
    *,
    title: str,
    description_html: str = "",
    credits: Sequence[Credit] = (),
    state: str = "draft",
    publish_at: datetime | None = None,
    guid: str | None = None,
    **fields: Any,
) -> Episode:
    """Create an episode. Its GUID is assigned now (or given, for imports) and kept forever."""
    title = clean_text(title)
    if not title:
        raise CatalogError("an episode needs a title")
    episode = Episode(show=show, title=title, slug=_unique_episode_slug(session, show, title))
    if guid:
        episode.guid = guid
    session.add(episode)
    update_episode(session, episode, description_html=description_html, **fields)
    set_credits(session, episode, credits)
    set_state(session, episode, state, publish_at)
    return episode


def update_episode(session: Session, episode: Episode, **changes: Any) -> Episode:
    """Change an episode's fields; the GUID and slug stay as they are."""
    for key, value in changes.items():
        if key == "description_html":
            episode.description_html = sanitize_html(value or "")
        elif key == "title":
            if not clean_text(value or ""):
                raise CatalogError("an episode needs a title")
            episode.title = clean_text(value)
        elif key == "tags":
            items = value if isinstance(value, list | tuple) else str(value).split(",")
            episode.tags = ", ".join(clean_text(t) for t in items if clean_text(t))
        elif key == "soundbites":
            episode.soundbites = check_soundbites(str(value or ""))
        elif key == "social_uri":
            episode.social_uri = check_social_uri(value)
        elif key == "links":
            episode.links = check_links(str(value or ""))
        elif key == "episode_type":
            if value not in EPISODE_TYPES:
                raise CatalogError(f"episode type must be one of {', '.join(EPISODE_TYPES)}")
            episode.episode_type = value
        elif key in EPISODE_FIELDS:
            setattr(episode, key, clean_text(value) if isinstance(value, str) else value)
        else:
            raise CatalogError(f"unknown episode field '{key}'")
    if not episode.summary and episode.description_html:
        episode.summary = html_to_text(episode.description_html)[:4000]
    episode.updated_at = utcnow()
    session.flush()
    touch_show(session, episode.show)
    return episode


def person_named(session: Session, name: str) -> Person:
    """The person with this published name, created if new."""
    name = clean_text(name)
    person = find_person(session, name)
    if person is None:
        person = Person(name=name, slug=unique_person_slug(session, name))
        session.add(person)
        session.flush()
    return person


def set_credits(session: Session, episode: Episode, credits: Iterable[Credit]) -> None:
    """Replace the episode's credits, keeping their order."""
    episode.credits.clear()
    session.flush()
    seen: set[tuple[int, str]] = set()
    for position, credit in enumerate(c for c in credits if clean_text(c.name)):
        person = person_named(session, credit.name)
        if (person.id, credit.role) in seen:
            continue
        seen.add((person.id, credit.role))
        episode.credits.append(
            EpisodePerson(person=person, role=credit.role, group=credit.group, position=position)
        )
    session.flush()
    touch_show(session, episode.show)


def set_state(
    session: Session, episode: Episode, state: str, publish_at: datetime | None = None
) -> None:
    """Draft, schedule (publish_at in the future), publish (now if no time) or unpublish."""
    if state not in EPISODE_STATES:
        raise CatalogError(f"state must be one of {', '.join(EPISODE_STATES)}")
    now = utcnow()
    if state == "scheduled":
        if publish_at is None:
            raise CatalogError("a scheduled episode needs a publish time")
        if publish_at <= now:
            state = "published"
    if state == "published" and publish_at is None:
        publish_at = episode.publish_at or now
    episode.state = state
    if publish_at is not None:
        episode.publish_at = publish_at
    episode.updated_at = now
    session.flush()
    touch_show(session, episode.show)


def publish_due(session: Session, now: datetime | None = None) -> list[Episode]:
    """Turn scheduled episodes whose time has come into published ones."""
    now = now or utcnow()
    due = list(
        session.scalars(
            select(Episode).where(Episode.state == "scheduled", Episode.publish_at <= now)
        )
    )
    for episode in due:
        episode.state = "published"
        touch_show(session, episode.show, when=episode.publish_at)
    session.flush()
    return due


def add_media_file(session: Session, episode: Episode, **fields: Any) -> MediaFile:
    """Attach a media file (already stored or external) after the existing ones.

    A stored video queues an audio rendition, in the same transaction: apps that only play
    audio, and the show's audio feed, get one (``webapp.uploads.renditions`` makes it).
    """
    media = MediaFile(position=len(episode.media), **fields)
    episode.media.append(media)
    session.flush()
    queue_rendition(session, media)
    touch_show(session, episode.show)
    return media


def queue_rendition(session: Session, media: MediaFile) -> None:
    """Queue an audio rendition of a stored video (nothing for audio or external files)."""
    if media.kind == "video" and media.storage_key and media.rendition_of is None:
        session.add(MediaTask(episode_id=media.episode_id, kind="audio", media_id=media.id))
        session.flush()


def delete_episode(session: Session, episode: Episode) -> list[str]:
    """Delete an episode; returns the storage keys it held so the caller can remove files."""
    keys = [m.storage_key for m in episode.media if m.storage_key]
    keys += [a.storage_key for a in episode.attachments if a.storage_key]
    if episode.artwork_key:
        keys.append(episode.artwork_key)
    show = episode.show
    session.delete(episode)
    session.flush()
    touch_show(session, show)
    return keys


def public_filter(now: datetime) -> Any:
    """The condition an episode meets when the public can see it at ``now``."""
    return and_(Episode.state.in_(("published", "scheduled")), Episode.publish_at <= now)


def _public(query: Any, now: datetime) -> Any:
    return query.where(public_filter(now))


# A show's episodes as its pages and feeds list them.
NEWEST_FIRST = (
    Episode.publish_at.desc(),
    Episode.recorded_start.desc(),
    Episode.number.desc(),
    Episode.id.desc(),
)
# A person's talks, gathered across shows.
NEWEST_ACROSS_SHOWS = (Episode.publish_at.desc(), Episode.id.desc())


def with_parts(query: Any) -> Any:
    """``query`` loading what a feed item or a page is made of with each episode."""
    return query.options(
        selectinload(Episode.media),
        selectinload(Episode.credits),
        selectinload(Episode.attachments),
        selectinload(Episode.show),
    )


def public_episodes(
    session: Session,
    show: Show | None,
    now: datetime,
    *,
    programme_order: bool = False,
    limit: int | None = None,
    offset: int = 0,
) -> list[Episode]:
    """Episodes visible to the public: newest first, or in programme (recorded) order."""
    query = with_parts(_public(select(Episode), now))
    if programme_order:
        when = func.coalesce(Episode.recorded_start, Episode.publish_at)
        query = query.order_by(when, Episode.number, Episode.id)
    else:
        query = query.order_by(*NEWEST_FIRST)
    if show is not None:
        query = query.where(Episode.show_id == show.id)
    if limit is not None:
        query = query.limit(limit).offset(offset)
    return list(session.scalars(query))


def public_talks_of(session: Session, person_id: int, now: datetime) -> list[Episode]:
    """A person's public episodes across every show, newest first."""
    query = (
        _public(select(Episode), now)
        .join(EpisodePerson, EpisodePerson.episode_id == Episode.id)
        .where(EpisodePerson.person_id == person_id)
        .order_by(*NEWEST_ACROSS_SHOWS)
    )
    return list(session.scalars(with_parts(query)))


def count_public(session: Session, show: Show, now: datetime) -> int:
    """How many of the show's episodes the public can see."""
    query = _public(select(func.count()).select_from(Episode), now)
    return session.scalar(query.where(Episode.show_id == show.id)) or 0


def next_scheduled(session: Session, show: Show | None, now: datetime) -> datetime | None:
    """When the next scheduled episode of the show (or any show) goes public."""
    query = select(Episode.publish_at).where(Episode.state == "scheduled", Episode.publish_at > now)
    if show is not None:
        query = query.where(Episode.show_id == show.id)
    return session.scalar(query.order_by(Episode.publish_at).limit(1))


def download_name(session: Session, key: str) -> str | None:
    """The file name a listener's download gets: the episode's slug, not the stored hash."""
    episode_id = session.scalar(
        select(MediaFile.episode_id).where(MediaFile.storage_key == key).limit(1)
    ) or session.scalar(select(Attachment.episode_id).where(Attachment.storage_key == key).limit(1))
    if episode_id is None:
        return None
    slug = session.scalar(select(Episode.slug).where(Episode.id == episode_id))
    return f"{slug}{PurePosixPath(key).suffix}" if slug else None


# A talk announced without an end time is taken to be on for this long.
TALK_LENGTH = timedelta(hours=1)


def announced_talks(session: Session, show: Show, now: datetime) -> list[Episode]:
    """Talks of the show with a start time, no recording yet, and not over: what podcast
    apps can list as live items (pending, then live) until the recording is published."""
    query = (
        select(Episode)
        .where(
            Episode.show_id == show.id,
            Episode.state.in_(("published", "scheduled")),
            Episode.recorded_start.is_not(None),
            ~Episode.media.any(),
        )
        .options(selectinload(Episode.credits), selectinload(Episode.show))
        .order_by(Episode.recorded_start, Episode.id)
    )
    return [e for e in session.scalars(query) if now < talk_end(e)]


def talk_end(episode: Episode) -> datetime:
    """When a talk ends: its end time, or an hour after it starts."""
    assert episode.recorded_start is not None
    return episode.recorded_end or episode.recorded_start + TALK_LENGTH
