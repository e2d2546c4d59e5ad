"""Links feedgen 1.0.0 cannot write itself.

* RSS: feedgen writes only the ``rel="self"`` atom:link, so hub, RFC 5005 archive and
  alternate-format links are added here.
* Atom entries: feedgen drops ``rel``/``type``/``length`` from entry links, so
  enclosures would turn into plain alternate links; we write them here instead.
"""

from __future__ import annotations

from lxml import etree

from feeds.ext.base import ChannelExtension, ItemExtension, rss_channel, sub

ATOM_NS = "http://www.w3.org/2005/Atom"
# RFC 5005 section 4: archive documents carry an empty fh:archive element.
FH_NS = "http://purl.org/syndication/history/1.0"
_RSS_LINK = f"{{{ATOM_NS}}}link"
# feedgen builds Atom documents from un-namespaced elements and sets xmlns="...Atom" as a
# plain attribute on the root, so elements we add there must be un-namespaced too.
_ATOM_LINK = "link"


class FeedLinksExtension(ChannelExtension):
    """Feed-level alternate-format, hub and archive links, in RSS and Atom."""

    def extend_ns(self) -> dict[str, str]:
        """The RFC 5005 feed history namespace."""
        return {"fh": FH_NS}

    def _write(self, parent: etree._Element, tag: str) -> None:
        c = self.channel
        for alt in c.alternates:
            sub(parent, tag, href=alt.url, rel="alternate", type=alt.mime_type, title=alt.title)
        if c.hub:
            sub(parent, tag, href=c.hub, rel="hub")
        archive = (
            ("current", c.archive.current),
            ("prev-archive", c.archive.prev_archive),
            ("next-archive", c.archive.next_archive),
        )
        for rel, href in archive:
            if href:
                sub(parent, tag, href=href, rel=rel)
        if c.archive.is_archive:
            etree.SubElement(parent, f"{{{FH_NS}}}archive", nsmap={"fh": FH_NS})

    def extend_rss(self, rss: etree._Element) -> etree._Element:
        """Add the links to the RSS channel as atom:link."""
        self._write(rss_channel(rss), _RSS_LINK)
        return rss

    def extend_atom(self, feed: etree._Element) -> etree._Element:
        """Add the links to the Atom feed."""
        self._write(feed, _ATOM_LINK)
        return feed


class EnclosureLinksEntryExtension(ItemExtension):
    """Every enclosure of an item as an Atom ``link rel="enclosure"``, and the page it came
    from as ``link rel="related"``."""

    def extend_atom(self, entry: etree._Element) -> etree._Element:
        """Add one enclosure link per media file, and the upstream page."""
        if self.item.external_url:
            sub(entry, _ATOM_LINK, href=self.item.external_url, rel="related", type="text/html")
        for enclosure in self.item.enclosures:
            sub(
                entry,
                _ATOM_LINK,
                href=enclosure.url,
                rel="enclosure",
                type=enclosure.mime_type,
                length=enclosure.length,
                title=enclosure.title,
            )
        return entry
