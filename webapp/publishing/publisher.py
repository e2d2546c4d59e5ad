"""Catalogue rows -> feed dataclasses -> prebuilt feed documents in the feed cache.

Feeds are built when the catalogue changes (and by a periodic job as a safety net), never
per request. Every show gets RSS, Atom and JSON Feed; shows with both audio and video also
get an audio-only and a video-only variant; "all" carries every public episode. Older items
are in RFC 5005 archive pages of ``FEED_PAGE_SIZE`` items, written once and never changed
by new episodes.
"""

from __future__ import annotations

import hashlib
import threading
import uuid
from array import array
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, TypeVar

from markupsafe import escape
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from feeds.atom import authority, build_atom
from feeds.jsonfeed import build_json_feed
from feeds.model import (
    AlternateLink,
    ArchiveLinks,
    Category,
    Channel,
    Chapters,
    Enclosure,
    Funding,
    ImageSize,
    Item,
    LiveItem,
    Person,
    RemoteItem,
    SocialInteract,
    Soundbite,
    Transcript,
    Txt,
    UpdateFrequency,
)
from feeds.opml import OpmlGroup, OpmlOutline, build_opml
from feeds.rss import build_rss
from feeds.splice import FragmentStore, splice
from webapp.catalog.models import (
    Episode,
    EpisodePerson,
    Show,
    parse_tags,
    podcast_guid_for,
    utcnow,
)
from webapp.catalog.models import Person as PersonRow
from webapp.catalog.operations import announced_talks, next_scheduled, talk_end, with_parts
from webapp.catalog.podcasting import parse_podroll, parse_soundbites, social_protocol
from webapp.catalog.shows import parse_hosts
from webapp.catalog.text import date_line, html_to_text, slugify
from webapp.publishing.entries import Entry, entries_by_person, public_entries
from webapp.publishing.feedcache import EXTRA_NAMES, FeedCache
from webapp.publishing.kept_entries import KeptEntries, PublicEntries
from webapp.publishing.version import BUILD_CODE
from webapp.publishing.writebehind import Write, WriteBehind, store

FORMATS: dict[str, Callable[[Channel, Sequence[Item]], bytes]] = {
    "rss": build_rss,
    "atom": build_atom,
    "json": build_json_feed,
}
FORMAT_TYPES = {
    "rss": "application/rss+xml",
    "atom": "application/atom+xml",
    "json": "application/feed+json",
}
FORMAT_LABELS = {"rss": "RSS", "atom": "Atom", "json": "JSON Feed"}
OPML_VERSIONS = {"rss": "RSS2", "atom": "atom", "json": "jsonfeed"}
ALL_SLUG = "all"
# A person's feeds are kept as "people--<slug>.rss" (no show slug has a double hyphen) and
# served at /feeds/people/<slug>.rss.
PEOPLE_PREFIX = "people--"
# A topic's (tag's) feeds likewise: "topics--<slug>.rss", served at /feeds/topics/<slug>.rss.
TOPICS_PREFIX = "topics--"
# Feeds gathered across shows, and the path their pages and feeds live under.
GATHERED = {PEOPLE_PREFIX: "people", TOPICS_PREFIX: "topics"}
# podcast:images sizes (pixels wide) made from the square artwork; "site.jpg" names the
# site's default art, for shows without their own.
ART_WIDTHS = (1400, 600, 300)
SITE_ART = "site.jpg"
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Urls:
    """Absolute URLs of everything a feed points at."""

    base: str

    def feed(self, name: str) -> str:
        for prefix, path in GATHERED.items():
            if name.startswith(prefix):
                return f"{self.base}/feeds/{path}/{name.removeprefix(prefix)}"
        return f"{self.base}/feeds/{name}"

    def page(self, slug: str) -> str:
        """The page a feed belongs to: a show's, a person's, or the home page for "all"."""
        if slug == ALL_SLUG:
            return f"{self.base}/"
        for prefix, path in GATHERED.items():
            if slug.startswith(prefix):
                return f"{self.base}/{path}/{slug.removeprefix(prefix)}"
        return self.show(slug)

    def media(self, key: str) -> str:
        return f"{self.base}/media/{key}"

    def show(self, slug: str) -> str:
        return f"{self.base}/shows/{slug}"

    def episode(self, episode: Episode) -> str:
        return f"{self.base}/shows/{episode.show.slug}/{episode.slug}"


