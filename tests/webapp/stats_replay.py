"""A scripted day of 1,000 media requests, with the number of IAB downloads it holds.

Two files: ``long`` (600,000 bytes, 150 s: a minute is 240,000 bytes) and ``short``
(100,000 bytes, 30 s: the whole file is needed). The same script runs through the app and
through nginx; only the way requests are sent differs.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

LONG_SIZE, LONG_SECONDS = 600_000, 150.0
SHORT_SIZE, SHORT_SECONDS = 100_000, 30.0

APPS = {
    "AntennaPod": "AntennaPod/3.4.0",
    "Podcasts": "Podcasts/1580.1 CFNetwork/1404.0.5 Darwin/22.3.0",
    "gPodder": "gPodder/3.11.1 (+http://gpodder.org/) Linux",
    "Spotify": "Spotify/8.6.0 iOS/16.0",
}
BOTS = (
    "Googlebot/2.1 (+http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
    "curl/8.0.1",
    "UptimeRobot/2.0",
)


@dataclass(frozen=True)
class Request:
    """One request of the script: who asks, with which app, for which file and range."""

    ip: str
    user_agent: str
    file: str  # "long" or "short"
    range: str | None = None


@dataclass(frozen=True)
class Script:
    requests: list[Request]
    downloads: int
    by_app: dict[str, int]


def _ip(group: int, n: int) -> str:
    return f"10.{group}.{n // 250}.{n % 250 + 1}"


def _app(n: int) -> tuple[str, str]:
    name = list(APPS)[n % len(APPS)]
    return name, APPS[name]


def script() -> Script:
    """The 1,000 requests, in order, and what they must count as."""
    requests: list[Request] = []
    counted: Counter[str] = Counter()
    # 300 listeners fetch the long file whole: 300 downloads.
    for n in range(300):
        name, ua = _app(n)
        requests.append(Request(_ip(1, n), ua, "long"))
        counted[name] += 1
    # 50 of them fetch it again twice the same day: no more downloads.
    for n in range(50):
        requests += [Request(_ip(1, n), _app(n)[1], "long")] * 2
    # 150 requests from bots and crawlers: none count.
    requests += [Request(_ip(3, n), BOTS[n % len(BOTS)], "long") for n in range(150)]
    # 100 players probe the first two bytes, 50 fetch less than a minute: none count.
    requests += [Request(_ip(4, n), _app(n)[1], "long", "bytes=0-1") for n in range(100)]
    requests += [Request(_ip(5, n), _app(n)[1], "long", "bytes=0-99999") for n in range(50)]
    # 50 players fetch in three pieces (resuming): together past a minute, one each.
    for n in range(50):
        name, ua = _app(n)
        for start in (0, 100_000, 200_000):
            requests.append(Request(_ip(6, n), ua, "long", f"bytes={start}-{start + 99_999}"))
        counted[name] += 1
    # 50 households where two apps share one IP: two listeners each.
    for n in range(50):
        for name in ("AntennaPod", "Podcasts"):
            requests.append(Request(_ip(7, n), APPS[name], "long"))
            counted[name] += 1
    # 50 listeners fetch the short file whole (shorter than a minute: the whole counts).
    for n in range(50):
        name, ua = _app(n)
        requests.append(Request(_ip(8, n), ua, "short"))
        counted[name] += 1
    assert len(requests) == 1000
    return Script(requests, sum(counted.values()), dict(counted))
