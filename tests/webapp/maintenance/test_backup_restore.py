"""`talkcast backup` and `talkcast restore`, run as an administrator would."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from maintkit import cli, config_of, talkcast
from sqlalchemy import create_engine, select, text

from webapp import create_app, services
from webapp.catalog.models import Base
from webapp.maintenance.instance import media_files


def _rows(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in primary key order (alembic's version too)."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = {
                t.name: [tuple(r) for r in conn.execute(select(t).order_by(*t.primary_key))]
                for t in Base.metadata.sorted_tables
            }
            rows["alembic_version"] = [tuple(r) for r in conn.execute(text(
                "SELECT version_num FROM alembic_version"))]  # fmt: skip
            return rows
    finally:
        engine.dispose()


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in media_files(root)}


def _public_files(data_dir: Path) -> dict[str, bytes]:
    www = data_dir / "www"
    return {str(p.relative_to(www)): p.read_bytes() for p in www.rglob("*") if p.is_file()}


def test_restore_into_an_empty_instance_gives_back_every_row_file_and_feed(
    demo_app, talkcast_env, app_config, empty_instance, tmp_path
):
    folder = tmp_path / "backup"
    made = talkcast(talkcast_env, "backup", str(folder))
    assert made.returncode == 0, made.stderr
    assert "backup complete" in made.stdout
    restored = talkcast(empty_instance, "restore", str(folder))
    assert restored.returncode == 0, restored.stderr
    assert "files verified" in restored.stdout

    source = _rows(app_config["DATABASE_URL"])
    assert sum(len(r) for r in source.values()) > 50  # the demo catalogue, not nothing
    assert _rows(empty_instance["TALKCAST_DATABASE_URL"]) == source
    before_media = _files(Path(app_config["MEDIA_ROOT"]))
    assert before_media
    assert _files(Path(empty_instance["TALKCAST_MEDIA_ROOT"])) == before_media
    old_data, new_data = Path(app_config["DATA_DIR"]), Path(empty_instance["TALKCAST_DATA_DIR"])
    assert _public_files(new_data) == _public_files(old_data)

    # Served over HTTP, every feed is byte for byte the one the old instance served.
    old_app, new_app = create_app(dict(app_config)), create_app(config_of(empty_instance))
    names = services.feed_cache(old_app).names()
    assert names == services.feed_cache(new_app).names()
    old_client, new_client = old_app.test_client(), new_app.test_client()
    for name in names:
        path = "/feeds.opml" if name == "feeds.opml" else f"/feeds/{name}"
        if name.startswith(("people-", "topics-")):
            continue  # served under their own paths; their bytes are compared below
        old, new = old_client.get(path), new_client.get(path)
        assert new.status_code == 200, name
        assert (new.data, new.headers["ETag"]) == (old.data, old.headers["ETag"])
    for name in names:
        assert services.feed_cache(new_app).read(name) == services.feed_cache(old_app).read(name)
    for key in before_media:
        assert new_client.get(f"/media/{key}").data == before_media[key]
    for application in (old_app, new_app):
        application.extensions["talkcast.engine"].dispose()


def test_a_partial_or_damaged_backup_is_refused_before_anything_changes(
    demo_app, talkcast_env, empty_instance, tmp_path
):
    folder = tmp_path / "backup"
    assert cli(talkcast_env, "backup", str(folder)).returncode == 0
    media = sorted((folder / "media").rglob("*.*"))
    media[0].write_bytes(media[0].read_bytes()[:-1] + b"!")
    damaged = cli(empty_instance, "restore", str(folder))
    assert damaged.returncode != 0
    assert "checksum differs: media/" in damaged.stderr
    assert "nothing was restored" in damaged.stderr
    assert not media_files(Path(empty_instance["TALKCAST_MEDIA_ROOT"]))

    (folder / "manifest.json").unlink()
    partial = cli(empty_instance, "restore", str(folder))
    assert partial.returncode != 0
    assert "the backup is partial" in partial.stderr


def test_restore_refuses_an_instance_that_is_not_empty_unless_forced(
    demo_app, talkcast_env, tmp_path
):
    folder = tmp_path / "backup"
    assert cli(talkcast_env, "backup", str(folder)).returncode == 0
    refused = cli(talkcast_env, "restore", str(folder))
    assert refused.returncode != 0
    assert "the instance is not empty" in refused.stderr
    assert "--force" in refused.stderr
    forced = cli(talkcast_env, "restore", "--force", str(folder))
    assert forced.returncode == 0, forced.stderr
    again = cli(talkcast_env, "backup", str(folder))
    assert again.returncode != 0
    assert "is not empty: back up into a new folder" in again.stderr
