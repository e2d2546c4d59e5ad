"""Upstream source operations: add, list, sync from config.toml, pick the ones due.

Plain functions over a session: they flush, never commit (the caller's unit of work does).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from feeds.sources import PARSERS
from feeds.sources.addresses import AddressPolicy, ForbiddenAddress, check_url
from webapp.catalog.models import Show, Source, utcnow
from webapp.catalog.operations import CatalogError, create_show, get_show
from webapp.catalog.text import slugify

KINDS = tuple(sorted(PARSERS))
MIN_EVERY = 60  # seconds; checking more often than this is not polite to anyone
DEFAULT_EVERY = 6 * 3600
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_EVERY = re.compile(r"^\s*(\d+)\s*([smhd]?)\s*$", re.IGNORECASE)


class SourceError(CatalogError):
    """A source request that cannot be carried out; the message is meant for people."""


def parse_every(value: str | int | None) -> int:
    """Seconds from '30m', '6h', '1d', '90s' or a plain number of seconds."""
    if value is None or value == "":
        return DEFAULT_EVERY
    match = _EVERY.match(str(value))
    if not match:
        raise SourceError(f"cannot read interval {value!r}; write e.g. 30m, 6h or 1d")
    seconds = int(match.group(1)) * _UNITS[(match.group(2) or "s").lower()]
    if seconds < MIN_EVERY:
        raise SourceError(f"check a source at most once a minute (got {value!r})")
    return seconds


def format_every(seconds: int) -> str:
    """The shortest exact spelling of an interval: 1800 -> '30m'."""
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def address_policy(config: Mapping[str, Any]) -> AddressPolicy:
    """Where sources may be fetched from: public addresses and ``allowed_private_networks``."""
    networks = config.get("ALLOWED_PRIVATE_NETWORKS") or ()
    if isinstance(networks, str):
        networks = [networks]
    try:
        return AddressPolicy.allowing(networks)
    except ValueError as exc:
        raise SourceError(f"allowed_private_networks: {exc}") from exc


def _check_url(url: str, policy: AddressPolicy) -> str:
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SourceError(f"a source URL must be an http or https address (got {url!r})")
    try:
        check_url(url, policy)
    except ForbiddenAddress as exc:
        raise SourceError(f"{url} is not fetched from: {exc}") from exc
    return url


def _show_for(session: Session, slug: str, base_url: str, title: str | None) -> Show:
    show = get_show(session, slugify(slug))
    if show is None:
        # Sources may name a show that does not exist yet (config.toml, a first CLI run):
        # create it so the import has somewhere to go; staff can retitle it later.
        name = title or slugify(slug).replace("-", " ").capitalize()
        show = create_show(session, slug=slug, title=name, base_url=base_url)
        # Without a title from staff, the first import names and describes it.
        show.adopt_upstream = title is None
    return show


def add_source(
    session: Session,
    *,
    kind: str,
    url: str,
    into: str,
    base_url: str,
    every: str | int | None = None,
    origin: str = "ui",
    show_title: str | None = None,
    policy: AddressPolicy | None = None,
) -> Source:
    """Add a source feeding show ``into`` (created if missing); due for a check at once.

    Its URL must lead to a public address, or one in ``policy``'s allowed networks.
    """
    if kind not in PARSERS:
        raise SourceError(f"unknown source kind {kind!r}; expected one of {', '.join(KINDS)}")
    url = _check_url(url, policy or AddressPolicy())
    show = _show_for(session, into, base_url, show_title)
    existing = session.scalar(select(Source).where(Source.url == url, Source.show_id == show.id))
    if existing is not None:
        raise SourceError(f"{url} already feeds '{show.slug}' (source {existing.id})")
    source = Source(kind=kind, url=url, show=show, every_seconds=parse_every(every), origin=origin)
    session.add(source)
    session.flush()
    return source


def sync_config_sources(
    session: Session,
    entries: Iterable[Mapping[str, Any]],
    base_url: str,
    policy: AddressPolicy | None = None,
) -> list[Source]:
    """Make the ``[[sources]]`` of config.toml rows of origin 'config'; unlisted ones stop."""
    policy = policy or AddressPolicy()
    listed: set[int] = set()
    for entry in entries:
        missing = [k for k in ("kind", "url", "into") if not entry.get(k)]
        if missing:
            raise SourceError(f"[[sources]] entry {dict(entry)!r} lacks {', '.join(missing)}")
        show = _show_for(session, str(entry["into"]), base_url, entry.get("title"))
        url = _check_url(str(entry["url"]), policy)
        source = session.scalar(select(Source).where(Source.url == url, Source.show_id == show.id))
        if source is None:
            source = add_source(
                session, kind=str(entry["kind"]), url=url, into=show.slug,
                base_url=base_url, every=entry.get("every"), origin="config", policy=policy,
            )  # fmt: skip
        else:
            if str(entry["kind"]) not in PARSERS:
                raise SourceError(f"unknown source kind {entry['kind']!r} in config.toml")
            source.kind = str(entry["kind"])
            source.every_seconds = parse_every(entry.get("every"))
            source.enabled = bool(entry.get("enabled", True))
        listed.add(source.id)
    for stale in session.scalars(select(Source).where(Source.origin == "config")):
        if stale.id not in listed:
            stale.enabled = False
    session.flush()
    return [s for s in session.scalars(select(Source).order_by(Source.id)) if s.id in listed]


def all_sources(session: Session) -> list[Source]:
    """Every source, in the order they were added."""
    return list(session.scalars(select(Source).order_by(Source.id)))


def due_source_ids(session: Session, now: datetime | None = None) -> list[int]:
    """Enabled sources never checked or whose next check time has come."""
    now = now or utcnow()
    query = (
        select(Source.id)
        .where(
            Source.enabled.is_(True),
            or_(Source.next_check_at.is_(None), Source.next_check_at <= now),
        )
        .order_by(Source.next_check_at.is_not(None), Source.next_check_at, Source.id)
    )
    return list(session.scalars(query))
