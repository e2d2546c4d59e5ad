"""Copies of imported media: the recordings upstream offers, fetched here so apps can play them.

Politely: only from the source's own host (or ``[scheduler] media_hosts``), checked again on
every redirect, and only from public addresses (``feeds.sources.addresses``, every connection
checked); with our User-Agent and timeouts; capped in size; resumed with ``Range`` and
``If-Range`` after an interruption; verified (the byte count the server announced, then a
probe by content, as uploads are); progress kept on the task row for the sources page.
The copy fills the imported file's own row (rows first, file after), so its URL is ours from
the moment podcast feeds list it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

import requests
from sqlalchemy.orm import Session, sessionmaker

from feeds.sources import SourceFormatError
from feeds.sources.addresses import AddressPolicy, ForbiddenAddress, guard_session
from feeds.sources.media_page import download_links
from media.errors import MediaError
from media.storage import LocalStorage
from webapp.catalog.models import Episode, MediaFile, MediaTask, Show, Source, utcnow
from webapp.catalog.operations import touch_show
from webapp.db.engine import unit_of_work
from webapp.ingest.sync import media_host_allowed
from webapp.uploads.pending import PendingFiles, check_asset
from webapp.uploads.renditions import record_failure
from webapp.uploads.staging import UploadError, safe_filename, stage_media

# Small enough that a dropped connection loses little of what arrived.
CHUNK = 64 * 1024
PAGE_LIMIT = 2 * 1024 * 1024  # a media page is HTML, never a recording
MAX_REDIRECTS = 5
PROGRESS_SECONDS = 1.0


class DownloadError(Exception):
    """A download that did not finish; ``final`` when trying again cannot help."""

    def __init__(self, message: str, final: bool = False) -> None:
        super().__init__(message)
        self.final = final


@dataclass(frozen=True)
class DownloadSettings:
    """How downloads behave, from the configuration."""

    user_agent: str
    timeout: float
    max_bytes: int
    media_hosts: Collection[str] = ()
    policy: AddressPolicy = AddressPolicy()


@dataclass(frozen=True)
class _Job:
    url: str
    source_url: str
    etag: str | None
    name: str
    # A talk's media page to find the recording on, rather than the recording itself.
    page: bool = False


def _claim(factory: sessionmaker[Session], task_id: int) -> _Job | None:
    with unit_of_work(factory) as session:
        task = session.get(MediaTask, task_id)
        if task is None or task.state != "pending" or not task.url:
            return None
        episode = task.episode
        source = session.get(Source, episode.source_id) if episode.source_id else None
        if task.media_id is None:
            listed = episode.source_url == task.url and not episode.media
        else:
            media = session.get(MediaFile, task.media_id)
            listed = media is not None and media.url == task.url
        if not listed or source is None:
            task.state, task.last_error = "cancelled", "the file is no longer listed upstream"
            return None
        task.state, task.attempts, task.updated_at = "running", task.attempts + 1, utcnow()
        return _Job(task.url, source.url, task.etag, _name(task.url), page=task.media_id is None)


def _name(url: str) -> str:
    return safe_filename(unquote(urlsplit(url).path.rsplit("/", 1)[-1]) or "media")


def _get_small(job: _Job, settings: DownloadSettings, limit: int) -> bytes:
    """A small document (a media page, cover art) read whole, at most ``limit`` bytes."""
    with _open(job, {"User-Agent": settings.user_agent}, settings) as response:
        if response.status_code != 200:
            final = response.status_code in (404, 410)
            raise DownloadError(f"HTTP {response.status_code} for {job.url}", final=final)
        body: bytes = response.raw.read(limit + 1, decode_content=True)
    if len(body) > limit:
        raise DownloadError(f"{job.url} is over {limit // 1024} kB", final=True)
    return body


def _recording_on_page(job: _Job, settings: DownloadSettings) -> _Job:
    """The job for the recording a talk's media page links to (a video first)."""
    body = _get_small(job, settings, PAGE_LIMIT)
    try:
        links = download_links(body, job.url)
    except SourceFormatError as exc:
        raise DownloadError(f"{job.url}: {exc}", final=True) from exc
    if not links:
        raise DownloadError(f"the media page {job.url} offers no recording to download", final=True)
    return replace(job, url=links[0], name=_name(links[0]), page=False)


