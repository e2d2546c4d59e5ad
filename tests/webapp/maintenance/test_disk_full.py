"""A full disk: an upload or a feed rebuild fails with a clear message, leaves no temporary
files, and the feeds already served stay as they were.

Each test runs twice: on a real, small tmpfs (when this machine lets the tests mount one,
which needs root) and with writes made to fail with ENOSPC (everywhere).
"""

from __future__ import annotations

import errno
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from maintkit import cli
from sqlalchemy import select
from staffkit import signed_in_staff, stored_files, token_for, upload

import media.storage
import media.streamcopy
import webapp.publishing.feedcache
from webapp import create_app, services
from webapp.catalog.demo import load_demo
from webapp.catalog.models import Show


class _FullFile:
    """A file whose writes fail as they do on a full disk."""

    def __init__(self, fh: Any) -> None:
        self._fh = fh

    def write(self, _data: bytes) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._fh, name)

    def __enter__(self) -> _FullFile:
        return self

    def __exit__(self, *_exc: object) -> None:
        self._fh.close()


class _FullOs:
    """The os module as the storage and the feed cache see it on a full disk."""

    def __getattr__(self, name: str) -> Any:
        return getattr(os, name)

    @staticmethod
    def fdopen(fd: int, *args: Any, **kwargs: Any) -> _FullFile:
        return _FullFile(os.fdopen(fd, *args, **kwargs))

    @staticmethod
    def write(_fd: int, _data: Any) -> int:
        # Uploads are written with os.write straight to the descriptor (media.streamcopy).
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


class Disk:
    """A folder on a small disk that a test can fill up."""

    def __init__(self, root: Path, monkeypatch: pytest.MonkeyPatch, real: bool) -> None:
        self.root, self.monkeypatch, self.real = root, monkeypatch, real

    def fill(self) -> None:
        """Leave no space: a filler file on tmpfs, or failing writes when simulated."""
        if not self.real:
            for module in (media.storage, media.streamcopy, webapp.publishing.feedcache):
                self.monkeypatch.setattr(module, "os", _FullOs())
            return
        with (self.root / "filler").open("wb") as fh:
            try:
                while True:
                    fh.write(b"\0" * 65536)
                    fh.flush()
            except OSError as exc:
                assert exc.errno == errno.ENOSPC

    def free(self) -> None:
        """Give the space back."""
        self.monkeypatch.undo()
        (self.root / "filler").unlink(missing_ok=True)


@pytest.fixture(params=["tmpfs", "simulated"])
def disk(request, tmp_path, monkeypatch):
    root = tmp_path / "small-disk"
    root.mkdir()
    if request.param == "simulated":
        yield Disk(root, monkeypatch, real=False)
        return
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(root)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(
            "cannot mount a small tmpfs here (needs root): "
            f"{mounted.stderr.strip()}; the 'simulated' run covers the same code"
        )
    yield Disk(root, monkeypatch, real=True)
    subprocess.run(["umount", "-l", str(root)], check=False)


def _temp_files(root: Path) -> list[str]:
    return sorted(
        str(p.relative_to(root))
        for p in root.rglob("*")
        if p.is_file() and (p.name.startswith(".tmp-") or p.parent.name == ".tmp")
    )


def test_an_upload_to_a_full_disk_is_refused_clearly_and_leaves_nothing(disk, app_config, tmp_path):
    app = create_app({**app_config, "MEDIA_ROOT": str(disk.root / "media")})
    client = signed_in_staff(app)
    token = token_for(client, "/staff/episodes/new")
    disk.fill()
    answer = upload(client, os.urandom(512 * 1024), "talk.mp3", token)
    assert answer.status_code == 507
    message = answer.get_json()["message"]
    assert "talk.mp3: the server's disk is full" in message
    assert "nothing of it was kept" in message
    assert stored_files(app) == []
    app.extensions["talkcast.engine"].dispose()


def test_a_feed_rebuild_on_a_full_disk_fails_clearly_and_the_served_feeds_stay(
    disk, app_config, talkcast_env
):
    config = {**app_config, "DATA_DIR": str(disk.root / "data")}
    app = create_app(config)
    with services.work(app) as session:
        load_demo(session, services.storage(app), app.config["BASE_URL"])
    services.rebuild_feeds(app)
    client = app.test_client()
    names = [n for n in services.feed_cache(app).names() if not n.startswith(("people", "topics"))]
    paths = ["/feeds.opml" if n == "feeds.opml" else f"/feeds/{n}" for n in names]
    before = {path: client.get(path).data for path in paths}
    with services.work(app) as session:
        show = session.scalars(select(Show).order_by(Show.id)).first()
        show.title = "Renamed on a full disk"
        slug = show.slug
    disk.fill()
    env = {**talkcast_env, "TALKCAST_DATA_DIR": config["DATA_DIR"]}
    failed = cli(env, "feeds", "build", slug)
    assert failed.returncode == 1
    assert "is full" in failed.stderr
    assert "the feeds being served are unchanged" in failed.stderr
    assert _temp_files(disk.root) == []
    assert {path: client.get(path).data for path in paths} == before
    disk.free()
    rebuilt = cli(env, "feeds", "build", slug)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert b"Renamed on a full disk" in client.get(f"/feeds/{slug}.rss").data
    app.extensions["talkcast.engine"].dispose()
