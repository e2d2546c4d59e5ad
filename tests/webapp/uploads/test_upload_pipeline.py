"""Media uploads through the staff form's upload route: streamed, probed, refused with reasons.

Each refused file must leave nothing behind: no file in storage or its temporary area, no row.
"""

from __future__ import annotations

import io
import zipfile

import pytest
from lxml import etree
from mutagen.mp3 import MP3
from sqlalchemy import func, select
from staffkit import (
    MediaMaker,
    make_user,
    sign_in,
    signed_in_staff,
    stored_files,
    token_for,
    upload,
)

from webapp import services
from webapp.catalog.models import Episode, MediaFile

ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"


@pytest.fixture(scope="session")
def media(tmp_path_factory):
    return MediaMaker(tmp_path_factory.mktemp("upload-media"))


@pytest.fixture
def staff(app):
    return signed_in_staff(app)


@pytest.fixture
def token(staff):
    return token_for(staff, "/staff/episodes/new")


def row_counts(app):
    with services.session_factory(app)() as session:
        episodes = session.scalar(select(func.count()).select_from(Episode))
        files = session.scalar(select(func.count()).select_from(MediaFile))
    return episodes, files


def show_id(app):
    with services.session_factory(app)() as session:
        from webapp.catalog.operations import get_show

        return get_show(session, "talks").id


@pytest.mark.parametrize(
    ("name", "kind", "mime"),
    [
        ("cbr.mp3", "audio", "audio/mpeg"),
        ("vbr-xing.mp3", "audio", "audio/mpeg"),
        ("vbr-noxing.mp3", "audio", "audio/mpeg"),
        ("aac.m4a", "audio", "audio/x-m4a"),
        ("video.mp4", "video", "video/mp4"),
    ],
)
def test_media_is_probed_and_waits_in_the_temporary_area(
    app, staff, token, media, name, kind, mime
):
    data = media(name).read_bytes()
    response = upload(staff, data, name, token)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["kind"], body["mime_type"], body["size"]) == (kind, mime, len(data))
    assert body["duration"] == pytest.approx(3.0, abs=0.15)
    assert body["original_name"] == name
    assert len(body["upload_id"]) == 32
    if kind == "video":
        assert (body["width"], body["height"]) == (320, 240)
    # Nothing is stored until an episode row commits: only the staged file and its note.
    assert all(path.startswith(".tmp/") for path in stored_files(app))
    assert row_counts(app) == (0, 0)


def test_vbr_mp3_without_xing_header_gets_its_duration_from_the_frames(staff, token, media):
    path = media("vbr-noxing.mp3")
    # mutagen alone guesses from the first (silent, cheap) frame and is far off.
    assert abs(MP3(path).info.length - 3.0) > 1.0
    body = upload(staff, path.read_bytes(), "talk.mp3", token).get_json()
    assert body["duration"] == pytest.approx(3.0, abs=0.1)


def test_an_upload_becomes_an_episode_in_the_feed(app, staff, token, media):
    data = media("cbr.mp3").read_bytes()
    body = upload(staff, data, "Sine talk.mp3", token).get_json()
    form = {
        "csrf_token": token,
        "show_id": show_id(app),
        "title": "",
        "persons": "",
        "episode_type": "full",
        "publish": "now",
        "upload_ids": body["upload_id"],
    }
    response = staff.post("/staff/episodes/new", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)
    # Left empty, title and speaker came from the file's tags.
    rss = etree.fromstring(staff.get("/feeds/talks.rss").data)
    item = rss.find("channel/item")
    assert item.findtext("title") == "Sine talk"
    assert item.findtext(f"{{{ITUNES}}}author") == "Ada Lovelace"
    enclosure = item.find("enclosure")
    assert enclosure.get("type") == "audio/mpeg"
    assert int(enclosure.get("length")) == len(data)
    served = staff.get(enclosure.get("url").removeprefix("http://talkcast.test"))
    assert served.status_code == 200
    assert served.mimetype == "audio/mpeg"
    assert served.data == data
    # The staged file moved into place; its temporary copy and note are gone.
    files = stored_files(app)
    assert not [f for f in files if f.startswith(".tmp/")]
    assert len(files) == 1
    assert row_counts(app) == (1, 1)


def _zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("talk.mp3", b"not really")
    return out.getvalue()


