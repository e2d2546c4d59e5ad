"""The feed cache keeps pointers in memory, and never serves one that changed on disk."""

from __future__ import annotations

import json
import os
import time

import pytest

from webapp.publishing import feedcache
from webapp.publishing.feedcache import FeedCache

LONG_AGO_NS = (int(time.time()) - 60) * 10**9


@pytest.fixture
def cache(tmp_path):
    return FeedCache(tmp_path / "feeds", public=tmp_path / "www")


@pytest.fixture
def opened(monkeypatch):
    """Paths the feed cache opened."""
    paths: list[str] = []

    def counting_open(path, *args, **kwargs):
        paths.append(os.fspath(path))
        return open(path, *args, **kwargs)

    monkeypatch.setattr(feedcache, "open", counting_open, raising=False)
    return paths


def settle(cache: FeedCache, name: str, ns: int = LONG_AGO_NS) -> os.stat_result:
    """Give the pointer an old timestamp, as one written a minute ago has."""
    pointer = cache.root / f"{name}.json"
    os.utime(pointer, ns=(ns, ns))
    return pointer.stat()


def test_a_settled_pointer_is_read_once(cache, opened):
    entry = cache.put("talks.rss", b"<rss/>", "rss")
    settle(cache, "talks.rss")
    assert [cache.get("talks.rss") for _ in range(3)] == [entry] * 3
    assert len(opened) == 1


def test_a_pointer_just_written_is_read_every_time(cache, opened):
    """Written in the current timestamp tick, it could change again unseen by a stat."""
    cache.put("talks.rss", b"<rss/>", "rss")
    opened.clear()
    cache.get("talks.rss")
    cache.get("talks.rss")
    assert len(opened) == 2


def test_a_new_pointer_is_seen_even_with_the_old_timestamp(cache):
    cache.put("talks.rss", b"<rss>one</rss>", "rss")
    settle(cache, "talks.rss")
    assert cache.read("talks.rss") == b"<rss>one</rss>"
    cache.put("talks.rss", b"<rss>two</rss>", "rss")
    settle(cache, "talks.rss")
    assert cache.read("talks.rss") == b"<rss>two</rss>"


def test_a_pointer_rewritten_in_place_within_its_tick_is_seen(cache):
    """Same inode, size and mtime (an inode number reused in the same tick): read again."""
    first = cache.put("talks.rss", b"<rss>one</rss>", "rss")
    second = cache.put("other.rss", b"<rss>two</rss>", "rss")
    pointer = cache.root / "talks.rss.json"
    before = pointer.stat()
    assert cache.get("talks.rss") == first
    text = pointer.read_text().replace(first.sha256, second.sha256)
    with open(pointer, "r+") as fh:
        fh.write(text)
    os.utime(pointer, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = pointer.stat()
    assert (after.st_ino, after.st_size, after.st_mtime_ns) == (
        before.st_ino,
        before.st_size,
        before.st_mtime_ns,
    )
    assert cache.get("talks.rss").sha256 == second.sha256


def test_a_removed_feed_is_gone(cache):
    cache.put("talks.rss", b"<rss/>", "rss")
    settle(cache, "talks.rss")
    assert cache.get("talks.rss") is not None
    cache.remove("talks.rss")
    assert cache.get("talks.rss") is None
    assert cache.names() == []


def test_what_the_pointer_says_is_what_is_kept(cache):
    entry = cache.put("talks.rss", b"<rss/>", "rss", stale_after=1_900_000_000.0)
    settle(cache, "talks.rss")
    pointer = json.loads((cache.root / "talks.rss.json").read_bytes())
    assert cache.get("talks.rss") == entry
    assert pointer["stale_after"] == cache.get("talks.rss").stale_after
    assert cache.get("talks.rss").is_stale(1_900_000_000.0)
    assert not cache.get("talks.rss").is_stale(1_899_999_999.0)
