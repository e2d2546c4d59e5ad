"""OPML 2.0 subscription lists, one outline per feed."""

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
    type: str = "rss"


def build_opml(title: str, outlines: Sequence[OpmlOutline]) -> bytes:
    """Build an OPML 2.0 document listing ``outlines`` in the order given."""
    root = etree.Element("opml", version="2.0")
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = xml_safe(title)
    body = etree.SubElement(root, "body")
    for outline in outlines:
        name = xml_safe(outline.title)
        etree.SubElement(
            body,
            "outline",
            type=xml_safe(outline.type),
            text=name,
            title=name,
            xmlUrl=xml_safe(outline.xml_url),
            htmlUrl=xml_safe(outline.html_url),
        )
    xml: bytes = etree.tostring(root, pretty_print=True, encoding="UTF-8", xml_declaration=True)
    return xml