def feed_name(slug: str, fmt: str, variant: str = "", page: int | None = None) -> str:
    """e.g. 'talks.rss', 'talks.audio.atom', 'talks.archive-2.json'."""
    parts = [slug] + ([variant] if variant else []) + ([f"archive-{page}"] if page else [])
    return ".".join(parts) + f".{fmt}"


def item_for(episode: Episode, urls: Urls, kind: str | None, tz: str) -> Item:
    """The feed item of an episode; ``kind`` keeps only audio or only video files."""
    # An upstream file being copied here waits: apps get the copy, never a URL that changes.
    files = [
        m
        for m in episode.media
        if (kind is None or m.kind == kind) and not (m.awaiting_download and not m.storage_key)
    ]
    enclosures = tuple(
        Enclosure(
            url=urls.media(m.storage_key) if m.storage_key else (m.url or ""),
            mime_type=m.mime_type,
            length=m.size,
            duration=m.duration,
            bitrate=m.bitrate,
            width=m.width,
            height=m.height,
            title=f"{m.kind.title()} ({m.mime_type})",
        )
        for m in files
    )
    persons = tuple(
        Person(name=c.person.name, role=c.role, group=c.group, href=c.person.href, img=c.person.img)
        for c in episode.credits
    )
    facts = [" and ".join(p.name for p in persons)] if persons else []
    when = date_line(episode.recorded_start, episode.recorded_end, tz)
    facts += [x for x in (when, episode.institution) if x]
    content = episode.description_html
    if facts:
        content = "".join(f"<p>{escape(f)}</p>" for f in facts) + content
    if episode.links:
        content += (
            "<ul>"
            + "".join(
                f'<li><a href="{escape(url)}">{escape(title)}</a></li>'
                for title, url in episode.link_list
            )
            + "</ul>"
        )
    if episode.source_url:
        # RSS has no element for an item's second page; the text carries it in every format.
        url = escape(episode.source_url)
        content += f'<p>Original: <a href="{url}">{url}</a></p>'
    return Item(
        guid=episode.guid,
        title=episode.title,
        link=urls.episode(episode),
        published=episode.publish_at or episode.created_at,
        updated=max(episode.updated_at, episode.publish_at or EPOCH),
        # Stored summaries may predate entity decoding: plain text only in the feeds.
        summary=html_to_text(episode.summary),
        content_html=content,
        # "; " keeps "Surname, I" names apart; each person is also listed on their own.
        author="; ".join(p.name for p in persons) or None,
        authors=tuple(p.name for p in persons),
        enclosures=enclosures,
        persons=persons,
        image=urls.media(episode.artwork_key) if episode.artwork_key else None,
        explicit=episode.explicit,
        episode_type=episode.episode_type,  # type: ignore[arg-type]
        season=episode.season,
        episode=episode.number,
        tags=tuple(episode.tag_list),
        transcripts=_transcripts(episode, urls),
        chapters=_chapters(episode, urls),
        external_url=episode.source_url,
        soundbites=tuple(
            Soundbite(b.start, b.duration, b.title)
            for b in parse_soundbites(episode.soundbites or "")
        ),
        location=episode.venue or None,
        social=(
            SocialInteract(episode.social_uri, social_protocol(episode.social_uri))
            if episode.social_uri
            else None
        ),
    )


def _attachment_url(url: str | None, key: str | None, urls: Urls) -> str:
    return urls.media(key) if key else (url or "")


def _transcripts(episode: Episode, urls: Urls) -> tuple[Transcript, ...]:
    """Timed transcripts (WebVTT, SRT) are captions in Podcasting 2.0 terms."""
    return tuple(
        Transcript(
            url=_attachment_url(a.url, a.storage_key, urls),
            mime_type=a.mime_type,
            language=a.language or episode.show.language,
            rel="captions" if a.mime_type in ("text/vtt", "application/x-subrip") else None,
        )
        for a in episode.attachments
        if a.kind == "transcript"
    )


def _chapters(episode: Episode, urls: Urls) -> Chapters | None:
    for a in episode.attachments:
        if a.kind == "chapters":
            return Chapters(url=_attachment_url(a.url, a.storage_key, urls), mime_type=a.mime_type)
    return None


VARIANT_TITLES = {"audio": " (audio)", "video": " (video)"}


def variant_guid(show: Show, variant: str, urls: Urls) -> str:
    """A feed's podcast:guid: the show's for its main feed; for the audio-only and video-only
    feeds their own, made from their URL the first time they are built and kept after."""
    if not variant:
        return show.podcast_guid
    stored = getattr(show, f"{variant}_guid")
    if stored:
        return str(stored)
    guid = podcast_guid_for(urls.feed(feed_name(show.slug, "rss", variant)))
    setattr(show, f"{variant}_guid", guid)  # committed with the rebuild's unit of work
    return guid


