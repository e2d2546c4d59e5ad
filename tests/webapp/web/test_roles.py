"""Roles: every staff page and API route, called by every role, allows exactly what it should."""

# ruff: noqa: E501  (the walk is a table: one request per line reads best)

from __future__ import annotations

import io

import pytest
from sqlalchemy import select
from staffkit import PASSWORD, sign_in

from webapp import services
from webapp.catalog.models import Episode, Person, User
from webapp.catalog.roles import grant
from webapp.ingest.sources import add_source
from webapp.web.auth import create_token, create_user
from webapp.web.permissions import GUARDED, GUARDED_API, RULES

from factories import make_episode, make_show

MEDIA = [{"kind": "audio", "url": "https://m.example/a.mp3", "mime_type": "audio/mpeg",
          "size": 1000, "duration": 60.0}]  # fmt: skip
ROLES = ["none", "viewer", "contributor", "editor", "admin"]

# What each role may do, by case name (the cases are built in ``cases`` below).
OWN_ACCOUNT = {
    "account", "new token", "revoke token", "start two-factor", "confirm two-factor",
    "two-factor off",
}  # fmt: skip
VIEWER = OWN_ACCOUNT | {
    "dashboard", "shows", "people", "person", "stats of the show", "stats csv of the show",
    "api shows", "api show", "api show episodes", "api episode",
}  # fmt: skip
CONTRIBUTOR = VIEWER | {
    "upload", "api upload", "new episode form", "new draft", "edit form", "edit draft",
    "api new draft", "api edit draft",
}  # fmt: skip
EDITOR = CONTRIBUTOR | {
    "new published", "edit published", "api new published", "api edit published",
    "publish", "unpublish", "delete form", "delete", "api publish", "api unpublish",
    "api delete", "show settings", "save show settings", "archive show", "api show settings",
    "api artwork", "sources", "job history", "add source", "check source", "keep imported",
    "delete imported", "import history", "show changes", "show changes csv",
    "episode changes", "episode changes csv",
}  # fmt: skip
ADMIN = EDITOR | {
    "stats of the site", "stats csv of the site", "new show form", "api new show",
    "merge people", "split person", "site changes", "site changes csv",
    "staff", "invite", "enable user", "reset link", "set role",
}  # fmt: skip
ALLOWED = {"none": OWN_ACCOUNT, "viewer": VIEWER, "contributor": CONTRIBUTOR, "editor": EDITOR,
           "admin": ADMIN}  # fmt: skip


def setup_site(app, role):
    """Two shows, episodes in several states, a source, two people; the user under test."""
    make_show(app)
    make_show(app, slug="other", title="Other talks")
    ids = {
        name: make_episode(app, title=title, media=MEDIA, state=state)
        for name, title, state in [
            ("published", "Published talk", "published"),
            ("draft", "Draft talk", "draft"),
            ("to delete", "Doomed talk", "published"),
            ("to delete by api", "Doomed API talk", "published"),
            ("imported", "Imported talk", "published"),
        ]
    }
    with services.work(app) as session:
        create_user(session, "admin@example.org", PASSWORD)  # the first account: an admin
        user = create_user(session, "member@example.org", PASSWORD, admin=role == "admin")
        if role in ("viewer", "contributor", "editor"):
            talks = session.scalar(select(Episode.show_id).where(Episode.id == ids["draft"]))
            grant(session, user, talks, role)
        token = create_token(session, user, "walk")
        create_token(session, user, "to revoke")
        add_source(session, kind="rss", url="https://upstream.example.org/feed.xml",
                   into="talks", every="1h", base_url=app.config["BASE_URL"], origin="ui")  # fmt: skip
        session.add_all(
            [Person(name="Alpha, A", slug="alpha-a"), Person(name="Beta, B", slug="beta-b")]
        )
        guids = {n: session.get(Episode, i).guid for n, i in ids.items()}
    return ids, guids, token


