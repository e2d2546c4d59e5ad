"""feedgen extensions: iTunes, Podcasting 2.0, Dublin Core and Media RSS tags, and fixes for
feedgen 1.0.0 links.

feedgen creates extension objects itself, one per feed and one per entry, and stores
each under its registration name; :func:`install` and :func:`load_entry` register ours
and hand them the channel or item they write.
"""

from __future__ import annotations

from typing import Any

from feeds.ext.base import ChannelExtension, ItemExtension
from feeds.ext.dc import DC_NS, DublinCoreEntryExtension, DublinCoreExtension
from feeds.ext.itunes import ITUNES_NS, ItunesEntryExtension, ItunesExtension
from feeds.ext.links import ATOM_NS, EnclosureLinksEntryExtension, FeedLinksExtension
from feeds.ext.mediarss import MEDIA_NS, MediaRssEntryExtension, MediaRssExtension
from feeds.ext.podcastindex import PODCAST_NS, PodcastIndexEntryExtension, PodcastIndexExtension
from feeds.model import Channel, Item

__all__ = [
    "ATOM_NS",
    "DC_NS",
    "DublinCoreEntryExtension",
    "DublinCoreExtension",
    "ITUNES_NS",
    "MEDIA_NS",
    "PODCAST_NS",
    "EnclosureLinksEntryExtension",
    "FeedLinksExtension",
    "ItunesEntryExtension",
    "ItunesExtension",
    "MediaRssEntryExtension",
    "MediaRssExtension",
    "PodcastIndexEntryExtension",
    "PodcastIndexExtension",
    "install",
    "load_entry",
]

# Registration name -> (feed class, entry class, write in Atom, write in RSS).
# The podcast namespaces stay out of Atom: podcast apps read them from RSS only.
_EXTENSIONS: dict[str, tuple[type[ChannelExtension], type[ItemExtension], bool, bool]] = {
    "itunes": (ItunesExtension, ItunesEntryExtension, False, True),
    "podcastindex": (PodcastIndexExtension, PodcastIndexEntryExtension, False, True),
    "extra_links": (FeedLinksExtension, EnclosureLinksEntryExtension, True, True),
    "dublin_core": (DublinCoreExtension, DublinCoreEntryExtension, False, True),
    "media_rss": (MediaRssExtension, MediaRssEntryExtension, True, True),
}


def install(fg: Any, channel: Channel, *, atom: bool) -> None:
    """Register our extensions on a feedgen ``FeedGenerator`` for one output format."""
    for name, (feed_cls, entry_cls, in_atom, in_rss) in _EXTENSIONS.items():
        if in_atom if atom else in_rss:
            fg.register_extension(name, feed_cls, entry_cls, atom=in_atom, rss=in_rss)
            getattr(fg, name).load(channel)


def load_entry(fe: Any, item: Item) -> None:
    """Hand ``item`` to every extension feedgen attached to the entry ``fe``."""
    for name in _EXTENSIONS:
        ext = getattr(fe, name, None)
        if isinstance(ext, ItemExtension):
            ext.load(item)