def run_download(
    factory: sessionmaker[Session],
    storage: LocalStorage,
    task_id: int,
    settings: DownloadSettings,
    rebuild: Callable[[set[int]], Any] | None = None,
) -> str:
    """Fetch one upstream file and make it the episode's stored copy; returns the task state."""
    job = _claim(factory, task_id)
    if job is None:
        return "skipped"
    part = storage.temp_dir / f"download-{task_id}.part"
    try:
        if job.page:
            job = _recording_on_page(job, settings)
        _fetch(factory, task_id, job, part, settings)
        with part.open("rb") as stream:
            upload = stage_media(
                storage, stream, filename=job.name, max_bytes=settings.max_bytes,
                owner="download",
            )  # fmt: skip
        part.unlink()
        _attach(factory, storage, task_id, upload, rebuild)
    except (UploadError, ForbiddenAddress) as exc:
        # Not audio or video, or not on a public address: fetching again won't help.
        part.unlink(missing_ok=True)
        return _give_up(factory, task_id, str(exc), rebuild)
    except DownloadError as exc:
        if exc.final:
            part.unlink(missing_ok=True)
            return _give_up(factory, task_id, str(exc), rebuild)
        return record_failure(factory, task_id, str(exc))
    except (requests.RequestException, OSError, MediaError) as exc:
        return record_failure(factory, task_id, f"{type(exc).__name__}: {exc}")
    return "done"


def _open(job: _Job, headers: dict[str, str], settings: DownloadSettings) -> requests.Response:
    """GET the file, following redirects only while they stay on allowed hosts."""
    url = job.url
    # Closing the session leaves a streamed response's connection open until it is read.
    with guard_session(requests.Session(), settings.policy) as http:
        for _ in range(MAX_REDIRECTS + 1):
            if not media_host_allowed(url, job.source_url, settings.media_hosts):
                raise DownloadError(f"{url} is not on the source's host; not fetched", final=True)
            response = http.get(
                url, headers=headers, stream=True, timeout=settings.timeout, allow_redirects=False
            )
            if response.is_redirect and "Location" in response.headers:
                response.close()
                url = urljoin(url, response.headers["Location"])
                continue
            return response
    raise DownloadError(f"more than {MAX_REDIRECTS} redirects from {job.url}")


def _fetch(
    factory: sessionmaker[Session], task_id: int, job: _Job, part: Path, settings: DownloadSettings
) -> None:
    part.parent.mkdir(parents=True, exist_ok=True)
    have = part.stat().st_size if part.exists() else 0
    headers = {"User-Agent": settings.user_agent, "Accept-Encoding": "identity"}
    if have and job.etag:
        # Resume only if the file is still the one we began: If-Range sends it all otherwise.
        headers |= {"Range": f"bytes={have}-", "If-Range": job.etag}
    with _open(job, headers, settings) as response:
        if response.status_code == 206 and "Range" in headers:
            mode = "ab"
        elif response.status_code == 200:
            mode, have = "wb", 0
        elif response.status_code in (404, 410):
            raise DownloadError(f"HTTP {response.status_code} for {job.url}", final=True)
        else:
            raise DownloadError(f"HTTP {response.status_code} for {job.url}")
        length = response.headers.get("Content-Length")
        total = have + int(length) if length and length.isdigit() else None
        if total is not None and total > settings.max_bytes:
            raise DownloadError(_too_large(settings), final=True)
        etag = response.headers.get("ETag")
        strong = etag if etag and not etag.startswith("W/") else None
        _progress(factory, task_id, have, total, strong)
        last = time.monotonic()
        with part.open(mode) as out:
            try:
                for chunk in response.iter_content(CHUNK):
                    out.write(chunk)
                    have += len(chunk)
                    if have > settings.max_bytes:
                        raise DownloadError(_too_large(settings), final=True)
                    if time.monotonic() - last >= PROGRESS_SECONDS:
                        _progress(factory, task_id, have, total, strong)
                        last = time.monotonic()
            except requests.RequestException as exc:
                # What arrived stays in the part file: the next attempt asks for the rest.
                _progress(factory, task_id, have, total, strong)
                raise DownloadError(_stopped(have, total, type(exc).__name__)) from exc
        _progress(factory, task_id, have, total, strong)
    if total is not None and have != total:
        raise DownloadError(_stopped(have, total, "short body"))


