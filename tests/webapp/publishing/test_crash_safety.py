"""A process killed in the middle of a feed rebuild leaves no partial feed behind."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import feedparser
from lxml import etree

from webapp import services

from factories import make_episode, make_show

REBUILD_LOOP = """
import sys
from webapp import create_app, services
from webapp.catalog.operations import get_show, update_show

app = create_app()
n = 0
print("ready", flush=True)
while True:
    n += 1
    with services.work(app) as session:
        update_show(session, get_show(session, "talks"), title=f"Seminar talks {n}")
"""


def _check_every_feed(app) -> int:
    cache = services.feed_cache(app)
    checked = 0
    for name in cache.names():
        entry = cache.get(name)
        data = cache.read(name)
        assert len(data) == entry.size
        public = cache.public_path(name)
        for document in (data, public.read_bytes()):
            if name.endswith(".json"):
                json.loads(document)
            else:
                etree.fromstring(document)
                if not name.endswith(".opml"):
                    assert feedparser.parse(document).bozo == 0
        checked += 1
    return checked


def test_killed_rebuild_leaves_only_complete_feeds(app, app_config, talkcast_env):
    make_show(app)
    for n in range(40):
        make_episode(app, title=f"Talk {n}")
    rng = random.Random(5005)
    titles = set()
    for _ in range(6):
        proc = subprocess.Popen(
            [sys.executable, "-c", REBUILD_LOOP],
            env=talkcast_env,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.3, 1.5))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        assert _check_every_feed(app) >= 7
        titles.add(feedparser.parse(services.feed_cache(app).read("talks.rss")).feed.title)
    assert len(titles) > 1  # the killed processes really were rewriting the feeds
    # What the killed writers left half-done is only ever temporary files, which the
    # clean-up removes; the served documents were complete all along.
    services.feed_cache(app).collect_garbage(grace_seconds=0)
    leftovers = [p for p in Path(app_config["DATA_DIR"]).rglob(".tmp-*")]
    assert leftovers == []
    assert _check_every_feed(app) >= 7
