"""Podcasting 2.0 settings as staff type them: checked once, read back for the feeds.

Soundbites are lines of "start duration title", times in seconds or m:ss; a podroll is
lines naming other shows by feed URL or podcast:guid; an update frequency's rule is an
RFC 5545 RRULE such as ``FREQ=WEEKLY``.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit

from dateutil.rrule import rrulestr

from webapp.catalog.errors import CatalogError
from webapp.catalog.models import podcast_guid_for
from webapp.catalog.text import clean_text

_TIME = re.compile(r"(?:(\d+):)?(\d+):(\d{1,2}(?:\.\d+)?)\Z|(\d+(?:\.\d+)?)\Z")
_URL = re.compile(r"https?://[^\s<>\"]+\Z")
MAX_SOUNDBITES = 20
MAX_PODROLL = 50


@dataclass(frozen=True)
class Bite:
    """One soundbite: where it starts and how long it is, in seconds."""

    start: float
    duration: float
    title: str


@dataclass(frozen=True)
class Recommended:
    """A show in the podroll; ``feed_guid`` is known even when only the URL was given."""

    feed_guid: str
    feed_url: str | None


def seconds(text: str) -> float:
    """'73', '73.5', '1:13' or '1:01:13' as seconds; CatalogError otherwise."""
    match = _TIME.match(text.strip())
    if match is None:
        raise CatalogError(f"'{text}' is not a time: use seconds (73) or minutes (1:13)")
    if match[4] is not None:
        return float(match[4])
    hours = int(match[1] or 0)
    return hours * 3600 + int(match[2]) * 60 + float(match[3])


def parse_soundbites(text: str) -> list[Bite]:
    """Soundbite lines as bites, in the order given."""
    bites = []
    for line in (raw.strip() for raw in text.splitlines()):
        if not line:
            continue
        parts = line.split(None, 2)
        if len(parts) < 2:
            raise CatalogError(f"soundbite '{line}': give a start and a duration, then a title")
        start, duration = seconds(parts[0]), seconds(parts[1])
        if duration <= 0:
            raise CatalogError(f"soundbite '{line}': the duration must be more than 0")
        bites.append(Bite(start, duration, clean_text(parts[2]) if len(parts) > 2 else ""))
    if len(bites) > MAX_SOUNDBITES:
        raise CatalogError(f"at most {MAX_SOUNDBITES} soundbites an episode")
    return bites


def _number(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".")


def check_soundbites(text: str) -> str:
    """Soundbite lines, checked, in one spelling: seconds then title."""
    return "\n".join(
        " ".join(x for x in (_number(b.start), _number(b.duration), b.title) if x)
        for b in parse_soundbites(text)
    )


def parse_podroll(text: str) -> list[Recommended]:
    """Podroll lines: a feed URL, a podcast:guid, or both (guid first) on one line."""
    shows = []
    for line in (raw.strip() for raw in text.splitlines()):
        if not line:
            continue
        guid = url = None
        for part in line.split():
            if _URL.match(part) and len(part) <= 1000:
                url = part
            else:
                try:
                    guid = str(uuid.UUID(part))
                except ValueError:
                    raise CatalogError(
                        f"podroll '{line}': give a feed URL or a podcast:guid"
                    ) from None
        if guid is None and url is not None:
            # The Podcasting 2.0 formula: the guid a feed at this URL has unless it chose one.
            guid = podcast_guid_for(url)
        assert guid is not None
        shows.append(Recommended(guid, url))
    if len(shows) > MAX_PODROLL:
        raise CatalogError(f"at most {MAX_PODROLL} shows in a podroll")
    return shows


def check_podroll(text: str) -> str:
    """Podroll lines, checked, one spelling each ("guid url")."""
    return "\n".join(
        " ".join(x for x in (r.feed_guid, r.feed_url) if x) for r in parse_podroll(text)
    )


def check_rrule(text: str) -> str:
    """An RRULE (without the 'RRULE:' prefix), or CatalogError saying it is not one."""
    rule = clean_text(text).upper().removeprefix("RRULE:")
    if not rule:
        return ""
    if len(rule) > 200 or not rule.startswith("FREQ=") and ";FREQ=" not in rule:
        raise CatalogError(f"'{text}' is not a repeat rule such as FREQ=WEEKLY")
    try:
        rrulestr(rule)
    except (ValueError, TypeError) as exc:
        raise CatalogError(f"'{text}' is not a repeat rule such as FREQ=WEEKLY") from exc
    return rule


# podcast:socialInteract protocols, told apart by the post's address.
_PROTOCOLS = {"bsky.app": "atproto", "twitter.com": "twitter", "x.com": "twitter"}


def social_protocol(uri: str) -> str:
    """The protocol of a discussion thread: ActivityPub (Mastodon and the like) unless the
    address is one of the few others apps know."""
    host = (urlsplit(uri).hostname or "").removeprefix("www.")
    return _PROTOCOLS.get(host, "activitypub")


def check_links(text: str) -> str:
    """Slides and links, one per line ("Title | URL" or a URL), checked and tidied."""
    lines = []
    for raw in text.splitlines():
        line = clean_text(raw)
        if not line:
            continue
        title, _, url = line.rpartition("|")
        url, title = url.strip(), title.strip()
        if len(url) > 1000 or not _URL.match(url):
            raise CatalogError(f"link '{line}': end it with an http:// or https:// address")
        lines.append(f"{title[:200]} | {url}" if title else url)
    if len(lines) > 20:
        raise CatalogError("at most 20 links a talk")
    return "\n".join(lines)


def check_social_uri(value: str | None) -> str | None:
    """The address of the post where an episode is discussed, or None."""
    uri = clean_text(value or "")
    if not uri:
        return None
    if len(uri) > 1000 or not _URL.match(uri):
        raise CatalogError("The discussion thread must be an http:// or https:// address")
    return uri
