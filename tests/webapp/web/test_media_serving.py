"""Stored media is served with HEAD, byte ranges, validators and the right MIME type."""

from __future__ import annotations

import pytest

from webapp import services


@pytest.fixture
def stored(app):
    data = bytes(range(256)) * 40  # 10,240 bytes
    key = services.storage(app).put_bytes(data, ".mp3").key
    return key, data


def test_full_get(app, stored):
    key, data = stored
    response = app.test_client().get(f"/media/{key}")
    assert response.status_code == 200
    assert response.data == data
    assert response.mimetype == "audio/mpeg"
    assert response.headers["Accept-Ranges"] == "bytes"
    assert response.headers["ETag"]
    assert response.headers["Last-Modified"]


def test_head(app, stored):
    key, data = stored
    response = app.test_client().head(f"/media/{key}")
    assert response.status_code == 200
    assert int(response.headers["Content-Length"]) == len(data)
    assert response.data == b""


@pytest.mark.parametrize(
    ("header", "start", "end"),
    [("bytes=0-99", 0, 99), ("bytes=100-", 100, 10239), ("bytes=-10", 10230, 10239)],
)
def test_byte_ranges(app, stored, header, start, end):
    key, data = stored
    response = app.test_client().get(f"/media/{key}", headers={"Range": header})
    assert response.status_code == 206
    assert response.data == data[start : end + 1]
    assert response.headers["Content-Range"] == f"bytes {start}-{end}/{len(data)}"


def test_unsatisfiable_range(app, stored):
    key, data = stored
    response = app.test_client().get(f"/media/{key}", headers={"Range": "bytes=20000-30000"})
    assert response.status_code == 416
    assert response.headers["Content-Range"] == f"bytes */{len(data)}"


def test_conditional_get(app, stored):
    key, _ = stored
    client = app.test_client()
    etag = client.get(f"/media/{key}").headers["ETag"]
    assert client.get(f"/media/{key}", headers={"If-None-Match": etag}).status_code == 304


@pytest.mark.parametrize(
    "key",
    [
        "../secret_key",
        "..%2F..%2Fetc%2Fpasswd",
        "%2Fetc%2Fpasswd",
        "aa/../../data/secret_key",
        "nope",
    ],
)
def test_traversal_and_unknown_keys_are_404(app, stored, key):
    response = app.test_client().get(f"/media/{key}", follow_redirects=True)
    assert response.status_code == 404


def test_web_players_may_seek_media_from_other_sites(app, stored):
    key, data = stored
    client = app.test_client()
    preflight = client.options(
        f"/media/{key}",
        headers={"Origin": "https://player.example", "Access-Control-Request-Headers": "range"},
    )
    assert preflight.status_code == 200
    assert "Range" in preflight.headers["Access-Control-Allow-Headers"]
    part = client.get(f"/media/{key}", headers={"Range": "bytes=0-99"})
    assert part.status_code == 206 and part.data == data[:100]
    assert part.headers["Access-Control-Allow-Origin"] == "*"
    assert "Content-Range" in part.headers["Access-Control-Expose-Headers"]
