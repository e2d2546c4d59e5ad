"""LocalStorage: streaming, limits, content addressing, key safety and temp cleanup."""

from __future__ import annotations

import hashlib
import io
import os
import time
from pathlib import Path

import pytest

from media.errors import InvalidKey, TooLarge
from media.storage import LocalStorage, Storage

MB = 1024 * 1024


class GeneratedStream(io.RawIOBase):
    """A reader that makes its bytes on demand and records the largest read asked of it."""

    def __init__(self, total: int) -> None:
        self.remaining = total
        self.counter = 0
        self.largest_read = 0
        self.digest = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if size < 0:
            raise AssertionError("the whole stream was requested at once")
        self.largest_read = max(self.largest_read, size)
        count = min(size, self.remaining)
        block = bytes((self.counter + i) % 251 for i in range(min(count, 251)))
        data = (block * (count // 251 + 1))[:count]
        self.counter = (self.counter + count) % 251
        self.remaining -= count
        self.digest.update(data)
        return data


@pytest.fixture
def storage(tmp_path: Path) -> LocalStorage:
    return LocalStorage(tmp_path / "store")


def temp_files(storage: LocalStorage) -> list[Path]:
    return list(storage.temp_dir.iterdir()) if storage.temp_dir.exists() else []


def test_local_storage_satisfies_the_protocol(storage: LocalStorage) -> None:
    as_protocol: Storage = storage
    assert as_protocol.exists("aa/bb/missing.mp3") is False


def test_stage_streams_a_large_upload_in_chunks(storage: LocalStorage) -> None:
    total = 50 * MB
    stream = GeneratedStream(total)
    staged = storage.stage(stream, max_bytes=total)
    assert staged.size == total == staged.path.stat().st_size
    assert staged.sha256 == stream.digest.hexdigest()
    assert staged.path.parent == storage.temp_dir
    assert 0 < stream.largest_read <= 4 * MB
    stored = storage.commit(staged, ".mp3")
    assert stored.key == f"{staged.sha256[:2]}/{staged.sha256[2:4]}/{staged.sha256}.mp3"
    assert storage.size(stored.key) == total
    assert not staged.path.exists()
    assert temp_files(storage) == []


def test_too_large_leaves_no_temp_file(storage: LocalStorage) -> None:
    with pytest.raises(TooLarge):
        storage.stage(GeneratedStream(3 * MB), max_bytes=2 * MB)
    assert temp_files(storage) == []


def test_exactly_the_limit_is_allowed(storage: LocalStorage) -> None:
    staged = storage.stage(io.BytesIO(b"x" * 1000), max_bytes=1000)
    assert staged.size == 1000
    storage.discard(staged)


def test_same_content_is_stored_once(storage: LocalStorage) -> None:
    first = storage.commit(storage.stage(io.BytesIO(b"the same talk"), 100), ".mp3")
    again = storage.stage(io.BytesIO(b"the same talk"), 100)
    second = storage.commit(again, ".mp3")
    assert first == second
    assert not again.path.exists()
    files = [p for p in storage.root.rglob("*") if p.is_file()]
    assert files == [storage.path(first.key)]


def test_key_is_the_sha256_of_the_content(storage: LocalStorage) -> None:
    data = b"\x89PNG pretend artwork"
    stored = storage.put_bytes(data, ".png")
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert stored.key.endswith(stored.sha256 + ".png")
    assert storage.path(stored.key).read_bytes() == data
    assert storage.exists(stored.key)
    assert temp_files(storage) == []


def test_delete_and_discard_are_idempotent(storage: LocalStorage) -> None:
    stored = storage.put_bytes(b"transcript", ".vtt")
    assert storage.delete(stored.key) is True
    assert storage.delete(stored.key) is False
    assert not storage.exists(stored.key)
    staged = storage.stage(io.BytesIO(b"abandoned"), 100)
    storage.discard(staged)
    storage.discard(staged)
    assert not staged.path.exists()


@pytest.mark.parametrize(
    "key",
    [
        "../x",
        "/etc/passwd",
        "a/../../b",
        "a\\b",
        "ab/cd/file\x00.mp3",
        "",
        "ab//cd.mp3",
        "./ab.mp3",
        ".tmp/upload-1.part",
        "ab/..",
    ],
)
def test_unsafe_keys_are_refused(storage: LocalStorage, key: str) -> None:
    with pytest.raises(InvalidKey):
        storage.path(key)
    with pytest.raises(InvalidKey):
        storage.delete(key)


def test_symlink_out_of_the_root_is_refused(storage: LocalStorage, tmp_path: Path) -> None:
    outside = tmp_path / "secret.txt"
    outside.write_text("secret")
    (storage.root / "ab").mkdir(parents=True)
    (storage.root / "ab" / "link.txt").symlink_to(outside)
    with pytest.raises(InvalidKey):
        storage.path("ab/link.txt")


@pytest.mark.parametrize("extension", ["mp3", ".MP3", "./mp3", ".m/p3", ".mp3\x00"])
def test_bad_extensions_are_refused(storage: LocalStorage, extension: str) -> None:
    with pytest.raises(InvalidKey):
        storage.put_bytes(b"data", extension)


def test_cleanup_removes_only_stale_temp_files(storage: LocalStorage) -> None:
    stale = storage.stage(io.BytesIO(b"crashed upload"), 100)
    fresh = storage.stage(io.BytesIO(b"upload in progress"), 100)
    day_ago = time.time() - 86_400
    os.utime(stale.path, (day_ago, day_ago))
    stored = storage.put_bytes(b"published", ".mp3")
    old = storage.path(stored.key)
    os.utime(old, (day_ago, day_ago))
    assert storage.cleanup_stale_temp(older_than_seconds=3600) == 1
    assert not stale.path.exists()
    assert fresh.path.exists()
    assert old.exists()


def test_cleanup_without_temp_dir(storage: LocalStorage) -> None:
    assert storage.cleanup_stale_temp(60) == 0


def test_stored_files_are_world_readable(tmp_path: Path) -> None:
    """nginx (another user) sends stored media through X-Accel-Redirect."""
    store = LocalStorage(tmp_path)
    stored = store.put_bytes(b"ID3" + bytes(64), ".mp3")
    assert store.path(stored.key).stat().st_mode & 0o777 == 0o644
