"""Polling cheaply: one kept-alive connection per upstream host and run, one row written for
an unchanged source, feeds rebuilt only for shows whose items changed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from keepalivekit import CountingUpstream, rss
from sourcekit import make_due, new_source, runs, source_row
from sqlalchemy import event, select

from webapp import services
from webapp.catalog.models import Episode, Show, Source
from webapp.jobs import tasks
from webapp.jobs.runs import RunReport
from webapp.jobs.source_state import Touches, load_targets


@pytest.fixture
def upstream() -> Iterator[CountingUpstream]:
    """A keep-alive upstream on 127.0.0.1 that counts its connections."""
    with CountingUpstream() as server:
        yield server


@pytest.fixture
def rebuilt(app: Any, monkeypatch: pytest.MonkeyPatch) -> list[set[int] | None]:
    """The show ids of every feed rebuild the publisher is asked for."""
    publisher = services.publisher(app)
    rebuild = publisher.rebuild
    asked: list[set[int] | None] = []

    def recording(session: Any, show_ids: set[int] | None = None, **options: Any) -> Any:
        asked.append(None if show_ids is None else set(show_ids))
        return rebuild(session, show_ids, **options)

    monkeypatch.setattr(publisher, "rebuild", recording)
    return asked


@pytest.fixture
def statements(app: Any) -> Iterator[list[str]]:
    """Every SQL statement sent while the test runs (an executemany once per row)."""
    sent: list[str] = []
    engine = app.extensions["talkcast.engine"]

    def record(_conn: Any, _cursor: Any, statement: str, params: Any, _ctx: Any, many: bool):
        sent.extend([" ".join(statement.split())] * (len(params) if many else 1))

    event.listen(engine, "before_cursor_execute", record)
    yield sent
    event.remove(engine, "before_cursor_execute", record)


def writes(sent: list[str]) -> list[str]:
    """The statements that change rows."""
    return [s for s in sent if s.split(None, 1)[0].upper() in ("INSERT", "UPDATE", "DELETE")]


def shows_updated(app: Any) -> dict[str, Any]:
    with services.work(app) as session:
        return dict(session.execute(select(Show.slug, Show.content_updated_at)).all())


def add_sources(app: Any, upstream: CountingUpstream, count: int) -> list[int]:
    """``count`` sources on the one upstream, each into a show of its own, imported once."""
    ids = []
    for n in range(count):
        upstream.documents[f"/feed/{n}"] = rss(f"Feed {n}", f"talk-{n}-a")
        ids.append(new_source(app, "rss", upstream.url(f"/feed/{n}"), into=f"show-{n}"))
    first = tasks.check_due_sources(app)
    assert (first.outcome, first.added) == ("ok", count)
    return ids


def test_a_poll_reuses_one_connection_per_host_and_closes_it(app, upstream):
    ids = add_sources(app, upstream, 5)
    assert upstream.wait_until_closed() == 0  # the first run closed its connection too
    connections, requests = upstream.connections, upstream.requests
    upstream.documents["/feed/2"] = rss("Feed 2", "talk-2-a", "talk-2-b")  # one 200 among 304s
    make_due(app, *ids)

    report = tasks.check_due_sources(app)

    assert (report.outcome, report.added) == ("ok", 1)
    assert upstream.requests - requests == 5
    assert upstream.connections - connections == 1
    assert upstream.wait_until_closed() == 0


@pytest.mark.parametrize("validators", [True, False], ids=["304", "same-bytes"])
def test_an_unchanged_source_touches_one_row_and_rebuilds_nothing(
    app, upstream, rebuilt, statements, validators
):
    (source_id,) = add_sources(app, upstream, 1)
    upstream.validators = validators
    before, shows_before = source_row(app, source_id), shows_updated(app)
    make_due(app, source_id)
    rebuilt.clear()
    statements.clear()

    (report,) = tasks.check_sources(app, [source_id])

    assert report.outcome == ("not_modified" if validators else "unchanged")
    changed = writes(statements)
    assert len(changed) == 1 and changed[0].startswith("UPDATE sources SET")
    after = source_row(app, source_id)
    assert after.next_check_at > after.last_checked_at > before.last_checked_at
    # The validators are the ones upstream sent this time (none once it stops sending them).
    assert (after.etag, after.body_sha256) == (
        before.etag if validators else None,
        before.body_sha256,
    )
    assert rebuilt == [] and shows_updated(app) == shows_before
    assert [r.outcome for r in runs(app, "check_source")] == ["ok"]


def test_same_items_in_new_bytes_mark_no_show_dirty(app, upstream, rebuilt):
    (source_id,) = add_sources(app, upstream, 1)
    shows_before = shows_updated(app)
    # Different bytes (new ETag, whitespace) listing the very same item.
    upstream.documents["/feed/0"] = rss("Feed 0", "talk-0-a").replace(b"<channel>", b"<channel>\n")
    make_due(app, source_id)
    rebuilt.clear()

    report = tasks.check_due_sources(app)

    assert (report.outcome, report.added, report.updated) == ("ok", 0, 0)
    assert runs(app, "check_source")[-1].outcome == "ok"  # parsed and synced, with its row
    assert source_row(app, source_id).etag is not None
    assert rebuilt == [] and shows_updated(app) == shows_before


def test_only_the_show_whose_items_changed_is_rebuilt(app, client, upstream, rebuilt):
    ids = add_sources(app, upstream, 3)
    upstream.documents["/feed/1"] = rss("Feed 1", "talk-1-a", "talk-1-b")
    make_due(app, *ids)
    rebuilt.clear()

    report = tasks.check_due_sources(app)

    assert (report.added, report.error) == (1, "2 not modified, 0 unchanged")
    with services.work(app) as session:
        changed_show = session.scalar(select(Source.show_id).where(Source.id == ids[1]))
        titles = set(session.scalars(select(Episode.title).where(Episode.source_id == ids[1])))
    assert rebuilt == [{changed_show}]
    assert titles == {"talk-1-a", "talk-1-b"}
    served = client.get("/feeds/show-1.json").json
    assert sorted(i["title"] for i in served["items"]) == ["talk-1-a", "talk-1-b"]


def test_an_unchanged_check_leaves_a_source_alone_whose_url_changed_meanwhile(app, upstream):
    (source_id,) = add_sources(app, upstream, 1)
    with services.work(app) as session:
        target = load_targets(session, [source_id])[source_id]
        session.get(Source, source_id).url = upstream.url("/moved")  # staff edit, mid-poll
    before = source_row(app, source_id)
    touches = Touches(services.session_factory(app))
    report = RunReport("check_source", source_id, outcome="not_modified")
    with tasks.make_fetcher(app) as fetcher:
        result = fetcher.fetch(target.url, target.etag)

    touches.add(target, result, report)
    touches.flush()

    after = source_row(app, source_id)
    assert result.not_modified and report.outcome == "not_modified"
    assert (after.url, after.last_checked_at) == (upstream.url("/moved"), before.last_checked_at)
