"""`talkcast check` and `talkcast check --repair`: one test per kind of finding."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path

import pytest
from maintkit import cli
from sqlalchemy import select

from webapp import services
from webapp.catalog.models import Show, utcnow


@pytest.fixture
def checked(demo_app, talkcast_env):
    """The demo instance, checked clean before each test breaks something."""
    first = cli(talkcast_env, "check")
    assert first.returncode == 0, first.stdout
    assert "no problems found" in first.stdout
    return demo_app


def _artwork_key(app) -> str:
    with services.work(app) as session:
        return str(
            session.scalars(select(Show.artwork_key).where(Show.artwork_key.is_not(None))).first()
        )


def test_a_row_naming_a_missing_file_is_found_and_repair_says_it_cannot(checked, talkcast_env):
    key = _artwork_key(checked)
    services.storage(checked).delete(key)
    found = cli(talkcast_env, "check")
    assert found.returncode == 1
    assert f"missing-file: {key} (named by shows " in found.stdout
    repaired = cli(talkcast_env, "check", "--repair")
    assert repaired.returncode == 1
    assert "cannot fix: restore the file from a backup" in repaired.stdout
    assert "0 fixed, 1 left" in repaired.stdout


def test_a_file_no_row_names_is_deleted_only_after_the_grace_period(checked, talkcast_env):
    stray = services.storage(checked).put_bytes(b"left behind by a deleted episode", ".txt")
    found = cli(talkcast_env, "check")
    assert found.returncode == 1
    assert f"unreferenced-file: {stray.key}" in found.stdout
    young = cli(talkcast_env, "check", "--repair")
    assert "left: younger than the grace period" in young.stdout
    assert services.storage(checked).exists(stray.key)
    old = cli(talkcast_env, "check", "--repair", "--grace-hours", "0")
    assert old.returncode == 0, old.stdout
    assert f"unreferenced-file: {stray.key} " in old.stdout and "-> deleted" in old.stdout
    assert not services.storage(checked).exists(stray.key)
    assert "no problems found" in cli(talkcast_env, "check").stdout


def test_a_feed_older_than_its_show_is_rebuilt(checked, talkcast_env):
    with services.work(checked) as session:
        show = session.scalars(select(Show).order_by(Show.id)).first()
        assert show is not None
        slug = show.slug
        # Changed a minute from now: its feed, built before, is older than the show.
        show.content_updated_at = utcnow() + timedelta(minutes=1)
        show.title = "Renamed while its feed was not rebuilt"
    before = services.feed_cache(checked).read(f"{slug}.rss")
    assert b"Renamed while" not in before
    found = cli(talkcast_env, "check")
    assert found.returncode == 1
    assert f"stale-feed: {slug}.rss" in found.stdout
    assert "older than the show's last change" in found.stdout
    repaired = cli(talkcast_env, "check", "--repair")
    assert f"stale-feed: {slug}.rss" in repaired.stdout and "-> rebuilt" in repaired.stdout
    served = checked.test_client().get(f"/feeds/{slug}.rss")
    assert b"Renamed while its feed was not rebuilt" in served.data


def test_a_damaged_feed_file_is_found_and_rebuilt(checked, talkcast_env):
    cache = services.feed_cache(checked)
    entry = cache.get("all.rss")
    assert entry is not None
    good = cache.read("all.rss")
    blob: Path = cache.blob_path(entry)
    blob.unlink()  # the public hard link keeps the old inode: write a new, wrong file
    blob.write_bytes(good[:100])
    found = cli(talkcast_env, "check")
    assert found.returncode == 1
    assert "broken-feed: all.rss (its blob's bytes do not match its hash)" in found.stdout
    repaired = cli(talkcast_env, "check", "--repair")
    assert repaired.returncode == 0, repaired.stdout
    served = checked.test_client().get("/feeds/all.rss")
    assert served.status_code == 200
    assert hashlib.sha256(served.data).hexdigest() == entry.sha256
    assert "no problems found" in cli(talkcast_env, "check").stdout
