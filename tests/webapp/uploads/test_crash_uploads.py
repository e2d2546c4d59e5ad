"""A server killed in the middle of an upload leaves no orphan row or file behind."""

from __future__ import annotations

import hashlib
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
from processkit import free_port, wait_until_up
from sqlalchemy import func, select

from media.placeholder import silent_mp3
from webapp import services
from webapp.catalog.models import Episode, MediaFile
from webapp.uploads.repair import repair_storage
from webapp.web.auth import create_token, create_user

from factories import make_show


def _stored_files(media_root: str) -> list[Path]:
    root = Path(media_root)
    return [p for p in root.rglob("*") if p.is_file() and ".tmp" not in p.relative_to(root).parts]


def _counts(app):
    with services.work(app) as session:
        return (
            session.scalar(select(func.count()).select_from(Episode)),
            session.scalar(select(func.count()).select_from(MediaFile)),
        )


@pytest.fixture
def token(app):
    make_show(app)
    with services.work(app) as session:
        user = create_user(session, "editor@example.org", "a long enough password")
        return create_token(session, user)


def test_server_killed_mid_upload(app, app_config, talkcast_env, token):
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "webapp.cli", "serve", "--port", str(port)],
        env=talkcast_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    wait_until_up(f"{base}/healthz", server)
    sent = threading.Event()
    total = 64 * 1024 * 1024

    class SlowBody:
        """64 MiB of upload that pauses once 2 MiB are on their way."""

        def __init__(self):
            self.position = 0
            self.head = silent_mp3(60)

        def __len__(self):
            return total

        def read(self, size=-1):
            if self.position >= total:
                return b""
            size = 65536 if size is None or size < 0 else min(size, 65536)
            if self.position >= 2 * 1024 * 1024 and not sent.is_set():
                sent.set()
                time.sleep(2)
            chunk = self.head[self.position : self.position + size].ljust(size, b"\0")
            self.position += size
            return chunk

    errors = []

    def upload():
        try:
            answer = requests.post(
                f"{base}/api/v1/uploads",
                data=SlowBody(),
                headers={
                    "Authorization": f"Bearer {token}",
                    "X-Filename": "talk.mp3",
                },
                timeout=60,
            )
            errors.append(f"answered {answer.status_code}: {answer.text[:300]}")
        except requests.RequestException as exc:
            errors.append(exc)

    client = threading.Thread(target=upload)
    client.start()
    assert sent.wait(30)
    time.sleep(0.5)
    server.send_signal(signal.SIGKILL)
    server.wait(timeout=30)
    client.join(timeout=60)
    assert len(errors) == 1
    assert isinstance(errors[0], requests.RequestException), errors[0]

    assert _counts(app) == (0, 0)
    assert _stored_files(app_config["MEDIA_ROOT"]) == []
    # The half-written temp file is all that is left, and the clean-up removes it.
    store = services.storage(app)
    store.cleanup_stale_temp(older_than_seconds=0)
    assert list(store.temp_dir.glob("*")) == []


KILL_AFTER_COMMIT = """
import io, os, signal, sys
from webapp import create_app, services
from webapp.uploads import pending as pending_files
from webapp.catalog.operations import create_episode, get_show
from webapp.uploads.staging import stage_media

app = create_app()
store = services.storage(app)
upload = stage_media(
    store, open(sys.argv[1], "rb"), filename="talk.mp3", max_bytes=10**8, owner="1"
)

def die(self):
    # The rows are committed; the process dies before the file is moved into place.
    os.kill(os.getpid(), signal.SIGKILL)

pending_files.PendingFiles._move_all = die
pending = pending_files.PendingFiles(store)
pending.claim([upload])

def operation(session):
    episode = create_episode(session, get_show(session, "talks"), title="Interrupted talk",
                             state="published")
    pending.created(episode)
    pending.add_media(session, episode, upload)

pending.apply(services.session_factory(app), operation)
"""


def test_killed_between_commit_and_move_is_repaired(app, talkcast_env, token, tmp_path):
    audio = tmp_path / "talk.mp3"
    audio.write_bytes(silent_mp3(30))
    result = subprocess.run(
        [sys.executable, "-c", KILL_AFTER_COMMIT, str(audio)],
        env=talkcast_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == -signal.SIGKILL, result.stderr
    assert _counts(app) == (1, 1)
    with services.work(app) as session:
        (key,) = session.scalars(select(MediaFile.storage_key))
    store = services.storage(app)
    assert not store.exists(key)  # the window the repair closes

    with services.work(app) as session:
        report = repair_storage(session, store)
    assert report.restored == [key] and report.missing == []
    data = app.test_client().get(f"/media/{key}").data
    assert hashlib.sha256(data).hexdigest() == hashlib.sha256(audio.read_bytes()).hexdigest()
    assert list(store.temp_dir.glob("*")) == []