def _channel(
    show: Show,
    urls: Urls,
    name: str,
    variant: str,
    archive: ArchiveLinks,
    alts: tuple[AlternateLink, ...],
    hub: str | None,
    default_art: str,
    live: tuple[LiveItem, ...] = (),
) -> Channel:
    medium = "video" if variant == "video" and show.medium == "podcast" else show.medium
    return Channel(
        title=show.title + VARIANT_TITLES.get(variant, ""),
        # "all" has no show page (the home page lists everything); a person has theirs.
        link=urls.page(show.slug),
        feed_url=urls.feed(name),
        feed_id=feed_id(show, name),
        description=html_to_text(show.summary) or show.title,
        updated=show.content_updated_at,
        podcast_guid=variant_guid(show, variant, urls),
        language=show.language,
        author=show.author or show.title,
        owner_name=show.owner_name,
        owner_email=show.owner_email,
        copyright=show.copyright,
        image=urls.media(show.artwork_key) if show.artwork_key else default_art,
        logo=f"{urls.base}/logo/{show.artwork_key or SITE_ART}",
        categories=(Category(show.category, show.subcategory),) if show.category else (),
        explicit=show.explicit,
        show_type=show.show_type,  # type: ignore[arg-type]
        medium=medium,  # type: ignore[arg-type]
        locked=show.locked,
        complete=show.complete,
        archive=archive,
        alternates=alts,
        hub=hub or None,
        # The "all" feed's show is never stored, so its unset settings read as None.
        subtitle=show.subtitle or "",
        block=bool(show.block),
        new_feed_url=show.new_feed_url or None,
        funding=Funding(show.funding_url, show.funding_text or "") if show.funding_url else None,
        location=show.location or None,
        license=show.license or None,
        persons=tuple(Person(name=name, role=role) for name, role in parse_hosts(show.hosts or "")),
        images=tuple(
            ImageSize(f"{urls.base}/art/{width}/{show.artwork_key or SITE_ART}", width)
            for width in ART_WIDTHS
        ),
        update_frequency=_update_frequency(show),
        txt=Txt(show.txt_value, show.txt_purpose or None) if show.txt_value else None,
        podroll=tuple(
            RemoteItem(r.feed_guid, r.feed_url) for r in parse_podroll(show.podroll or "")
        ),
        live_items=live,
    )


def archive_channel(
    subscription: Channel, show: Show, urls: Urls, name: str, links: ArchiveLinks
) -> Channel:
    """An archive page's channel: its subscription document's, with the page's own URL, id
    and links and no live items (what ``_channel`` makes for it, without making it again)."""
    return replace(
        subscription,
        feed_url=urls.feed(name),
        feed_id=feed_id(show, name),
        archive=links,
        live_items=(),
    )


def feed_id(show: Show, name: str) -> str:
    """A document's Atom id: its show's podcast:guid and its name, so it never changes."""
    return f"urn:uuid:{uuid.uuid5(uuid.UUID(show.podcast_guid), name)}"


def _update_frequency(show: Show) -> UpdateFrequency | None:
    if not (show.update_frequency or show.update_rrule):
        return None
    return UpdateFrequency(
        show.update_frequency or show.update_rrule,
        show.update_rrule or None,
        complete=bool(show.complete),
    )


def live_item(episode: Episode, urls: Urls, now: datetime) -> LiveItem:
    """An announced talk as a live item: pending before it starts, live while it is on.

    Its guid is the episode's, so the item that replaces it once the recording is
    published is the same episode to an app.
    """
    show = episode.show
    assert episode.recorded_start is not None and show.live_stream_url
    stream = Enclosure(show.live_stream_url, show.live_stream_type or "audio/mpeg", 0)
    item = Item(
        guid=episode.guid,
        title=episode.title,
        # Its page here opens when it is published: until then, the talk's own page.
        link=episode.source_url or urls.show(show.slug),
        published=episode.recorded_start,
        updated=episode.updated_at,
        summary=html_to_text(episode.summary),
        enclosures=(stream,),
        persons=tuple(
            Person(name=c.person.name, role=c.role, group=c.group) for c in episode.credits
        ),
    )
    return LiveItem(
        item,
        "pending" if now < episode.recorded_start else "live",
        episode.recorded_start,
        talk_end(episode),
        content_link=episode.source_url or None,
    )


