"""Dublin Core creators: one ``dc:creator`` per person, which general feed readers show.

RSS 2.0's own ``<author>`` must be an e-mail address, and one string of several
"Surname, I" names cannot be split again; each person gets an element of their own.
"""

from __future__ import annotations

from lxml import etree

from feeds.ext.base import ChannelExtension, ItemExtension, sub

DC_NS = "http://purl.org/dc/elements/1.1/"


class DublinCoreExtension(ChannelExtension):
    """Declares the namespace; the channel itself carries no Dublin Core element."""

    def extend_ns(self) -> dict[str, str]:
        """Namespace prefix for the feed root."""
        return {"dc": DC_NS}


class DublinCoreEntryExtension(ItemExtension):
    """``dc:creator`` for each of the item's people."""

    def extend_rss(self, entry: etree._Element) -> etree._Element:
        """One creator element per person, in credit order."""
        for name in self.item.author_names:
            sub(entry, f"{{{DC_NS}}}creator", name)
        return entry
