"""Every staff write route: refused for anonymous users, refused with a bad CSRF token, works
for signed-in staff. Each case checks the catalogue (or storage) afterwards, not just the status."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from staffkit import MediaMaker, make_user, sign_in, stored_files, token_for

from webapp import services
from webapp.catalog.models import Episode, Show

from factories import make_episode, make_show


@pytest.fixture(scope="session")
def media(tmp_path_factory):
    return MediaMaker(tmp_path_factory.mktemp("route-media"))


@pytest.fixture
def world(app):
    """A show with a draft and a published episode, and a staff account."""
    show_id = make_show(app)
    draft = make_episode(app, title="Draft talk", state="draft")
    live = make_episode(app, title="Live talk")
    make_user(app)
    return {"show": show_id, "draft": draft, "live": live}


def episode(app, episode_id):
    with services.session_factory(app)() as session:
        return session.get(Episode, episode_id)


def titled(app, title):
    with services.session_factory(app)() as session:
        return session.scalar(select(Episode).where(Episode.title == title))


def _upload(client, token, world, media):
    return client.post(
        "/staff/uploads",
        data=media("cbr.mp3").read_bytes(),
        headers={"X-Filename": "talk.mp3", "X-CSRFToken": token},
        content_type="application/octet-stream",
    )


def _new(client, token, world, media):
    form = {
        "csrf_token": token,
        "show_id": world["show"],
        "title": "Made by form",
        "episode_type": "full",
        "publish": "draft",
    }
    return client.post("/staff/episodes/new", data=form)


def _edit(client, token, world, media):
    form = {"csrf_token": token, "title": "Edited title", "episode_type": "full"}
    return client.post(f"/staff/episodes/{world['draft']}/edit", data=form)


def _publish(client, token, world, media):
    return client.post(f"/staff/episodes/{world['draft']}/publish", data={"csrf_token": token})


def _unpublish(client, token, world, media):
    return client.post(f"/staff/episodes/{world['live']}/unpublish", data={"csrf_token": token})


def _delete(client, token, world, media):
    return client.post(f"/staff/episodes/{world['draft']}/delete", data={"csrf_token": token})


SHOW_FORM = {"kind": "podcast", "category": "Science", "language": "en", "show_type": "episodic"}


def _new_show(client, token, world, media):
    form = {**SHOW_FORM, "csrf_token": token, "title": "Show by form", "slug": "show-by-form"}
    return client.post("/staff/shows/new", data=form)


def _edit_show(client, token, world, media):
    form = {**SHOW_FORM, "csrf_token": token, "title": "Renamed show", "slug": "talks"}
    return client.post("/staff/shows/talks/edit", data=form)


def _archive_show(client, token, world, media):
    return client.post("/staff/shows/talks/archive", data={"csrf_token": token})


def show(app, slug):
    with services.session_factory(app)() as session:
        return session.scalar(select(Show).where(Show.slug == slug))


ROUTES = {
    "upload": (_upload, 201, lambda app, w: any(f.endswith(".part") for f in stored_files(app))),
    "new": (_new, 302, lambda app, w: titled(app, "Made by form") is not None),
    "edit": (_edit, 302, lambda app, w: episode(app, w["draft"]).title == "Edited title"),
    "publish": (_publish, 302, lambda app, w: episode(app, w["draft"]).state == "published"),
    "unpublish": (
        _unpublish,
        302,
        lambda app, w: episode(app, w["live"]).state == "unpublished",
    ),
    "delete": (_delete, 302, lambda app, w: episode(app, w["draft"]) is None),
    "new show": (_new_show, 302, lambda app, w: show(app, "show-by-form") is not None),
    "edit show": (_edit_show, 302, lambda app, w: show(app, "talks").title == "Renamed show"),
    "archive show": (_archive_show, 302, lambda app, w: show(app, "talks").archived),
}


@pytest.mark.parametrize("route", ROUTES)
def test_anonymous_is_sent_to_sign_in(app, world, media, route):
    send, _, changed = ROUTES[route]
    client = app.test_client()
    # A genuine token for the anonymous session: only the missing sign-in stops the request.
    token = token_for(client, "/staff/login")
    response = send(client, token, world, media)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/staff/login")
    assert not changed(app, world)


@pytest.mark.parametrize("route", ROUTES)
def test_bad_csrf_token_is_refused(app, world, media, route):
    send, _, changed = ROUTES[route]
    client = app.test_client()
    sign_in(client)
    response = send(client, "forged-token", world, media)
    assert response.status_code == 400
    assert "security token" in response.get_data(as_text=True)
    assert not changed(app, world)


@pytest.mark.parametrize("route", ROUTES)
def test_signed_in_staff_can(app, world, media, route):
    send, status, changed = ROUTES[route]
    client = app.test_client()
    sign_in(client)
    token = token_for(client, "/staff/")
    response = send(client, token, world, media)
    assert response.status_code == status, response.get_data(as_text=True)
    assert changed(app, world)


def test_csrf_token_from_another_session_is_refused(app, world, media):
    other = app.test_client()
    stolen = token_for(other, "/staff/login")
    client = app.test_client()
    sign_in(client)
    assert _publish(client, stolen, world, media).status_code == 400
    assert episode(app, world["draft"]).state == "draft"


@pytest.mark.parametrize(
    "path", ["/staff/", "/staff/episodes/new", "/staff/episodes/{draft}/edit",
             "/staff/episodes/{draft}/delete", "/staff/shows/", "/staff/shows/new",
             "/staff/shows/talks/edit"],
)  # fmt: skip
def test_staff_pages_need_sign_in(app, world, path):
    response = app.test_client().get(path.format(**world))
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/staff/login")


def test_sign_out_needs_the_csrf_token(app, world):
    client = app.test_client()
    sign_in(client)
    assert client.post("/staff/logout", data={"csrf_token": "nope"}).status_code == 400
    assert client.get("/staff/").status_code == 200
    token = token_for(client, "/staff/")
    assert client.post("/staff/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/staff/").status_code == 302


def test_nothing_is_written_to_the_media_root_by_refused_uploads(app, world, media):
    client = app.test_client()
    token = token_for(client, "/staff/login")
    _upload(client, token, world, media)
    sign_in(client)
    _upload(client, "forged", world, media)
    assert not Path(app.config["MEDIA_ROOT"], ".tmp").exists() or stored_files(app) == []
