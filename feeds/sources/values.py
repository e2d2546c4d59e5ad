"""Small, forgiving converters for values found in upstream documents."""

from __future__ import annotations

import hashlib
import math
import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin

_CLOCK = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{1,2}(?:\.\d+)?)$")
_JSESSIONID = re.compile(r";jsessionid=[^?#/]*", re.IGNORECASE)


def parse_duration(value: str | None) -> float | None:
    """Seconds from ``"3600"``, ``"24:39"`` or ``"01:02:03"``; None when unreadable."""
    if value is None:
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        match = _CLOCK.match(text)
        if not match:
            return None
        hours, minutes, secs = match.groups()
        seconds = int(hours or 0) * 3600 + int(minutes) * 60 + float(secs)
    return seconds if math.isfinite(seconds) and seconds >= 0 else None


def parse_int(value: str | None) -> int | None:
    """A non-negative integer such as ``"1,234"``; None when absent or unreadable."""
    if value is None:
        return None
    text = value.strip().replace(",", "")
    return int(text) if text.isdigit() else None


def parse_rfc822(value: str | None) -> datetime | None:
    """A tz-aware datetime from an RFC 822 date; a missing zone is read as UTC."""
    if not value or not value.strip():
        return None
    try:
        parsed = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def parse_iso(value: str | None) -> datetime | None:
    """A tz-aware datetime from ISO 8601; a missing zone is read as UTC."""
    if not value or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def absolute_url(href: str, base: str) -> str | None:
    """``href`` made absolute against ``base``, without a Java ``;jsessionid=`` path parameter;
    None when it is no URL at all (``http://[`` is refused by urllib as a broken IPv6 host)."""
    try:
        return _JSESSIONID.sub("", urljoin(base, href.strip()))
    except ValueError:
        return None


def stable_id(*parts: str) -> str:
    """A short key that stays the same for the same parts, for items without an upstream id."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return f"sha256:{digest[:24]}"
