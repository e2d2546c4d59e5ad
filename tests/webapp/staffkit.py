"""Helpers for the staff, upload and API tests: accounts, sign-in, CSRF tokens, media fixtures."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from webapp import services
from webapp.web.auth import create_token, create_user

EMAIL = "editor@example.org"
PASSWORD = "correct horse battery"
SECONDS = 3
_SINE = ["-f", "lavfi", "-i", f"sine=frequency=440:duration={SECONDS}"]
_VIDEO = ["-f", "lavfi", "-i", f"testsrc=size=320x240:rate=10:duration={SECONDS}"]
# Silence then noise: a VBR encoder spends far fewer bits on the first frames, so a duration
# guessed from the first frame's bitrate would be far too long.
_SILENCE_THEN_NOISE = [
    "-f", "lavfi", "-i",
    f"aevalsrc=0:d={SECONDS / 2}[a];anoisesrc=d={SECONDS / 2}:amplitude=0.5[b];"
    "[a][b]concat=n=2:v=0:a=1",
]  # fmt: skip
RECIPES: dict[str, list[str]] = {
    "cbr.mp3": [
        *_SINE, "-c:a", "libmp3lame", "-b:a", "64k",
        "-metadata", "title=Sine talk", "-metadata", "artist=Ada Lovelace",
    ],
    "vbr-xing.mp3": [*_SINE, "-c:a", "libmp3lame", "-q:a", "4"],
    "vbr-noxing.mp3": [*_SILENCE_THEN_NOISE, "-c:a", "libmp3lame", "-q:a", "0", "-write_xing", "0"],
    "aac.m4a": [*_SINE, "-c:a", "aac", "-b:a", "64k", "-metadata", "title=AAC talk"],
    "video.mp4": [*_VIDEO, *_SINE, "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac",
                  "-shortest"],
    "lossless.flac": [*_SINE, "-c:a", "flac"],
    "vorbis.ogg": [*_SINE, "-c:a", "libvorbis"],
    "opus.opus": [*_SINE, "-c:a", "libopus", "-b:a", "48k"],
}  # fmt: skip
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class MediaMaker:
    """Generates each RECIPES file once per run with ffmpeg."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def __call__(self, name: str) -> Path:
        ffmpeg = shutil.which("ffmpeg")
        if ffmpeg is None:
            pytest.skip("ffmpeg not installed: media fixtures are generated with it")
        path = self.folder / name
        if not path.exists():
            subprocess.run(
                [ffmpeg, "-v", "error", "-y", *RECIPES[name], str(path)],
                check=True,
                capture_output=True,
            )
        return path


def make_user(app: Any, email: str = EMAIL, password: str = PASSWORD) -> int:
    """A staff account; returns its id."""
    with services.work(app) as session:
        return create_user(session, email, password).id


def make_token(app: Any, email: str = EMAIL) -> str:
    """An API token for an existing (or new) staff account."""
    from sqlalchemy import select

    from webapp.catalog.models import User

    with services.work(app) as session:
        user = session.scalar(select(User).where(User.email == email))
        if user is None:
            user = create_user(session, email, PASSWORD)
        return create_token(session, user, "tests")


def csrf_in(html: str) -> str:
    """The CSRF token of the first form in a page."""
    match = _CSRF.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def token_for(client: Any, url: str = "/staff/login") -> str:
    """A valid CSRF token for this client's session, read from a page as a browser would."""
    return csrf_in(client.get(url).get_data(as_text=True))


def sign_in(client: Any, email: str = EMAIL, password: str = PASSWORD) -> Any:
    """Sign in through the login form; returns the response."""
    token = token_for(client)
    return client.post(
        "/staff/login", data={"email": email, "password": password, "csrf_token": token}
    )


def upload(client: Any, data: bytes, name: str, token: str, **headers: str) -> Any:
    """Send one file as the upload XHR does (raw body, name and CSRF token in headers)."""
    return client.post(
        "/staff/uploads",
        data=data,
        # The test client drops the header of an empty body; a browser sends "0".
        environ_overrides={"CONTENT_LENGTH": str(len(data))},
        headers={
            "X-Filename": quote(name),
            "X-CSRFToken": token,
            "Content-Type": "application/octet-stream",
            **headers,
        },
    )


def stored_files(app: Any) -> list[str]:
    """Every file under the media root, the temporary area included (relative paths)."""
    root = Path(app.config["MEDIA_ROOT"])
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def signed_in_staff(app: Any) -> Any:
    """A test client signed in as staff, with a show to publish into."""
    from factories import make_show

    make_show(app)
    make_user(app)
    client = app.test_client()
    assert sign_in(client).status_code == 302
    return client


def sign_in_browser(page: Any, base: str, email: str, password: str) -> None:
    """Sign in through the login page in a Playwright page; waits for the dashboard."""
    page.goto(f"{base}/staff/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}/staff/")


def signed_in_client(app: Any) -> Any:
    """A test client of a staff member who has signed in (the account is made here)."""
    make_user(app)
    client = app.test_client()
    assert sign_in(client).status_code == 302
    return client
