"""Run the media location of deploy/nginx.conf in a real nginx, as production does.

The internal location is made reachable directly (no X-Accel-Redirect hop), its media
root and log path point into the test's directory, and the client address is taken from
X-Forwarded-For (nginx's realip module, as behind a load balancer) so tests can speak
for many listeners.
"""

from __future__ import annotations

import getpass
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


@dataclass(frozen=True)
class MediaServer:
    """A running nginx: the URL of a stored key, and the access log it writes."""

    base: str
    log: Path

    def url(self, key: str) -> str:
        return f"{self.base}/_accel/media/{key}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _site_part(site: str, start_marker: str, end_marker: str) -> str:
    start = site.index(start_marker)
    return site[start : site.index(end_marker, start) + len(end_marker)]


@contextmanager
def media_server(media_root: Path, work: Path) -> Iterator[MediaServer]:
    """nginx serving ``media_root`` with the site file's media location and log format."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        pytest.skip("nginx not installed (apt-get install nginx) to run deploy/nginx.conf")
    site = (DEPLOY / "nginx.conf").read_text()
    log_format = _site_part(site, "log_format talkcast_media", "}';")
    block = _site_part(site, '    location ~ "^/_accel/media/', "\n    }\n")
    log = work / "talkcast-media.log"
    block = (
        block.replace("internal;", "")
        .replace("/srv/talkcast/media/", f"{media_root}/")
        .replace("/var/log/nginx/talkcast-media.log", str(log))
    )
    port = _free_port()
    conf = work / "nginx.conf"
    conf.write_text(
        # Workers run as this user, so they can read the test's private directories.
        f"user {getpass.getuser()};\npid {work}/nginx.pid;\n"
        f"error_log {work}/error.log;\ndaemon off;\nevents {{}}\n"
        f"http {{ access_log off; {log_format}\n"
        f"server {{ listen 127.0.0.1:{port}; set_real_ip_from 127.0.0.1;"
        f" real_ip_header X-Forwarded-For;\n{block} }} }}\n"
    )
    server = subprocess.Popen([nginx, "-c", str(conf)])
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                requests.head(base, timeout=5)
                break
            except requests.ConnectionError:
                time.sleep(0.05)
        yield MediaServer(base, log)
    finally:
        server.terminate()
        server.wait(timeout=10)
