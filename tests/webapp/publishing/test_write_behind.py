"""Feed documents are written by a thread of their own while a rebuild makes the next ones;
the rebuild returns once all are written, and a failed write fails the rebuild."""

from __future__ import annotations

import errno
import threading
from typing import Any

import pytest

from webapp import services
from webapp.publishing.feedcache import FeedCache
from webapp.publishing.writebehind import Write, WriteBehind

from factories import make_episode, make_show


def _write(name: str, data: bytes) -> Write:
    return Write(name, data, "rss", None, None, f"http://x/feeds/{name}")


def test_documents_are_written_in_order_and_reported_once(tmp_path: Any) -> None:
    cache = FeedCache(tmp_path / "feeds", public=tmp_path / "www")
    writes = WriteBehind(cache, queued=1)
    for n in range(5):
        writes.put(_write("talks.rss", b"<rss>%d</rss>" % n))
    writes.put(_write("other.rss", b"<rss/>"))
    assert writes.names == {"talks.rss", "other.rss"}
    changed = writes.finish()
    assert cache.read("talks.rss") == b"<rss>4</rss>"
    assert (tmp_path / "www" / "feeds" / "talks.rss").read_bytes() == b"<rss>4</rss>"
    assert changed == {"http://x/feeds/talks.rss", "http://x/feeds/other.rss"}
    # The same bytes again: nothing changed for WebSub.
    again = WriteBehind(cache)
    again.put(_write("talks.rss", b"<rss>4</rss>"))
    assert again.finish() == set()


def _writers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "feed-writer"]


def test_a_failed_write_fails_the_rebuild_and_the_next_one_repairs(
    app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_show(app)
    make_episode(app, title="First talk")
    cache = services.feed_cache(app)
    atom_before = cache.read("talks.atom")
    put = FeedCache.put

    def full_disk(self: FeedCache, name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "talks.atom":
            raise OSError(errno.ENOSPC, "No space left on device")
        return put(self, name, *args, **kwargs)

    monkeypatch.setattr(FeedCache, "put", full_disk)
    monkeypatch.setitem(app.config, "FEEDS", {"rebuild_mode": "inline"})
    with pytest.raises(OSError, match="No space"):
        make_episode(app, title="Second talk")
    assert _writers() == []  # nothing writes on after the rebuild has failed
    # The document that could not be written is the one before, whole.
    assert cache.read("talks.atom") == atom_before
    monkeypatch.setattr(FeedCache, "put", put)
    services.rebuild_feeds(app)
    assert b"Second talk" in (cache.read("talks.atom") or b"")
    assert b"Second talk" in (cache.read("talks.rss") or b"")
