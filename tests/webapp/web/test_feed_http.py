"""Feeds are served from the prebuilt cache with correct HTTP caching behaviour."""

from __future__ import annotations

import gzip

import pytest

from webapp import services

from factories import make_episode, make_show

TYPES = {
    "rss": "application/rss+xml; charset=utf-8",
    "atom": "application/atom+xml; charset=utf-8",
    "json": "application/feed+json; charset=utf-8",
}


@pytest.fixture
def show_app(app):
    make_show(app)
    make_episode(app)
    return app


@pytest.mark.parametrize("fmt", ["rss", "atom", "json"])
def test_content_type_and_validators(show_app, fmt):
    client = show_app.test_client()
    response = client.get(f"/feeds/talks.{fmt}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == TYPES[fmt]
    etag = response.headers["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert response.headers["Last-Modified"].endswith("GMT")
    assert "max-age" in response.headers["Cache-Control"]
    assert response.headers["Vary"] == "Accept-Encoding"


def test_if_none_match_gives_304_without_body(show_app):
    client = show_app.test_client()
    first = client.get("/feeds/talks.rss")
    again = client.get("/feeds/talks.rss", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == first.headers["ETag"]


def test_if_modified_since_gives_304(show_app):
    client = show_app.test_client()
    first = client.get("/feeds/talks.atom")
    again = client.get(
        "/feeds/talks.atom", headers={"If-Modified-Since": first.headers["Last-Modified"]}
    )
    assert again.status_code == 304
    older = client.get(
        "/feeds/talks.atom", headers={"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}
    )
    assert older.status_code == 200


def test_stale_etag_gets_new_document(show_app):
    client = show_app.test_client()
    first = client.get("/feeds/talks.rss")
    make_episode(show_app, title="Fundamental Limitations on Adversarial Robustness")
    again = client.get("/feeds/talks.rss", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200
    assert b"Fundamental Limitations" in again.data
    assert again.headers["ETag"] != first.headers["ETag"]


def test_gzip_when_asked(show_app):
    client = show_app.test_client()
    plain = client.get("/feeds/talks.rss")
    zipped = client.get("/feeds/talks.rss", headers={"Accept-Encoding": "gzip, deflate"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.data) == plain.data
    assert zipped.headers["ETag"] != plain.headers["ETag"]
    assert "Content-Encoding" not in plain.headers
    again = client.get(
        "/feeds/talks.rss",
        headers={"Accept-Encoding": "gzip", "If-None-Match": zipped.headers["ETag"]},
    )
    assert again.status_code == 304


def test_head_request(show_app):
    client = show_app.test_client()
    response = client.head("/feeds/talks.rss")
    assert response.status_code == 200
    assert response.data == b""
    assert int(response.headers["Content-Length"]) > 0


def test_rebuilding_unchanged_catalogue_is_byte_identical(show_app):
    client = show_app.test_client()
    before = {f: client.get(f"/feeds/talks.{f}") for f in ("rss", "atom", "json")}
    services.rebuild_feeds(show_app)
    services.rebuild_feeds(show_app)
    for fmt, response in before.items():
        after = client.get(f"/feeds/talks.{fmt}")
        assert after.data == response.data
        assert after.headers["ETag"] == response.headers["ETag"]
        assert after.headers["Last-Modified"] == response.headers["Last-Modified"]


@pytest.mark.parametrize(
    "name",
    ["nope.rss", "talks.xml", "..%2Fsecret_key", "talks.rss.json", "TALKS.rss", "talks.mp3"],
)
def test_unknown_feed_names_are_404(show_app, name):
    assert show_app.test_client().get(f"/feeds/{name}").status_code == 404


def test_served_without_database_on_hit(show_app):
    """A cache hit or 304 reads only the feed cache: it works with the database gone."""
    client = show_app.test_client()
    etag = client.get("/feeds/talks.rss").headers["ETag"]
    show_app.extensions["talkcast.engine"].dispose()
    show_app.extensions["talkcast.sessions"].configure(bind=None)
    assert client.get("/feeds/talks.rss").status_code == 200
    assert client.get("/feeds/talks.rss", headers={"If-None-Match": etag}).status_code == 304


def test_x_accel_redirect_hands_the_file_to_nginx(app_config):
    from webapp import create_app

    app = create_app({**app_config, "X_ACCEL_REDIRECT": True})
    make_show(app)
    make_episode(app)
    client = app.test_client()
    response = client.get("/feeds/talks.rss")
    entry = services.feed_cache(app).get("talks.rss")
    assert response.headers["X-Accel-Redirect"] == f"/_accel/feeds/{entry.sha256}"
    assert response.data == b""
    assert response.headers["ETag"] == f'"{entry.etag}"'
    assert response.headers["Content-Type"].startswith("application/rss+xml")
    again = client.get("/feeds/talks.rss", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    assert "X-Accel-Redirect" not in again.headers
    key = services.storage(app).put_bytes(b"ID3" + bytes(100), ".mp3").key
    media = client.get(f"/media/{key}")
    assert media.headers["X-Accel-Redirect"] == f"/_accel/media/{key}"
    assert media.mimetype == "audio/mpeg"
    app.extensions["talkcast.engine"].dispose()


def test_feed_files_are_world_readable(show_app):
    """nginx (another user) sends feed blobs through X-Accel-Redirect."""
    cache = services.feed_cache(show_app)
    entry = cache.get("talks.rss")
    for gz in (False, True):
        assert cache.blob_path(entry, gz).stat().st_mode & 0o777 == 0o644


def test_current_documents_are_published_as_static_files(show_app):
    """nginx can serve /feeds/<name> straight from the data dir (deploy/nginx.conf)."""
    client = show_app.test_client()
    www = show_app.config["DATA_DIR"] + "/www"
    import pathlib

    static = pathlib.Path(www, "feeds", "talks.rss")
    assert static.read_bytes() == client.get("/feeds/talks.rss").data
    assert gzip.decompress(pathlib.Path(f"{static}.gz").read_bytes()) == static.read_bytes()
    assert pathlib.Path(www, "feeds.opml").read_bytes() == client.get("/feeds.opml").data
    make_episode(show_app, title="Fundamental Limitations on Adversarial Robustness")
    assert b"Fundamental Limitations" in static.read_bytes()
    assert static.read_bytes() == client.get("/feeds/talks.rss").data


@pytest.mark.parametrize("path", ["/feeds/talks.rss", "/feeds.opml"])
def test_web_players_on_other_sites_may_read_feeds(show_app, path):
    feed_client = show_app.test_client()
    preflight = feed_client.options(
        path,
        headers={
            "Origin": "https://player.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "if-none-match",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    allowed = preflight.headers["Access-Control-Allow-Headers"]
    assert "If-None-Match" in allowed and "If-Modified-Since" in allowed
    assert "GET" in preflight.headers["Access-Control-Allow-Methods"]
    response = feed_client.get(path, headers={"Origin": "https://player.example"})
    exposed = response.headers["Access-Control-Expose-Headers"]
    assert "ETag" in exposed and "Last-Modified" in exposed
    etag = response.headers["ETag"]
    again = feed_client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.headers["Access-Control-Allow-Origin"] == "*"
