"""The example deployment files are valid and name commands that exist."""

from __future__ import annotations

import configparser
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

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
