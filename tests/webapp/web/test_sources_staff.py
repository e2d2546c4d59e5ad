"""The staff sources pages through the test client: table, check now, add, history, keep/delete."""

from __future__ import annotations

import re

import pytest
from pytest_httpserver import HTTPServer
from sourcekit import csrf_from, new_source, runs, serve_kind, sign_in, source_row
from sqlalchemy import select
from werkzeug import Response

from webapp import services
from webapp.catalog.models import Episode, EpisodeChange
from webapp.jobs import tasks


@pytest.fixture
def server(httpserver_ipv4: HTTPServer) -> HTTPServer:
    """pytest-httpserver on 127.0.0.1."""
    return httpserver_ipv4


@pytest.fixture
def staff(app, client):
    """A signed-in staff client."""
    sign_in(app, client)
    return client


def row(html: str, element_id: str) -> str:
    """The HTML of one table row, by id."""
    match = re.search(rf'<tr id="{element_id}">(.*?)</tr>', html, re.DOTALL)
    assert match, f"no row {element_id}"
    return match.group(1)


@pytest.mark.parametrize(
    "path", ["/staff/sources/", "/staff/sources/jobs", "/staff/sources/episodes/1/history"]
)
def test_pages_need_staff(client, path):
    response = client.get(path)

    assert response.status_code == 302
    assert "/staff/login" in response.headers["Location"]


def test_anonymous_check_is_refused(app, client, server):
    source_id = new_source(app, "rss", serve_kind(server, "rss").url)

    token = csrf_from(client.get("/staff/login").get_data(as_text=True))

    without_token = client.post(f"/staff/sources/{source_id}/check")
    with_token = client.post(f"/staff/sources/{source_id}/check", data={"csrf_token": token})

    assert without_token.status_code == 400
    assert with_token.status_code == 302
    assert "/staff/login" in with_token.headers["Location"]
    assert runs(app) == []


def test_sources_table_and_check_now(app, staff, server):
    upstream = serve_kind(server, "talks-cam")
    source_id = new_source(app, "talks-cam", upstream.url)
    page = staff.get("/staff/sources/").get_data(as_text=True)
    assert "never" in row(page, f"source-{source_id}")
    assert 'href="/staff/sources/"' in page  # the nav link

    checked = staff.post(
        f"/staff/sources/{source_id}/check", data={"csrf_token": csrf_from(page)},
        follow_redirects=True,
    )  # fmt: skip

    html = checked.get_data(as_text=True)
    assert f"Source {source_id}: ok, 3 added, 0 updated" in html
    cells = row(html, f"source-{source_id}")
    assert "never" not in cells and "UTC" in cells
    assert len(staff.get("/feeds/talks.json").json["items"]) == 3


def test_check_now_needs_the_csrf_token(app, staff, server):
    source_id = new_source(app, "rss", serve_kind(server, "rss").url)

    response = staff.post(f"/staff/sources/{source_id}/check")

    assert response.status_code == 400
    assert runs(app) == []


def test_failing_source_shows_its_error_and_next_check(app, staff, server):
    upstream = serve_kind(server, "rss")
    upstream.override = lambda request: Response("busy", status=429, headers={"Retry-After": "600"})
    source_id = new_source(app, "rss", upstream.url)
    tasks.check_due_sources(app)

    html = staff.get("/staff/sources/").get_data(as_text=True)

    cells = row(html, f"source-{source_id}")
    assert "HTTP 429" in cells and "1 failure in a row" in cells
    next_check = source_row(app, source_id).next_check_at
    assert next_check.strftime("%Y-%m-%d %H:%M:%S UTC") in cells


def test_add_source_form(app, staff, server):
    from factories import make_show

    make_show(app, "seminars", title="INI seminars")
    page = staff.get("/staff/sources/").get_data(as_text=True)
    url = serve_kind(server, "youtube").url

    added = staff.post(
        "/staff/sources/",
        data={"csrf_token": csrf_from(page), "url": url, "kind": "youtube",
              "into": "seminars", "every": "30m"},
        follow_redirects=True,
    )  # fmt: skip
    refused = staff.post(
        "/staff/sources/",
        data={"csrf_token": csrf_from(page), "url": url, "kind": "youtube",
              "into": "seminars", "every": "soon"},
    )  # fmt: skip

    assert added.status_code == 200
    html = added.get_data(as_text=True)
    assert "Source 1 added" in html and url in html and "30m" in html
    assert refused.status_code == 400
    assert "cannot read interval" in refused.get_data(as_text=True)


