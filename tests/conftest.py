"""Fixtures shared by the web app tests.

The database is SQLite in a temporary folder, unless TALKCAST_DATABASE_URL names a
PostgreSQL server: then the whole run gets a fresh schema of its own, dropped at the end.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from webapp.db.migrate import upgrade

PG_ENV = "TALKCAST_DATABASE_URL"
LOOPBACK = ("127.0.0.0/8", "::1/128")
ATOM_SCHEMA = Path(__file__).parent / "feeds" / "schema" / "atom.rnc"


@pytest.fixture(scope="session")
def relaxng() -> Any:
    """The RFC 4287 (Appendix B) RELAX NG schema for Atom, compiled by lxml."""
    import rnc2rng
    from lxml import etree

    rng = rnc2rng.dumps(rnc2rng.load(str(ATOM_SCHEMA)))
    # rnc2rng declares the schema's empty ``local`` prefix (xmlns:local=""), which XML
    # namespaces forbid; the grammar itself spells that namespace as ns="".
    rng = rng.replace('xmlns:local=""', "")
    return etree.RelaxNG(etree.fromstring(rng.encode("utf-8")))


def _pg_url() -> str | None:
    url = os.environ.get(PG_ENV, "")
    return url if url.startswith("postgresql") else None


@pytest.fixture(scope="session")
def database_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A migrated database made once per run: a SQLite file to copy, or a PostgreSQL schema."""
    pg = _pg_url()
    if pg is None:
        path = tmp_path_factory.mktemp("db") / "template.sqlite3"
        upgrade(f"sqlite:///{path}")
        yield {"kind": "sqlite", "path": path}
        return
    schema = f"talkcast_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(pg)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(pg).update_query_dict({"options": f"-csearch_path={schema}"})
    url_text = url.render_as_string(hide_password=False)
    upgrade(url_text)
    yield {"kind": "postgresql", "url": url_text, "schema": schema}
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def database_url(database_template: dict[str, Any], tmp_path: Path) -> str:
    """A clean, migrated database for one test."""
    if database_template["kind"] == "sqlite":
        path = tmp_path / "talkcast.sqlite3"
        shutil.copyfile(database_template["path"], path)
        return f"sqlite:///{path}"
    url = database_template["url"]
    engine = create_engine(url)
    with engine.begin() as conn:
        tables = [
            r[0]
            for r in conn.execute(
                text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = :s "
                    "AND tablename <> 'alembic_version'"
                ),
                {"s": database_template["schema"]},
            )
        ]
        if tables:
            names = ", ".join(f'"{t}"' for t in tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return str(url)


@pytest.fixture
def app_config(database_url: str, tmp_path: Path) -> dict[str, Any]:
    """The test configuration: everything under tmp_path, a fixed base URL."""
    return {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "DATA_DIR": str(tmp_path / "data"),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "BASE_URL": "http://talkcast.test",
        "SECRET_KEY": "test-secret",
        "FEED_PAGE_SIZE": 300,
        "SCHEDULER": {"enabled": False},
        # The upstreams of the tests listen on loopback; production refuses loopback.
        "ALLOWED_PRIVATE_NETWORKS": list(LOOPBACK),
        # Tests read feeds right after a save: saves rebuild before they return. The
        # background worker has its own tests (tests/webapp/jobs/test_rebuild_worker.py).
        "FEEDS": {"rebuild_mode": "inline", "rebuild_delay_seconds": 0.2},
    }


@pytest.fixture
def talkcast_env(app_config: dict[str, Any]) -> dict[str, str]:
    """Environment for a ``talkcast`` process sharing the ``app`` database and folders."""
    env = dict(os.environ)
    for key in ("DATABASE_URL", "DATA_DIR", "MEDIA_ROOT", "BASE_URL", "SECRET_KEY"):
        env[f"TALKCAST_{key}"] = str(app_config[key])
    env["TALKCAST_ALLOWED_PRIVATE_NETWORKS"] = ",".join(app_config["ALLOWED_PRIVATE_NETWORKS"])
    env["TALKCAST_FEEDS__REBUILD_MODE"] = app_config["FEEDS"]["rebuild_mode"]
    return env


@pytest.fixture
def app(app_config: dict[str, Any]) -> Iterator[Any]:
    """A fresh app over a fresh database."""
    from webapp import create_app

    application = create_app(app_config)
    yield application
    application.extensions["talkcast.engine"].dispose()


@pytest.fixture
def client(app: Any) -> Any:
    """The Flask test client."""
    return app.test_client()


@pytest.fixture
def demo_app(app: Any) -> Any:
    """An app with the demo catalogue loaded and its feeds built."""
    from webapp import services
    from webapp.catalog.demo import load_demo

    with services.work(app) as session:
        load_demo(session, services.storage(app), app.config["BASE_URL"])
    services.rebuild_feeds(app)
    return app


@pytest.fixture
def demo_client(demo_app: Any) -> Any:
    """A test client over the demo catalogue."""
    return demo_app.test_client()
