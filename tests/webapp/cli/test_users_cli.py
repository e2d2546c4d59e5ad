"""``talkcast users``: accounts, admins and roles from the command line, run as a user would."""

from __future__ import annotations

import subprocess
import sys

import pytest

from factories import make_show


@pytest.fixture
def cli_env(talkcast_env, tmp_path):
    config = tmp_path / "config.toml"
    config.write_text("")
    return {**talkcast_env, "TALKCAST_CONFIG": str(config)}


def talkcast(env, *args, stdin=""):
    return subprocess.run(
        [sys.executable, "-c", "from webapp.cli import main; main()", *args],
        env=env, input=stdin, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def test_first_account_is_admin_later_ones_get_roles(app, cli_env):
    make_show(app)
    first = talkcast(cli_env, "users", "create", "Chief@example.org", "--password-stdin",
                     stdin="a long password\n")  # fmt: skip
    assert first.returncode == 0, first.stderr
    assert "created admin chief@example.org" in first.stdout
    second = talkcast(cli_env, "users", "create", "ed@example.org", "--password-stdin",
                      stdin="a long password\n")  # fmt: skip
    assert "talkcast users role" in second.stdout
    assert talkcast(cli_env, "users", "role", "ed@example.org", "talks", "editor").returncode == 0
    refused = talkcast(cli_env, "users", "role", "ed@example.org", "talks", "owner")
    assert refused.returncode != 0 and "'owner' is not one of" in refused.stderr
    listed = talkcast(cli_env, "users", "list").stdout.splitlines()
    assert "chief@example.org\tactive\tadmin" in listed
    assert "ed@example.org\tactive\teditor of talks" in listed


def test_invite_reset_disable_and_scoped_tokens_from_the_command_line(app, cli_env):
    make_show(app)
    talkcast(cli_env, "users", "create", "chief@example.org", "--password-stdin",
             stdin="a long password\n")  # fmt: skip
    link = talkcast(cli_env, "users", "invite", "ed@example.org", "--show", "talks",
                    "--role", "editor").stdout.strip()  # fmt: skip
    assert link.startswith("http://talkcast.test/staff/invite/")
    path = link.removeprefix("http://talkcast.test")
    client = app.test_client()
    assert client.get(path).status_code == 200  # the link opens the password form

    made = talkcast(cli_env, "users", "token", "chief@example.org", "--scope", "read",
                    "--show", "talks", "--days", "7", "--label", "feeds")  # fmt: skip
    token = made.stdout.strip()
    auth = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/shows/talks", headers=auth).status_code == 200
    assert client.patch("/api/v1/shows/talks", json={"title": "T"}, headers=auth).status_code == 403
    (listed,) = talkcast(cli_env, "users", "tokens", "chief@example.org").stdout.splitlines()
    token_id, label, scope, show, _expires, _used, state = listed.split("\t")
    assert (label, scope, show, state) == ("feeds", "read", "talks", "active")
    assert talkcast(cli_env, "users", "revoke-token", token_id).returncode == 0
    assert client.get("/api/v1/shows/talks", headers=auth).status_code == 401

    assert talkcast(cli_env, "users", "reset", "chief@example.org").stdout.startswith("http://")
    refused = talkcast(cli_env, "users", "disable", "chief@example.org")
    assert refused.returncode != 0 and "last active admin" in refused.stderr
