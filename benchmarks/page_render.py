"""Catalogue page render time with 10,000 episodes, beside a bare SQL + string build.

    .venv/bin/python benchmarks/page_render.py --episodes 10000 --repeats 50

The baseline fetches the same page of rows with one plain SQL query and formats them with
f-strings: what the page would cost without the ORM, templates and escaping.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from html import escape
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, text  # noqa: E402

from benchmarks.common import instance, machine  # noqa: E402


def populate(app, episodes: int) -> None:
    """One collection with ``episodes`` talks, inserted in bulk (not what we time)."""
    from webapp import services
    from webapp.catalog.models import Episode as E
    from webapp.catalog.models import EpisodePerson, MediaFile, Person
    from webapp.catalog.operations import create_show

    with services.work(app) as session:
        show = create_show(session, slug="talks", title="Seminar talks", base_url="http://x")
        show.kind = "collection"
        person = Person(name="Thesing, L", slug="thesing-l")
        session.add(person)
        session.flush()
        start = datetime(2019, 5, 23, 9, 0, tzinfo=UTC)
        rows = [
            {
                "guid": str(uuid.uuid4()),
                "show_id": show.id,
                "slug": f"talk-{n}",
                "title": f"A Stable Learning Framework, part {n}",
                "summary": "A talk.",
                "description_html": "<p>A talk.</p>",
                "recorded_start": start + timedelta(hours=n),
                "recorded_end": start + timedelta(hours=n, minutes=40),
                "views": n % 100,
                "tags": "",
                "episode_type": "full",
                "explicit": False,
                "state": "published",
                "publish_at": start + timedelta(hours=n),
                "created_at": start,
                "updated_at": start,
                "upstream_removed": False,
                "institution": "Isaac Newton Institute for Mathematical Sciences",
            }
            for n in range(episodes)
        ]
        session.execute(insert(E), rows)
        ids = [r[0] for r in session.execute(text("SELECT id FROM episodes ORDER BY id"))]
        session.execute(
            insert(EpisodePerson),
            [
                {
                    "episode_id": i,
                    "person_id": person.id,
                    "role": "guest",
                    "group": "cast",
                    "position": 0,
                }
                for i in ids
            ],
        )
        session.execute(
            insert(MediaFile),
            [
                {
                    "episode_id": i,
                    "position": 0,
                    "kind": "audio",
                    "url": f"https://m.example/{i}.mp3",
                    "mime_type": "audio/mpeg",
                    "size": 1000,
                    "duration": 2400.0,
                    "created_at": start,
                }
                for i in ids
            ],
        )


def baseline_page(engine, page: int) -> str:
    """The same 50 rows by one SQL query, formatted with f-strings."""
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT e.title, e.views, p.name, e.recorded_start, m.url FROM episodes e "
                "JOIN episode_persons ep ON ep.episode_id = e.id "
                "JOIN persons p ON p.id = ep.person_id "
                "JOIN media_files m ON m.episode_id = e.id "
                "ORDER BY e.recorded_start LIMIT 50 OFFSET :o"
            ),
            {"o": (page - 1) * 50},
        ).all()
    items = "".join(
        f"<li><h3>{escape(t)}</h3><p>{v} views</p><p>{escape(n)}</p><p>{s}</p>"
        f"<audio src='{escape(u)}'></audio></li>"
        for t, v, n, s, u in rows
    )
    return f"<html><body><ol>{items}</ol></body></html>"


def timed(fn, repeats: int) -> float:
    """Median seconds of ``repeats`` calls."""
    samples = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--episodes", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=50)
    args = parser.parse_args()

    from webapp import create_app

    with instance() as inst:
        app = create_app(inst.config())
        populate(app, args.episodes)
        client = app.test_client()
        engine = app.extensions["talkcast.engine"]
        last = -(-args.episodes // 50)
        cases = [
            ("collection page 1", "/shows/talks", 1),
            (f"collection page {last}", f"/shows/talks?page={last}", last),
        ]
        print(f"# Catalogue page render ({machine()}, {time.strftime('%Y-%m-%d')})")
        print(f"{args.episodes:,} episodes, 50 per page, median of {args.repeats}")
        print(f"{'page':<26}{'talkcast ms':>14}{'bare SQL+f-string ms':>24}")
        for name, url, page in cases:
            assert client.get(url).status_code == 200
            ours = timed(lambda url=url: client.get(url), args.repeats)
            base = timed(lambda page=page: baseline_page(engine, page), args.repeats)
            print(f"{name:<26}{ours * 1000:>14.2f}{base * 1000:>24.2f}")
        home = timed(lambda: client.get("/"), args.repeats)
        print(f"{'home page':<26}{home * 1000:>14.2f}{'':>24}")
        engine.dispose()


if __name__ == "__main__":
    main()
