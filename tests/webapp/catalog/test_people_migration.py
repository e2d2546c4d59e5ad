"""Migrating a catalogue made before people had pages gives every person a unique slug."""

from __future__ import annotations

from sqlalchemy import create_engine, text

from webapp.db.migrate import upgrade


def test_existing_people_get_unique_slugs(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    upgrade(url, "0010")
    engine = create_engine(url)
    with engine.begin() as conn:
        for name in ("Fawzi, H", "Fawzi, A", "Fawzi H.", "Émilie du Châtelet"):
            conn.execute(text("INSERT INTO persons (name) VALUES (:n)"), {"n": name})
    upgrade(url)
    with engine.connect() as conn:
        slugs = dict(conn.execute(text("SELECT name, slug FROM persons")).all())
    engine.dispose()
    assert slugs == {
        "Fawzi, H": "fawzi-h",
        "Fawzi, A": "fawzi-a",
        "Fawzi H.": "fawzi-h-2",
        "Émilie du Châtelet": "emilie-du-chatelet",
    }
