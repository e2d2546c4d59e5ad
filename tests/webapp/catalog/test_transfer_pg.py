"""`talkcast db migrate-to` copies a SQLite catalogue into PostgreSQL with nothing changed."""

from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from webapp import create_app, services
from webapp.catalog.models import Base

PG = os.environ.get("TALKCAST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _pg_available() -> str | None:
    try:
        engine = create_engine(PG, connect_args={"connect_timeout": 3})
        with engine.connect():
            pass
        engine.dispose()
    except Exception as exc:
        return str(exc).splitlines()[0]
    return None


@pytest.fixture
def pg_schema_url():
    reason = _pg_available()
    if reason:
        pytest.skip(f"PostgreSQL not reachable at {PG}: {reason}")
    schema = f"talkcast_transfer_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(PG).update_query_dict({"options": f"-csearch_path={schema}"})
    yield url.render_as_string(hide_password=False)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def _dump(url):
    engine = create_engine(url)
    with engine.connect() as conn:
        data = {
            t.name: sorted(
                (tuple(r) for r in conn.execute(select(t))), key=lambda r: tuple(map(str, r))
            )
            for t in Base.metadata.sorted_tables
        }
    engine.dispose()
    return data


def test_migrate_sqlite_catalogue_to_postgresql(tmp_path, pg_schema_url):
    from webapp.catalog.demo import load_demo
    from webapp.catalog.transfer import migrate_catalogue

    sqlite_url = f"sqlite:///{tmp_path / 'source.sqlite3'}"
    config = {
        "DATABASE_URL": sqlite_url,
        "DATA_DIR": str(tmp_path / "data"),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "BASE_URL": "http://talkcast.test",
        "SECRET_KEY": "x",
    }
    from webapp.db.migrate import upgrade

    upgrade(sqlite_url)
    source_app = create_app(config)
    with services.work(source_app) as session:
        load_demo(session, services.storage(source_app), "http://talkcast.test")
    services.rebuild_feeds(source_app)
    before = {n: services.feed_cache(source_app).read(n) for n in ("all.rss", "all.atom")}

    report = migrate_catalogue(sqlite_url, pg_schema_url)
    assert report.rows["episodes"] == 17

    source_rows, target_rows = _dump(sqlite_url), _dump(pg_schema_url)
    assert source_rows == target_rows  # every GUID, key and date as it was
    assert target_rows["audit_entries"]  # the audit log moves with the catalogue

    # Feeds built from PostgreSQL are byte-identical to those built from SQLite.
    pg_app = create_app({**config, "DATABASE_URL": pg_schema_url, "DATA_DIR": str(tmp_path / "d2")})
    services.rebuild_feeds(pg_app)
    for name, data in before.items():
        assert services.feed_cache(pg_app).read(name) == data

    # New rows get fresh ids (sequences moved past the copied ones).
    from factories import make_episode

    make_episode(pg_app, slug="mathematics-of-deep-learning-and-data-science", title="New talk")
    for app in (source_app, pg_app):
        app.extensions["talkcast.engine"].dispose()


def test_refuses_a_target_that_is_not_empty(tmp_path, pg_schema_url):
    from webapp.catalog.transfer import TransferError, migrate_catalogue
    from webapp.db.migrate import upgrade

    sqlite_url = f"sqlite:///{tmp_path / 'a.sqlite3'}"
    upgrade(sqlite_url)
    upgrade(pg_schema_url)
    engine = create_engine(pg_schema_url)
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO persons (id, name, slug) VALUES (1, 'Thesing, L', 'thesing-l')")
        )
    engine.dispose()
    with pytest.raises(TransferError, match="already holds"):
        migrate_catalogue(sqlite_url, pg_schema_url)
