"""Upload a large media file to a running Talkcast server and compare it with a plain copy.

Talkcast: ``talkcast serve`` on a fresh database, a staff account made with ``talkcast users``,
the file sent as the upload form's XHR sends it (raw body to ``/staff/uploads``), then the form
submitted so the staged file moves into storage. Baseline, in the same run: a minimal HTTP
server that only streams the request body to disk in 1 MiB chunks (no hash, no fsync), fed the
same way. Both servers run as their own processes, sampled from /proc while the upload runs:
private memory (RssAnon, what a buffered upload would grow) and resident memory including
mapped file pages (VmRSS; the MP3 frame walk maps the file and drops the pages it has walked).

Also measured in the same run, to say what bounds an upload here: a plain disk copy (page
cache, then with fsync) and ``hashlib.sha256``. The server is profiled while it receives:
with py-spy when installed (``pip install -e '.[bench]'``; it needs ptrace rights), otherwise
with cProfile around the same staging code in process.

    .venv/bin/python benchmarks/upload.py            # 1 GiB
    .venv/bin/python benchmarks/upload.py --size-mb 200
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from collections.abc import Callable
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import machine, summary_row  # noqa: E402
from benchmarks.server_profile import cpu_seconds  # noqa: E402
from benchmarks.upload_limits import (  # noqa: E402
    cprofile_stage,
    disk_copy,
    py_spy,
    sampling,
    sha256_speed,
    summarise_spy,
)

BIN = Path(sys.executable).parent
EMAIL = "bench@example.org"
PASSWORD = "benchmark password"  # noqa: S105 (a throwaway account)
CHUNK = 1024 * 1024
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')

PLAIN_SERVER = textwrap.dedent(
    """
    import sys
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            left = int(self.headers["Content-Length"])
            with open(sys.argv[2], "wb") as out:
                while left:
                    chunk = self.rfile.read(min(left, 1024 * 1024))
                    if not chunk:
                        break
                    out.write(chunk)
                    left -= len(chunk)
            self.send_response(201)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
    """
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def memory_kib(pid: int) -> dict[str, int]:
    """Resident (VmRSS) and private anonymous (RssAnon) memory of a process, in KiB."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "RssAnon"):
            found[key] = int(value.split()[0])
    return found


def sampled(pid: int, work: Callable[[], float]) -> dict[str, float]:
    """Run ``work`` while sampling the server's memory every 10 ms; peaks and idle in MiB,
    and the CPU seconds the server and this client (the sender) used meanwhile."""
    server_cpu, client = cpu_seconds(pid), os.times()
    idle = memory_kib(pid)
    peaks = dict(idle)
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.01):
            for key, value in memory_kib(pid).items():
                peaks[key] = max(peaks[key], value)

    thread = threading.Thread(target=sample)
    thread.start()
    try:
        seconds = work()
    finally:
        done.set()
        thread.join()
    after = os.times()
    return {
        "seconds": seconds,
        "server_cpu": cpu_seconds(pid) - server_cpu,
        "client_cpu": after.user + after.system - client.user - client.system,
        "idle_anon": idle["RssAnon"] / 1024,
        "peak_anon": peaks["RssAnon"] / 1024,
        "peak_rss": peaks["VmRSS"] / 1024,
    }


def wait_for(url: str, proc: subprocess.Popen[bytes]) -> None:
    for _ in range(300):
        if proc.poll() is not None:
            raise SystemExit(f"server exited early ({proc.returncode})")
        try:
            requests.get(url, timeout=1)
            return
        except requests.ConnectionError:
            time.sleep(0.1)
    raise SystemExit(f"server at {url} did not start")


