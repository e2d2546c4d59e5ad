"""OPML 2.0 subscription lists: every feed, grouped by show.

Each feed is an outline with ``type="rss"`` (what OPML 2.0 names a subscription, whatever
its format, and what readers look for) and ``version`` naming the format: ``RSS2``,
``atom`` or ``jsonfeed``. A show's feeds are one group, its main RSS feed first, so a
reader shows one show with its formats rather than a flat list of look-alike titles.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from lxml import etree

from feeds.text import xml_safe


@dataclass(frozen=True)
class OpmlOutline:
    """One subscribable feed in an OPML list."""

    title: str
    xml_url: str
    html_url: str
    version: str = "RSS2"
    type: str = "rss"


@dataclass(frozen=True)
class OpmlGroup:
    """The feeds of one show (formats, variants) under its title."""

    title: str
    outlines: tuple[OpmlOutline, ...]


def build_opml(title: str, entries: Sequence[OpmlOutline | OpmlGroup]) -> bytes:
    """Build an OPML 2.0 document listing ``entries`` in the order given."""
    root = etree.Element("opml", version="2.0")
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = xml_safe(title)
    body = etree.SubElement(root, "body")
    for entry in entries:
        if isinstance(entry, OpmlGroup):
            name = xml_safe(entry.title)
            group = etree.SubElement(body, "outline", text=name, title=name)
            for outline in entry.outlines:
                _outline(group, outline)
        else:
            _outline(body, entry)
    xml: bytes = etree.tostring(root, pretty_print=True, encoding="UTF-8", xml_declaration=True)
    return xml


def _outline(parent: etree._Element, outline: OpmlOutline) -> None:
    name = xml_safe(outline.title)
    etree.SubElement(
        parent,
        "outline",
        type=xml_safe(outline.type),
        version=xml_safe(outline.version),
        text=name,
        title=name,
        xmlUrl=xml_safe(outline.xml_url),
        htmlUrl=xml_safe(outline.html_url),
    )
