"""Audio renditions of videos, made in the background with ffmpeg.

Adding a stored video to an episode queues a ``MediaTask`` (``add_media_file``, in the same
transaction, so a crash loses nothing). ``run_task`` makes a loudness-normalised AAC/M4A with
ffmpeg, stages it as an upload is staged (probed by content), and attaches it through
``PendingFiles``: the row commits first, the file moves after. An episode without artwork
gets a still of the video. A failure is recorded on the task and retried with backoff, up to
``MAX_ATTEMPTS``.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from media.errors import MediaError
from media.storage import LocalStorage
from media.transcode import audio_rendition, still_frame
from webapp.catalog.models import Episode, MediaFile, MediaTask, utcnow
from webapp.db.engine import unit_of_work
from webapp.uploads.pending import PendingFiles, check_asset
from webapp.uploads.staging import UploadError, stage_media

MAX_ATTEMPTS = 5
RETRY_BASE_SECONDS = 60
# An hour of speech at 96 kbit/s is about 43 MB; this allows talks of days.
MAX_RENDITION_BYTES = 4 * 1024**3
# Longer than ffmpeg's own time limit, so only a dead process's task looks stale.
STALE_RUNNING = timedelta(hours=7)


def due_tasks(
    session: Session,
    now: datetime | None = None,
    limit: int = 10,
    kinds: tuple[str, ...] = ("download", "audio"),
) -> list[tuple[int, str]]:
    """(id, kind) of the pending tasks whose time has come: downloads first, oldest first.

    A task left running by a killed process (not touched for ``STALE_RUNNING``) is pending
    again: its work is made afresh.
    """
    now = now or utcnow()
    for task in session.scalars(
        select(MediaTask).where(
            MediaTask.state == "running", MediaTask.updated_at < now - STALE_RUNNING
        )
    ):
        task.state, task.last_error = "pending", "interrupted; made again"
    session.flush()
    query = (
        select(MediaTask.id, MediaTask.kind)
        .where(
            MediaTask.state == "pending",
            MediaTask.next_attempt_at <= now,
            MediaTask.kind.in_(kinds),
        )
        # A download may bring a video whose rendition then follows.
        .order_by(MediaTask.kind != "download", MediaTask.next_attempt_at, MediaTask.id)
        .limit(limit)
    )
    return [(task_id, kind) for task_id, kind in session.execute(query)]


@dataclass(frozen=True)
class _Work:
    episode_id: int
    media_id: int
    source: Path
    name: str
    duration: float | None
    needs_artwork: bool


def _claim(factory: sessionmaker[Session], storage: LocalStorage, task_id: int) -> _Work | None:
    """Mark the task running; None if it is not pending or its video is gone."""
    with unit_of_work(factory) as session:
        task = session.get(MediaTask, task_id)
        if task is None or task.state != "pending":
            return None
        media = session.get(MediaFile, task.media_id) if task.media_id else None
        if media is None or media.episode_id != task.episode_id or not media.storage_key:
            task.state, task.last_error = "cancelled", "the video was removed from the episode"
            return None
        task.state, task.attempts, task.updated_at = "running", task.attempts + 1, utcnow()
        episode = task.episode
        return _Work(
            episode_id=episode.id,
            media_id=media.id,
            source=storage.path(media.storage_key),
            name=f"{episode.slug}-audio.m4a",
            duration=media.duration,
            needs_artwork=episode.artwork_key is None,
        )


def run_task(
    factory: sessionmaker[Session],
    storage: LocalStorage,
    task_id: int,
    rebuild: Callable[[set[int]], Any] | None = None,
) -> str:
    """Run one task; returns its state afterwards (done, pending for a retry, failed...)."""
    work = _claim(factory, storage, task_id)
    if work is None:
        return "skipped"
    started = time.monotonic()
    try:
        if not work.source.is_file():
            raise MediaError("the video file is not in storage yet")
        with tempfile.TemporaryDirectory(dir=storage.temp_dir) as folder:
            target = Path(folder) / "audio.m4a"
            audio_rendition(work.source, target)
            with target.open("rb") as stream:
                upload = stage_media(
                    storage, stream, filename=work.name, max_bytes=MAX_RENDITION_BYTES,
                    owner="rendition",
                )  # fmt: skip
        artwork = _still(work) if work.needs_artwork else None
        _attach(
            factory, storage, task_id, work, upload, artwork, time.monotonic() - started, rebuild
        )
    except (MediaError, UploadError, OSError) as exc:
        return record_failure(factory, task_id, str(exc))
    return "done"


def _still(work: _Work) -> Any:
    """A frame a tenth of the way in, checked and sized as artwork; None if there is none."""
    try:
        return check_asset("artwork", still_frame(work.source, (work.duration or 0) * 0.1))
    except (MediaError, UploadError):
        return None  # the show's art stands in; a missing still is no reason to fail


def _attach(
    factory: sessionmaker[Session],
    storage: LocalStorage,
    task_id: int,
    work: _Work,
    upload: Any,
    artwork: Any,
    seconds: float,
    rebuild: Callable[[set[int]], Any] | None,
) -> None:
    pending = PendingFiles(storage)
    pending.claim([upload])

    def operation(session: Session) -> None:
        task = session.get(MediaTask, task_id)
        episode = session.get(Episode, work.episode_id)
        if task is None or episode is None:
            raise MediaError("the episode was deleted while its rendition was made")
        media = pending.add_media(session, episode, upload)
        media.rendition_of = work.media_id
        if artwork is not None and episode.artwork_key is None:
            pending.attach(session, episode, artwork)
        task.state, task.last_error, task.seconds = "done", None, round(seconds, 3)
        task.updated_at = utcnow()

    pending.apply(factory, operation, rebuild)


def record_failure(factory: sessionmaker[Session], task_id: int, message: str) -> str:
    """Note why a task failed; it is tried again later with backoff, or stops at the last try."""
    with unit_of_work(factory) as session:
        task = session.get(MediaTask, task_id)
        if task is None:
            return "skipped"
        task.last_error, task.updated_at = message[:4000], utcnow()
        if task.attempts >= MAX_ATTEMPTS:
            task.state = "failed"
        else:
            task.state = "pending"
            delay = RETRY_BASE_SECONDS * 2 ** (task.attempts - 1)
            task.next_attempt_at = utcnow() + timedelta(seconds=delay)
        return task.state
