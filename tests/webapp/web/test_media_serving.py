"""Stored media is served with HEAD, byte ranges, validators and the right MIME type."""

from __future__ import annotations

import hashlib

import pytest
from werkzeug.http import parse_options_header

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


@pytest.mark.parametrize("header", ["bytes=0-9,20-29", "bytes=0-9, 100-", "bytes=-5,0-0"])
def test_several_ranges_get_the_whole_file_never_416(app, stored, header):
    key, data = stored
    response = app.test_client().get(f"/media/{key}", headers={"Range": header})
    assert response.status_code == 200
    assert response.data == data


def test_etag_is_the_content_hash(app, stored):
    key, data = stored
    etag = app.test_client().get(f"/media/{key}").headers["ETag"]
    assert etag == f'"{hashlib.sha256(data).hexdigest()}"'


def test_download_is_named_after_the_episode(app, stored):
    from factories import make_episode, make_show

    key, data = stored
    make_show(app)
    make_episode(
        app,
        title="Deep learning & inverse problems",
        media=[{"kind": "audio", "storage_key": key, "mime_type": "audio/mpeg", "size": len(data)}],
    )
    response = app.test_client().get(f"/media/{key}")
    disposition = parse_options_header(response.headers["Content-Disposition"])
    assert disposition == ("inline", {"filename": "deep-learning-inverse-problems.mp3"})
    # A file no episode uses (yet) keeps its stored name.
    other = services.storage(app).put_bytes(b"ID3" + bytes(100), ".mp3").key
    headers = app.test_client().get(f"/media/{other}").headers
    assert (
        parse_options_header(headers["Content-Disposition"])[1]["filename"] == other.split("/")[-1]
    )