T = TypeVar("T")
# Items kept per episode revision, and serialized items kept by content: a build after one
# new episode renders one item per format instead of the whole subscription document.
KEPT_ITEMS = 20_000
KEPT_FRAGMENTS = 3 * KEPT_ITEMS
LOAD_CHUNK = 900


def entries_for_format(entries: list[Entry], fmt: str, kind: str | None) -> list[Entry]:
    """The episodes one format carries: podcast (RSS) feeds only those with media.

    Podcast apps skip an item without an enclosure, and some drop the feed's other items
    with it; feed readers (Atom, JSON Feed) show text items such as articles as they are.
    ``kind`` keeps only audio or only video files (item_for), so it decides what is playable.
    """
    if fmt != "rss":
        return entries
    return [e for e in entries if (kind in e.playable if kind else e.playable)]


def paginate(items: list[T], page_size: int) -> tuple[list[T], list[list[T]]]:
    """Split newest-first items into the subscription document and archive pages.

    Archive pages hold whole pages of the oldest items, page 1 the oldest, so the items on
    a page never change as new ones arrive. The subscription document holds the rest
    (``page_size`` to ``2 * page_size - 1`` items): every item is in exactly one document.
    """
    full = max(0, len(items) // page_size - 1)
    chronological = items[::-1]
    pages = [chronological[n * page_size : (n + 1) * page_size][::-1] for n in range(full)]
    return items[: len(items) - full * page_size], pages


def page_updated(items: list[Item]) -> datetime:
    """An archive page's date comes from its own items, so new episodes leave it alone."""
    return max((i.updated for i in items), default=EPOCH)


def load_episodes(session: Session, ids: list[int]) -> dict[int, Episode]:
    """These episodes with everything an item is made of, by id."""
    found: dict[int, Episode] = {}
    for at in range(0, len(ids), LOAD_CHUNK):
        query = select(Episode).where(Episode.id.in_(ids[at : at + LOAD_CHUNK]))
        found.update((e.id, e) for e in session.scalars(with_parts(query)))
    return found


def by_topic(entries: list[Entry]) -> tuple[dict[str, list[Entry]], dict[str, str]]:
    """The entries of each topic (tag) by its slug, in order, and each topic's name (as the
    first entry that has it spells it)."""
    tagged: dict[str, list[Entry]] = defaultdict(list)
    names: dict[str, str] = {}
    for entry in entries:
        for tag in parse_tags(entry.tags):
            slug = slugify(tag)
            tagged[slug].append(entry)
            names.setdefault(slug, tag)
    return tagged, names


class Publisher:
    """Builds and stores every feed document of the catalogue.

    A document is written only when its inputs changed: the writing code, its channel, and
    the (id, revision) of each of its episodes (webapp/catalog/revisions.py). Unchanged
    archive pages are not even loaded; a changed document reuses kept items and fragments.
    """

    def __init__(self, config: dict[str, Any], cache: FeedCache) -> None:
        self.urls = Urls(config["BASE_URL"])
        self.page_size = int(config["FEED_PAGE_SIZE"])
        self.tz = config["TIMEZONE"]
        self.hub = config.get("WEBSUB_HUB") or None
        self.cache = cache
        self.default_art = f"{self.urls.base}/static/artwork.png"
        self.site_title = str(config.get("SITE_TITLE") or "Talkcast")
        self.owner_email = str(config.get("SITE_OWNER_EMAIL") or "")
        # Every topic (tag) of a public episode, slug to name, as of the last build.
        self.topics: dict[str, str] = {}
        # Subscription feed URLs whose bytes changed since the last take_changed().
        self.changed: set[str] = set()
        # Everything besides the catalogue a document depends on.
        self.build_key = f"{BUILD_CODE}|{self.urls.base}|{self.tz}|{self.page_size}"
        self.items: OrderedDict[tuple[int, int, str | None], Item] = OrderedDict()
        self.fragments = FragmentStore(KEPT_FRAGMENTS)
        self.entries = KeptEntries()
        # The public episodes the last rebuild of some shows found may have changed since
        # the one before (None: any); search looks at no others (services.rebuild_feeds).
        self.affected: set[int] | None = None
        # The people credited on the newer entries at the last build (see _reached).
        self._newer_people: set[int] = set()
        # Archive page name -> its entries and their (id, revision) digest at the last build.
        self._page_entries: dict[str, tuple[list[Entry], str]] = {}
        # A full build ignores what documents were built from (the operator's rebuild).
        self.full = False
        self._lock = threading.RLock()
        # The writing thread of the rebuild under way (writebehind.py), if any, and the
        # documents and public copies it found (listed once, then kept up to date).
        self._writes: WriteBehind | None = None
        self._listed: set[str] | None = None
        self._published: set[str] | None = None
        # Documents written / left as they were by the builds since the last reset.
        self.built = 0
        self.kept = 0

    def _items(self, session: Session, entries: list[Entry], kind: str | None) -> list[Item]:
        """The items of these episodes: kept ones by revision, the others loaded and made."""
        keys = [(e.id, e.revision, kind) for e in entries]
        found = {key: self.items.get(key) for key in keys}
        missing = [key[0] for key, item in found.items() if item is None]
        loaded = load_episodes(session, missing) if missing else {}
        items = []
        for key in keys:
            item = found[key]
            if item is None:
                episode = loaded.get(key[0])
                if episode is None:
                    continue  # deleted since the entries were read: the next build drops it
                item = item_for(episode, self.urls, kind, self.tz)
                # Under the revision read with the row itself (a save may have come between).
                self.items[(episode.id, episode.revision, kind)] = item
            else:
                self.items.move_to_end(key)
            items.append(item)
        while len(self.items) > KEPT_ITEMS:
            self.items.popitem(last=False)
        return items

    def _inputs(
        self, name: str, channel: Channel, entries: list[Entry], stale: float | None
    ) -> str:
        digest = hashlib.sha256(f"{self.build_key}|{name}|{stale}|{channel!r}".encode())
        pairs = array("q", [n for e in entries for n in (e.id, e.revision)])
        digest.update(pairs.tobytes())
        return digest.hexdigest()

    def _write_set(
        self,
        session: Session,
        show: Show,
        slug: str,
        variant: str,
        entries: list[Entry],
        stale: float | None,
        live: tuple[LiveItem, ...] = (),
    ) -> set[str]:
        written: set[str] = set()
        kind = variant or None
        for fmt, build in FORMATS.items():
            current, pages = paginate(entries_for_format(entries, fmt, kind), self.page_size)
            alts = tuple(
                AlternateLink(self.urls.feed(feed_name(slug, f, variant)), FORMAT_TYPES[f])
                for f in FORMATS
                if f != fmt
            )
            main = feed_name(slug, fmt, variant)
            archive = ArchiveLinks(
                current=self.urls.feed(main),
                prev_archive=self._prev(slug, fmt, variant, None, len(pages)),
            )
            subscription = _channel(
                show, self.urls, main, variant, archive, alts, self.hub, self.default_art, live
            )
            written.add(main)
            self._write_document(session, build, fmt, main, subscription, current, kind, stale)
            # An archive page's channel is the subscription document's with the page's own
            # URL, id and links, no live items, and its items' date (page_updated); its
            # inputs are worked out once per set, and a page's entries once per change.
            pages_key = ""
            for page, page_entries in enumerate(pages, start=1):
                name = feed_name(slug, fmt, variant, page)
                written.add(name)
                pages_key = pages_key or self._pages_key(subscription)
                inputs = self._page_inputs(name, pages_key, page_entries)
                if not self.full and self.cache.is_current(name, inputs, self._published):
                    self.kept += 1
                    continue
                links = ArchiveLinks(
                    current=archive.current,
                    prev_archive=self._prev(slug, fmt, variant, page, len(pages)),
                    next_archive=self._next(slug, fmt, variant, page),
                    is_archive=True,
                )
                channel = archive_channel(subscription, show, self.urls, name, links)
                self._write_document(
                    session, build, fmt, name, channel, page_entries, kind, None, inputs
                )
        return written

    def _write_document(
        self,
        session: Session,
        build: Callable[[Channel, Sequence[Item]], bytes],
        fmt: str,
        name: str,
        channel: Channel,
        entries: list[Entry],
        kind: str | None,
        stale: float | None,
        inputs: str | None = None,
    ) -> None:
        """Write one document unless it was built from the same inputs and is in place.

        ``inputs`` is given for an archive page (whose channel date comes from its items).
        """
        is_archive = inputs is not None
        if inputs is None:
            inputs = self._inputs(name, channel, entries, stale)
            if not self.full and self.cache.is_current(name, inputs, self._published):
                self.kept += 1
                return
        items = self._items(session, entries, kind)
        if is_archive:
            channel = replace(channel, updated=page_updated(items))
        context = authority(channel) if fmt == "atom" else None
        data = splice(build, fmt, channel, items, self.fragments, context)
        url = None if is_archive else channel.feed_url
        self._store(Write(name, data, fmt, stale, inputs, url))
        self.built += 1

    def _store(self, write: Write) -> None:
        """Write a document: through the rebuild's writing thread, or here and now."""
        if self._writes is not None:
            self._writes.put(write)
        elif store(self.cache, write) and write.url:
            self.changed.add(write.url)

    def _names(self) -> set[str]:
        """Every document built: those listed (once per rebuild) and those handed to the
        writing thread."""
        listed = self._listed if self._listed is not None else set(self.cache.names())
        return listed | (self._writes.names if self._writes is not None else set())

    def _remove(self, name: str) -> None:
        self.cache.remove(name)
        if self._listed is not None:
            self._listed.discard(name)

    def _pages_key(self, subscription: Channel) -> str:
        """What every archive page of a set is built from besides its name and entries."""
        neutral = replace(
            subscription,
            feed_url="",
            feed_id="",
            archive=ArchiveLinks(),
            live_items=(),
            updated=EPOCH,
        )
        return hashlib.sha256(f"{self.build_key}|{neutral!r}".encode()).hexdigest()

    def _page_inputs(self, name: str, pages_key: str, entries: list[Entry]) -> str:
        """An archive page's inputs digest. Its entries' part is kept by name: after one new
        episode they are the same entries (kept_entries.py), and a list compares its
        elements by identity first."""
        known = self._page_entries.get(name)
        if known is None or known[0] != entries:
            pairs = array("q", [n for e in entries for n in (e.id, e.revision)])
            known = (entries, hashlib.sha256(pairs.tobytes()).hexdigest())
            self._page_entries[name] = known
        return hashlib.sha256(f"{pages_key}|{name}|{known[1]}".encode()).hexdigest()

    def _prev(self, slug: str, fmt: str, variant: str, page: int | None, count: int) -> str | None:
        target = count if page is None else page - 1
        return self.urls.feed(feed_name(slug, fmt, variant, target)) if target >= 1 else None

    def _next(self, slug: str, fmt: str, variant: str, page: int | None) -> str | None:
        # The newest archive page names its successor before it exists (the feed route
        # redirects that name to the subscription document until then), so no archive
        # page is rewritten when a new one is added.
        if page is None:
            return None
        return self.urls.feed(feed_name(slug, fmt, variant, page + 1))

    def build_show(
        self,
        session: Session,
        show: Show,
        now: datetime | None = None,
        public: list[Entry] | None = None,
    ) -> set[str]:
        """Build every document of one show; returns the names written. ``public`` is
        every show's public episodes when the caller has read them already."""
        if show.feed_redirect:
            # Moved to another host: no document here, so every feed URL answers 301.
            self._drop_unwritten(show.slug, set())
            return set()
        now = now or utcnow()
        show_id = show.id
        if public is None:
            entries = public_entries(session, now, show_id)
        elif isinstance(public, PublicEntries):
            entries = public.where(("show", show_id), lambda e: e.show_id == show_id)
        else:
            entries = [e for e in public if e.show_id == show_id]
        talks = announced_talks(session, show, now) if show.live_stream_url else []
        live = tuple(live_item(e, self.urls, now) for e in talks)
        # Rebuild when a scheduled episode falls due, or a live item starts or ends.
        changes = [t for t in [next_scheduled(session, show, now)] if t is not None]
        changes += [x.start if x.status == "pending" else x.end for x in live if x.end]
        stale = min(changes).timestamp() if changes else None
        written = self._write_set(session, show, show.slug, "", entries, stale, live)
        kinds = {k for e in entries for k in e.kinds}
        if {"audio", "video"} <= kinds:
            for kind in ("audio", "video"):
                chosen = [e for e in entries if kind in e.kinds]
                written |= self._write_set(session, show, show.slug, kind, chosen, stale)
        self._drop_unwritten(show.slug, written)
        return written

    def build_all(
        self,
        session: Session,
        now: datetime | None = None,
        topics: set[str] | None = None,
        public: list[Entry] | None = None,
    ) -> set[str]:
        """Build the all-items feed, the feeds of these topics (all when None) and the OPML
        list of every feed."""
        now = now or utcnow()
        shows = list(session.scalars(select(Show).order_by(Show.title)))
        everything = self._gathering(
            session,
            ALL_SLUG,
            f"{self.site_title}: all episodes",
            "Every published episode and talk, newest first.",
            session.scalar(select(func.max(Show.content_updated_at))) or EPOCH,
        )
        entries = public_entries(session, now) if public is None else public
        upcoming = next_scheduled(session, None, now)
        written = self._write_set(
            session, everything, ALL_SLUG, "", entries, upcoming.timestamp() if upcoming else None
        )
        self._drop_unwritten(ALL_SLUG, written)
        written |= self.build_topics(session, entries, topics)
        built = self._names()
        groups = [
            self._opml_group(s.title, s.slug, self.urls.show(s.slug), built)
            for s in shows
            if not s.feed_redirect
        ]
        groups += [
            self._opml_group(f"Talks by {p.name}", slug, self.urls.page(slug), built)
            for p in session.scalars(select(PersonRow).order_by(PersonRow.name))
            if feed_name(slug := PEOPLE_PREFIX + p.slug, "rss") in built
        ]
        groups += [
            self._opml_group(
                f"Talks on {name}",
                TOPICS_PREFIX + slug,
                self.urls.page(TOPICS_PREFIX + slug),
                built,
            )
            for slug, name in sorted(self.topics.items(), key=lambda t: t[1].lower())
            if feed_name(TOPICS_PREFIX + slug, "rss") in built
        ]
        groups.append(self._opml_group(everything.title, ALL_SLUG, f"{self.urls.base}/", built))
        self._store(
            Write("feeds.opml", build_opml(self.site_title, groups), "opml", None, None, None)
        )
        return written

    def build_topics(
        self, session: Session, entries: list[Entry], wanted: set[str] | None
    ) -> set[str]:
        """Each topic's feeds: the public episodes tagged with it, from every show.

        ``entries`` are all public episodes (the "all" feed has them read already);
        ``self.topics`` keeps every topic there is, slug to name, for the OPML and pages.
        """
        if isinstance(entries, PublicEntries):
            (newer, newer_names), (older, older_names) = entries.derive("topics", by_topic)
            tagged = {s: newer.get(s, []) + older.get(s, []) for s in newer.keys() | older}
            # The newest entry's spelling of a topic names it, as in by_topic.
            names = older_names | newer_names
        else:
            tagged, names = by_topic(entries)
        self.topics = names
        written: set[str] = set()
        for slug, chosen in tagged.items():
            if wanted is not None and slug not in wanted:
                continue
            title = f"Talks on {names[slug]}"
            written |= self._write_gathered(session, TOPICS_PREFIX + slug, title, chosen)
        return written

    def _gathering(
        self, session: Session, slug: str, title: str, summary: str, updated: datetime
    ) -> Show:
        """A feed of episodes gathered from several shows ("all", a person's talks), as
        the show it is written from; it is never stored."""
        return Show(
            slug=slug,
            title=title,
            summary=summary,
            podcast_guid=podcast_guid_for(self.urls.feed(feed_name(slug, "rss"))),
            content_updated_at=updated,
            language="en",
            category="Science",
            subcategory="Mathematics",
            explicit=False,
            show_type="episodic",
            medium="podcast",
            locked=False,
            complete=False,
            author=self.site_title,
            owner_name=self.site_title,
            owner_email=self.owner_email
            or session.scalar(
                select(Show.owner_email).where(Show.owner_email != "").order_by(Show.id).limit(1)
            )
            or "",
        )

    def build_people(
        self, session: Session, person_ids: set[int] | None, now: datetime | None = None
    ) -> set[str]:
        """Each person's feeds: their public talks from every show."""
        now = now or utcnow()
        if person_ids is not None and not person_ids:
            return set()  # nobody's feeds to check
        query = select(PersonRow)
        if person_ids is not None:
            query = query.where(PersonRow.id.in_(person_ids))
        talks = entries_by_person(session, now, person_ids)
        written: set[str] = set()
        for person in session.scalars(query):
            slug = PEOPLE_PREFIX + person.slug
            entries = talks.get(person.id)
            if not entries:
                self._drop_unwritten(slug, set())
                continue
            title = f"Talks by {person.name}"
            written |= self._write_gathered(session, slug, title, entries, person.name)
        return written

    def _write_gathered(
        self,
        session: Session,
        slug: str,
        title: str,
        entries: list[Entry],
        author: str | None = None,
    ) -> set[str]:
        """Write the feeds of episodes gathered from several shows; drop what they replace."""
        gathering = self._gathering(
            session,
            slug,
            title,
            f"{title}, from every collection, newest first.",
            max(e.updated for e in entries),
        )
        if author:
            gathering.author = author
        written = self._write_set(session, gathering, slug, "", entries, None)
        self._drop_unwritten(slug, written)
        return written

    def _opml_group(self, title: str, slug: str, page: str, built: set[str]) -> OpmlGroup:
        """Every subscription document of one show that is built, the main RSS feed first."""
        outlines = tuple(
            OpmlOutline(
                f"{title} ({variant + ', ' if variant else ''}{FORMAT_LABELS[fmt]})",
                self.urls.feed(feed_name(slug, fmt, variant)),
                page,
                version=OPML_VERSIONS[fmt],
            )
            for variant in ("", "audio", "video")
            for fmt in FORMATS
            if feed_name(slug, fmt, variant) in built
        )
        return OpmlGroup(title, outlines)

    def _drop_unwritten(self, slug: str, written: set[str]) -> None:
        for name in self._names():
            if name.split(".", 1)[0] == slug and name not in written:
                self._remove(name)

    def _reached(
        self, session: Session, show_ids: set[int] | None, public: PublicEntries
    ) -> tuple[set[int] | None, set[str] | None]:
        """The people and topics whose feeds a rebuild of these shows checks (None: all).

        When only the newest entries were read, any change since the last build is among
        them and the newest of the last build (kept_entries.py): their topics, their people
        now, and their people as the last build found them. After a whole read anything may
        have changed, such as a credit or a tag taken off an archived talk: all are checked
        (most are found current and not written). A rebuild of every show checks all too.
        """
        ids = sorted({e.id for e in (public.newer if public.affected is None else public.affected)})
        credited: dict[int, set[int]] = defaultdict(set)
        query = select(EpisodePerson.episode_id, EpisodePerson.person_id)
        for at in range(0, len(ids), LOAD_CHUNK):
            chunk = query.where(EpisodePerson.episode_id.in_(ids[at : at + LOAD_CHUNK]))
            for episode_id, person_id in session.execute(chunk):
                credited[episode_id].add(person_id)
        before, self._newer_people = (
            self._newer_people,
            {p for e in public.newer for p in credited.get(e.id, ())},
        )
        if show_ids is None or public.affected is None:
            return None, None
        people = before | {p for persons in credited.values() for p in persons}
        topics = {slugify(t) for e in public.affected for t in parse_tags(e.tags)}
        return people, topics

    def take_changed(self) -> set[str]:
        """Feed URLs that changed since the last call (for WebSub pings)."""
        changed, self.changed = self.changed, set()
        return changed

    def rebuild(
        self,
        session: Session,
        show_ids: set[int] | None = None,
        *,
        full: bool = False,
        meanwhile: Callable[[], object] | None = None,
    ) -> set[str]:
        """Rebuild the given shows (all when None), the all-items feed and the OPML.

        ``full`` writes every document again from freshly loaded episodes, whatever its
        inputs were: the operator's rebuild, for anything a revision could have missed.
        ``meanwhile`` runs once every document is made, while the last ones are written.
        """
        # Request threads (inline rebuilds) and the worker share this publisher's caches.
        with self._lock:
            self.full = full
            if full:
                self.items.clear()
                self.entries.clear()
                self._page_entries.clear()
            self._writes = WriteBehind(self.cache)
            self._listed = set(self.cache.names())
            self._published = self.cache.published_names()
            try:
                written = self._rebuild(session, show_ids)
                if meanwhile is not None:
                    meanwhile()
            except BaseException:
                self._writes.abandon()
                # What the failed build read may not be built: the next one reads it all.
                self.entries.clear()
                raise
            else:
                self.changed |= self._writes.finish()
            finally:
                self._writes = self._listed = self._published = None
                self.full = False
            return written

    def _rebuild(self, session: Session, show_ids: set[int] | None) -> set[str]:
        query = select(Show)
        if show_ids is not None:
            query = query.where(Show.id.in_(show_ids))
        written: set[str] = set()
        now = utcnow()
        # Read once: each show's feeds and the "all" feed are cut from the same list.
        public = self.entries.read(session, now)
        for show in session.scalars(query):
            written |= self.build_show(session, show, now, public)
        people, topics = self._reached(session, show_ids, public)
        self.affected = (
            None if show_ids is None or public.affected is None else {e.id for e in public.affected}
        )
        written |= self.build_people(session, people, now)
        written |= self.build_all(session, now, topics, public)
        live = set(session.scalars(select(Show.slug))) | {ALL_SLUG}
        live |= {PEOPLE_PREFIX + slug for slug in session.scalars(select(PersonRow.slug))}
        live |= {TOPICS_PREFIX + slug for slug in self.topics}
        for name in self._names():
            if name not in EXTRA_NAMES and name.split(".", 1)[0] not in live:
                self._remove(name)
        return written
