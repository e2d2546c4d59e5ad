"""WebSub: tell the configured hub which feeds changed, so subscribers hear at once."""

from __future__ import annotations

import logging
from collections.abc import Iterable

import requests

log = logging.getLogger(__name__)


def ping_hub(hub: str, feed_urls: Iterable[str], user_agent: str, timeout: float = 10) -> int:
    """Send one publish notification per feed; returns how many the hub accepted.

    A hub that is down must never break publishing: failures are logged, not raised.
    """
    accepted = 0
    with requests.Session() as http:
        http.headers["User-Agent"] = user_agent
        for url in sorted(feed_urls):
            try:
                response = http.post(
                    hub, data={"hub.mode": "publish", "hub.url": url}, timeout=timeout
                )
            except requests.RequestException as exc:
                log.warning("WebSub hub %s unreachable for %s: %s", hub, url, exc)
                continue
            if response.status_code in (200, 202, 204):
                accepted += 1
            else:
                log.warning("WebSub hub %s answered %s for %s", hub, response.status_code, url)
    return accepted
