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
