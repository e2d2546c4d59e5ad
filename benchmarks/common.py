"""Helpers shared by the benchmarks: a throwaway instance, servers, load generation.

Everything runs on 127.0.0.1 and stops by itself; every loop is bounded in time.
"""

from __future__ import annotations

import cProfile
import io
import json
import os
import platform
import pstats
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import requests

ROOT = Path(__file__).resolve().parent.parent
T = TypeVar("T")

# The benchmarks' upstreams listen on loopback, which is never fetched from by default.
LOOPBACK = "127.0.0.0/8"


def machine() -> str:
    """One line describing this machine, for RESULTS.md."""
    mem = ""
    try:
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        mem = f", {kb / 1048576:.0f} GiB RAM"
    except (OSError, AttributeError):
        pass
    return f"{platform.machine()}, {os.cpu_count()} cores{mem}, Python {platform.python_version()}"


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Instance:
    """A Talkcast instance in a temporary folder (SQLite unless a URL is given)."""

    root: Path
    env: dict[str, str]

    def config(self) -> dict[str, Any]:
        return {
            "DATABASE_URL": self.env["TALKCAST_DATABASE_URL"],
            "DATA_DIR": self.env["TALKCAST_DATA_DIR"],
            "MEDIA_ROOT": self.env["TALKCAST_MEDIA_ROOT"],
            "BASE_URL": self.env["TALKCAST_BASE_URL"],
            "SECRET_KEY": "benchmark",
            "ALLOWED_PRIVATE_NETWORKS": [LOOPBACK],
        }


@contextmanager
def instance(database_url: str | None = None) -> Iterator[Instance]:
    """A fresh, migrated instance that is removed afterwards."""
    from webapp.db.migrate import upgrade

    root = Path(tempfile.mkdtemp(prefix="talkcast-bench-"))
    url = database_url or f"sqlite:///{root / 'talkcast.sqlite3'}"
    env = dict(os.environ)
    env.update(
        {
            "TALKCAST_DATABASE_URL": url,
            "TALKCAST_DATA_DIR": str(root / "data"),
            "TALKCAST_MEDIA_ROOT": str(root / "media"),
            "TALKCAST_BASE_URL": "http://127.0.0.1",
            "TALKCAST_SECRET_KEY": "benchmark",
            "TALKCAST_ALLOWED_PRIVATE_NETWORKS": LOOPBACK,
        }
    )
    upgrade(url)
    try:
        yield Instance(root, env)
    finally:
        shutil.rmtree(root, ignore_errors=True)


@contextmanager
def gunicorn(inst: Instance, workers: int = 2, threads: int = 4) -> Iterator[str]:
    """``talkcast serve --prod`` on a free port; yields its base URL."""
    port = free_port()
    cmd = [sys.executable, "-m", "webapp.cli", "serve", "--prod", "--port", str(port)]
    cmd += ["--workers", str(workers), "--threads", str(threads)]
    log = open(inst.root / "gunicorn.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(cmd, env=inst.env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{base}/healthz", proc)
        yield base
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def wait_for(url: str, proc: subprocess.Popen[Any] | None = None, seconds: float = 60) -> None:
    """Wait until ``url`` answers 200 (or the process dies)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up")


@dataclass(frozen=True)
class Load:
    """Result of a load run."""

    requests: int
    errors: int
    seconds: float
    tool: str

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def load(url: str, seconds: float, connections: int, headers: dict[str, str] | None = None) -> Load:
    """Drive ``url`` for ``seconds``: wrk when installed, else a bounded thread pool."""
    headers = headers or {}
    if shutil.which("wrk"):
        cmd = ["wrk", "-t2", f"-c{connections}", f"-d{int(seconds)}s", "--latency"]
        for k, v in headers.items():
            cmd += ["-H", f"{k}: {v}"]
        out = subprocess.run(
            cmd + [url], capture_output=True, text=True, timeout=seconds + 30, check=True
        ).stdout
        total = int(re.search(r"(\d+) requests in", out).group(1))
        errors = 0
        if m := re.search(r"Non-2xx or 3xx responses: (\d+)", out):
            errors += int(m.group(1))
        if m := re.search(
            r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
        ):
            errors += sum(int(x) for x in m.groups())
        elapsed = float(re.search(r"requests in ([\d.]+)s", out).group(1))
        return Load(total, errors, elapsed, "wrk")
    return _thread_load(url, seconds, connections, headers)


def _thread_load(url: str, seconds: float, connections: int, headers: dict[str, str]) -> Load:
    counts = [0, 0]
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker() -> None:
        ok = bad = 0
        with requests.Session() as http:
            while time.monotonic() < deadline:
                try:
                    r = http.get(url, headers=headers, timeout=10)
                    ok, bad = (ok + 1, bad) if r.status_code < 400 else (ok, bad + 1)
                except requests.RequestException:
                    bad += 1
        with lock:
            counts[0] += ok + bad
            counts[1] += bad

    start = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return Load(counts[0], counts[1], time.monotonic() - start, "python threads")


def profiled(
    function: Callable[[], T], sort: str = "cumulative", rows: int = 8
) -> tuple[T, float, str]:
    """Run ``function`` under cProfile: its result, wall seconds, and the top rows by ``sort``."""
    profile = cProfile.Profile()
    started = time.perf_counter()
    profile.enable()
    try:
        result = function()
    finally:
        profile.disable()
    elapsed = time.perf_counter() - started
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats(sort).print_stats(rows)
    return result, elapsed, out.getvalue()


def summary_row(label: str, ours: float, base: float, unit: str, goal: str) -> str:
    """One row of the table `make bench` ends with: our figure, the baseline, the ratio, the goal.

    ``goal`` is ">= 0.8" or "<= 1.5" (ours / baseline). The row is printed as a line starting
    with "SUMMARY " so run_all.py can gather the rows of every script into one table.
    """
    op, target = goal.split()
    ratio = ours / base if base else float("inf")
    met = ratio >= float(target) if op == ">=" else ratio <= float(target)
    row = {"label": label, "ours": ours, "base": base, "unit": unit, "ratio": ratio}
    row |= {"goal": f"{op} {target}x", "met": met}
    line = "SUMMARY " + json.dumps(row)
    print(line, flush=True)
    return line
