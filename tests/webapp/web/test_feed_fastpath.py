"""Current feeds are answered in front of Flask, exactly as the feed routes answer them."""

from __future__ import annotations

import gzip
import os
import time
from datetime import timedelta
from functools import partial

import pytest
from flask import Flask
from sqlalchemy import update
from werkzeug.test import Client
from werkzeug.wrappers import Response

from webapp import services
from webapp.catalog.models import Episode, utcnow
from webapp.publishing.publisher import PEOPLE_PREFIX, TOPICS_PREFIX
from webapp.web.feed_fastpath import feed_for_path

from factories import make_episode, make_show

OLD_DATE = "Mon, 01 Jan 2001 00:00:00 GMT"


def path_of(name: str) -> str:
    """The URL path a feed name is served at."""
    if name == "feeds.opml":
        return "/feeds.opml"
    for prefix, folder in ((PEOPLE_PREFIX, "people"), (TOPICS_PREFIX, "topics")):
        if name.startswith(prefix):
            return f"/feeds/{folder}/{name[len(prefix) :]}"
    return f"/feeds/{name}"


@pytest.fixture
def show_app(app):
    make_show(app)
    make_episode(app, tags="Robustness")
    return app


@pytest.fixture
def routed(show_app):
    """Paths of the requests that went on to Flask (the fast path did not answer them)."""
    calls: list[str] = []
    fast = show_app.wsgi_app
    inner = fast.next_app

    def counting(environ, start_response):
        calls.append(environ["PATH_INFO"])
        return inner(environ, start_response)

    fast.next_app = counting
    return calls


def route_only(app) -> Client:
    """A client of the Flask app without the fast path in front (Flask's own wsgi_app)."""
    return Client(partial(Flask.wsgi_app, app), Response)


def answer(response) -> tuple[str, list[tuple[str, str]], bytes]:
    return response.status, sorted(response.headers.items()), response.get_data()


def test_every_feed_answer_matches_the_route(show_app, routed):
    cache = services.feed_cache(show_app)
    names = cache.names()
    assert {"talks.rss", "feeds.opml", f"{PEOPLE_PREFIX}thesing-l.rss"} <= set(names)
    assert any(n.startswith(TOPICS_PREFIX) for n in names)
    fast, route = show_app.test_client(), route_only(show_app)
    for name in names:
        path = path_of(name)
        plain = route.get(path)
        zipped = route.get(path, headers={"Accept-Encoding": "gzip"})
        assert plain.status_code == 200 and zipped.status_code == 200
        etag, etag_gz = plain.headers["ETag"], zipped.headers["ETag"]
        modified = plain.headers["Last-Modified"]
        variants = [
            {},
            {"Accept-Encoding": "gzip, deflate"},
            {"Accept-Encoding": "gzip;q=0, deflate"},
            {"Accept-Encoding": "*"},
            {"If-None-Match": etag},
            {"If-None-Match": f'W/"x", {etag}'},
            {"If-None-Match": etag_gz, "Accept-Encoding": "gzip"},
            {"If-None-Match": etag_gz},  # the other representation's tag: a 200
            {"If-None-Match": "*"},
            {"If-Modified-Since": modified},
            {"If-Modified-Since": OLD_DATE},
            {"If-Modified-Since": "not a date"},
            {"If-None-Match": '"other"', "If-Modified-Since": modified},
            {"Origin": "https://player.example", "Cookie": "session=stale"},
        ]
        for headers in variants:
            for method in ("GET", "HEAD"):
                expected = route.open(path, method=method, headers=headers)
                got = fast.open(path, method=method, headers=headers)
                assert answer(got) == answer(expected), (name, method, headers)
    assert routed == []


def test_answers_match_the_route_on_an_https_site(app_config):
    """Headers that depend on the site (HSTS on https, say) are the route's too."""
    from webapp import create_app

    app = create_app({**app_config, "BASE_URL": "https://talkcast.test"})
    make_show(app)
    make_episode(app)
    fast, route = app.test_client(), route_only(app)
    etag = route.get("/feeds/talks.rss").headers["ETag"]
    for headers in ({}, {"If-None-Match": etag}, {"Accept-Encoding": "gzip"}):
        expected = route.get("/feeds/talks.rss", headers=headers)
        assert answer(fast.get("/feeds/talks.rss", headers=headers)) == answer(expected)
    app.extensions["talkcast.engine"].dispose()


def test_answers_carry_validators_and_the_documents(show_app, routed):
    client = show_app.test_client()
    cache = services.feed_cache(show_app)
    document = cache.read("talks.rss")
    plain = client.get("/feeds/talks.rss")
    assert plain.data == document
    assert plain.headers["Content-Length"] == str(len(document))
    zipped = client.get("/feeds/talks.rss", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.data) == document
    again = client.get("/feeds/talks.rss", headers={"If-None-Match": plain.headers["ETag"]})
    assert (again.status_code, again.data) == (304, b"")
    assert again.headers["ETag"] == plain.headers["ETag"]
    assert "Content-Security-Policy" not in again.headers
    assert "Set-Cookie" not in plain.headers and "Cookie" not in plain.headers.get("Vary", "")
    assert routed == []


