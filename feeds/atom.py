"""Atom 1.0 (RFC 4287) feeds, built with feedgen."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote, urlsplit

from feedgen.feed import FeedGenerator

from feeds import ext
from feeds.model import Channel, Item
from feeds.text import sanitize

GENERATOR = "Talkcast"
ATOM_MIME = "application/atom+xml"

# RFC 4151 tag URIs need a date on which we held the authority name. It is part of
# every derived entry id, and ids must never change, so it is a constant.
TAG_DATE = "2024"

_URI_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:\S+\Z")


def entry_id(guid: str, authority: str) -> str:
    """Atom id for a guid: ``urn:uuid:`` for UUIDs, the guid if it is a URI, else a tag URI."""
    try:
        return uuid.UUID(guid).urn
    except ValueError:
        pass
    if _URI_SCHEME.match(guid):
        return guid
    return f"tag:{authority},{TAG_DATE}:{quote(guid, safe='/:@!$&()*+,;=-._~')}"


def build_atom(channel: Channel, items: Sequence[Item]) -> bytes:
    """Build an Atom 1.0 feed; items appear in the order given."""
    channel = sanitize(channel)
    fg = FeedGenerator()
    ext.install(fg, channel, atom=True)
    fg.id(channel.feed_id)
    fg.title(channel.title)
    # Set from the catalogue: feedgen would otherwise stamp the build time.
    fg.updated(channel.updated)
    fg.author(_author(channel))
    fg.link(href=channel.link, rel="alternate", type="text/html")
    fg.link(href=channel.feed_url, rel="self", type=ATOM_MIME)
    fg.language(channel.language)
    fg.generator(GENERATOR)
    if channel.description:
        fg.subtitle(channel.description)
    if channel.copyright:
        fg.rights(channel.copyright)
    # RFC 4287: the icon is square, the logo twice as wide as high.
    if channel.image:
        fg.icon(channel.image)
    if channel.logo:
        fg.logo(channel.logo)
    host = authority(channel)
    for item in items:
        _add_entry(fg, sanitize(item), host)
    xml: bytes = fg.atom_str(pretty=True, encoding="UTF-8", xml_declaration=True)
    return xml


def authority(channel: Channel) -> str:
    """The host whose tag URIs name this feed's entries (an entry's id depends on it)."""
    return urlsplit(channel.link).hostname or "localhost"


def _author(channel: Channel) -> dict[str, str]:
    # RFC 4287 needs an author on the feed unless every entry has one.
    author = {"name": channel.author or channel.title}
    if "@" in channel.owner_email:
        author["email"] = channel.owner_email
    return author


def _add_entry(fg: Any, item: Item, authority: str) -> None:
    fe = fg.add_entry(order="append")
    ext.load_entry(fe, item)
    fe.id(entry_id(item.guid, authority))
    fe.title(item.title)
    # feedgen writes entry links without rel/type; plain href means rel="alternate".
    fe.link(href=item.link, rel="alternate")
    fe.published(item.published)
    fe.updated(item.updated)
    for name in item.author_names:
        fe.author(name=name)
    if item.summary:
        fe.summary(item.summary)
    # Readers show the content; an entry without text of its own shows its summary or title.
    if item.content_html:
        fe.content(item.content_html, type="html")
    else:
        fe.content(item.summary or item.title, type="text")
    for tag in item.tags:
        fe.category(term=tag)
