"""Where a server's time goes under load: py-spy samples and CPU seconds of its processes.

The machine running the benchmarks is shared, so requests per second move with the
neighbours' load; the CPU time a server's own processes spent per request moves much less.
"""

from __future__ import annotations

import collections
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
TICK = os.sysconf("SC_CLK_TCK")


def _stat_fields(pid: int | str) -> list[str]:
    # After the ")" closing the command name: state, ppid, ... (proc(5)).
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def process_tree(pid: int) -> list[int]:
    """``pid`` and its children (gunicorn's master and workers, nginx's master and workers)."""
    pids = [pid]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int(_stat_fields(entry.name)[1]) == pid:
                    pids.append(int(entry.name))
            except (OSError, IndexError):
                continue
    return pids


def cpu_seconds(pid: int) -> float:
    """CPU time of ``pid`` and its children so far, with children already exited and reaped
    (gunicorn replaces a worker after ``max_requests``)."""
    total = 0
    for each in process_tree(pid):
        try:
            fields = _stat_fields(each)
        except OSError:
            continue
        utime, stime, cutime, cstime = (int(x) for x in fields[11:15])
        total += utime + stime + (cutime + cstime if each == pid else 0)
    return total / TICK


def server_pid(base: str) -> int:
    """The gunicorn master serving ``base`` (its command line names the port)."""
    port = base.rsplit(":", 1)[1]
    mine = f"--port\0{port}\0".encode()
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and mine in (entry / "cmdline").read_bytes():
                parent = int(_stat_fields(entry.name)[1])
                if mine not in Path(f"/proc/{parent}/cmdline").read_bytes():
                    return int(entry.name)
        except OSError:
            continue
    raise RuntimeError(f"no server process for {base}")


def py_spy() -> str | None:
    """The py-spy executable beside this Python, or on the PATH."""
    beside = Path(sys.executable).with_name("py-spy")
    return str(beside) if beside.exists() else shutil.which("py-spy")


def sampled(pid: int, seconds: float, drive: Callable[[], T]) -> tuple[T, Path | None]:
    """Run ``drive`` while py-spy samples the busy threads of ``pid`` and its children;
    its result and the raw stacks file (None without py-spy)."""
    spy = py_spy()
    if spy is None:
        return drive(), None
    out = Path(tempfile.mkstemp(prefix="talkcast-spy-", suffix=".txt")[1])
    cmd = [spy, "record", "--pid", str(pid), "--subprocesses", "--nonblocking", "--rate", "250"]
    cmd += ["--duration", str(int(seconds) + 1), "--format", "raw", "--output", str(out)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    time.sleep(0.5)  # py-spy attaching
    result = drive()
    _, err = proc.communicate(timeout=seconds + 60)
    if proc.returncode != 0 or not out.stat().st_size:
        print(f"py-spy failed: {err.decode(errors='replace').strip()[-300:]}", file=sys.stderr)
        out.unlink(missing_ok=True)
        return result, None
    return result, out


def summary(path: Path, stages: dict[str, str], within: str, rows: int = 8) -> list[str]:
    """Shares of the samples whose stack has a frame starting with ``within`` (a request
    being handled): per stage (a frame prefix anywhere in the stack), then the top
    functions by own time."""
    own: collections.Counter[str] = collections.Counter()
    staged: collections.Counter[str] = collections.Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = stack.split(";")
        if not count.isdigit() or not any(f.startswith(within) for f in frames):
            continue
        n = int(count)
        total += n
        own[frames[-1]] += n
        for label, marker in stages.items():
            if any(f.startswith(marker) for f in frames):
                staged[label] += n
    if not total:
        return ["(no samples)"]
    lines = [f"{total} samples while handling a request; share of them in:"]
    lines += [f"  {staged[label] / total:6.1%}  {label}" for label in stages if staged[label]]
    lines.append("top functions by own time:")
    lines += [f"  {n / total:6.1%}  {frame}" for frame, n in own.most_common(rows)]
    return lines
