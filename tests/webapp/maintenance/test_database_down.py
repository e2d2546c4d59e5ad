"""With the database down, feeds and media are still served; pages say so with a 503."""

from __future__ import annotations

import socket

import pytest
from sqlalchemy import select
from staffkit import make_token, make_user, sign_in, token_for

from webapp import create_app, services
from webapp.catalog.models import Show


def _closed_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def dead_app(demo_app, app_config):
    """The same folders as the demo app, its database a PostgreSQL URL on a closed port."""
    url = f"postgresql+psycopg://postgres@127.0.0.1:{_closed_port()}/talkcast"
    application = create_app({**app_config, "DATABASE_URL": url})
    yield application
    application.extensions["talkcast.engine"].dispose()


def test_feeds_and_media_are_served_from_files_without_the_database(demo_app, dead_app):
    live, dead = demo_app.test_client(), dead_app.test_client()
    with services.work(demo_app) as session:
        show = session.scalars(select(Show).where(Show.artwork_key.is_not(None))).first()
        assert show is not None
        slug, art = show.slug, str(show.artwork_key)
    gzip = {"Accept-Encoding": "gzip"}
    for path in (f"/feeds/{slug}.rss", f"/feeds/{slug}.atom", "/feeds/all.json", "/feeds.opml"):
        answer = dead.get(path, headers=gzip)
        assert answer.status_code == 200, path
        assert answer.data == live.get(path, headers=gzip).data
        again = dead.get(path, headers={**gzip, "If-None-Match": answer.headers["ETag"]})
        assert again.status_code == 304
    media = dead.get(f"/media/{art}")
    assert media.status_code == 200
    assert media.data == services.storage(demo_app).path(art).read_bytes()
    part = dead.get(f"/media/{art}", headers={"Range": "bytes=0-9"})
    assert part.status_code == 206
    assert part.data == media.data[:10]


def test_staff_pages_answer_503_with_a_clear_page(demo_app, dead_app):
    make_user(demo_app)
    live = demo_app.test_client()
    assert sign_in(live).status_code == 302
    dead = dead_app.test_client()
    cookie = live.get_cookie("session")
    assert cookie is not None
    dead.set_cookie("session", cookie.value)
    for path in ("/staff/", "/staff/episodes/new", "/"):
        page = dead.get(path)
        assert page.status_code == 503, path
        text = page.get_data(as_text=True)
        assert "Database unavailable" in text
        assert "Published feeds and media files are still being served" in text
        assert "Traceback" not in text
        assert page.headers["Retry-After"] == "30"
    signing_in = dead_app.test_client()
    answer = signing_in.post(
        "/staff/login",
        data={"email": "a@example.org", "password": "x", "csrf_token": token_for(signing_in)},
    )
    assert answer.status_code == 503
    assert "The database is unavailable" in answer.get_data(as_text=True)


def test_the_api_answers_503_in_json(demo_app, dead_app):
    token = make_token(demo_app)
    with services.work(demo_app) as session:
        slug = session.scalars(select(Show.slug)).first()
    answer = dead_app.test_client().get(
        f"/api/v1/shows/{slug}/episodes", headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status_code == 503
    assert answer.get_json()["error"] == "database_unavailable"
