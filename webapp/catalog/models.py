"""The catalogue: shows and collections, episodes, people, media files and attachments."""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from webapp.catalog.text import parse_links
from webapp.db.types import UTCDateTime

# Podcasting 2.0: podcast:guid is a UUIDv5 of the feed URL (no scheme, no trailing slash)
# in this namespace. Assigned once, kept even if the URL later changes.
PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")

EPISODE_STATES = ("draft", "scheduled", "published", "unpublished")


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


def podcast_guid_for(feed_url: str) -> str:
    """The Podcasting 2.0 channel GUID for a feed URL."""
    bare = feed_url.split("://", 1)[-1].rstrip("/")
    return str(uuid.uuid5(PODCAST_GUID_NAMESPACE, bare))


def new_episode_guid() -> str:
    """A fresh episode GUID: random, opaque, never derived from editable fields."""
    return str(uuid.uuid4())


def parse_tags(text: str) -> list[str]:
    """Tags stored comma-separated, as a list."""
    return [t.strip() for t in text.split(",") if t.strip()]


def new_revision() -> int:
    """A fresh episode revision: random, so it never repeats an earlier one of the same row
    (or of a deleted row whose id SQLite hands out again)."""
    return secrets.randbits(62)


class Base(DeclarativeBase):
    type_annotation_map: dict[Any, Any] = {datetime: UTCDateTime()}


class Show(Base):
    """A podcast series or a collection (an INI event, a programme, a Plus collection)."""

    __tablename__ = "shows"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(20), default="podcast")
    title: Mapped[str] = mapped_column(String(500))
    summary: Mapped[str] = mapped_column(Text, default="")
    description_html: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str | None] = mapped_column(String(1000))
    language: Mapped[str] = mapped_column(String(20), default="en")
    author: Mapped[str] = mapped_column(String(300), default="")
    owner_name: Mapped[str] = mapped_column(String(300), default="")
    owner_email: Mapped[str] = mapped_column(String(300), default="")
    copyright: Mapped[str | None] = mapped_column(String(500))
    institution: Mapped[str | None] = mapped_column(String(300))
    category: Mapped[str] = mapped_column(String(100), default="Science")
    subcategory: Mapped[str | None] = mapped_column(String(100), default="Mathematics")
    explicit: Mapped[bool] = mapped_column(Boolean, default=False)
    show_type: Mapped[str] = mapped_column(String(20), default="episodic")
    medium: Mapped[str] = mapped_column(String(20), default="podcast")
    locked: Mapped[bool] = mapped_column(Boolean, default=True)
    complete: Mapped[bool] = mapped_column(Boolean, default=False)
    podcast_guid: Mapped[str] = mapped_column(String(64), unique=True)
    # The audio-only and video-only feeds' own podcast:guid, from their URLs when first built.
    audio_guid: Mapped[str | None] = mapped_column(String(64))
    video_guid: Mapped[str | None] = mapped_column(String(64))
    artwork_key: Mapped[str | None] = mapped_column(String(300))
    subtitle: Mapped[str] = mapped_column(String(255), default="")
    license: Mapped[str] = mapped_column(String(300), default="")
    funding_url: Mapped[str | None] = mapped_column(String(1000))
    funding_text: Mapped[str] = mapped_column(String(128), default="")
    # Where the show is made (podcast:location), e.g. the institute.
    location: Mapped[str] = mapped_column(String(300), default="")
    # Channel-level people, one per line as "Name" or "Name (role)".
    hosts: Mapped[str] = mapped_column(Text, default="")
    block: Mapped[bool] = mapped_column(Boolean, default=False)
    # Moving to another host: the new URL is announced in the feed (itunes:new-feed-url);
    # once ``feed_redirect`` is set the old feed URLs answer 301 to it.
    new_feed_url: Mapped[str | None] = mapped_column(String(1000))
    feed_redirect: Mapped[bool] = mapped_column(Boolean, default=False)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    # podcast:updateFrequency: what listeners can expect, and the same as an RFC 5545 rule.
    update_frequency: Mapped[str] = mapped_column(String(100), default="")
    update_rrule: Mapped[str] = mapped_column(String(200), default="")
    # podcast:txt, e.g. a directory's ownership token with purpose "verify".
    txt_value: Mapped[str] = mapped_column(String(4000), default="")
    txt_purpose: Mapped[str] = mapped_column(String(128), default="")
    # podcast:podroll: shows this one recommends, one feed URL or podcast:guid per line.
    podroll: Mapped[str] = mapped_column(Text, default="")
    # Where talks are streamed while they happen: announced talks become podcast:liveItem.
    live_stream_url: Mapped[str | None] = mapped_column(String(1000))
    live_stream_type: Mapped[str] = mapped_column(String(100), default="")
    # Made by ``sources add`` without a title: the upstream document's title, description
    # and link are taken at each import, until staff change the show's settings.
    adopt_upstream: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_on: Mapped[date | None] = mapped_column(Date)
    # Moves forward on every change that shows in the feeds; it is the feeds' "updated"
    # time, so rebuilding an unchanged show gives identical bytes.
    content_updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    episodes: Mapped[list[Episode]] = relationship(
        back_populates="show", cascade="all, delete-orphan", passive_deletes=True
    )


