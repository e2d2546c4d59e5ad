"""Browser tests: a real Talkcast server on 127.0.0.1 in a thread, driven by Debian's chromium."""

from __future__ import annotations

import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def live_server(app: Any) -> Iterator[str]:
    """The app served over HTTP on a free local port; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()


@pytest.fixture
def browser() -> Iterator[Any]:
    """Headless chromium from Debian (never a downloaded browser)."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with sync_api.sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture(scope="session")
def long_mp3(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 90 s, 256 kbit/s MP3 (about 2.9 MB) with title and artist tags."""
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        pytest.skip("ffmpeg not installed: media fixtures are generated with it")
    path = tmp_path_factory.mktemp("e2e-media") / "browser-talk.mp3"
    subprocess.run(
        [
            ffmpeg, "-v", "error", "-y", "-f", "lavfi", "-i", "sine=frequency=330:duration=90",
            "-c:a", "libmp3lame", "-b:a", "256k",
            "-metadata", "title=Browser talk", "-metadata", "artist=Emmy Noether",
            str(path),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return path
