"""Audio rendition of a video talk: our background job beside ffmpeg run by hand.

    .venv/bin/python benchmarks/rendition.py --minutes 10

A talk-like video (320x240 test picture at 10 fps, a quiet tone) of ``--minutes`` is made
once. The baseline runs the same ffmpeg command by hand (AAC 96 kbit/s with loudness
normalisation); ours is the whole job: ffmpeg, probing the result, hashing and storing it,
a still frame for artwork, the rows and the feed rebuild. Both are given as seconds per hour
of talk.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import instance, machine, profiled  # noqa: E402


def make_video(path: Path, minutes: float) -> None:
    seconds = f"{minutes * 60:g}"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y",
         "-f", "lavfi", "-i", f"testsrc=size=320x240:rate=10:duration={seconds}",
         "-f", "lavfi", "-i", f"sine=frequency=220:duration={seconds},volume=0.1",
         "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
         "-c:a", "aac", "-b:a", "64k", "-shortest", str(path)],
        check=True,
    )  # fmt: skip


def by_hand(video: Path, out: Path) -> float:
    from media.transcode import audio_rendition_command

    started = time.perf_counter()
    subprocess.run(audio_rendition_command(video, out), check=True)
    return time.perf_counter() - started


def ours(video: Path) -> tuple[float, str]:
    from webapp import create_app, services
    from webapp.catalog.operations import create_episode, create_show
    from webapp.jobs import tasks
    from webapp.uploads.pending import PendingFiles
    from webapp.uploads.staging import stage_media

    with instance() as inst:
        app = create_app(inst.config())
        storage = services.storage(app)
        with video.open("rb") as stream:
            upload = stage_media(
                storage, stream, filename="talk.mp4", max_bytes=1 << 34, owner="bench"
            )
        pending = PendingFiles(storage)

        def operation(session):
            show = create_show(session, slug="talks", title="Talks", base_url="http://x")
            episode = create_episode(session, show, title="A talk", state="published")
            pending.add_media(session, episode, upload)

        pending.apply(services.session_factory(app), operation)
        report, elapsed, summary = profiled(lambda: tasks.process_media_tasks(app))
        assert report.added == 1, report
        return elapsed, summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--minutes", type=float, default=10.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        video = Path(folder) / "talk.mp4"
        make_video(video, args.minutes)
        hand = by_hand(video, Path(folder) / "by-hand.m4a")
        job, profile = ours(video)
    per_hour = 60 / args.minutes
    print(f"machine: {machine()}")
    print(f"talk: {args.minutes:g} min of 320x240 video; figures scaled to one hour of talk")
    print(f"ffmpeg by hand:      {hand * per_hour:7.1f} s per hour of talk")
    print(f"our rendition job:   {job * per_hour:7.1f} s per hour of talk")
    print(f"ratio (ours / hand): {job / hand:7.2f}x")
    lines = [line for line in profile.splitlines() if line.strip()][:14]
    print("cProfile of the job (cumulative; ffmpeg runs as a child, under subprocess.run):")
    print("\n".join("    " + line for line in lines))


if __name__ == "__main__":
    main()