def test_304_and_head_never_open_the_blob(show_app, routed):
    client = show_app.test_client()
    first = client.get("/feeds/talks.rss")
    zipped = client.get("/feeds/talks.rss", headers={"Accept-Encoding": "gzip"})
    cache = services.feed_cache(show_app)
    entry = cache.get("talks.rss")
    for gz in (False, True):
        cache.blob_path(entry, gz).unlink()
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert client.get("/feeds/talks.rss", headers={"If-None-Match": etag}).status_code == 304
    assert (
        client.get("/feeds/talks.rss", headers={"If-Modified-Since": modified}).status_code == 304
    )
    conditional = {"If-None-Match": zipped.headers["ETag"], "Accept-Encoding": "gzip"}
    assert client.get("/feeds/talks.rss", headers=conditional).status_code == 304
    head = client.head("/feeds/talks.rss", headers={"Accept-Encoding": "gzip"})
    assert head.status_code == 200
    assert head.headers["Content-Length"] == zipped.headers["Content-Length"]
    assert routed == []


LONG_AGO_NS = (int(time.time()) - 60) * 10**9


def backdate(app, name: str) -> None:
    """Make a pointer look written a minute ago, so the feed cache keeps it in memory."""
    pointer = services.feed_cache(app).root / f"{name}.json"
    os.utime(pointer, ns=(LONG_AGO_NS, LONG_AGO_NS))


def test_feed_rewritten_while_its_pointer_is_held_is_seen_at_once(show_app, routed):
    client = show_app.test_client()
    backdate(show_app, "talks.rss")
    first = client.get("/feeds/talks.rss")
    assert (
        client.get("/feeds/talks.rss", headers={"If-None-Match": first.headers["ETag"]}).status_code
        == 304
    )
    make_episode(show_app, title="Fundamental Limitations on Adversarial Robustness")
    # Even a new pointer carrying the old one's very timestamp is noticed.
    backdate(show_app, "talks.rss")
    again = client.get("/feeds/talks.rss", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200
    assert b"Fundamental Limitations" in again.data
    assert again.headers["ETag"] != first.headers["ETag"]
    assert routed == []


def test_a_stale_feed_goes_to_the_route_which_publishes_the_due_episode(show_app, routed):
    client = show_app.test_client()
    make_episode(
        show_app, title="Sphere packings", state="scheduled", published=utcnow() + timedelta(days=1)
    )
    assert b"Sphere packings" not in client.get("/feeds/talks.rss").data
    assert routed == []
    # Its time comes (the database says so; the document still has it ahead).
    sessions = services.session_factory(show_app)
    with sessions() as session:
        session.execute(
            update(Episode)
            .where(Episode.title == "Sphere packings")
            .values(publish_at=utcnow() - timedelta(minutes=1))
        )
        session.commit()
    cache = services.feed_cache(show_app)
    cache.put("talks.rss", cache.read("talks.rss"), "rss", stale_after=time.time() - 60)
    served = client.get("/feeds/talks.rss")
    assert routed == ["/feeds/talks.rss"]
    assert b"Sphere packings" in served.data
    assert cache.get("talks.rss").stale_after is None


def test_everything_else_goes_on_to_the_routes(show_app, routed):
    client = show_app.test_client()
    assert client.get("/feeds/nope.rss").status_code == 404
    assert client.get("/feeds/people/nope.rss").status_code == 404
    assert client.post("/feeds/talks.rss").status_code == 405
    preflight = client.options("/feeds/talks.rss", headers={"Origin": "https://player.example"})
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert client.get("/shows/talks").status_code == 200
    passed_on = [
        "/feeds/nope.rss",
        "/feeds/people/nope.rss",
        "/feeds/talks.rss",
        "/feeds/talks.rss",
    ]
    assert routed == [*passed_on, "/shows/talks"]


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/feeds/talks.rss", "talks.rss"),
        ("/feeds/talks.audio.archive-2.json", "talks.audio.archive-2.json"),
        ("/feeds.opml", "feeds.opml"),
        ("/feeds/people/thesing-l.atom", f"{PEOPLE_PREFIX}thesing-l.atom"),
        ("/feeds/topics/robustness.rss", f"{TOPICS_PREFIX}robustness.rss"),
        (f"/feeds/{PEOPLE_PREFIX}thesing-l.rss", None),
        ("/feeds/people/a/b.rss", None),
        ("/feeds/talks.rss/", None),
        ("/feeds//talks.rss", None),
        ("/feeds/TALKS.rss", None),
        ("/feeds/../secret_key", None),
        ("/feedsx/talks.rss", None),
    ],
)
def test_paths_the_fast_path_takes(path, name):
    assert feed_for_path(path) == name
