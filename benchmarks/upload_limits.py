"""What bounds an upload on this machine, and where the server spends its time during one.

Helpers for benchmarks/upload.py: the speed of the disk (page cache, and durable with fsync),
of ``hashlib.sha256``, and a profile of the server while it receives, taken with py-spy when it
is installed (``pip install py-spy``) and otherwise with cProfile around the same code in
process.
"""

from __future__ import annotations

import hashlib
import linecache
import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from benchmarks.common import profiled

BLOCK = 4 * 1024 * 1024
# Our functions whose inclusive share of the samples says what the upload request did.
STAGES = {
    "copy_hashed": "receive, SHA-256, write, fsync",
    "_write_all": "  of which: writing (0 when a writer thread writes)",
    "scan_file": "MP3 frame walk",
    "probe": "probe (sniff, frame walk, mutagen)",
}


def disk_copy(path: Path, folder: Path) -> tuple[float, float]:
    """Seconds for a plain ``shutil.copyfile`` (into the page cache), and for copy + fsync."""
    target = folder / "disk-copy.bin"
    started = time.perf_counter()
    shutil.copyfile(path, target)
    cached = time.perf_counter() - started
    target.unlink()
    started = time.perf_counter()
    shutil.copyfile(path, target)
    with target.open("rb") as fh:
        os.fsync(fh.fileno())
    durable = time.perf_counter() - started
    target.unlink()
    return cached, durable


def sha256_speed(size: int) -> tuple[float, float]:
    """MiB/s of ``hashlib.sha256`` over ``size`` bytes: by the wall clock, and per CPU second.

    On a shared machine the wall figure includes waiting for a core; the CPU figure is what
    one core does when it gets to run.
    """
    block = os.urandom(BLOCK)
    digest = hashlib.sha256()
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(max(1, size // BLOCK)):
        digest.update(block)
    mib = max(1, size // BLOCK) * BLOCK / 1024 / 1024
    return mib / (time.perf_counter() - wall), mib / (time.process_time() - cpu)


def py_spy() -> str | None:
    """The py-spy program beside this Python or on PATH, if installed."""
    beside = Path(sys.executable).parent / "py-spy"
    return str(beside) if beside.exists() else shutil.which("py-spy")


@contextmanager
def sampling(pid: int, out: Path) -> Iterator[None]:
    """Sample the process with py-spy (raw collapsed stacks in ``out``) while the block runs."""
    program = py_spy()
    if program is None:
        yield
        return
    command = [program, "record", "--pid", str(pid), "--rate", "200", "--format", "raw"]
    command += ["--nonblocking", "--idle", "-o", str(out)]
    spy = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.0)  # py-spy attaches before the first byte is sent
    try:
        yield
    finally:
        spy.send_signal(2)
        spy.wait(timeout=60)


def summarise_spy(raw: Path, rows: int = 8) -> str:
    """Shares of the request thread's samples: our stages, then the hottest source lines."""
    leaves: Counter[str] = Counter()
    stages: Counter[str] = Counter()
    writer: Counter[str] = Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if "ChunkThread._run" in stack:
            writer[stack.split(";")[-1]] += int(count)
            continue
        if "upload_media" not in stack:
            continue  # idle server threads and the poller
        frames = stack.split(";")
        total += int(count)
        leaves[frames[-1]] += int(count)
        names = {frame.split(" (")[0].rpartition(".")[2] for frame in frames}
        for name in STAGES:
            if name in names:
                stages[name] += int(count)
    if not total:
        return "    (py-spy took no samples of the upload request)"
    out = [f"py-spy, {total} samples of the upload request (idle included: waits show):"]
    out += [f"    {stages[name] / total:6.1%}  {label}" for name, label in STAGES.items()]
    out.append("  hottest lines (self):")
    for frame, count in leaves.most_common(rows):
        out.append(f"    {count / total:6.1%}  {frame}  {_source(frame)}")
    # The request's thread receives; threads of their own hash and write (media.streamcopy).
    written = sum(writer.values())
    if written:
        out.append(f"  the upload's hashing and writing threads, {written} samples (self):")
        for frame, count in writer.most_common(6):
            out.append(f"    {count / written:6.1%}  {frame}  {_source(frame)}")
    return "\n".join(out)


def _source(frame: str) -> str:
    """The text of the source line a py-spy frame names, e.g. ``f (media/x.py:12)``."""
    location = frame.rpartition("(")[2].rstrip(")")
    filename, _, number = location.rpartition(":")
    if not number.isdigit():
        return ""
    for candidate in (Path(filename), Path(__file__).resolve().parent.parent / filename):
        text = linecache.getline(str(candidate), int(number)).strip()
        if text:
            return f"| {text[:60]}"
    return ""


def cprofile_stage(path: Path, folder: Path) -> str:
    """cProfile of staging the file in process (what the request does, without HTTP)."""
    from media.storage import LocalStorage
    from webapp.uploads.staging import forget_upload, stage_media

    storage = LocalStorage(folder / "profile-store")
    with path.open("rb") as body:
        upload, seconds, listing = profiled(
            lambda: stage_media(storage, body, filename=path.name, max_bytes=1 << 40, owner="x"),
            "tottime",
            8,
        )
    forget_upload(storage, upload)
    lines = [line for line in listing.splitlines() if line.strip()][:14]
    head = f"cProfile of staging in process ({seconds:.2f} s; no py-spy samples):"
    return "\n".join([head, *("    " + line for line in lines)])
