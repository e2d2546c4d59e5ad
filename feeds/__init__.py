"""Feed formats in and out: pure functions over the dataclasses in :mod:`feeds.model`."""

from feeds.atom import build_atom
from feeds.jsonfeed import build_json_feed
from feeds.opml import OpmlOutline, build_opml
from feeds.rss import build_rss

__all__ = ["OpmlOutline", "build_atom", "build_json_feed", "build_opml", "build_rss"]
