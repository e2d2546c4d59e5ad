"""Long MP3 uploads: accepted whole with their true length, refused when damaged far inside.

The frame walk steps over runs of frames in large windows; these files are many windows and
batches long (the window is shrunk), so damage near the end is found as it is near the start.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys

import pytest
import requests
from processkit import free_port, wait_until_up
from staffkit import MediaMaker, signed_in_staff, stored_files, token_for, upload

from media import mp3frames
from media.mp3frames import parse_header, scan_buffer
from webapp import services
from webapp.web.auth import create_token, create_user

COPIES = 40  # 40 x 3 s of audio: two minutes, a few megabytes


@pytest.fixture(scope="module")
def stream(tmp_path_factory) -> bytes:
    """The frames of a 3 s VBR MP3 (no tags, no Xing frame) repeated: a long clean stream."""
    data = MediaMaker(tmp_path_factory.mktemp("long-media"))("vbr-noxing.mp3").read_bytes()
    scan = scan_buffer(data)
    assert scan is not None and scan.vbr_header is None
    return data[scan.audio_start : scan.audio_end] * COPIES


def seconds_of(data: bytes) -> float:
    """The audio length of a clean stream, decoding its headers one by one."""
    pos = 0
    seconds = 0.0
    while (header := parse_header(data[pos : pos + 4])) is not None:
        pos, seconds = pos + header.length, seconds + header.samples / header.sample_rate
    assert pos == len(data)
    return seconds


@pytest.fixture(autouse=True)
def small_windows(monkeypatch):
    monkeypatch.setattr(mp3frames, "WINDOW_BYTES", 64 * 1024)
    monkeypatch.setattr(mp3frames, "_BATCH", 16)


@pytest.fixture
def staff(app):
    return signed_in_staff(app)


def test_a_long_upload_is_measured_to_its_end(app, staff, stream):
    token = token_for(staff, "/staff/episodes/new")
    response = upload(staff, stream, "long talk.mp3", token)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["size"] == len(stream)
    assert body["duration"] == pytest.approx(seconds_of(stream))
    assert seconds_of(stream) == pytest.approx(3.0 * COPIES, rel=0.02)


@pytest.mark.parametrize("where", [0.5, 0.95])
def test_damage_far_into_an_upload_is_refused(app, staff, stream, where):
    token = token_for(staff, "/staff/episodes/new")
    cut = int(len(stream) * where)
    damaged = stream[:cut] + os.urandom(len(stream) // 40) + stream[cut:]
    response = upload(staff, damaged, "talk.mp3", token)
    assert response.status_code == 400
    assert "damaged" in response.get_json()["message"]
    assert stored_files(app) == []


def test_an_upload_cut_inside_its_last_frame_is_refused(app, staff, stream):
    token = token_for(staff, "/staff/episodes/new")
    # The stream ends on a frame boundary; a few bytes short lands inside the last frame.
    response = upload(staff, stream[:-7], "talk.mp3", token)
    assert response.status_code == 400
    assert "cut short" in response.get_json()["message"]
    assert stored_files(app) == []


def test_a_server_receives_a_large_upload_whole(app, talkcast_env, stream, tmp_path):
    """A real server and HTTP client: 40 MiB streamed (more than one walk window), the
    staged bytes as sent and the duration of all of them."""
    with services.work(app) as session:
        user = create_user(session, "editor@example.org", "a long enough password")
        token = create_token(session, user)
    copies = 40 * 1024 * 1024 // len(stream)
    body = stream * copies
    path = tmp_path / "big.mp3"
    path.write_bytes(body)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "webapp.cli", "serve", "--port", str(port)],
        env=talkcast_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_up(f"{base}/healthz", server)
        with path.open("rb") as sent:
            answer = requests.post(
                f"{base}/api/v1/uploads",
                data=sent,
                headers={"Authorization": f"Bearer {token}", "X-Filename": "big.mp3"},
                timeout=600,
            )
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert answer.status_code == 201, answer.text[:300]
    described = answer.json()
    assert described["size"] == len(body)
    assert described["duration"] == pytest.approx(seconds_of(stream) * copies)
    staged = list(services.storage(app).temp_dir.glob("upload-*"))
    assert len(staged) == 1
    assert hashlib.sha256(staged[0].read_bytes()).digest() == hashlib.sha256(body).digest()