@pytest.mark.parametrize(
    ("case", "name", "expected"),
    [
        ("text", "talk.mp3", "This file is text, not an audio or video recording."),
        ("truncated", "talk.mp3", "cut short"),
        ("truncated-flac", "talk.flac", "FLAC file stops in the middle of an audio frame"),
        ("truncated-ogg", "talk.ogg", "Ogg file stops in the middle of a page"),
        ("truncated-opus", "talk.opus", "cut short"),
        ("zip", "talk.mp3", "ZIP archive"),
        ("empty", "talk.mp3", "The file is empty."),
        ("good", "../../etc/passwd.mp3", "may not contain a folder path"),
        ("good", "..\\..\\evil.mp3", "may not contain a folder path"),
    ],
)
def test_bad_uploads_are_refused_and_leave_nothing(app, staff, token, media, case, name, expected):
    good = media("cbr.mp3").read_bytes()
    cut = {"flac": "lossless.flac", "ogg": "vorbis.ogg", "opus": "opus.opus"}
    data = {
        "text": b"Notes for the talk, saved with the wrong name.\n" * 50,
        "truncated": good[: len(good) * 2 // 3 + 7],
        **{
            f"truncated-{ext}": (whole := media(recipe).read_bytes())[: len(whole) * 2 // 3 + 7]
            for ext, recipe in cut.items()
            if case == f"truncated-{ext}"
        },
        "zip": _zip(),
        "empty": b"",
        "good": good,
    }[case]
    response = upload(staff, data, name, token)
    assert response.status_code == 400
    assert response.is_json
    assert expected in response.get_json()["message"]
    assert stored_files(app) == []
    assert row_counts(app) == (0, 0)


@pytest.fixture
def small_limit(app_config):
    from webapp import create_app

    app_config["MAX_UPLOAD_MB"] = 1
    application = create_app(app_config)
    yield application
    application.extensions["talkcast.engine"].dispose()


def test_oversized_upload_is_refused_before_it_is_read(small_limit):
    make_user(small_limit)
    client = small_limit.test_client()
    sign_in(client)
    token = token_for(client, "/staff/episodes/new")
    response = upload(client, b"\0" * (1024 * 1024 + 1), "long.mp3", token)
    assert response.status_code == 413
    assert "over the upload limit of 1 MB" in response.get_json()["message"]
    assert stored_files(small_limit) == []


def test_interrupted_upload_leaves_no_temporary_file(app, staff, token, media):
    data = media("cbr.mp3").read_bytes()
    # The client announced the whole file but the connection ended half way.
    response = staff.post(
        "/staff/uploads",
        input_stream=io.BytesIO(data[: len(data) // 2]),
        headers={
            "Content-Length": str(len(data)),
            "Content-Type": "application/octet-stream",
            "X-Filename": "talk.mp3",
            "X-CSRFToken": token,
        },
    )
    assert response.status_code == 400
    assert stored_files(app) == []


def test_upload_of_unknown_length_is_refused(app, staff, token):
    response = staff.post(
        "/staff/uploads",
        input_stream=io.BytesIO(b"\xff\xfb" * 100),
        headers={"X-Filename": "talk.mp3", "X-CSRFToken": token, "Transfer-Encoding": "chunked"},
    )
    assert response.status_code == 411
    assert stored_files(app) == []


def test_a_database_failure_discards_the_staged_files(app, staff, token, media, monkeypatch):
    from sqlalchemy.exc import OperationalError

    body = upload(staff, media("cbr.mp3").read_bytes(), "talk.mp3", token).get_json()

    def broken(*_args, **_kwargs):
        raise OperationalError("INSERT INTO media_files", {}, Exception("disk I/O error"))

    monkeypatch.setattr("webapp.uploads.pending.add_media_file", broken)
    form = {
        "csrf_token": token,
        "show_id": show_id(app),
        "title": "Doomed",
        "episode_type": "full",
        "publish": "draft",
        "upload_ids": body["upload_id"],
    }
    # The failure is answered with the database-unavailable page, not a traceback.
    response = staff.post("/staff/episodes/new", data=form)
    assert response.status_code == 503
    assert "Database unavailable" in response.get_data(as_text=True)
    assert stored_files(app) == []
    assert row_counts(app) == (0, 0)


def test_a_storage_failure_after_commit_removes_the_rows_again(
    app, staff, token, media, monkeypatch
):
    body = upload(staff, media("cbr.mp3").read_bytes(), "talk.mp3", token).get_json()

    def disk_full(self, staged, extension):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("media.storage.LocalStorage.commit", disk_full)
    form = {
        "csrf_token": token,
        "show_id": show_id(app),
        "title": "Lost to a full disk",
        "episode_type": "full",
        "publish": "now",
        "upload_ids": body["upload_id"],
    }
    response = staff.post("/staff/episodes/new", data=form)
    assert response.status_code == 400
    assert "could not be written to storage" in response.get_data(as_text=True)
    assert row_counts(app) == (0, 0)
    assert stored_files(app) == []
    assert b"Lost to a full disk" not in staff.get("/feeds/talks.rss").data
