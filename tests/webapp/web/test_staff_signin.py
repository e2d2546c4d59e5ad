"""Staff accounts made with ``talkcast users``, sign-in, its rate limit and the session cookie."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from staffkit import EMAIL, PASSWORD, make_user, sign_in, token_for


def talkcast(app_config, *args, stdin=""):
    env = dict(os.environ)
    env.update(
        {
            "TALKCAST_DATABASE_URL": app_config["DATABASE_URL"],
            "TALKCAST_DATA_DIR": app_config["DATA_DIR"],
            "TALKCAST_MEDIA_ROOT": app_config["MEDIA_ROOT"],
        }
    )
    # The installed entry point, as staff run it.
    return subprocess.run(
        [str(Path(sys.executable).parent / "talkcast"), *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_cli_account_signs_in_and_its_token_opens_the_api(app, app_config):
    made = talkcast(app_config, "users", "create", EMAIL, "--password-stdin", stdin=PASSWORD + "\n")
    assert made.returncode == 0, made.stderr
    token = talkcast(app_config, "users", "token", EMAIL, "--label", "ci").stdout.strip()
    assert token.startswith("tc_")
    client = app.test_client()
    response = sign_in(client)
    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/"
    assert client.get("/staff/").status_code == 200
    api = app.test_client().get("/api/v1/shows", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 200


def test_cli_refuses_short_passwords_and_duplicates(app_config, app):
    short = talkcast(app_config, "users", "create", EMAIL, "--password-stdin", stdin="short\n")
    assert short.returncode != 0
    assert "at least 10 characters" in short.stderr
    talkcast(app_config, "users", "create", EMAIL, "--password-stdin", stdin=PASSWORD + "\n")
    again = talkcast(
        app_config, "users", "create", EMAIL, "--password-stdin", stdin=PASSWORD + "\n"
    )
    assert "already exists" in again.stderr


def test_passwords_are_stored_hashed(app):
    from sqlalchemy import select

    from webapp import services
    from webapp.catalog.models import User

    make_user(app)
    with services.session_factory(app)() as session:
        stored = session.scalar(select(User.password_hash))
    assert PASSWORD not in stored
    assert stored.startswith("scrypt:")


def test_wrong_password_is_refused(app):
    make_user(app)
    client = app.test_client()
    response = sign_in(client, password="not the password")
    assert response.status_code == 401
    assert "Wrong email or password" in response.get_data(as_text=True)
    assert client.get("/staff/").status_code == 302


def test_five_failures_lock_sign_in_even_with_the_right_password(app):
    make_user(app)
    client = app.test_client()
    for _ in range(5):
        assert sign_in(client, password="guess guess guess").status_code == 401
    response = sign_in(client)
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.get_data(as_text=True)


def test_sign_in_without_csrf_token_is_refused(app):
    make_user(app)
    client = app.test_client()
    response = client.post("/staff/login", data={"email": EMAIL, "password": PASSWORD})
    assert response.status_code in (200, 400)
    assert client.get("/staff/").status_code == 302


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/staff/"])
def test_next_never_leaves_the_site(app, target):
    make_user(app)
    client = app.test_client()
    token = token_for(client)
    response = client.post(
        f"/staff/login?next={target}",
        data={"email": EMAIL, "password": PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == "/staff/"


def test_session_cookie_is_http_only_and_same_site(app):
    make_user(app)
    client = app.test_client()
    response = sign_in(client)
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_https_sites_send_secure_cookies(app_config):
    from webapp import create_app

    secure = create_app({**app_config, "BASE_URL": "https://talks.example.org"})
    try:
        assert secure.config["SESSION_COOKIE_SECURE"] is True
        assert secure.config["REMEMBER_COOKIE_SECURE"] is True
    finally:
        secure.extensions["talkcast.engine"].dispose()
