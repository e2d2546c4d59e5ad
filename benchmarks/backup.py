"""Backup and restore: ours (snapshot, manifest of SHA-256 sums, verified restore) against a
plain copy of the same database and files with no sums, measured in the same run.

    .venv/bin/python benchmarks/backup.py --megabytes 200 --files 40

The instance holds the demo catalogue (with its feeds) and ``--files`` media files of
``--megabytes`` in all, each named by a row. The baseline copies the SQLite file with the
same online backup API and the media and feed folders with shutil.copytree; what we add
is reading every byte again to hash it (backup) and to verify it (restore).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import instance, machine, profiled  # noqa: E402


def populate(config: dict[str, object], files: int, megabytes: int) -> None:
    """The demo catalogue and its feeds, plus ``files`` stored media files named by rows."""
    from webapp import create_app, services
    from webapp.catalog.demo import load_demo
    from webapp.catalog.models import utcnow
    from webapp.catalog.operations import add_media_file, create_episode, get_show

    app = create_app(config)
    store = services.storage(app)
    with services.work(app) as session:
        load_demo(session, store, str(config["BASE_URL"]))
    size = megabytes * 1024 * 1024 // files
    with services.work(app) as session:
        show = get_show(session, "mathematics-of-deep-learning-and-data-science")
        assert show is not None
        for n in range(files):
            key = store.put_bytes(os.urandom(size), ".mp3").key
            episode = create_episode(
                session, show, title=f"Talk {n}", state="published",
                publish_at=utcnow() - timedelta(hours=1),
            )  # fmt: skip
            add_media_file(
                session, episode, kind="audio", storage_key=key, mime_type="audio/mpeg",
                size=size, duration=600.0,
            )  # fmt: skip
    services.rebuild_feeds(app)
    app.extensions["talkcast.engine"].dispose()


def plain_copy(config: dict[str, object], out: Path) -> None:
    """The baseline: the same database copy, the folders copied as they are, no sums."""
    out.mkdir(parents=True)
    database = str(config["DATABASE_URL"]).removeprefix("sqlite:///")
    src, dst = sqlite3.connect(database), sqlite3.connect(out / "database.sqlite3")
    with dst:
        src.backup(dst)
    src.close()
    dst.close()
    shutil.copytree(str(config["MEDIA_ROOT"]), out / "media")
    shutil.copytree(Path(str(config["DATA_DIR"])) / "feeds", out / "feeds")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--megabytes", type=int, default=200)
    parser.add_argument("--files", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print(f"machine: {machine()}")
    from webapp.maintenance.backup import make_backup, restore_backup
    from webapp.maintenance.instance import Instance

    ours, plain, restores, copies = [], [], [], []
    profile = ""
    with instance() as inst:
        config = inst.config()
        populate(config, args.files, args.megabytes)
        source = Instance.from_config(config)
        for n in range(args.rounds):
            base = inst.root / f"round-{n}"
            # Alternate which goes first, so neither always meets a warmer page cache.
            order = ("plain", "ours") if n % 2 == 0 else ("ours", "plain")
            for which in order:
                started = time.perf_counter()
                if which == "plain":
                    plain_copy(config, base / "plain")
                    plain.append(time.perf_counter() - started)
                    started = time.perf_counter()
                    shutil.copytree(base / "plain", base / "plain-restored")
                    copies.append(time.perf_counter() - started)
                    continue

                def backup(folder: Path = base / "ours") -> object:
                    return make_backup(
                        source.database_url, source.media_root, source.data_dir, folder,
                        say=lambda _m: None,
                    )  # fmt: skip

                if n == 0:
                    _report, elapsed, profile = profiled(backup, sort="tottime")
                    ours.append(elapsed)
                else:
                    backup()
                    ours.append(time.perf_counter() - started)
                target = Instance(
                    f"sqlite:///{base / 'restored' / 'talkcast.sqlite3'}",
                    base / "restored" / "media",
                    base / "restored" / "data",
                )
                started = time.perf_counter()
                restore_backup(base / "ours", target, say=lambda _m: None)
                restores.append(time.perf_counter() - started)
            shutil.rmtree(base)
    mb = args.megabytes
    for name, figures in (("backup, ours", ours), ("backup, plain copy", plain),
                          ("restore, ours (verified)", restores),
                          ("restore, plain copy", copies)):  # fmt: skip
        median = statistics.median(figures)
        print(f"{name:28s} {median:7.2f} s  {mb / median:7.0f} MB/s (median of {len(figures)})")
    med = statistics.median
    print(f"ratio backup ours / plain:   {med(ours) / med(plain):7.2f}x")
    print(f"ratio restore ours / plain:  {med(restores) / med(copies):7.2f}x")
    print("cProfile of our backup, first round (by own time):")
    print(profile)


if __name__ == "__main__":
    main()
