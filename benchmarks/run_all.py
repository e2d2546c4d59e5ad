"""Run every benchmark and record the results in benchmarks/RESULTS.md.

    .venv/bin/python benchmarks/run_all.py            # all, as `make bench` does
    .venv/bin/python benchmarks/run_all.py --quick    # shorter runs, nothing written

Each script prints our figure beside a baseline measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchmarks.common import machine  # noqa: E402

BENCHES = [
    ("Feed build: feedgen writers vs plain lxml", ["feed_build.py", "--sizes", "10000", "50000"],
     ["feed_build.py", "--sizes", "1000"]),
    ("Feed throughput: gunicorn, nginx deployment, static file",
     ["feed_serve.py", "--seconds", "10"], ["feed_serve.py", "--seconds", "2"]),
    ("Catalogue page render with 10,000 episodes", ["page_render.py"],
     ["page_render.py", "--episodes", "2000", "--repeats", "5"]),
    ("Upload: 1 GB through the upload endpoint vs a plain streaming copy", ["upload.py"],
     ["upload.py", "--megabytes", "100"]),
    ("Polling 200 sources (190 answer 304) vs bare requests", ["poll.py"], ["poll.py"]),
    ("Load: 50 feed readers for 30 s while staff upload and a source imports", ["load_test.py"],
     ["load_test.py", "--seconds", "5", "--readers", "10"]),
    ("Audio rendition of a video talk: our job vs ffmpeg by hand", ["rendition.py"],
     ["rendition.py", "--minutes", "1"]),
    ("Scale: 1k, 10k and 100k episodes, 10 and 1,000 shows", ["scale.py"],
     ["scale.py", "--episodes", "1000", "--shows", "10"]),
    ("Backup and verified restore vs a plain copy", ["backup.py"],
     ["backup.py", "--megabytes", "20", "--files", "5", "--rounds", "1"]),
    ("Address checks on fetches vs a plain requests.Session", ["safe_fetch.py"],
     ["safe_fetch.py"]),
    ("Download counting: its cost on media serving, and counting speed", ["counting.py"],
     ["counting.py", "--seconds", "2", "--rounds", "2", "--lines", "2000"]),
]  # fmt: skip


def summary_table(rows: list[dict]) -> list[str]:
    """The rows every script printed as SUMMARY lines, as one Markdown table."""
    out = ["| figure | ours | baseline | ratio | goal | met |", "|---|---|---|---|---|---|"]
    for r in rows:
        unit = f" {r['unit']}" if r["unit"] else ""
        out.append(
            f"| {r['label']} | {r['ours']:.4g}{unit} | {r['base']:.4g}{unit} | "
            f"{r['ratio']:.2f}x | {r['goal']} | {'yes' if r['met'] else 'NO'} |"
        )
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="short runs; RESULTS.md untouched")
    args = parser.parse_args()
    sections = [
        "# Benchmark results",
        "",
        f"Machine: {machine()}. Date: {time.strftime('%Y-%m-%d')}. "
        "Produced by `make bench` (`benchmarks/run_all.py`); every figure has its baseline "
        "from the same run.",
    ]
    failed = 0
    summary: list[dict] = []
    for title, full, quick in BENCHES:
        argv = quick if args.quick else full
        script = HERE / argv[0]
        print(f"\n== {title} ==", flush=True)
        if not script.exists():
            print(f"(skipped: {argv[0]} not present)")
            continue
        started = time.monotonic()
        result = subprocess.run(
            [sys.executable, str(script), *argv[1:]], capture_output=True, text=True, check=False
        )
        lines = (result.stdout + result.stderr).strip().splitlines()
        summary += [json.loads(x.split(" ", 1)[1]) for x in lines if x.startswith("SUMMARY ")]
        output = "\n".join(x for x in lines if not x.startswith("SUMMARY "))
        print(output, flush=True)
        took = time.monotonic() - started
        status = "" if result.returncode == 0 else f" (FAILED, exit {result.returncode})"
        failed += result.returncode != 0
        sections += ["", f"## {title}{status}", "", f"`{' '.join(argv)}`, {took:.0f} s", ""]
        sections += ["```", output, "```"]
    table = summary_table(summary)
    print("\n" + "\n".join(table))
    heading = "## Summary: each figure beside its baseline from the same run"
    sections[3:3] = ["", heading, ""] + table
    if not args.quick:
        (HERE / "RESULTS.md").write_text("\n".join(sections) + "\n")
        print(f"\nwritten: {HERE / 'RESULTS.md'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
