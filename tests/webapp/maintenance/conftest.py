"""Fixtures for the backup and check tests: a second, empty instance."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


@pytest.fixture
def empty_instance(app_config: dict[str, Any], tmp_path: Path) -> Iterator[dict[str, str]]:
    """The environment of a second installation with nothing in it.

    On PostgreSQL it is a new database; the dump names the test schema, so the new
    instance reads the same schema name in its own database.
    """
    url = app_config["DATABASE_URL"]
    root = tmp_path / "restored"
    created = None
    if url.startswith("sqlite"):
        target = f"sqlite:///{root / 'talkcast.sqlite3'}"
    else:
        created = f"talkcast_restore_{uuid.uuid4().hex[:10]}"
        admin = create_engine(make_url(url).set(database="postgres").set(query={}))
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f'CREATE DATABASE "{created}"'))
        target = make_url(url).set(database=created).render_as_string(hide_password=False)
    env = dict(os.environ)
    env.update(
        TALKCAST_DATABASE_URL=target,
        TALKCAST_DATA_DIR=str(root / "data"),
        TALKCAST_MEDIA_ROOT=str(root / "media"),
        TALKCAST_BASE_URL=str(app_config["BASE_URL"]),
        TALKCAST_SECRET_KEY=str(app_config["SECRET_KEY"]),
    )
    yield env
    if created:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f'DROP DATABASE "{created}" WITH (FORCE)'))
        admin.dispose()
