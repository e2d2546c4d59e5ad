"""Documents spliced from kept item fragments are the documents a whole build writes."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Sequence

import pytest

from feeds.atom import authority, build_atom
from feeds.jsonfeed import build_json_feed
from feeds.model import Channel, Item
from feeds.rss import build_rss
from feeds.splice import FragmentStore, splice

WRITERS: dict[str, Callable[[Channel, Sequence[Item]], bytes]] = {
    "rss": build_rss,
    "atom": build_atom,
    "json": build_json_feed,
}


def _context(fmt: str, channel: Channel) -> str | None:
    return authority(channel) if fmt == "atom" else None


def _variety(talks: list[Item], hostile: Item) -> list[Item]:
    """The fixtures' talks, a hostile item and items that differ in one field each."""
    retitled = dataclasses.replace(talks[0], guid="other", title="Zeta functions\n  <item>")
    bare = dataclasses.replace(talks[1], guid="bare", enclosures=(), persons=(), tags=())
    return [*talks, hostile, retitled, bare]


@pytest.mark.parametrize("fmt", sorted(WRITERS))
def test_spliced_document_is_the_whole_build_byte_for_byte(
    fmt: str, channel: Channel, talks: list[Item], hostile_item: Item
) -> None:
    items = _variety(talks, hostile_item)
    store = FragmentStore()
    build = WRITERS[fmt]
    context = _context(fmt, channel)
    # First build renders every item; the second reuses all; the third mixes kept and new.
    assert splice(build, fmt, channel, items, store, context) == build(channel, items)
    assert splice(build, fmt, channel, items[::-1], store, context) == build(channel, items[::-1])
    assert store.misses == len(items) and store.hits == len(items)
    newer = [dataclasses.replace(items[0], guid="new", title="New talk"), *items[2:]]
    assert splice(build, fmt, channel, newer, store, context) == build(channel, newer)
    assert store.misses == len(items) + 1


@pytest.mark.parametrize("fmt", sorted(WRITERS))
def test_no_items_and_one_item(fmt: str, channel: Channel, talks: list[Item]) -> None:
    build = WRITERS[fmt]
    store = FragmentStore()
    context = _context(fmt, channel)
    assert splice(build, fmt, channel, [], store, context) == build(channel, [])
    assert splice(build, fmt, channel, talks[:1], store, context) == build(channel, talks[:1])
    # All items kept: the channel part comes from a document without items.
    assert splice(build, fmt, channel, talks[:1], store, context) == build(channel, talks[:1])


def test_a_changed_channel_keeps_the_fragments_that_do_not_depend_on_it(
    make_channel: Callable[..., Channel], talks: list[Item]
) -> None:
    store = FragmentStore()
    first = make_channel()
    renamed = make_channel(title="Renamed seminar", description="New words")
    splice(build_rss, "rss", first, talks, store)
    assert splice(build_rss, "rss", renamed, talks, store) == build_rss(renamed, talks)
    assert store.hits == len(talks)


def test_atom_entries_are_kept_per_host(
    make_channel: Callable[..., Channel], talks: list[Item]
) -> None:
    """An Atom entry's tag URI id names the feed's host: another host renders it anew."""
    store = FragmentStore()
    here = make_channel()
    there = make_channel(link="https://elsewhere.example.net/")
    for channel in (here, there):
        spliced = splice(build_atom, "atom", channel, talks, store, authority(channel))
        assert spliced == build_atom(channel, talks)
    assert store.hits == 0


def test_the_store_forgets_the_least_recently_used(channel: Channel, talks: list[Item]) -> None:
    store = FragmentStore(max_items=2)
    splice(build_json_feed, "json", channel, talks[:3], store)
    assert len(store) == 2
    splice(build_json_feed, "json", channel, talks[1:3], store)
    assert store.hits == 2
    document = splice(build_json_feed, "json", channel, talks[:1], store)
    assert json.loads(document)["items"][0]["id"] == talks[0].guid
