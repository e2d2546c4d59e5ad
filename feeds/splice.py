"""Feed documents assembled from kept item fragments.

A feed's items are independent of one another: the serialized ``<item>`` (RSS), ``<entry>``
(Atom) or item object (JSON Feed) of an item is the same bytes in every document that holds
it. A :class:`FragmentStore` keeps those bytes keyed by the item itself (a frozen dataclass,
so equal content is an equal key), and :func:`splice` builds a document from the channel
part plus the kept fragments, rendering only the items it has not seen. The writers
(feedgen for RSS and Atom) still write every fragment and every channel; only the assembly
is here. The result is byte-identical to building the whole document at once.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence

from feeds.model import Channel, Item

Build = Callable[[Channel, Sequence[Item]], bytes]

# How each pretty-printed document marks its items. An element tag at the start of a line
# cannot be faked by an item's text: lxml escapes every "<" inside text and attributes.
_XML_MARKS = {
    "rss": (b"\n    <item>\n", b"\n  </channel>\n</rss>"),
    "atom": (b"\n  <entry>\n", b"\n</feed>"),
}


class FragmentStore:
    """Serialized items by (format, context, item), the least recently used dropped first.

    ``max_items`` bounds memory: a fragment is about 1.5 KB and its key holds the item.
    """

    def __init__(self, max_items: int = 20_000) -> None:
        self.max_items = max_items
        self._kept: OrderedDict[Hashable, bytes] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable) -> bytes | None:
        found = self._kept.get(key)
        if found is None:
            self.misses += 1
            return None
        self._kept.move_to_end(key)
        self.hits += 1
        return found

    def put(self, key: Hashable, fragment: bytes) -> None:
        self._kept[key] = fragment
        self._kept.move_to_end(key)
        while len(self._kept) > self.max_items:
            self._kept.popitem(last=False)

    def __len__(self) -> int:
        return len(self._kept)


def split_xml(document: bytes, fmt: str) -> tuple[bytes, list[bytes], bytes]:
    """A pretty-printed RSS or Atom document as (channel head, item fragments, tail)."""
    start, end = _XML_MARKS[fmt]
    tail_at = document.rindex(end)
    first = document.find(start)
    if first == -1 or first > tail_at:
        return document[:tail_at], [], document[tail_at:]
    starts = []
    at = first
    while at != -1 and at < tail_at:
        starts.append(at)
        at = document.find(start, at + 1)
    bounds = [*starts, tail_at]
    fragments = [document[a:b] for a, b in zip(bounds, bounds[1:], strict=False)]
    return document[:first], fragments, document[tail_at:]


def split_json(document: bytes) -> tuple[bytes, list[bytes], bytes]:
    """A JSON Feed written with ``indent=2`` and "items" last, split like :func:`split_xml`.

    JSON strings hold no raw newline, so the item objects are found by their indentation.
    """
    empty = b'"items": []\n}\n'
    if document.endswith(empty):
        return document[: -len(empty)] + b'"items": [', [], b"\n  ]\n}\n"
    head_end = document.index(b'"items": [\n') + len(b'"items": [')
    tail_at = document.rindex(b"\n  ]\n}\n")
    body = document[head_end:tail_at]
    # Each item opens with "\n    {" at the list's depth; the comma before it is the joint.
    first, *rest = body.split(b",\n    {\n")
    fragments = [first] + [b"\n    {\n" + part for part in rest]
    return document[:head_end], fragments, document[tail_at:]


def _join(fmt: str, head: bytes, fragments: list[bytes], tail: bytes) -> bytes:
    if fmt != "json":
        return head + b"".join(fragments) + tail
    if not fragments:
        return head[: -len(b"[")] + b"[]\n}\n"
    return head + b",".join(fragments) + tail


def splice(
    build: Build,
    fmt: str,
    channel: Channel,
    items: Sequence[Item],
    store: FragmentStore,
    context: Hashable = None,
) -> bytes:
    """``build(channel, items)``, rendering only the items ``store`` does not hold.

    ``context`` is whatever besides the item its fragment depends on (Atom entry ids
    depend on the feed's host).
    """
    keys = [(fmt, context, item) for item in items]
    kept = [store.get(key) for key in keys]
    missing = [item for item, fragment in zip(items, kept, strict=True) if fragment is None]
    document = build(channel, missing)
    head, fresh, tail = split_json(document) if fmt == "json" else split_xml(document, fmt)
    if len(fresh) != len(missing):
        # A fragment split went wrong (it cannot for our writers): build it all at once.
        return build(channel, items)
    rendered = iter(fresh)
    fragments = []
    for key, fragment in zip(keys, kept, strict=True):
        if fragment is None:
            fragment = next(rendered)
            store.put(key, fragment)
        fragments.append(fragment)
    return _join(fmt, head, fragments, tail)
