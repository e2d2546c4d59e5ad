"""Typed base classes for our feedgen extensions.

feedgen instantiates extension classes itself (``register_extension`` takes classes),
so each extension is created empty and then handed its data with ``load``.
"""

from __future__ import annotations

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from lxml import etree

from feeds.model import Channel, Item


class ChannelExtension(BaseExtension):  # type: ignore[misc]  # feedgen ships no type hints
    """A feed-level extension that writes elements from one :class:`Channel`."""

    def __init__(self) -> None:
        self._channel: Channel | None = None

    def load(self, channel: Channel) -> None:
        """Give the extension the channel it will write."""
        self._channel = channel

    @property
    def channel(self) -> Channel:
        """The loaded channel; an error if ``load`` was never called."""
        if self._channel is None:
            raise RuntimeError(f"{type(self).__name__}.load() was not called")
        return self._channel


class ItemExtension(BaseEntryExtension):  # type: ignore[misc]  # feedgen ships no type hints
    """An entry-level extension that writes elements from one :class:`Item`."""

    def __init__(self) -> None:
        self._item: Item | None = None

    def load(self, item: Item) -> None:
        """Give the extension the item it will write."""
        self._item = item

    @property
    def item(self) -> Item:
        """The loaded item; an error if ``load`` was never called."""
        if self._item is None:
            raise RuntimeError(f"{type(self).__name__}.load() was not called")
        return self._item


def sub(
    parent: etree._Element,
    tag: str,
    content: str | None = None,
    /,
    **attrs: str | int | float | None,
) -> etree._Element:
    """Append a child element with optional text, leaving out attributes that are ``None``."""
    elem = etree.SubElement(parent, tag)
    for name, value in attrs.items():
        if value is not None:
            elem.set(name, str(value))
    if content is not None:
        elem.text = content
    return elem


def rss_channel(rss: etree._Element) -> etree._Element:
    """Return the ``<channel>`` of an RSS root, which is what channel extensions extend."""
    channel = rss.find("channel")
    if channel is None:
        raise ValueError("RSS document has no <channel>")
    return channel
