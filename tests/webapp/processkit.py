"""Helpers for tests that run Talkcast as a separate process."""

from __future__ import annotations

import socket
import subprocess
import time
from typing import Any

import requests


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until_up(url: str, proc: subprocess.Popen[Any], seconds: float = 60) -> None:
    """Wait for ``url`` to answer 200; fail at once if the server process exits."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"server exited with {proc.returncode}"
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except (requests.ConnectionError, requests.Timeout):
            # gunicorn listens before its workers are ready; a busy machine may not answer
            # the first requests within the timeout.
            time.sleep(0.2)
    raise AssertionError(f"{url} did not come up")