class ShowAlias(Base):
    """A slug a show had before: its old page and feed URLs answer 301 to the new ones."""

    __tablename__ = "show_aliases"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    show_id: Mapped[int] = mapped_column(ForeignKey("shows.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    show: Mapped[Show] = relationship()


class Person(Base):
    """Someone credited on episodes: a speaker, host or guest. ``name`` as published."""

    __tablename__ = "persons"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300), unique=True)
    # The person's page and feeds: /people/<slug>, /feeds/people/<slug>.rss.
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    href: Mapped[str | None] = mapped_column(String(1000))
    img: Mapped[str | None] = mapped_column(String(1000))


class PersonAlias(Base):
    """A name a person was credited under before staff merged the record into theirs."""

    __tablename__ = "person_aliases"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), index=True)


class EpisodePerson(Base):
    """A person's role on one episode, in credit order."""

    __tablename__ = "episode_persons"

    episode_id: Mapped[int] = mapped_column(
        ForeignKey("episodes.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("persons.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(50), default="guest", primary_key=True)
    group: Mapped[str] = mapped_column(String(50), default="cast")
    position: Mapped[int] = mapped_column(Integer, default=0)

    person: Mapped[Person] = relationship(lazy="joined")


class Episode(Base):
    """One episode or recorded talk. ``guid`` is set at creation and never changes."""

    __tablename__ = "episodes"
    __table_args__ = (
        UniqueConstraint("show_id", "slug"),
        UniqueConstraint("source_id", "external_id"),
        # The public episodes in publication order, with their revisions: a feed build's
        # question about the older ones is answered from this index alone (kept_entries.py).
        Index("ix_episodes_public_revisions", "state", "publish_at", "revision"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    guid: Mapped[str] = mapped_column(String(255), unique=True, default=new_episode_guid)
    show_id: Mapped[int] = mapped_column(ForeignKey("shows.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(500))
    summary: Mapped[str] = mapped_column(Text, default="")
    description_html: Mapped[str] = mapped_column(Text, default="")
    recorded_start: Mapped[datetime | None] = mapped_column()
    recorded_end: Mapped[datetime | None] = mapped_column()
    institution: Mapped[str | None] = mapped_column(String(300))
    venue: Mapped[str | None] = mapped_column(String(300))
    source_url: Mapped[str | None] = mapped_column(String(1000))
    views: Mapped[int] = mapped_column(Integer, default=0)
    tags: Mapped[str] = mapped_column(Text, default="")
    season: Mapped[int | None] = mapped_column(Integer)
    number: Mapped[int | None] = mapped_column(Integer)
    episode_type: Mapped[str] = mapped_column(String(20), default="full")
    explicit: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    publish_at: Mapped[datetime | None] = mapped_column(index=True)
    artwork_key: Mapped[str | None] = mapped_column(String(300))
    created_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    source_id: Mapped[int | None] = mapped_column(Integer, index=True)
    external_id: Mapped[str | None] = mapped_column(String(500))
    upstream_removed: Mapped[bool] = mapped_column(Boolean, default=False)
    # podcast:soundbite, one per line: "start duration title" (seconds or m:ss).
    soundbites: Mapped[str] = mapped_column(Text, default="")
    # The post where listeners discuss the episode (podcast:socialInteract).
    social_uri: Mapped[str | None] = mapped_column(String(1000))
    # The talk's slides and other links, one per line: "Title | https://..." or a bare URL.
    links: Mapped[str] = mapped_column(Text, default="")
    # Replaced whenever anything the episode's feed item is made of changes (its fields,
    # media, attachments, credits, credited people, its show's slug or language): a feed
    # build compares revisions instead of loading every episode (webapp/catalog/revisions.py).
    revision: Mapped[int] = mapped_column(BigInteger, default=new_revision, server_default="0")

    @property
    def link_list(self) -> list[tuple[str, str]]:
        """The links as (title, URL) pairs; a bare URL is its own title."""
        return parse_links(self.links or "")

    show: Mapped[Show] = relationship(back_populates="episodes")
    credits: Mapped[list[EpisodePerson]] = relationship(
        order_by="EpisodePerson.position", cascade="all, delete-orphan", passive_deletes=True
    )
    media: Mapped[list[MediaFile]] = relationship(
        order_by="MediaFile.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
        back_populates="episode",
    )
    attachments: Mapped[list[Attachment]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def tag_list(self) -> list[str]:
        """Tags as a list (stored comma-separated)."""
        return parse_tags(self.tags)

    def is_public(self, now: datetime) -> bool:
        """Published, or scheduled and its time has come."""
        if self.state not in ("published", "scheduled") or self.publish_at is None:
            return False
        return self.publish_at <= now


class MediaFile(Base):
    """An audio or video file of an episode, stored here (``storage_key``) or elsewhere."""

    __tablename__ = "media_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int] = mapped_column(
        ForeignKey("episodes.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(10))
    storage_key: Mapped[str | None] = mapped_column(String(300), index=True)
    url: Mapped[str | None] = mapped_column(String(1000))
    mime_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    duration: Mapped[float | None] = mapped_column(Float)
    bitrate: Mapped[int | None] = mapped_column(Integer)
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    sha256: Mapped[str | None] = mapped_column(String(64))
    original_name: Mapped[str | None] = mapped_column(String(300))
    # Set on a file made here from another of the episode's files (an audio rendition).
    rendition_of: Mapped[int | None] = mapped_column(Integer)
    # An upstream file being downloaded here: podcast feeds wait for the stored copy.
    awaiting_download: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    episode: Mapped[Episode] = relationship(back_populates="media")


class MediaTask(Base):
    """Background work on an episode's media: an audio rendition of a video (``audio``), or
    a copy of an imported file fetched from its upstream (``download``).

    Rows, not memory: a task survives restarts, is retried with backoff, and staff see its
    state on the episode page.
    """

    __tablename__ = "media_tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int] = mapped_column(
        ForeignKey("episodes.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    # The file the task works from (the video of an audio rendition).
    media_id: Mapped[int | None] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    last_error: Mapped[str | None] = mapped_column(Text)
    seconds: Mapped[float | None] = mapped_column(Float)
    # Downloads: where from, how far, and the validator that lets a retry resume.
    url: Mapped[str | None] = mapped_column(String(1000))
    bytes_done: Mapped[int] = mapped_column(BigInteger, default=0)
    bytes_total: Mapped[int | None] = mapped_column(BigInteger)
    etag: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    episode: Mapped[Episode] = relationship()


class Attachment(Base):
    """A transcript or chapters file of an episode."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int] = mapped_column(
        ForeignKey("episodes.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    storage_key: Mapped[str | None] = mapped_column(String(300))
    url: Mapped[str | None] = mapped_column(String(1000))
    mime_type: Mapped[str] = mapped_column(String(100))
    language: Mapped[str | None] = mapped_column(String(20))


class User(Base):
    """A staff member who signs in to publish. Passwords are stored only as hashes."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(300))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Admins manage users and every show; others act only through their ShowRole rows.
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    # Two-factor sign-in (TOTP) once confirmed; recovery codes as a JSON list of SHA-256s.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    recovery_codes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column()

    # Flask-Login's user protocol.
    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)


class ApiToken(Base):
    """A bearer token for automation. Only its SHA-256 is stored; the token is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column()
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    # "read" tokens only read; a show_id limits the token to that show; past expires_at
    # the token is refused.
    scope: Mapped[str] = mapped_column(String(10), default="write")
    show_id: Mapped[int | None] = mapped_column(ForeignKey("shows.id", ondelete="CASCADE"))
    expires_at: Mapped[datetime | None] = mapped_column()

    user: Mapped[User] = relationship(lazy="joined")


class LoginAttempt(Base):
    """Failed sign-ins, for the sign-in rate limit (shared by every worker)."""

    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(400), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class Source(Base):
    """An upstream place where new talks appear: checked on its own schedule."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    url: Mapped[str] = mapped_column(String(1000))
    show_id: Mapped[int] = mapped_column(ForeignKey("shows.id", ondelete="CASCADE"), index=True)
    every_seconds: Mapped[int] = mapped_column(Integer, default=6 * 3600)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    origin: Mapped[str] = mapped_column(String(20), default="ui")
    etag: Mapped[str | None] = mapped_column(String(500))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    body_sha256: Mapped[str | None] = mapped_column(String(64))
    last_checked_at: Mapped[datetime | None] = mapped_column()
    last_success_at: Mapped[datetime | None] = mapped_column()
    next_check_at: Mapped[datetime | None] = mapped_column(index=True)
    last_error: Mapped[str | None] = mapped_column(Text)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    show: Mapped[Show] = relationship()
    __table_args__ = (UniqueConstraint("url", "show_id"),)


class JobRun(Base):
    """One run of a scheduled or manual job, with its outcome."""

    __tablename__ = "job_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(100), index=True)
    source_id: Mapped[int | None] = mapped_column(
        ForeignKey("sources.id", ondelete="SET NULL"), index=True
    )
    started_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    finished_at: Mapped[datetime | None] = mapped_column()
    outcome: Mapped[str] = mapped_column(String(20), default="running")
    added: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    host: Mapped[str | None] = mapped_column(String(200))


class EpisodeChange(Base):
    """What an upstream check changed on an episode (its import history)."""

    __tablename__ = "episode_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int] = mapped_column(
        ForeignKey("episodes.id", ondelete="CASCADE"), index=True
    )
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    action: Mapped[str] = mapped_column(String(20))
    changes: Mapped[str] = mapped_column(Text, default="{}")


class SchedulerLease(Base):
    """Which scheduler process may act, until when: one at a time across hosts."""

    __tablename__ = "scheduler_lease"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[datetime] = mapped_column()


class SearchDocument(Base):
    """An episode's text as search reads it (``catalog/search.py``). The database indexes
    it: an FTS5 table kept by triggers on SQLite, a generated tsvector on PostgreSQL."""

    __tablename__ = "search_documents"

    episode_id: Mapped[int] = mapped_column(
        ForeignKey("episodes.id", ondelete="CASCADE"), primary_key=True
    )
    # Of the rows the text comes from: a changed one means the document is read again.
    fingerprint: Mapped[str] = mapped_column(String(64))
    # The episode's revision when the document was checked: an equal one needs no look.
    revision: Mapped[int | None] = mapped_column(BigInteger)
    title: Mapped[str] = mapped_column(Text, default="")
    speakers: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    transcript: Mapped[str] = mapped_column(Text, default="")


class AuditEntry(Base):
    """One write to the catalogue: who, when, what changed (``catalog/audit.py`` writes them).

    Show and episode ids are plain numbers, not foreign keys, so a deleted episode's
    history stays readable after the episode is gone.
    """

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(400))
    action: Mapped[str] = mapped_column(String(20))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    show_id: Mapped[int | None] = mapped_column(Integer, index=True)
    episode_id: Mapped[int | None] = mapped_column(Integer, index=True)
    summary: Mapped[str] = mapped_column(String(400), default="")
    changes: Mapped[str] = mapped_column(Text, default="{}")


class ShowRole(Base):
    """What one staff member may do in one show: viewer, contributor or editor."""

    __tablename__ = "show_roles"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    show_id: Mapped[int] = mapped_column(
        ForeignKey("shows.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role: Mapped[str] = mapped_column(String(20))


class Invite(Base):
    """A one-time link to set a password: a new account's invitation, or a reset.

    Only the link's SHA-256 is kept; it works once, until ``expires_at``.
    """

    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str] = mapped_column(String(320))
    purpose: Mapped[str] = mapped_column(String(10), default="invite")
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    show_id: Mapped[int | None] = mapped_column(ForeignKey("shows.id", ondelete="CASCADE"))
    role: Mapped[str | None] = mapped_column(String(20))
    created_by: Mapped[str] = mapped_column(String(320), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    used_at: Mapped[datetime | None] = mapped_column()


class FeedRebuildMark(Base):
    """A show whose feeds must be rebuilt (``show_id`` NULL: every feed), written in the same
    transaction as the change, so a rebuild is owed even if the process dies before it runs.
    No foreign key: a deleted show's mark must outlive it so its feeds are removed."""

    __tablename__ = "feed_rebuild_marks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    show_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
