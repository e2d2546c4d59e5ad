"""Sampling profiles of running server processes with py-spy, summarised as text.

py-spy attaches to a process from outside (no change to the server, no restart) and writes
one line per distinct stack with its sample count (``--format raw``). The summary keeps
what the load test needs: the share of samples each function is on top of the stack
(self), and the share it is anywhere on the stack (inclusive) for our own code.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

OURS = ("webapp/", "feeds/", "media/")


def py_spy() -> str | None:
    """The py-spy executable beside this Python, or on PATH."""
    beside = Path(sys.executable).with_name("py-spy")
    return str(beside) if beside.exists() else shutil.which("py-spy")


def server_workers(port: int) -> list[int]:
    """The gunicorn worker pids serving ``port`` (children of the master, same command line)."""
    found: dict[int, int] = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmd = (proc / "cmdline").read_bytes().split(b"\0")
            stat = (proc / "stat").read_text()
        except OSError:
            continue
        if b"serve" in cmd and b"--prod" in cmd and str(port).encode() in cmd:
            found[int(proc.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    return sorted(pid for pid, parent in found.items() if parent in found)


@contextmanager
def recording(pids: list[int], seconds: float, folder: Path):  # type: ignore[no-untyped-def]
    """Record ``pids`` for ``seconds`` (non-blocking sampling, all threads, idle left out);
    yields the list of raw output files, complete once the block has ended."""
    exe = py_spy()
    outputs = [folder / f"py-spy-{pid}.txt" for pid in pids]
    procs = []
    if exe is not None:
        for pid, out in zip(pids, outputs, strict=True):
            cmd = [exe, "record", "--pid", str(pid), "--duration", str(max(1, int(seconds)))]
            cmd += ["--rate", "50", "--nonblocking", "--format", "raw", "-o", str(out)]
            procs.append(subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))
    try:
        yield outputs
    finally:
        for proc in procs:
            try:
                proc.wait(timeout=seconds + 60)
            except subprocess.TimeoutExpired:
                proc.kill()


def _frame_name(frame: str) -> str:
    # "function (path/to/file.py:123)" -> "function (file path from the package root)"
    name, _, where = frame.partition(" (")
    path = where.rstrip(")").rsplit(":", 1)[0]
    for root in (*OURS, "site-packages/", "python3."):
        if root in path:
            path = path[path.index(root) :]
            break
    return f"{name} ({path})"


def summarise(outputs: list[Path], rows: int = 10) -> str:
    """Top functions by self samples, and our own functions by inclusive samples."""
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for out in outputs:
        if not out.exists():
            continue
        for line in out.read_text().splitlines():
            stack, _, count_text = line.rpartition(" ")
            if not stack or not count_text.isdigit():
                continue
            count = int(count_text)
            frames = [_frame_name(f) for f in stack.split(";") if f.strip()]
            if not frames:
                continue
            total += count
            own[frames[-1]] += count
            for frame in set(frames):
                if any(root in frame for root in OURS):
                    inclusive[frame] += count
    if not total:
        return "no py-spy samples (py-spy missing, or not allowed to attach)\n"
    lines = [f"{total} samples of busy threads in {len(outputs)} workers", "self:"]
    lines += [f"  {n / total:6.1%}  {name}" for name, n in own.most_common(rows)]
    lines.append("inclusive, our code:")
    lines += [f"  {n / total:6.1%}  {name}" for name, n in inclusive.most_common(rows)]
    return "\n".join(lines) + "\n"
