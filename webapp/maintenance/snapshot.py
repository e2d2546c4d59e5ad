"""A consistent copy of the database, and putting one back.

SQLite is copied page by page with its online backup API, so writers may go on while it
runs and the copy is one transaction's view. PostgreSQL is dumped with ``pg_dump`` in its
custom format; the caller may pass an exported snapshot so the dump sees exactly what the
caller's own transaction sees. ``pg_dump`` refuses servers newer than itself, and
``pg_restore`` archives newer than itself, so both versions are checked first with a
message that says what to install.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from sqlalchemy.engine import URL, make_url


class SnapshotError(RuntimeError):
    """The database could not be copied or put back; the message says why."""


@dataclass(frozen=True)
class PgTarget:
    """How the PostgreSQL client tools reach a database: a libpq URI, password, schema."""

    uri: str
    password: str | None
    schema: str | None


def kind(database_url: str) -> str:
    """'sqlite' or 'postgresql'; anything else is refused."""
    backend = make_url(database_url).get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise SnapshotError(f"backups support SQLite and PostgreSQL, not {backend}")
    return backend


def sqlite_path(database_url: str) -> Path:
    """The file of a SQLite URL (in-memory databases cannot be backed up)."""
    database = make_url(database_url).database
    if not database or database == ":memory:":
        raise SnapshotError("an in-memory SQLite database has nothing to back up")
    return Path(database)


def sqlite_copy(source: Path, target: Path) -> None:
    """Copy a live SQLite database page by page (the online backup API)."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        with dst:
            src.backup(dst)
    except sqlite3.Error as exc:
        raise SnapshotError(f"copying {source} failed: {exc}") from exc
    finally:
        src.close()
        dst.close()


def pg_target(database_url: str) -> PgTarget:
    """The libpq form of a SQLAlchemy PostgreSQL URL; the password goes by environment."""
    url: URL = make_url(database_url)
    options = str(url.query.get("options", ""))
    match = re.search(r"search_path=([A-Za-z0-9_]+)", options)
    netloc = quote(url.username or "", safe="")
    if url.host:
        netloc = f"{netloc}@{url.host}" if netloc else url.host
    if url.port:
        netloc += f":{url.port}"
    uri = f"postgresql://{netloc}/{quote(url.database or '', safe='')}"
    if options:
        uri += f"?options={quote(options, safe='')}"
    return PgTarget(uri, url.password, match.group(1) if match else None)


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise SnapshotError(
            f"{name} is not installed: install Debian's postgresql-client "
            "(the same major version as the server)"
        )
    return path


def tool_major(name: str) -> int:
    """The major version of pg_dump or pg_restore on this machine."""
    out = subprocess.run([_tool(name), "--version"], capture_output=True, text=True, check=True)
    match = re.search(r"(\d+)(?:\.\d+)?", out.stdout)
    if match is None:
        raise SnapshotError(f"cannot tell the version of {name}: {out.stdout.strip()}")
    return int(match.group(1))


def check_pg_dump(server_version_num: int) -> int:
    """Refuse a server newer than our pg_dump, which would fail half-way; its major version."""
    server, client = server_version_num // 10000, tool_major("pg_dump")
    if client < server:
        raise SnapshotError(
            f"pg_dump {client} cannot dump a PostgreSQL {server} server: "
            f"install postgresql-client-{server}"
        )
    return client


def _env(target: PgTarget) -> dict[str, str]:
    env = dict(os.environ)
    if target.password:
        env["PGPASSWORD"] = target.password
    return env


def _run(args: list[str], target: PgTarget, what: str) -> None:
    done = subprocess.run(args, env=_env(target), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SnapshotError(f"{what} failed: {done.stderr.strip()[-2000:]}")


def pg_dump(database_url: str, out: Path, snapshot: str | None = None) -> None:
    """Dump the database (or just its schema named by search_path) in custom format."""
    target = pg_target(database_url)
    args = [_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges"]
    args += [f"--file={out}", f"--dbname={target.uri}"]
    if target.schema:
        args.append(f"--schema={target.schema}")
    if snapshot:
        args.append(f"--snapshot={snapshot}")
    _run(args, target, "pg_dump")


def pg_restore(database_url: str, dump: Path, dumped_by: int) -> None:
    """Restore a custom-format dump in one transaction, replacing the objects it holds."""
    major = tool_major("pg_restore")
    if major < dumped_by:
        raise SnapshotError(
            f"the dump was written by pg_dump {dumped_by}; pg_restore {major} cannot read it: "
            f"install postgresql-client-{dumped_by}"
        )
    target = pg_target(database_url)
    args = [_tool("pg_restore"), "--no-owner", "--no-privileges", "--clean", "--if-exists"]
    args += ["--single-transaction", "--exit-on-error", f"--dbname={target.uri}", str(dump)]
    _run(args, target, "pg_restore")
