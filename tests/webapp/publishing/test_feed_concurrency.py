"""A feed reader never sees a half-written feed, even while feeds are rebuilt in a loop."""

from __future__ import annotations

import threading

import feedparser
import pytest
import requests
from lxml import etree
from werkzeug.serving import make_server

from webapp import services
from webapp.catalog.operations import get_show, update_show

from factories import make_episode, make_show


@pytest.fixture
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


def test_every_response_parses_during_rebuilds(app, live_server):
    make_show(app)
    for n in range(30):
        make_episode(app, title=f"Talk {n}")
    stop = threading.Event()
    rebuilds = []
    errors = []

    def rebuild_loop():
        try:
            n = 0
            while not stop.is_set() and n < 200:
                n += 1
                with services.work(app) as session:
                    # A different title each time, so every rebuild writes a new document.
                    update_show(session, get_show(session, "talks"), title=f"Seminar talks {n}")
                rebuilds.append(n)
        except Exception as exc:  # surfaced by the assertion below
            errors.append(exc)

    writer = threading.Thread(target=rebuild_loop)
    writer.start()
    titles = set()
    try:
        with requests.Session() as http:
            for _ in range(150):
                for fmt in ("rss", "atom"):
                    response = http.get(f"{live_server}/feeds/talks.{fmt}", timeout=10)
                    assert response.status_code == 200
                    etree.fromstring(response.content)  # complete, well-formed XML
                    parsed = feedparser.parse(response.content)
                    assert parsed.bozo == 0
                    assert len(parsed.entries) == 30
                    titles.add(parsed.feed.title)
    finally:
        stop.set()
        writer.join(timeout=60)
    assert not errors
    assert len(rebuilds) > 5
    assert len(titles) > 1  # the reader really saw different generations of the feed