def cases(ids, guids):
    """(name, method, path, options): reads first, deletions and archiving last."""
    ep, g = ids, guids
    png = io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"\0" * 32)
    return [
        ("dashboard", "GET", "/staff/", {}),
        ("shows", "GET", "/staff/shows/", {}),
        ("people", "GET", "/staff/people/", {}),
        ("person", "GET", "/staff/people/alpha-a", {}),
        ("stats of the show", "GET", "/staff/stats/?show=talks", {}),
        ("stats csv of the show", "GET", "/staff/stats/downloads.csv?show=talks", {}),
        ("stats of the site", "GET", "/staff/stats/", {}),
        ("stats csv of the site", "GET", "/staff/stats/downloads.csv", {}),
        ("api shows", "GET", "/api/v1/shows", {}),
        ("api show", "GET", "/api/v1/shows/talks", {}),
        ("api show episodes", "GET", "/api/v1/shows/talks/episodes", {}),
        ("api episode", "GET", f"/api/v1/episodes/{g['published']}", {}),
        ("sources", "GET", "/staff/sources/", {}),
        ("job history", "GET", "/staff/sources/jobs", {}),
        ("import history", "GET", f"/staff/sources/episodes/{ep['imported']}/history", {}),
        ("show changes", "GET", "/staff/shows/talks/changes", {}),
        ("show changes csv", "GET", "/staff/shows/talks/changes.csv", {}),
        ("episode changes", "GET", f"/staff/episodes/{ep['published']}/changes", {}),
        ("episode changes csv", "GET", f"/staff/episodes/{ep['published']}/changes.csv", {}),
        ("site changes", "GET", "/staff/changes", {}),
        ("site changes csv", "GET", "/staff/changes.csv", {}),
        ("show settings", "GET", "/staff/shows/talks/edit", {}),
        ("new show form", "GET", "/staff/shows/new", {}),
        ("new episode form", "GET", "/staff/episodes/new", {}),
        ("edit form", "GET", f"/staff/episodes/{ep['published']}/edit", {}),
        ("delete form", "GET", f"/staff/episodes/{ep['to delete']}/delete", {}),
        ("upload", "POST", "/staff/uploads", {"data": b"not media", "headers": {"X-Filename": "a.mp3"}}),
        ("api upload", "POST", "/api/v1/uploads", {"data": b"not media", "headers": {"X-Filename": "a.mp3"}}),
        ("new draft", "POST", "/staff/episodes/new",
         {"data": {"show_id": "1", "title": "New", "publish": "draft"}}),
        ("new published", "POST", "/staff/episodes/new",
         {"data": {"show_id": "1", "title": "New", "publish": "now"}}),
        ("edit draft", "POST", f"/staff/episodes/{ep['draft']}/edit",
         {"data": {"title": "Draft talk, revised", "episode_type": "full"}}),
        ("edit published", "POST", f"/staff/episodes/{ep['published']}/edit",
         {"data": {"title": "Published talk, revised", "episode_type": "full"}}),
        ("api new draft", "POST", "/api/v1/shows/talks/episodes", {"json": {"title": "API draft"}}),
        ("api new published", "POST", "/api/v1/shows/talks/episodes",
         {"json": {"title": "API talk", "state": "published"}}),
        ("api edit draft", "PATCH", f"/api/v1/episodes/{g['draft']}", {"json": {"title": "Draft 2"}}),
        ("api edit published", "PATCH", f"/api/v1/episodes/{g['published']}",
         {"json": {"title": "Published 2"}}),
        ("save show settings", "POST", "/staff/shows/talks/edit", {"data": {"title": "Seminar talks"}}),
        ("api show settings", "PATCH", "/api/v1/shows/talks", {"json": {"title": "Seminar talks"}}),
        ("api artwork", "PUT", "/api/v1/shows/talks/artwork", {"data": png.getvalue()}),
        ("api new show", "POST", "/api/v1/shows", {"json": {"title": "New show", "slug": "new-show"}}),
        ("add source", "POST", "/staff/sources/",
         {"data": {"url": "https://upstream.example.org/2.xml", "kind": "rss", "into": "talks", "every": "1h"}}),
        ("check source", "POST", "/staff/sources/1/check", {}),
        ("keep imported", "POST", f"/staff/sources/episodes/{ep['imported']}/keep", {}),
        ("publish", "POST", f"/staff/episodes/{ep['draft']}/publish", {"data": {"when": "now"}}),
        ("unpublish", "POST", f"/staff/episodes/{ep['published']}/unpublish", {}),
        ("api publish", "POST", f"/api/v1/episodes/{g['draft']}/publish", {}),
        ("api unpublish", "POST", f"/api/v1/episodes/{g['published']}/unpublish", {}),
        ("account", "GET", "/staff/account/", {}),
        ("new token", "POST", "/staff/account/tokens", {"data": {"label": "x", "scope": "read"}}),
        ("revoke token", "POST", "/staff/account/tokens/2/revoke", {}),
        ("start two-factor", "POST", "/staff/account/two-factor/start", {}),
        ("confirm two-factor", "POST", "/staff/account/two-factor/confirm", {"data": {"code": "000000"}}),
        ("two-factor off", "POST", "/staff/account/two-factor/off", {"data": {"code": "000000"}}),
        ("staff", "GET", "/staff/users/", {}),
        ("invite", "POST", "/staff/users/invite", {"data": {"email": "new@example.org"}}),
        ("enable user", "POST", "/staff/users/1/active", {"data": {"active": "1"}}),
        ("reset link", "POST", "/staff/users/1/reset", {}),
        ("set role", "POST", "/staff/users/1/role", {"data": {"show": "talks", "role": "viewer"}}),
        ("merge people", "POST", "/staff/people/alpha-a/merge", {"data": {"into": "beta-b"}}),
        ("split person", "POST", "/staff/people/beta-b/split", {"data": {"name": "Gamma, G"}}),
        ("delete imported", "POST", f"/staff/sources/episodes/{ep['imported']}/delete", {}),
        ("delete", "POST", f"/staff/episodes/{ep['to delete']}/delete", {}),
        ("api delete", "DELETE", f"/api/v1/episodes/{g['to delete by api']}", {}),
        ("archive show", "POST", "/staff/shows/talks/archive", {}),
    ]  # fmt: skip


def test_every_guarded_route_has_a_rule_and_a_case(app):
    guarded = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint.split(".")[0] in GUARDED + GUARDED_API
    }
    assert guarded == set(RULES)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_may_do_exactly_its_share(app, role):
    ids, guids, token = setup_site(app, role)
    browser = app.test_client()
    assert sign_in(browser, "member@example.org").status_code == 302
    app.config["WTF_CSRF_ENABLED"] = False  # CSRF has its own tests; this walk is about roles
    allowed = set()
    walked = cases(ids, guids)
    for name, method, path, options in walked:
        client_options = dict(options)
        if path.startswith("/api/"):
            client_options["headers"] = {
                "Authorization": f"Bearer {token}",
                **client_options.get("headers", {}),
            }
        response = browser.open(path, method=method, **client_options)
        assert response.status_code != 500, (name, response.get_data(as_text=True)[:500])
        if response.status_code != 403:
            allowed.add(name)
    assert allowed == ALLOWED[role]
    # Every endpoint under a rule was walked.
    endpoints = {
        app.url_map.bind("talkcast.test").match(path.split("?")[0], method)[0]
        for _name, method, path, _options in walked
    }
    assert endpoints == set(RULES)
    with services.session_factory(app)() as session:
        member = session.scalar(select(User).where(User.email == "member@example.org"))
        assert member.is_admin == (role == "admin")
