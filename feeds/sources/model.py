"""Records produced by the upstream source adapters.

Every adapter turns one upstream document into a list of ``UpstreamItem``; the web app's sync
step maps them onto episodes keyed by ``(source, external_id)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


class SourceFormatError(ValueError):
    """An upstream document is not what its source kind promises (or is unsafe to parse)."""


@dataclass(frozen=True)
class UpstreamChannel:
    """What an upstream document says about itself: a show made from it starts with this."""

    title: str = ""
    description: str = ""
    link: str | None = None
    image: str | None = None


@dataclass(frozen=True)
class UpstreamMedia:
    """A media file offered upstream. ``length`` is the size in bytes when known."""

    url: str
    mime_type: str | None = None
    length: int | None = None


@dataclass(frozen=True)
class UpstreamItem:
    """One talk, video or episode as an upstream source describes it. Datetimes are tz-aware."""

    external_id: str
    title: str
    persons: tuple[str, ...] = ()
    description: str = ""
    start: datetime | None = None
    end: datetime | None = None
    published: datetime | None = None
    duration: float | None = None
    media: tuple[UpstreamMedia, ...] = ()
    page_url: str | None = None
    thumbnail: str | None = None
    views: int | None = None
    updated: datetime | None = None
    collection: str | None = None
    institution: str | None = None
    venue: str | None = None
    created: date | None = None
