"""The audit log: every write is a row saying who, when and what changed, per show and episode."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

from sqlalchemy import select
from staffkit import EMAIL, make_token, signed_in_staff, token_for

from webapp import services
from webapp.catalog.audit import acting_as
from webapp.catalog.errors import CatalogError
from webapp.catalog.models import AuditEntry, Episode
from webapp.catalog.operations import get_show, update_episode

from factories import make_episode, make_show

MEDIA = [{"kind": "audio", "url": "https://m.example/a.mp3", "mime_type": "audio/mpeg",
          "size": 1000, "duration": 60.0}]  # fmt: skip


def audit_rows(app, **where):
    with services.session_factory(app)() as session:
        query = select(AuditEntry).order_by(AuditEntry.id)
        for key, value in where.items():
            query = query.where(getattr(AuditEntry, key) == value)
        return list(session.scalars(query))


def edit(client, episode_id, **changes):
    form = {
        "csrf_token": token_for(client, f"/staff/episodes/{episode_id}/edit"),
        "title": "Sphere packings",
        "persons": "Maryna Viazovska",
        "episode_type": "full",
        **changes,
    }
    return client.post(
        f"/staff/episodes/{episode_id}/edit", data=form, content_type="multipart/form-data"
    )


def test_a_staff_edit_is_recorded_with_who_and_what_and_shown_per_episode_and_show(app):
    staff = signed_in_staff(app)
    episode_id = make_episode(app, title="Sphere packings", media=MEDIA)
    assert edit(staff, episode_id, title="Sphere packings in dimension 8").status_code == 302

    mine = [r for r in audit_rows(app, episode_id=episode_id) if r.actor == EMAIL]
    (entry,) = [r for r in mine if r.entity == "episode"]
    assert entry.action == "update"
    assert entry.actor == EMAIL
    assert entry.entity == "episode"
    assert json.loads(entry.changes)["title"] == [
        "Sphere packings",
        "Sphere packings in dimension 8",
    ]

    page = staff.get(f"/staff/episodes/{episode_id}/changes").get_data(as_text=True)
    assert EMAIL in page and "Sphere packings in dimension 8" in page
    show_page = staff.get("/staff/shows/talks/changes").get_data(as_text=True)
    assert "Sphere packings in dimension 8" in show_page

    exported = staff.get(f"/staff/episodes/{episode_id}/changes.csv")
    assert exported.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(exported.get_data(as_text=True))))
    title_rows = [r for r in rows if r["field"] == "title" and r["action"] == "update"]
    assert title_rows[0]["actor"] == EMAIL
    assert title_rows[0]["old"] == "Sphere packings"
    assert title_rows[0]["new"] == "Sphere packings in dimension 8"


def test_api_writes_name_the_token_owner(app):
    make_show(app)
    make_episode(app, title="Sphere packings", media=MEDIA)
    token = make_token(app)
    client = app.test_client()
    guid = client.get(
        "/api/v1/shows/talks/episodes", headers={"Authorization": f"Bearer {token}"}
    ).get_json()["episodes"][0]["guid"]
    response = client.patch(
        f"/api/v1/episodes/{guid}",
        json={"title": "Lattices"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200
    (entry,) = [r for r in audit_rows(app, entity="episode") if r.actor.endswith("(API token)")]
    assert entry.actor == f"{EMAIL} (API token)"
    assert json.loads(entry.changes)["title"] == ["Sphere packings", "Lattices"]


def test_a_deleted_episode_keeps_its_history(app):
    staff = signed_in_staff(app)
    episode_id = make_episode(app, title="Sphere packings", media=MEDIA)
    token = token_for(staff, f"/staff/episodes/{episode_id}/delete")
    response = staff.post(f"/staff/episodes/{episode_id}/delete", data={"csrf_token": token})
    assert response.status_code == 302
    with services.session_factory(app)() as session:
        assert session.get(Episode, episode_id) is None
    actions = [(r.action, r.entity) for r in audit_rows(app, episode_id=episode_id)]
    assert ("create", "episode") in actions and ("delete", "episode") in actions
    page = staff.get(f"/staff/episodes/{episode_id}/changes")
    assert page.status_code == 200
    assert "delete episode" in page.get_data(as_text=True)


def test_a_refused_write_leaves_no_entry(app):
    make_show(app)
    episode_id = make_episode(app, title="Sphere packings", media=MEDIA)
    before = len(audit_rows(app))
    try:
        with acting_as("someone"), services.work(app) as session:
            episode = session.get(Episode, episode_id)
            update_episode(session, episode, summary="A new summary")
            session.flush()
            update_episode(session, episode, title="   ")
    except CatalogError:
        pass
    else:
        raise AssertionError("an empty title must be refused")
    assert len(audit_rows(app)) == before


def test_secrets_are_never_written_to_the_log(app):
    signed_in_staff(app)
    make_token(app)
    logged = " ".join(r.changes for r in audit_rows(app))
    with services.session_factory(app)() as session:
        from webapp.catalog.models import ApiToken, User

        secrets = [u.password_hash for u in session.scalars(select(User))]
        secrets += [t.token_hash for t in session.scalars(select(ApiToken))]
    assert audit_rows(app, entity="user") and audit_rows(app, entity="api token")
    assert all(secret not in logged for secret in secrets)


def test_command_line_writes_name_the_command_line(app, talkcast_env, tmp_path):
    config = tmp_path / "config.toml"
    config.write_text("")
    env = {**talkcast_env, "TALKCAST_CONFIG": str(config)}
    result = subprocess.run(
        [sys.executable, "-c", "from webapp.cli import main; main()",
         "shows", "create", "Lectures", "--slug", "lectures"],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    with services.session_factory(app)() as session:
        show = get_show(session, "lectures")
    (entry,) = [r for r in audit_rows(app, show_id=show.id) if r.entity == "show"]
    assert entry.action == "create"
    assert entry.actor.startswith("command line (")
