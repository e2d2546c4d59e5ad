"""Media access logs: one JSON object a line, written by nginx (``log_format talkcast_media``
in deploy/nginx.conf) or by the app when it sends the file itself; read from where the
last run stopped.

A line: ``{"time": ISO 8601, "ip", "ua", "method", "status", "uri", "range": the
Content-Range sent, "bytes": body bytes sent}``.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from webapp.stats.iab import MAX_UA, parse_content_range

# The address prefixes of media, as the app and as nginx's internal location see it.
MEDIA_PREFIXES = ("/media/", "/_accel/media/")
# Read at most this much of a log per run, so one run stays short after a long pause.
MAX_READ = 64 * 1024 * 1024


@dataclass(frozen=True)
class Hit:
    """One answered media request."""

    time: datetime
    ip: str
    user_agent: str
    method: str
    status: int
    key: str
    start: int
    sent: int


def log_line(
    time: datetime, ip: str, user_agent: str, method: str, status: int, uri: str,
    content_range: str, sent: int,
) -> bytes:  # fmt: skip
    """The line the app writes for a request it answered (nginx writes the same shape)."""
    record = {
        "time": time.astimezone(UTC).isoformat(timespec="seconds"),
        "ip": ip,
        "ua": user_agent[:MAX_UA],
        "method": method,
        "status": status,
        "uri": uri,
        "range": content_range,
        "bytes": sent,
    }
    return (json.dumps(record, ensure_ascii=True, separators=(",", ":")) + "\n").encode()


def app_log_path(data_dir: str | Path) -> Path:
    """Where the app logs the media files it sends itself."""
    return Path(data_dir) / "stats" / "media.log"


def append_line(path: Path, line: bytes) -> None:
    """Append one line; O_APPEND keeps lines of concurrent workers whole (they are short)."""
    _writer(path).write(line)


class AppendLog:
    """One log file written through a descriptor kept open, so a logged request costs one
    ``write``. Once a second it checks the path still names the same file and reopens it
    when not (the log was rotated), so no line goes to a file nobody reads any more."""

    CHECK_EVERY = 1.0

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None
        self._inode: int | None = None
        self._checked = 0.0
        self._lock = threading.Lock()

    def write(self, line: bytes) -> None:
        """Append ``line`` (one whole line)."""
        now = time.monotonic()
        if self._fd is None or now - self._checked > self.CHECK_EVERY:
            with self._lock:
                self._checked = now
                self._reopen_if_moved()
        assert self._fd is not None
        os.write(self._fd, line)

    def _reopen_if_moved(self) -> None:
        try:
            inode: int | None = self.path.stat().st_ino
        except FileNotFoundError:
            inode = None
        if self._fd is not None and inode == self._inode:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        old, self._fd, self._inode = self._fd, fd, os.fstat(fd).st_ino
        if old is not None:
            os.close(old)


_WRITERS: dict[Path, AppendLog] = {}
_WRITERS_LOCK = threading.Lock()


def _writer(path: Path) -> AppendLog:
    writer = _WRITERS.get(path)
    if writer is None:
        with _WRITERS_LOCK:
            writer = _WRITERS.setdefault(path, AppendLog(path))
    return writer


def parse_line(line: str) -> Hit | None:
    """A hit from one log line, or None for a line that is not one (kept going, not raised)."""
    try:
        record: Any = json.loads(line)
        uri = str(record["uri"])
        prefix = next((p for p in MEDIA_PREFIXES if uri.startswith(p)), None)
        if prefix is None:
            return None
        when = datetime.fromisoformat(str(record["time"]))
        return Hit(
            time=when if when.tzinfo else when.replace(tzinfo=UTC),
            ip=str(record["ip"]),
            user_agent=str(record.get("ua") or ""),
            method=str(record["method"]),
            status=int(record["status"]),
            key=uri[len(prefix) :],
            start=parse_content_range(str(record.get("range") or "")) or 0,
            sent=int(record.get("bytes") or 0),
        )
    except (ValueError, KeyError, TypeError):
        return None


@dataclass(frozen=True)
class Position:
    """Where reading a log stopped: the file's inode and the offset after the last line."""

    inode: int
    offset: int


def read_new(path: Path, last: Position | None) -> tuple[list[str], Position | None]:
    """Whole lines written since ``last``, and the position to keep for next time.

    A log rotated since then (another inode at the path) is finished from ``PATH.1``
    when that is the file read before, then read from its start.
    """
    lines: list[str] = []
    rotated = path.with_name(path.name + ".1")
    try:
        current = path.stat()
    except FileNotFoundError:
        return lines, last
    if last is not None and last.inode != current.st_ino:
        try:
            if rotated.stat().st_ino == last.inode:
                lines += _read(rotated, last.offset)[0]
        except FileNotFoundError:
            pass
        last = None
    offset = last.offset if last is not None else 0
    if offset > current.st_size:
        offset = 0  # truncated in place
    new, offset = _read(path, offset)
    return lines + new, Position(current.st_ino, offset)


def _read(path: Path, offset: int) -> tuple[list[str], int]:
    with path.open("rb") as fh:
        fh.seek(offset)
        data = fh.read(MAX_READ)
    end = data.rfind(b"\n") + 1  # a line still being written waits for the next run
    text = data[:end].decode("utf-8", errors="replace")
    return [line for line in text.split("\n") if line.strip()], offset + end


def hits(lines: list[str]) -> Iterator[Hit]:
    """The hits among the lines; lines that are not hits are skipped."""
    for line in lines:
        hit = parse_line(line)
        if hit is not None:
            yield hit