def make_mp3(folder: Path, size_mb: int) -> Path:
    """A valid CBR MP3 of about ``size_mb`` MiB: a 60 s encode repeated frame-for-frame."""
    ffmpeg = shutil.which("ffmpeg") or sys.exit("ffmpeg is needed to make the test file")
    piece = folder / "piece.mp3"
    subprocess.run(
        [ffmpeg, "-v", "error", "-y", "-f", "lavfi", "-i", "sine=frequency=440:duration=60",
         "-c:a", "libmp3lame", "-b:a", "320k", "-write_xing", "0", "-id3v2_version", "0",
         "-write_id3v1", "0", str(piece)],
        check=True,
    )  # fmt: skip
    data = piece.read_bytes()
    target = folder / "big.mp3"
    with target.open("wb") as out:
        for _ in range(max(1, size_mb * 1024 * 1024 // len(data))):
            out.write(data)
    return target


def talkcast_env(folder: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "TALKCAST_DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}",
            "TALKCAST_DATA_DIR": str(folder / "data"),
            "TALKCAST_MEDIA_ROOT": str(folder / "media"),
            "TALKCAST_MAX_UPLOAD_MB": "8192",
        }
    )
    return env


def send(
    session: requests.Session, url: str, path: Path, headers: dict[str, str]
) -> tuple[float, requests.Response]:
    """POST the file as the raw body (streamed by requests); returns seconds and response."""
    started = time.perf_counter()
    with path.open("rb") as body:
        response = session.post(url, data=body, headers=headers, timeout=3600)
    elapsed = time.perf_counter() - started
    if response.status_code != 201:
        raise SystemExit(f"upload failed: {response.status_code} {response.text[:300]}")
    return elapsed, response


def warm_free_pages(path: Path) -> None:
    """Write and delete a file of the upload's size, so both servers get warm free pages.

    On a VM that reports free pages to its host (virtio-balloon free page reporting), pages
    freed a few seconds ago are handed back; the next write into the page cache then faults
    each one in from the host, and a page-cache write runs up to 12x slower (measured here:
    512 MiB at 4300 MiB/s right after freeing, 350 MiB/s five seconds later). The plain copy
    ran right after the disk figures freed their pages, our upload after seconds of server
    set-up: the figures measured the host's page faults, not the servers.
    """
    scratch = path.with_name("warm-pages.bin")
    block = b"\0" * CHUNK
    with scratch.open("wb") as out:
        for _ in range(path.stat().st_size // CHUNK + 1):
            out.write(block)
    scratch.unlink()


def run_talkcast(folder: Path, path: Path) -> dict[str, float]:
    env = talkcast_env(folder)
    talkcast = str(BIN / "talkcast")
    subprocess.run([talkcast, "init"], env=env, check=True, capture_output=True)
    subprocess.run(
        [talkcast, "users", "create", EMAIL, "--password-stdin"],
        env=env, input=PASSWORD + "\n", text=True, check=True, capture_output=True,
    )  # fmt: skip
    subprocess.run([talkcast, "demo"], env=env, check=True, capture_output=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(
        [talkcast, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(f"{base}/healthz", proc)
        session = requests.Session()
        token = _CSRF.search(session.get(f"{base}/staff/login").text).group(1)
        session.post(
            f"{base}/staff/login", data={"email": EMAIL, "password": PASSWORD, "csrf_token": token}
        )
        page = session.get(f"{base}/staff/episodes/new").text
        token = _CSRF.search(page).group(1)
        show_id = re.search(r'<option[^>]*value="(\d+)"', page).group(1)
        headers = {"X-CSRFToken": token, "X-Filename": path.name}
        headers["Content-Type"] = "application/octet-stream"
        answers: list[requests.Response] = []

        def work() -> float:
            seconds, response = send(session, f"{base}/staff/uploads", path, headers)
            answers.append(response)
            return seconds

        warm_free_pages(path)
        with sampling(proc.pid, folder / "py-spy.txt"):
            result = sampled(proc.pid, work)
        upload_id = answers[0].json()["upload_id"]
        started = time.perf_counter()
        saved = session.post(
            f"{base}/staff/episodes/new",
            data={"csrf_token": token, "show_id": show_id, "title": "Benchmark",
                  "episode_type": "full", "publish": "now", "upload_ids": upload_id},
            allow_redirects=False,
        )  # fmt: skip
        result["commit"] = time.perf_counter() - started
        if saved.status_code != 302:
            raise SystemExit(f"saving the episode failed: {saved.status_code}")
    finally:
        proc.terminate()
        proc.wait()
    return result


def run_plain(folder: Path, path: Path) -> dict[str, float]:
    port = free_port()
    script = folder / "plain_server.py"
    script.write_text(PLAIN_SERVER)
    out = folder / "plain-copy.bin"
    proc = subprocess.Popen([sys.executable, str(script), str(port), str(out)])
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        warm_free_pages(path)
        result = sampled(proc.pid, lambda: send(requests.Session(), f"{base}/", path, {})[0])
    finally:
        proc.terminate()
        proc.wait()
    return result


def _median_run(runs: list[dict[str, float]]) -> dict[str, float]:
    """The run with the median time (its memory and CPU figures come with it)."""
    return sorted(runs, key=lambda run: run["seconds"])[len(runs) // 2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--size-mb", "--megabytes", dest="size_mb", type=int, default=1024, help="size in MiB"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--rounds", type=int, default=3, help="paired rounds (medians)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="talkcast-bench-upload-"))
    try:
        path = make_mp3(folder, args.size_mb)
        size = path.stat().st_size
        disk, durable = disk_copy(path, folder)
        sha_wall, sha_cpu = sha256_speed(size)
        # This VM's speed drifts over minutes: each round runs the plain copy, then ours,
        # and the figures are the rounds' medians.
        plains, ourses = [], []
        for n in range(args.rounds):
            plains.append(run_plain(folder, path))
            (folder / "plain-copy.bin").unlink()
            round_folder = folder / f"round-{n}"
            round_folder.mkdir()
            ourses.append(run_talkcast(round_folder, path))
            shutil.rmtree(round_folder / "media", ignore_errors=True)  # the uploaded GiB
        plain, ours = _median_run(plains), _median_run(ourses)
        print(
            "rounds, talkcast / plain copy speed: "
            + " ".join(
                f"{p['seconds'] / o['seconds']:.2f}x" for p, o in zip(plains, ourses, strict=True)
            )
        )
        sampled_file = folder / "round-0" / "py-spy.txt"
        if py_spy() is not None and sampled_file.exists():
            profile = summarise_spy(sampled_file)
        else:
            profile = cprofile_stage(path, folder)
        report(size / 1024 / 1024, disk, durable, (sha_wall, sha_cpu), plain, ours, profile)
    finally:
        if args.keep:
            print(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


def report(
    mib: float,
    disk: float,
    durable: float,
    sha: tuple[float, float],
    plain: dict[str, float],
    ours: dict[str, float],
    profile: str,
) -> None:
    """Print the figures of one run side by side, the ratio, memory, the limit and the profile."""
    print(f"machine: {machine()}")
    print(f"file: {mib:.0f} MiB valid CBR MP3 (320 kbit/s, ~1000 frames per MiB)\n")
    head = ("memory in MiB", "seconds", "MiB/s", "idle anon", "peak anon", "peak RSS")
    print(f"{head[0]:34}{head[1]:>9}{head[2]:>8}{head[3]:>11}{head[4]:>11}{head[5]:>10}")
    print(f"{'disk write (shutil.copyfile)':34}{disk:9.2f}{mib / disk:8.0f}")
    print(f"{'disk write + fsync (durable)':34}{durable:9.2f}{mib / durable:8.0f}")
    print(f"{'hashlib.sha256 (wall clock)':34}{mib / sha[0]:9.2f}{sha[0]:8.0f}")
    print(f"{'hashlib.sha256 (per CPU second)':34}{mib / sha[1]:9.2f}{sha[1]:8.0f}")
    for label, row in (("plain HTTP streaming copy", plain), ("talkcast /staff/uploads", ours)):
        print(
            f"{label:34}{row['seconds']:9.2f}{mib / row['seconds']:8.0f}"
            f"{row['idle_anon']:11.0f}{row['peak_anon']:11.0f}{row['peak_rss']:10.0f}"
        )
    ratio = plain["seconds"] / ours["seconds"]
    summary_row(f"{mib:.0f} MiB upload through /staff/uploads vs a plain streaming copy",
                mib / ours["seconds"], mib / plain["seconds"], "MiB/s", ">= 0.6")  # fmt: skip
    print(f"\nratio (talkcast speed / plain HTTP copy speed): {ratio:.2f}x")
    growth = ours["peak_anon"] - ours["idle_anon"]
    print(
        f"memory: talkcast private memory grew {growth:.0f} MiB while receiving {mib:.0f} MiB "
        f"(plain copy: {plain['peak_anon'] - plain['idle_anon']:.0f} MiB); peak RSS includes "
        "the mapped pages of the frame walk, dropped as it goes."
    )
    limits = {
        "durable disk write": mib / durable,
        "sha256 on one core": sha[1],
        "plain HTTP receive": mib / plain["seconds"],
    }
    bound = min(limits, key=lambda name: limits[name])
    print(
        "limit: an upload must be received, hashed and on disk before we answer; the slowest "
        f"of those here is {bound} at {limits[bound]:.0f} MiB/s ("
        + ", ".join(f"{name} {speed:.0f}" for name, speed in limits.items())
        + f" MiB/s); talkcast reached {mib / ours['seconds'] / limits[bound]:.2f}x of it."
    )
    cores = os.cpu_count() or 1
    for label, row in (("plain copy", plain), ("talkcast", ours)):
        used = row["server_cpu"] + row["client_cpu"]
        print(
            f"CPU during the {label}: server {row['server_cpu']:.2f} s + sending client "
            f"{row['client_cpu']:.2f} s over {row['seconds']:.2f} s on {cores} cores = "
            f"{100 * used / (row['seconds'] * cores):.0f}% of the machine"
        )
    print(f"form submit (row commit, move into storage): {ours['commit']:.2f} s")
    print("The machine is shared: compare the figures of one run, not across runs.\n")
    print(profile)


if __name__ == "__main__":
    main()
