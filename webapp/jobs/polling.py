"""Polling upstream sources: one kept-alive session per host, one row for an unchanged source.

A poll reads the sources it checks in one query, groups them by host, and checks each host's
sources one after another over one HTTP session (hosts in parallel), closed when they are done.
What a check finds is written in one of three ways:

- nothing changed (304 Not Modified, or the very bytes imported last time): one UPDATE of the
  source's validators and check times, batched with others into few commits; no import, no
  run row, no rebuild (the poll's own run row counts these checks);
- a changed document: parsed and synced in a unit of work of its own, with its run row; its
  show's feeds are rebuilt only if the sync changed the show's items;
- a failure: the backoff and the error, with a run row.

A check asked for on its own (``check_source``) always records a run row, whatever it found.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from urllib.parse import urlsplit

from flask import Flask
from sqlalchemy.orm import Session

from feeds.sources import SourceFormatError, describe, parse
from feeds.sources.fetch import MIB, Fetcher, FetchError, FetchResult
from webapp import services
from webapp.catalog.models import Source, utcnow
from webapp.db.engine import unit_of_work
from webapp.ingest.downloads import adopt_artwork
from webapp.ingest.sources import address_policy, due_source_ids
from webapp.ingest.sync import adopt_channel, sync_items
from webapp.jobs.runs import RunReport, add_finished_run, download_settings, recorded, setting
from webapp.jobs.source_state import (
    Target,
    Touches,
    fail,
    load_targets,
    quiet_outcome,
    sha256,
    succeed,
)

log = logging.getLogger(__name__)

QUIET = ("not_modified", "unchanged")  # outcomes that write nothing but the source's times


def make_fetcher(app: Flask) -> Fetcher:
    """A polite fetcher configured from ``[scheduler]`` and ``user_agent``."""
    return Fetcher(
        app.config["USER_AGENT"],
        timeout=float(setting(app, "fetch_timeout")),
        max_bytes=int(float(setting(app, "max_response_mb")) * MIB),
        policy=address_policy(app.config),
    )


def _import(
    session: Session,
    source: Source,
    result: FetchResult,
    report: RunReport,
    media_hosts: tuple[str, ...] = (),
) -> str | None:
    """Parse and sync a fetched document unless it is the one already imported."""
    if result.not_modified:
        report.outcome = "not_modified"
        return None
    sha = sha256(result.body)
    if sha == source.body_sha256:
        report.outcome = "unchanged"
        return sha
    items = parse(source.kind, result.body or b"", result.final_url)
    # Only what the sync changes marks the show dirty: the same items in new bytes rebuild nothing.
    synced = sync_items(session, source, items, media_hosts)
    if source.show.adopt_upstream:
        channel = describe(source.kind, result.body or b"", result.final_url)
        adopt_channel(session, source.show, channel)
        if channel.image and source.show.artwork_key is None:
            report.cover_art = channel.image
    report.added, report.updated = len(synced.added), len(synced.updated)
    if synced.removed:
        report.error = f"{len(synced.removed)} marked as removed upstream"
    return sha


def _record(
    app: Flask,
    source_id: int,
    result: FetchResult,
    report: RunReport,
    started: datetime,
    host: str | None,
    on_commit: Callable[[set[int]], object],
) -> None:
    """Import a fetched document and record the source's state and the run, in one commit."""
    factory = services.session_factory(app)
    with unit_of_work(factory, on_commit) as session:
        source = session.get(Source, source_id)
        assert source is not None
        sha = _import(session, source, result, report, tuple(setting(app, "media_hosts")))
        succeed(session, source, result, sha, report)
        add_finished_run(session, report, started, host)
        show_id, source_url = source.show_id, source.url
    if report.cover_art:
        # Fetched after the import committed: a slow image never holds the database.
        problem = adopt_artwork(
            factory, services.storage(app), show_id, report.cover_art, source_url,
            download_settings(app), on_commit,
        )  # fmt: skip
        if problem:
            log.warning("source %s: %s", source_id, problem)


def _check(
    app: Flask,
    target: Target,
    fetcher: Fetcher,
    host: str | None,
    on_commit: Callable[[set[int]], object],
    touches: Touches | None = None,
) -> RunReport:
    """Fetch one source and write what it found; never raises for upstream faults.

    With ``touches``, an unchanged source is only remembered there (one UPDATE later).
    """
    started = utcnow()
    report = RunReport("check_source", target.id)
    try:
        # Fetch outside any transaction: a slow upstream must not hold database locks.
        result = fetcher.fetch(target.url, target.etag, target.last_modified)
        quiet = quiet_outcome(target, result) if touches is not None else None
        if touches is not None and quiet is not None:
            report.outcome = quiet
            touches.add(target, result, report)
            return report
        _record(app, target.id, result, report, started, host, on_commit)
    except Exception as exc:  # upstream faults, and bugs: the import was rolled back
        if not isinstance(exc, FetchError | SourceFormatError):
            log.exception("checking source %s failed", target.id)
        report.run_id, report.added, report.updated = None, 0, 0
        with unit_of_work(services.session_factory(app)) as session:
            source = session.get(Source, target.id)
            if source is not None:
                fail(session, app, source, exc, report)
            else:
                report.outcome, report.error = "error", f"{type(exc).__name__}: {exc}"
            add_finished_run(session, report, started, host)
    return report


