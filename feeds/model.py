"""Plain, immutable descriptions of a feed and its items.

The web app turns its database rows into these; every feed writer (RSS, Atom, JSON Feed,
OPML) reads only these, so feed building never touches Flask or the database.
All datetimes are timezone-aware.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Literal

EpisodeType = Literal["full", "trailer", "bonus"]
ShowType = Literal["episodic", "serial"]
Medium = Literal["podcast", "music", "video", "film", "audiobook", "newsletter", "blog"]


@dataclass(frozen=True)
class Person:
    """A person credited on a channel or item (podcast:person)."""

    name: str
    role: str = "host"
    group: str = "cast"
    href: str | None = None
    img: str | None = None


@dataclass(frozen=True)
class Enclosure:
    """One media file of an item. ``length`` is the file size in bytes."""

    url: str
    mime_type: str
    length: int
    duration: float | None = None
    bitrate: int | None = None
    width: int | None = None
    height: int | None = None
    title: str | None = None


@dataclass(frozen=True)
class Transcript:
    """A transcript or caption file (podcast:transcript)."""

    url: str
    mime_type: str
    language: str | None = None
    rel: str | None = None


@dataclass(frozen=True)
class Chapters:
    """A chapters file in the Podcasting 2.0 JSON chapters format (podcast:chapters)."""

    url: str
    mime_type: str = "application/json+chapters"


@dataclass(frozen=True)
class Soundbite:
    """A part of an item worth hearing first (podcast:soundbite); times in seconds."""

    start: float
    duration: float
    title: str = ""


@dataclass(frozen=True)
class SocialInteract:
    """Where the conversation about an item happens (podcast:socialInteract)."""

    uri: str
    protocol: str = "activitypub"


@dataclass(frozen=True)
class Category:
    """An Apple Podcasts category with an optional subcategory."""

    name: str
    sub: str | None = None


@dataclass(frozen=True)
class Item:
    """One episode or talk as it appears in a feed.

    ``guid`` is assigned once when the episode is created and never changes.
    ``enclosures[0]`` is the primary file; further ones become alternate enclosures.
    """

    guid: str
    title: str
    link: str
    published: datetime
    updated: datetime
    summary: str = ""
    content_html: str = ""
    # The people as one line (itunes:author), e.g. "Fawzi, A; Fawzi, H".
    author: str | None = None
    # The same people one by one (Atom authors, JSON Feed authors, dc:creator).
    authors: tuple[str, ...] = ()
    enclosures: tuple[Enclosure, ...] = ()
    persons: tuple[Person, ...] = ()
    image: str | None = None
    explicit: bool = False
    episode_type: EpisodeType = "full"
    season: int | None = None
    episode: int | None = None
    transcripts: tuple[Transcript, ...] = ()
    chapters: Chapters | None = None
    tags: tuple[str, ...] = ()
    # The item's page where it came from (an imported talk's media page, a YouTube video).
    external_url: str | None = None
    soundbites: tuple[Soundbite, ...] = ()
    # Where the talk was given (podcast:location), e.g. the institute.
    location: str | None = None
    social: SocialInteract | None = None

    def __hash__(self) -> int:
        # An item keys its kept fragment (feeds/splice.py) on every build that holds it:
        # hashing all its fields each time was a tenth of a rebuild, so it is done once.
        cached: int | None = self.__dict__.get("_hash")
        if cached is None:
            cached = hash(tuple(getattr(self, f.name) for f in fields(self)))
            object.__setattr__(self, "_hash", cached)
        return cached

    @property
    def author_names(self) -> tuple[str, ...]:
        """Each person separately; the author line when only that is known."""
        return self.authors or ((self.author,) if self.author else ())

    @property
    def duration(self) -> float | None:
        """Duration of the primary enclosure in seconds, if known."""
        return self.enclosures[0].duration if self.enclosures else None


@dataclass(frozen=True)
class ArchiveLinks:
    """RFC 5005 paging links. ``current`` is the subscription feed's URL.

    ``is_archive`` marks an archive document (fh:archive): its items never change.
    """

    current: str | None = None
    prev_archive: str | None = None
    next_archive: str | None = None
    is_archive: bool = False


@dataclass(frozen=True)
class AlternateLink:
    """Another format or variant of the same feed, advertised with rel=alternate."""

    url: str
    mime_type: str
    title: str | None = None


@dataclass(frozen=True)
class Funding:
    """Where listeners can support the show (podcast:funding)."""

    url: str
    text: str = ""


@dataclass(frozen=True)
class ImageSize:
    """One size of the channel artwork (a podcast:images srcset candidate)."""

    url: str
    width: int


@dataclass(frozen=True)
class UpdateFrequency:
    """How often new items are expected (podcast:updateFrequency); ``rrule`` is RFC 5545."""

    text: str
    rrule: str | None = None
    complete: bool = False


@dataclass(frozen=True)
class Txt:
    """Free text for machines, e.g. a directory's ownership token (podcast:txt)."""

    value: str
    purpose: str | None = None


@dataclass(frozen=True)
class RemoteItem:
    """Another show this one recommends (podcast:remoteItem in podcast:podroll)."""

    feed_guid: str
    feed_url: str | None = None
    title: str | None = None


@dataclass(frozen=True)
class LiveItem:
    """A talk announced with a start time (podcast:liveItem): ``item`` holds its title, guid,
    page and the live stream as its enclosure; ``status`` is pending, live or ended."""

    item: Item
    status: Literal["pending", "live", "ended"]
    start: datetime
    end: datetime | None = None
    content_link: str | None = None


@dataclass(frozen=True)
class Channel:
    """A show or collection as it appears in one feed document.

    ``feed_url`` is the URL of the document being built (rel=self); ``feed_id`` is a
    stable identifier for it (Atom id). ``updated`` must come from the catalogue, never
    from the clock, so that building the same catalogue twice gives identical bytes.
    """

    title: str
    link: str
    feed_url: str
    feed_id: str
    description: str
    updated: datetime
    podcast_guid: str
    language: str = "en"
    author: str = ""
    owner_name: str = ""
    owner_email: str = ""
    copyright: str | None = None
    image: str | None = None
    # A 2:1 banner made from the artwork (Atom logo); the square artwork is the Atom icon.
    logo: str | None = None
    categories: tuple[Category, ...] = ()
    explicit: bool = False
    show_type: ShowType = "episodic"
    medium: Medium = "podcast"
    locked: bool = False
    complete: bool = False
    persons: tuple[Person, ...] = ()
    archive: ArchiveLinks = field(default_factory=ArchiveLinks)
    alternates: tuple[AlternateLink, ...] = ()
    hub: str | None = None
    subtitle: str = ""
    # itunes:block: keep the show out of Apple's directory (other apps honour it too).
    block: bool = False
    # Set when the show moves to another host (itunes:new-feed-url).
    new_feed_url: str | None = None
    funding: Funding | None = None
    location: str | None = None
    license: str | None = None
    images: tuple[ImageSize, ...] = ()
    update_frequency: UpdateFrequency | None = None
    txt: Txt | None = None
    podroll: tuple[RemoteItem, ...] = ()
    live_items: tuple[LiveItem, ...] = ()
