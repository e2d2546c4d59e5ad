"""``backup`` and ``restore``: the database, and the media and feed files it references.

A backup folder holds ``database.sqlite3`` (SQLite's online backup) or ``database.pgdump``
(``pg_dump``), ``media/<key>`` for every file a row names, ``feeds/`` with the feed cache's
pointers and the blobs they name, and ``manifest.json`` with every file's SHA-256, written
last. The database is read once, in one snapshot: the keys copied are those that snapshot
names. Media files are content-addressed and never change, so copying them after the
snapshot is safe; one deleted in the meantime is listed as missing.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.orm import Session

from media.errors import InvalidKey
from media.storage import LocalStorage
from webapp.db.engine import make_engine
from webapp.db.migrate import upgrade
from webapp.maintenance import manifest as mf
from webapp.maintenance import snapshot
from webapp.maintenance.instance import Instance, contents
from webapp.publishing.feedcache import FeedCache
from webapp.uploads.repair import referenced_keys

Say = Callable[[str], object]


@dataclass(frozen=True)
class BackupReport:
    """What a backup or restore did."""

    folder: Path
    files: int
    size: int
    missing: list[str]


@contextlib.contextmanager
def _database_snapshot(url: str, folder: Path) -> Iterator[tuple[dict[str, object], set[str]]]:
    """Copy the database into ``folder``; yield its facts and the storage keys it names."""
    if snapshot.kind(url) == "sqlite":
        copy = folder / "database.sqlite3"
        snapshot.sqlite_copy(snapshot.sqlite_path(url), copy)
        engine = make_engine(f"sqlite:///{copy}")
        try:
            with Session(engine) as session:
                keys = referenced_keys(session)
        finally:
            engine.dispose()
        yield {"kind": "sqlite", "file": copy.name}, keys
        return
    engine = make_engine(url)
    try:
        # One REPEATABLE READ transaction exports its snapshot: pg_dump dumps exactly the
        # rows this transaction reads the keys from.
        repeatable = engine.connect().execution_options(isolation_level="REPEATABLE READ")
        with repeatable as conn, conn.begin():
            version = int(conn.scalar(text("SHOW server_version_num")) or 0)
            dumped_by = snapshot.check_pg_dump(version)
            exported = str(conn.scalar(text("SELECT pg_export_snapshot()")))
            with Session(bind=conn) as session:
                keys = referenced_keys(session)
            dump = folder / "database.pgdump"
            snapshot.pg_dump(url, dump, exported)
        facts: dict[str, object] = {"kind": "postgresql", "file": dump.name}
        facts |= {"server_version_num": version, "pg_dump_major": dumped_by}
        yield facts, keys
    finally:
        engine.dispose()


def make_backup(
    database_url: str, media_root: Path, data_dir: Path, folder: Path, say: Say = print
) -> BackupReport:
    """Write a complete backup into ``folder``, which must be new or empty."""
    if folder.exists() and any(folder.iterdir()):
        raise mf.BackupError(f"{folder} is not empty: back up into a new folder")
    folder.mkdir(parents=True, exist_ok=True)
    with _database_snapshot(database_url, folder) as (facts, keys):
        stamp = datetime.now(UTC).isoformat(timespec="seconds")
        manifest = mf.Manifest(stamp, facts)
        mf.add_file(manifest, folder, str(facts["file"]))
    say(f"database ({facts['kind']}) copied")
    storage = LocalStorage(media_root)
    for key in sorted(keys):
        try:
            mf.copy_in(manifest, storage.path(key), folder, f"media/{key}")
        except (FileNotFoundError, InvalidKey):
            manifest.missing.append(key)
            say(f"warning: a row names {key} but the file is not in the media root")
    _copy_feeds(manifest, FeedCache(data_dir / "feeds"), folder)
    mf.write(manifest, folder)
    size = sum(int(f["size"]) for f in manifest.files.values())
    return BackupReport(folder, len(manifest.files), size, manifest.missing)


def _copy_feeds(manifest: mf.Manifest, cache: FeedCache, folder: Path) -> None:
    """The current pointer of every feed and the blobs it names (as they are now)."""
    for name in cache.names():
        entry = cache.get(name)
        if entry is None:
            continue
        for gzipped in (False, True):
            blob = cache.blob_path(entry, gzipped)
            with contextlib.suppress(FileNotFoundError):
                mf.copy_in(manifest, blob, folder, f"feeds/blobs/{blob.name}")
        mf.copy_in(manifest, cache.root / f"{name}.json", folder, f"feeds/{name}.json")


def restore_backup(
    folder: Path,
    target: Instance,
    *,
    force: bool = False,
    say: Say = print,
) -> BackupReport:
    """Verify every checksum, then put the database, media and feeds back in ``target``."""
    manifest = mf.load(folder)
    mf.verify(manifest, folder)
    say(f"backup of {manifest.created_at}: {len(manifest.files)} files verified")
    found = contents(target)
    if found and not force:
        raise mf.BackupError(
            "the instance is not empty (" + ", ".join(found) + "): restore into an empty "
            "instance, or pass --force to overwrite it"
        )
    _restore_database(manifest, folder, target.database_url)
    say("database restored")
    media = [r for r in manifest.files if r.startswith("media/")]
    for relative in media:
        _place(folder / relative, target.media_root / relative.removeprefix("media/"))
    _restore_feeds(manifest, folder, target.data_dir)
    size = sum(int(f["size"]) for f in manifest.files.values())
    return BackupReport(folder, len(manifest.files), size, manifest.missing)


def _restore_database(manifest: mf.Manifest, folder: Path, url: str) -> None:
    facts = manifest.database
    dump = folder / str(facts["file"])
    if snapshot.kind(url) != facts["kind"]:
        raise mf.BackupError(
            f"this is a {facts['kind']} backup and the instance uses {snapshot.kind(url)}: "
            "restore into a database of the same kind, then use `talkcast db migrate-to`"
        )
    if facts["kind"] == "sqlite":
        path = snapshot.sqlite_path(url)
        path.parent.mkdir(parents=True, exist_ok=True)
        # The backup API in reverse writes every page of the live file, WAL included.
        snapshot.sqlite_copy(dump, path)
    else:
        snapshot.pg_restore(url, dump, int(facts["pg_dump_major"]))
    # A backup from an older release gets the newer schema.
    upgrade(url)


def _place(source: Path, target: Path) -> None:
    """Copy a file into place through a temporary name, so no half file is ever visible."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".tmp-restore-{os.getpid()}-{target.name}")
    try:
        shutil.copyfile(source, tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def _restore_feeds(manifest: mf.Manifest, folder: Path, data_dir: Path) -> None:
    cache = FeedCache(data_dir / "feeds", public=data_dir / "www")
    for name in cache.names():
        cache.remove(name)
    relatives = sorted(r for r in manifest.files if r.startswith("feeds/"))
    # Blobs first: a pointer must never name a blob that is not there yet.
    for relative in sorted(relatives, key=lambda r: not r.startswith("feeds/blobs/")):
        _place(folder / relative, data_dir / relative)
    for name in cache.names():
        entry = cache.get(name)
        public = cache.public_path(name)
        if entry is None or public is None:
            continue
        public.parent.mkdir(parents=True, exist_ok=True)
        for gzipped, path in ((True, Path(f"{public}.gz")), (False, public)):
            blob = cache.blob_path(entry, gzipped)
            if blob.exists():
                tmp = path.with_name(f".tmp-restore-{os.getpid()}-{path.name}")
                os.link(blob, tmp)
                os.replace(tmp, path)
