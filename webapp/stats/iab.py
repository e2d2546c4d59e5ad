"""The counting rules, without storage: who is a listener, what is a bot, when enough of a
file has been fetched to count as a download.

IAB Podcast Measurement Technical Guidelines v2.1, as applied here:

* a listener is one IP address with one user agent, within one UTC calendar day (the 24-hour
  window); the IP is never stored, only a hash salted with a secret that changes every day;
* requests from known bots and crawlers (the ``crawler-user-agents`` list) and without a
  user agent are not counted;
* the byte ranges one listener fetches of one episode's file that day are merged (players
  fetch in pieces, resume, and probe with ``bytes=0-1``), and the episode counts once, as
  soon as the merged ranges cover the first minute of audio (or the whole file, if shorter).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable
from functools import lru_cache

import crawleruseragents
from ua_parser import parse as parse_user_agent

# Without a known duration, a minute is taken at 128 kbit/s, a common podcast bitrate.
FALLBACK_MINUTE_BYTES = 60 * 128_000 // 8
UNKNOWN_APP = "Other"
MAX_UA = 512

Interval = tuple[int, int]  # [start, end) in bytes


@lru_cache(maxsize=4096)
def is_bot(user_agent: str) -> bool:
    """A known crawler, bot or monitor, or no user agent at all."""
    return not user_agent.strip() or bool(crawleruseragents.is_crawler(user_agent))


@lru_cache(maxsize=4096)
def app_name(user_agent: str) -> str:
    """The app or player, as ua-parser names it ('AntennaPod', 'Overcast', 'Chrome')."""
    agent = parse_user_agent(user_agent[:MAX_UA]).user_agent
    family = agent.family if agent else ""
    return family if family and family != "Other" else UNKNOWN_APP


def listener_id(salt: str, ip: str, user_agent: str) -> str:
    """One listener for one day: a salted hash of IP and user agent, never the IP itself."""
    material = f"{salt}\n{ip}\n{user_agent[:MAX_UA]}".encode()
    return hashlib.sha256(material).hexdigest()[:32]


def minute_bytes(size: int, duration: float | None) -> int:
    """How many bytes make the first minute of a file: the IAB threshold for a download."""
    if size <= 0:
        return 0
    if duration and duration > 0:
        per_minute = math.ceil(60 * size / duration)
    else:
        per_minute = FALLBACK_MINUTE_BYTES
    return min(size, per_minute)


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Overlapping and touching byte ranges as one sorted list of disjoint ranges."""
    merged: list[Interval] = []
    for start, end in sorted(i for i in intervals if i[1] > i[0]):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def covered(intervals: Iterable[Interval]) -> int:
    """How many distinct bytes the ranges hold together."""
    return sum(end - start for start, end in merge(intervals))


def parse_content_range(value: str) -> int | None:
    """The first byte of a ``Content-Range: bytes a-b/n`` answer; None if there is none."""
    value = value.strip()
    if not value.startswith("bytes ") or "-" not in value:
        return None
    first = value[6:].split("-", 1)[0]
    return int(first) if first.isdigit() else None
