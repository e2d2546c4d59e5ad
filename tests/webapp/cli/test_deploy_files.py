"""The example deployment files are valid and name commands that exist."""

from __future__ import annotations

import configparser
import hashlib
import json
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from nginxkit import media_server

DEPLOY = Path(__file__).resolve().parents[3] / "deploy"


def test_nginx_site_file_is_valid(tmp_path):
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        pytest.skip("nginx not installed (apt-get install nginx) to check deploy/nginx.conf")
    main = tmp_path / "nginx.conf"
    main.write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\n"
        f"events {{}}\nhttp {{ include {DEPLOY / 'nginx.conf'}; }}\n"
    )
    result = subprocess.run(
        [nginx, "-t", "-c", str(main)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("unit", ["talkcast-web.service", "talkcast-scheduler.service"])
def test_systemd_units_run_real_commands(unit):
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.read(DEPLOY / unit)
    for key in ("ExecStart", "ExecStartPre"):
        if key not in parser["Service"]:
            continue
        args = shlex.split(parser["Service"][key])
        assert args[0].endswith("/talkcast")
        result = subprocess.run(
            [sys.executable, "-m", "webapp.cli", *args[1:], "--help"],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr


def test_nginx_media_location_answers_by_content_hash(tmp_path):
    """The media location of the site file, run by a real nginx: ETag is the hash,
    If-None-Match gets 304, several ranges 206, and each response is logged for counting."""
    data = bytes(range(256)) * 40
    sha = hashlib.sha256(data).hexdigest()
    (tmp_path / "media" / "ab" / "cd").mkdir(parents=True)
    (tmp_path / "media" / "ab" / "cd" / f"{sha}.mp3").write_bytes(data)
    with media_server(tmp_path / "media", tmp_path) as server:
        url = server.url(f"ab/cd/{sha}.mp3")
        full = requests.get(url, timeout=5)
        assert full.status_code == 200 and full.content == data
        assert full.headers["ETag"] == f'"{sha}"'
        assert (
            requests.get(url, headers={"If-None-Match": f'"{sha}"'}, timeout=5).status_code == 304
        )
        assert requests.get(url, headers={"If-None-Match": '"other"'}, timeout=5).status_code == 200
        parts = requests.get(url, headers={"Range": "bytes=0-9,20-29"}, timeout=5)
        assert parts.status_code == 206
        assert parts.headers["Content-Type"].startswith("multipart/byteranges")
        one = requests.get(url, headers={"Range": "bytes=100-199"}, timeout=5)
        assert one.status_code == 206
    lines = [json.loads(line) for line in server.log.read_text().splitlines()]
    assert [(x["status"], x["method"]) for x in lines] == [
        (200, "GET"), (304, "GET"), (200, "GET"), (206, "GET"), (206, "GET"),
    ]  # fmt: skip
    assert lines[0]["bytes"] == len(data) and lines[0]["uri"].endswith(f"{sha}.mp3")
    assert (lines[-1]["range"], lines[-1]["bytes"]) == (f"bytes 100-199/{len(data)}", 100)