def _rebuild_quietly(app: Flask, show_ids: set[int]) -> None:
    # The import and its rebuild marks are committed by now: the feeds follow, inline or
    # from the rebuild worker; if they cannot be rebuilt, the marks stay for the worker.
    # It is not the source's failure.
    try:
        services.feeds_changed(app, show_ids)
    except Exception:
        log.exception("rebuilding feeds of shows %s failed", sorted(show_ids))


def check_source(
    app: Flask,
    source_id: int,
    *,
    host: str | None = None,
    fetcher: Fetcher | None = None,
    dirty: set[int] | None = None,
) -> RunReport:
    """Fetch one source, import what changed, record the run; never raises for upstream faults.

    Feeds of changed shows are rebuilt at once, or added to ``dirty`` for the caller to
    rebuild together. The import, the source's new state and the run's outcome are one commit.
    """
    with unit_of_work(services.session_factory(app)) as session:
        target = load_targets(session, [source_id]).get(source_id)
    if target is None:
        # The run row points at its source; an unknown id is recorded without one.
        report = RunReport("check_source", None, outcome="error", error=f"no source {source_id}")
        with unit_of_work(services.session_factory(app)) as session:
            add_finished_run(session, report, utcnow(), host)
        return report
    on_commit = dirty.update if dirty is not None else lambda ids: _rebuild_quietly(app, ids)
    if fetcher is not None:
        return _check(app, target, fetcher, host, on_commit)
    with make_fetcher(app) as own:
        return _check(app, target, own, host, on_commit)


def _check_group(
    app: Flask, targets: list[Target], host: str | None, dirty: set[int]
) -> list[RunReport]:
    """One host's sources, one after another over one session, closed when they are done."""
    touches = Touches(services.session_factory(app))
    reports = []
    with make_fetcher(app) as fetcher:
        for target in targets:
            try:
                reports.append(_check(app, target, fetcher, host, dirty.update, touches))
            except Exception as exc:  # the database itself failed: the other sources still go on
                log.exception("checking source %s failed", target.id)
                reports.append(
                    RunReport("check_source", target.id, outcome="error", error=str(exc))
                )
    touches.flush()
    return reports


def check_sources(app: Flask, ids: list[int], host: str | None = None) -> list[RunReport]:
    """Check the given sources: hosts in parallel, one host's sources one after another.

    The feeds of every show whose items changed are rebuilt once, after all the checks.
    """
    if not ids:
        return []
    with unit_of_work(services.session_factory(app)) as session:
        targets = load_targets(session, ids)
    groups: dict[str, list[Target]] = defaultdict(list)
    for source_id in ids:
        if source_id in targets:
            groups[urlsplit(targets[source_id].url).netloc.lower()].append(targets[source_id])
    workers = max(1, min(int(setting(app, "fetch_workers")), len(groups)))
    dirty: set[int] = set()
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="talkcast-fetch") as pool:
        batches = pool.map(lambda group: _check_group(app, group, host, dirty), groups.values())
        reports = [report for batch in batches for report in batch]
    if dirty:
        _rebuild_quietly(app, dirty)
    return reports


def summary(reports: list[RunReport]) -> str | None:
    """What a poll found, for its run row: failures first, then how many had not changed."""
    failed = [r.source_id for r in reports if r.outcome == "error"]
    quiet = {outcome: sum(r.outcome == outcome for r in reports) for outcome in QUIET}
    parts = [f"{len(failed)} of {len(reports)} sources failed: {failed}"] if failed else []
    if any(quiet.values()):
        parts.append(f"{quiet['not_modified']} not modified, {quiet['unchanged']} unchanged")
    return "; ".join(parts) or None


def check_due_sources(app: Flask, *, host: str | None = None) -> RunReport:
    """Check every enabled source whose time has come; one failing never stops the others."""
    with recorded(app, "check_due_sources", None, host) as report:
        with unit_of_work(services.session_factory(app)) as session:
            ids = due_source_ids(session)
        reports = check_sources(app, ids, host)
        report.added = sum(r.added for r in reports)
        report.updated = sum(r.updated for r in reports)
        report.error = summary(reports)
        failed = sum(r.outcome == "error" for r in reports)
        if failed:
            report.outcome = "partial" if failed < len(reports) else "error"
    return report