def test_job_history_page(app, staff, server):
    ok_id = new_source(app, "rss", serve_kind(server, "rss").url)
    broken = serve_kind(server, "talks-cam", "/broken")
    broken.override = lambda request: Response(
        "<html><body>oops</body></html>", mimetype="text/html"
    )
    bad_id = new_source(app, "talks-cam", broken.url, into="seminars")
    tasks.check_due_sources(app)

    everything = staff.get("/staff/sources/jobs").get_data(as_text=True)
    one = staff.get(f"/staff/sources/jobs?source={bad_id}").get_data(as_text=True)

    assert "check_due_sources" in everything and everything.count("outcome-ok") == 1
    assert "found an HTML page" in everything
    assert f"source {ok_id}" in everything
    assert one.count("outcome-error") == 1 and "outcome-ok" not in one
    failures = staff.get("/staff/sources/jobs?failed=1").get_data(as_text=True)
    assert failures.count("outcome-error") == 1 and "outcome-partial" in failures
    ticks = staff.get("/staff/sources/jobs?job=check_due_sources").get_data(as_text=True)
    assert ticks.count("<td>check_due_sources") == 1 and "<td>check_source" not in ticks


def _remove_one_upstream(app, server):
    upstream = serve_kind(server, "talks-cam")
    source_id = new_source(app, "talks-cam", upstream.url)
    tasks.check_due_sources(app)
    start = upstream.body.index(b"<talk>\n    <id>101200")
    end = upstream.body.index(b"</talk>", start) + len(b"</talk>")
    upstream.body = upstream.body[:start] + upstream.body[end:]
    tasks.check_source(app, source_id)
    with services.work(app) as session:
        episode = session.scalar(select(Episode).where(Episode.external_id == "101200"))
        return source_id, episode.id


def test_removed_upstream_keep(app, staff, server):
    source_id, episode_id = _remove_one_upstream(app, server)
    page = staff.get("/staff/sources/").get_data(as_text=True)
    assert "Optimisation landscapes" in row(page, f"removed-{episode_id}")

    staff.post(f"/staff/sources/episodes/{episode_id}/keep", data={"csrf_token": csrf_from(page)})
    tasks.check_source(app, source_id)  # still gone upstream: not marked again

    assert f'id="removed-{episode_id}"' not in staff.get("/staff/sources/").get_data(as_text=True)
    with services.work(app) as session:
        assert session.get(Episode, episode_id).upstream_removed is False
    history = staff.get(f"/staff/sources/episodes/{episode_id}/history").get_data(as_text=True)
    assert [a for a in ("added", "removed", "kept") if f"<td>{a}</td>" in history] == [
        "added", "removed", "kept",
    ]  # fmt: skip


def test_removed_upstream_delete(app, staff, server):
    _source_id, episode_id = _remove_one_upstream(app, server)
    page = staff.get("/staff/sources/").get_data(as_text=True)

    response = staff.post(
        f"/staff/sources/episodes/{episode_id}/delete", data={"csrf_token": csrf_from(page)}
    )

    assert response.status_code == 302
    with services.work(app) as session:
        assert session.get(Episode, episode_id) is None
        assert (
            session.scalars(
                select(EpisodeChange).where(EpisodeChange.episode_id == episode_id)
            ).all()
            == []
        )
    assert b"Optimisation landscapes" not in staff.get("/feeds/talks.json").data
    # Only episodes marked as removed upstream can be deleted from here.
    with services.work(app) as session:
        other = session.scalar(select(Episode.id).where(Episode.upstream_removed.is_(False)))
    refused = staff.post(
        f"/staff/sources/episodes/{other}/delete", data={"csrf_token": csrf_from(page)}
    )
    assert refused.status_code == 404


def test_episode_history_shows_field_changes(app, staff, server):
    upstream = serve_kind(server, "talks-cam")
    source_id = new_source(app, "talks-cam", upstream.url)
    tasks.check_due_sources(app)
    upstream.body = upstream.body.replace(b"Optimisation landscapes", b"Optimisation landscapes II")
    tasks.check_source(app, source_id)
    with services.work(app) as session:
        episode_id = session.scalar(select(Episode.id).where(Episode.external_id == "101200"))

    html = staff.get(f"/staff/sources/episodes/{episode_id}/history").get_data(as_text=True)

    assert "<td>updated</td>" in html
    assert "Optimisation landscapes → Optimisation landscapes II" in html