def _stopped(have: int, total: int | None, why: str) -> str:
    return f"the download stopped at {have} of {total or '?'} bytes ({why}); it resumes"


def _too_large(settings: DownloadSettings) -> str:
    return f"the file is over the limit of {settings.max_bytes // (1024 * 1024)} MB"


def _progress(
    factory: sessionmaker[Session], task_id: int, done: int, total: int | None, etag: str | None
) -> None:
    with unit_of_work(factory) as session:
        task = session.get(MediaTask, task_id)
        if task is not None:
            task.bytes_done, task.bytes_total, task.etag = done, total, etag
            task.updated_at = utcnow()


def _attach(
    factory: sessionmaker[Session],
    storage: LocalStorage,
    task_id: int,
    upload: Any,
    rebuild: Callable[[set[int]], Any] | None,
) -> None:
    pending = PendingFiles(storage)
    pending.claim([upload])

    def operation(session: Session) -> None:
        task = session.get(MediaTask, task_id)
        if task is not None and task.media_id is None:  # found on the talk's media page
            pending.add_media(session, task.episode, upload)
        else:
            media = session.get(MediaFile, task.media_id) if task and task.media_id else None
            if task is None or media is None or media.url != task.url:
                raise MediaError("the file was replaced upstream while it downloaded")
            pending.store_copy(session, media, upload)
        task.state, task.last_error, task.updated_at = "done", None, utcnow()

    pending.apply(factory, operation, rebuild)


def _give_up(
    factory: sessionmaker[Session],
    task_id: int,
    message: str,
    rebuild: Callable[[set[int]], Any] | None,
) -> str:
    """A final failure: the task stops, and the file is listed as upstream gives it."""
    with unit_of_work(factory, rebuild) as session:
        task = session.get(MediaTask, task_id)
        if task is None:
            return "skipped"
        task.state, task.last_error, task.updated_at = "failed", message[:4000], utcnow()
        media = session.get(MediaFile, task.media_id) if task.media_id else None
        if media is not None:
            media.awaiting_download = False
            session.flush()
            episode = session.get(Episode, media.episode_id)
            if episode is not None:
                touch_show(session, episode.show)
        return "failed"


ARTWORK_LIMIT = 10 * 1024 * 1024


def adopt_artwork(
    factory: sessionmaker[Session],
    storage: LocalStorage,
    show_id: int,
    image_url: str,
    source_url: str,
    settings: DownloadSettings,
    rebuild: Callable[[set[int]], Any] | None = None,
) -> str | None:
    """Give a show made by ``sources add`` the upstream's cover art, fetched as recordings
    are (same host rules); returns why not, or None when it was stored."""
    job = _Job(image_url, source_url, None, _name(image_url))
    try:
        asset = check_asset("artwork", _get_small(job, settings, ARTWORK_LIMIT))
    except (DownloadError, UploadError, ForbiddenAddress, requests.RequestException) as exc:
        return f"cover art: {exc}"
    pending = PendingFiles(storage)

    def operation(session: Session) -> None:
        show = session.get(Show, show_id)
        # Staff may have set art (or taken the show over) while this was fetched.
        if show is not None and show.adopt_upstream and show.artwork_key is None:
            pending.set_show_artwork(session, show, asset)

    pending.apply(factory, operation, rebuild)
    return None
