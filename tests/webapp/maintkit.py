"""Helpers for the maintenance tests: the talkcast command, and an instance's config."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from typing import Any


def talkcast(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """Run the talkcast command as a user would, in its own process (see ``cli`` too)."""
    return subprocess.run(
        [sys.executable, "-m", "webapp.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@dataclass
class CliResult:
    """What a command printed, shaped like subprocess's result."""

    returncode: int
    stdout: str
    stderr: str


def cli(env: dict[str, str], *args: str) -> CliResult:
    """The talkcast command in this process (the machine is shared: a new Python per
    command costs seconds); the environment is the command's whole configuration."""
    from click.testing import CliRunner

    from webapp.cli import main

    result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    return CliResult(result.exit_code, result.stdout, result.stderr)


def config_of(env: dict[str, str]) -> dict[str, Any]:
    """A test config for create_app pointing at the instance an environment names."""
    return {
        "TESTING": True,
        "DATABASE_URL": env["TALKCAST_DATABASE_URL"],
        "DATA_DIR": env["TALKCAST_DATA_DIR"],
        "MEDIA_ROOT": env["TALKCAST_MEDIA_ROOT"],
        "BASE_URL": env["TALKCAST_BASE_URL"],
        "SECRET_KEY": env["TALKCAST_SECRET_KEY"],
        "SCHEDULER": {"enabled": False},
    }
