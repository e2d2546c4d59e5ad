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


def test_documents_are_written_and_reported_once(tmp_path: Any) -> None:
    cache = FeedCache(tmp_path / "feeds", public=tmp_path / "www")
    cache.put("talks-0.rss", b"<rss>same</rss>", "rss")
    writes = WriteBehind(cache, queued=1)
    for n in range(6):
        writes.put(_write(f"talks-{n}.rss", b"<rss>same</rss>" if n == 0 else b"<rss>%d</rss>" % n))
    assert writes.names == {f"talks-{n}.rss" for n in range(6)}
    # The build's thread writes what is still queued, alongside the writing thread.
    changed = writes.finish()
    for n in range(1, 6):
        assert cache.read(f"talks-{n}.rss") == b"<rss>%d</rss>" % n
        assert (tmp_path / "www" / "feeds" / f"talks-{n}.rss").read_bytes() == b"<rss>%d</rss>" % n
    # Only documents whose bytes changed are reported (WebSub).
    assert changed == {f"http://x/feeds/talks-{n}.rss" for n in range(1, 6)}


def test_a_name_is_handed_over_once_per_build(tmp_path: Any) -> None:
    """Two threads share the queue: a second write of one name could overtake the first."""
    writes = WriteBehind(FeedCache(tmp_path / "feeds"))
    writes.put(_write("talks.rss", b"<rss>1</rss>"))
    with pytest.raises(ValueError, match="twice"):
        writes.put(_write("talks.rss", b"<rss>2</rss>"))
    writes.finish()


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
