"""Download counting: what it costs media serving, and how fast the logs are counted.

    .venv/bin/python benchmarks/counting.py --seconds 8

Serving: the same stored MP3 answered by gunicorn (1 worker x 4 threads) with the app's
media log on and off, in alternating rounds, for a player's typical request (a 256 KiB
range). Counting: the access-log lines per second the counting job turns into downloads.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import gunicorn, instance, load, machine, profiled  # noqa: E402

SIZE = 8 * 1024 * 1024


def populate(config: dict[str, object]) -> str:
    """One episode with an 8 MiB file (as an hour of 16 kbit/s speech, or 4 min of music)."""
    from webapp import create_app, services
    from webapp.catalog.models import utcnow
    from webapp.catalog.operations import add_media_file, create_episode, create_show

    app = create_app(config)
    key = services.storage(app).put_bytes(bytes(range(256)) * (SIZE // 256), ".mp3").key
    with services.work(app) as session:
        show = create_show(session, slug="talks", title="Talks", base_url="http://127.0.0.1")
        episode = create_episode(
            session, show, title="A talk", state="published",
            publish_at=utcnow() - timedelta(hours=1),
        )  # fmt: skip
        add_media_file(
            session, episode, kind="audio", storage_key=key, mime_type="audio/mpeg",
            size=SIZE, duration=3600.0,
        )  # fmt: skip
    app.extensions["talkcast.engine"].dispose()
    return key


def count_job(config: dict[str, object], key: str, lines: int) -> tuple[float, str]:
    """Lines counted per second by the job, over a log of ``lines`` player requests."""
    from webapp import create_app
    from webapp.catalog.models import utcnow
    from webapp.jobs import tasks
    from webapp.stats.logs import app_log_path, append_line, log_line

    app = create_app(config)
    path = app_log_path(str(config["DATA_DIR"]))
    now = utcnow()
    chunk = b"".join(
        log_line(
            now,
            f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}",
            "AntennaPod/3.4.0",
            "GET",
            206,
            f"/media/{key}",
            f"bytes {(n % 4) * 262144}-{(n % 4 + 1) * 262144 - 1}/{SIZE}",
            262144,
        )  # fmt: skip
        for n in range(lines)
    )
    append_line(path, chunk)
    report, elapsed, listing = profiled(lambda: tasks.count_downloads(app), "tottime", 6)
    summary = "\n".join(line for line in listing.splitlines() if line.strip())
    app.extensions["talkcast.engine"].dispose()
    if report.outcome != "ok":
        raise RuntimeError(report.error)
    # Every line in the log: these and those the serving rounds wrote.
    return report.updated / elapsed, summary


def logging_cost(root: Path, repeats: int = 20000) -> float:
    """Microseconds the app spends logging one media request (what counting adds to it)."""
    from datetime import UTC, datetime

    from webapp.stats.logs import append_line, log_line

    path = root / "cost" / "media.log"
    uri = "/media/aa/bb/" + "c" * 64 + ".mp3"
    started = time.perf_counter()
    for _ in range(repeats):
        line = log_line(
            datetime.now(UTC), "10.0.0.1", "AntennaPod/3.4.0", "GET", 206, uri,
            "bytes 0-262143/8388608", 262144,
        )  # fmt: skip
        append_line(path, line)
    return (time.perf_counter() - started) / repeats * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=8, help="per round and setting")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--lines", type=int, default=20000)
    args = parser.parse_args()
    print(f"machine: {machine()}")
    rounds: list[dict[str, float]] = []
    with instance() as inst:
        key = populate(inst.config())
        # The two settings differ in this one line of their config files, nothing else.
        envs = {}
        for setting in ("off", "on"):
            conf = inst.root / f"stats-{setting}.toml"
            conf.write_text(f"[stats]\napp_log = {'true' if setting == 'on' else 'false'}\n")
            envs[setting] = {**inst.env, "TALKCAST_CONFIG": str(conf)}
        headers = {"Range": "bytes=0-262143", "User-Agent": "AntennaPod/3.4.0"}
        url = f"/media/{key}"
        for n in range(args.rounds):
            # Alternate which setting goes first, so neither always runs on a warmer machine.
            order = ("off", "on") if n % 2 == 0 else ("on", "off")
            figures: dict[str, float] = {}
            for setting in order:
                saved = inst.env
                inst.env = envs[setting]
                try:
                    # One worker: with two, keep-alive connections can all land on one of
                    # them, halving throughput at random and hiding the figure in noise.
                    with gunicorn(inst, workers=1, threads=4) as base:
                        result = load(base + url, args.seconds, args.connections, headers)
                finally:
                    inst.env = saved
                if result.errors:
                    raise RuntimeError(f"{result.errors} errors with counting {setting}")
                figures[setting] = result.per_second
            rounds.append(figures)
        logged = len((inst.root / "data" / "stats" / "media.log").read_text().splitlines())
        rate, profile = count_job(inst.config(), key, args.lines)
        cost = logging_cost(inst.root)
    for n, figures in enumerate(rounds, start=1):
        print(
            f"round {n}: counting off {figures['off']:6.0f} req/s, on {figures['on']:6.0f} req/s,"
            f" ratio {figures['on'] / figures['off']:.2f}"
        )
    ratio = statistics.median(f["on"] / f["off"] for f in rounds)
    off = statistics.median(f["off"] for f in rounds)
    on = statistics.median(f["on"] for f in rounds)
    print(f"media range requests, counting off:  {off:8.0f} req/s (median of {len(rounds)} rounds)")
    print(f"media range requests, counting on:   {on:8.0f} req/s   ({logged} lines logged)")
    print(f"ratio (on / off), median of rounds:  {ratio:8.2f}x   (goal: >= 0.95x)")
    per_request = 1e6 / off
    print(
        f"logging one request:                 {cost:8.1f} us  = {cost / per_request:.2%} of the"
        f" {per_request / 1000:.1f} ms a request costs without it"
    )
    print(f"counting job:                        {rate:8.0f} log lines/s")
    print("cProfile of the counting job (by own time):")
    print(profile)
    print("result:", "PASS" if ratio >= 0.95 else "FAIL")


if __name__ == "__main__":
    main()
