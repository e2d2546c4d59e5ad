"""The example deployment files are valid and name commands that exist."""

from __future__ import annotations

import configparser
import getpass
import hashlib
import shlex
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_nginx_media_location_answers_by_content_hash(tmp_path):
    """The media location of the site file, run by a real nginx (made reachable without
    X-Accel-Redirect): ETag is the hash, If-None-Match gets 304, several ranges 206."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        pytest.skip("nginx not installed (apt-get install nginx) to run deploy/nginx.conf")
    data = bytes(range(256)) * 40
    sha = hashlib.sha256(data).hexdigest()
    (tmp_path / "media" / "ab" / "cd").mkdir(parents=True)
    (tmp_path / "media" / "ab" / "cd" / f"{sha}.mp3").write_bytes(data)
    site = (DEPLOY / "nginx.conf").read_text()
    start = site.index('    location ~ "^/_accel/media/')
    block = site[start : site.index("\n    }\n", start) + 6]
    block = block.replace("internal;", "").replace("/srv/talkcast/media/", f"{tmp_path}/media/")
    port = _free_port()
    (tmp_path / "nginx.conf").write_text(
        # Workers run as this user, so they can read the test's private directory.
        f"user {getpass.getuser()};\npid {tmp_path}/nginx.pid;\n"
        f"error_log {tmp_path}/error.log;\ndaemon off;\n"
        f"events {{}}\nhttp {{ access_log off; server {{ listen 127.0.0.1:{port};\n{block} }} }}\n"
    )
    server = subprocess.Popen([nginx, "-c", str(tmp_path / "nginx.conf")])
    try:
        url = f"http://127.0.0.1:{port}/_accel/media/ab/cd/{sha}.mp3"
        for _ in range(50):
            try:
                full = requests.get(url, timeout=5)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        assert full.status_code == 200 and full.content == data
        assert full.headers["ETag"] == f'"{sha}"'
        assert (
            requests.get(url, headers={"If-None-Match": f'"{sha}"'}, timeout=5).status_code == 304
        )
        assert requests.get(url, headers={"If-None-Match": '"other"'}, timeout=5).status_code == 200
        parts = requests.get(url, headers={"Range": "bytes=0-9,20-29"}, timeout=5)
        assert parts.status_code == 206
        assert parts.headers["Content-Type"].startswith("multipart/byteranges")
    finally:
        server.terminate()
        server.wait(timeout=10)
