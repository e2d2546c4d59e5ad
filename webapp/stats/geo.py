"""Countries from IP addresses, when a MaxMind-format GeoIP database is configured."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

import maxminddb


@lru_cache(maxsize=4)
def country_lookup(path: str) -> Callable[[str], str] | None:
    """A function from IP address to ISO country code ('' when unknown); None without a
    database. The database is opened once per path."""
    if not path or not Path(path).is_file():
        return None
    reader = maxminddb.open_database(path)

    def country(ip: str) -> str:
        try:
            record = reader.get(ip)
        except ValueError:
            return ""
        found = record.get("country") if isinstance(record, dict) else None
        code = found.get("iso_code") if isinstance(found, dict) else None
        return str(code)[:2].upper() if code else ""

    return country
