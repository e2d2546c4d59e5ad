"""Media uploads: streamed to a staged temp file, probed, and kept under an upload id.

A media upload is streamed into the storage's temporary area (constant memory), probed by
content, and kept there under a random upload id with a small JSON sidecar until a form or API
call turns it into a MediaFile row (see ``pending_files``). Staged files older than a day are
removed by ``LocalStorage.cleanup_stale_temp``. Nothing here imports Flask.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any

from media.errors import TooLarge, UnsupportedMedia, is_disk_full
from media.probe import MediaInfo, probe
from media.storage import LocalStorage, StagedFile, key_for

ARTWORK_LIMIT = 25 * 1024 * 1024
TRANSCRIPT_LIMIT = 5 * 1024 * 1024
CHAPTERS_LIMIT = 1024 * 1024
_UPLOAD_ID = re.compile(r"[0-9a-f]{32}")
SIDECAR_SUFFIX = ".upload.json"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class UploadError(ValueError):
    """An upload we refuse; the message is for people, ``status`` the HTTP status to answer."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class StagedUpload:
    """A probed media file waiting in the temporary area for the form that uses it."""

    upload_id: str
    staged: StagedFile
    info: MediaInfo
    original_name: str
    owner: str

    @property
    def key(self) -> str:
        """The storage key the file will have once committed."""
        return key_for(self.staged.sha256, self.info.extension)

    def describe(self) -> dict[str, Any]:
        """What the browser or API client learns about the upload."""
        info = asdict(self.info)
        return {"upload_id": self.upload_id, "original_name": self.original_name, **info}


def safe_filename(name: str) -> str:
    """The file's own name, for display only; a name carrying a folder path is refused."""
    name = _CONTROL.sub("", name).strip()
    if not name:
        raise UploadError("The upload has no file name.")
    # Browsers send only the last part of a name; anything else is a crafted request.
    if "/" in name or "\\" in name or name in (".", ".."):
        raise UploadError(
            "The file name may not contain a folder path ('/', '\\' or '..'): "
            "upload the file under its plain name."
        )
    return name[-300:]


def check_length(content_length: int | None, max_bytes: int) -> None:
    """Refuse an upload by its declared size before reading a byte of it."""
    if content_length is None:
        raise UploadError("The upload needs a Content-Length header.", 411)
    if content_length > max_bytes:
        raise UploadError(
            f"The file is {_mb(content_length)} MB, over the upload limit of {_mb(max_bytes)} MB.",
            413,
        )
    if content_length == 0:
        raise UploadError("The file is empty.")


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}".removesuffix(".0")


def stage_media(
    storage: LocalStorage, stream: IO[bytes], *, filename: str, max_bytes: int, owner: str
) -> StagedUpload:
    """Stream an audio/video upload to a temp file and probe it; UploadError if refused."""
    name = safe_filename(filename)
    upload_id = secrets.token_hex(16)
    try:
        staged = storage.stage(stream, max_bytes)
    except TooLarge as exc:
        raise UploadError(
            f"{name}: the file is over the upload limit of {_mb(max_bytes)} MB.", 413
        ) from exc
    except OSError as exc:
        if is_disk_full(exc):
            raise _disk_full(name) from exc
        raise
    try:
        info = probe(staged.path)
        upload = StagedUpload(upload_id, staged, info, name, owner)
        _write_sidecar(storage, upload)
    except UnsupportedMedia as exc:
        storage.discard(staged)
        raise UploadError(f"{name}: {exc}") from exc
    except BaseException as exc:
        storage.discard(staged)
        sidecar_path(storage, upload_id).unlink(missing_ok=True)
        if is_disk_full(exc):
            raise _disk_full(name) from exc
        raise
    return upload


def _disk_full(name: str) -> UploadError:
    """A full disk told to staff as a refusal they can act on (507 Insufficient Storage)."""
    return UploadError(
        f"{name}: the server's disk is full, so the file could not be stored (nothing of it "
        "was kept). Ask the administrator to free some space, then upload it again.",
        507,
    )


def sidecar_path(storage: LocalStorage, upload_id: str) -> Path:
    """Where the note about a staged upload is kept."""
    return storage.temp_dir / f"{upload_id}{SIDECAR_SUFFIX}"


def _write_sidecar(storage: LocalStorage, upload: StagedUpload) -> None:
    record = {
        "temp_name": upload.staged.path.name,
        "size": upload.staged.size,
        "sha256": upload.staged.sha256,
        "info": asdict(upload.info),
        "original_name": upload.original_name,
        "owner": upload.owner,
    }
    sidecar_path(storage, upload.upload_id).write_text(json.dumps(record), encoding="utf-8")


def load_upload(storage: LocalStorage, upload_id: str, owner: str) -> StagedUpload:
    """A staged upload of this owner by id; UploadError if it is unknown or has expired."""
    gone = UploadError(
        "An uploaded file is no longer waiting on the server (uploads are kept for a day): "
        "upload it again."
    )
    if not _UPLOAD_ID.fullmatch(upload_id):
        raise gone
    try:
        record = json.loads(sidecar_path(storage, upload_id).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise gone from exc
    temp = storage.temp_dir / str(record["temp_name"])
    if record.get("owner") != owner or temp.parent != storage.temp_dir or not temp.is_file():
        raise gone
    staged = StagedFile(temp, int(record["size"]), str(record["sha256"]))
    info = MediaInfo(**record["info"])
    return StagedUpload(upload_id, staged, info, str(record["original_name"]), owner)


def forget_upload(storage: LocalStorage, upload: StagedUpload) -> None:
    """Remove a staged upload and its sidecar."""
    storage.discard(upload.staged)
    sidecar_path(storage, upload.upload_id).unlink(missing_ok=True)


def read_limited(stream: IO[bytes], limit: int, what: str) -> bytes:
    """Read a small uploaded asset whole, refusing one over ``limit`` bytes."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise UploadError(f"The {what} is over the limit of {_mb(limit)} MB.", 413)
    if not data:
        raise UploadError(f"The {what} is empty.")
    return data
