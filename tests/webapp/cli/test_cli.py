"""The talkcast command, run as a user would (in a subprocess with its own config)."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.fixture
def cli_env(talkcast_env):
    return talkcast_env


def talkcast(env, *args):
    return subprocess.run(
        [sys.executable, "-m", "webapp.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("args", [[], ["feeds"], ["serve"], ["init"], ["demo"], ["feeds", "build"]])
def test_help_everywhere(cli_env, args):
    result = talkcast(cli_env, *args, "--help")
    assert result.returncode == 0, result.stderr
    assert "Usage:" in result.stdout


def test_init_demo_and_build(cli_env):
    assert talkcast(cli_env, "init").returncode == 0
    demo = talkcast(cli_env, "demo")
    assert demo.returncode == 0, demo.stderr
    assert "17 episodes" in demo.stdout
    again = talkcast(cli_env, "demo")
    assert "not loaded" in again.stdout
    built = talkcast(cli_env, "feeds", "build", "mathematics-of-deep-learning-and-data-science")
    assert built.returncode == 0, built.stderr
    listing = talkcast(cli_env, "feeds", "list").stdout
    assert "http://talkcast.test/feeds/mathematics-of-deep-learning-and-data-science.rss" in listing
    assert "http://talkcast.test/feeds.opml" in listing
    missing = talkcast(cli_env, "feeds", "build", "nope")
    assert missing.returncode != 0
    assert "no show with slug 'nope'" in missing.stderr
