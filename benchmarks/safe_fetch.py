"""What the address check costs a fetch: conditional GETs through the guarded fetcher beside
the same GETs over a plain ``requests.Session``, measured in the same run, alternating order.

Two ways of connecting: a new connection per request (the check resolves and judges the name
every time: the worst case) and one kept-alive connection (checked once). The upstream is a
local server answering 304, so the figure is the fetcher's own cost, not the network's.

    .venv/bin/python benchmarks/safe_fetch.py [--requests 400 --rounds 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import LOOPBACK, machine, profiled  # noqa: E402
from feeds.sources.addresses import (  # noqa: E402
    AddressPolicy,
    checked_addresses,
    guard_session,
    resolve,
)

USER_AGENT = "Talkcast-benchmark/0.1 (+https://talkcast.example/about)"
ETAG = '"v1"'


class NotModified(BaseHTTPRequestHandler):
    """Answers every conditional GET with 304; closes the connection when asked to."""

    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        self.send_response(304)
        self.send_header("ETag", ETAG)
        self.send_header("Content-Length", "0")
        if self.headers.get("Connection", "").lower() == "close":
            # Said back, so the client does not put the socket in its pool as reusable.
            self.send_header("Connection", "close")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        """Quiet: thousands of requests."""


class Server(ThreadingHTTPServer):
    """A deeper accept queue than the default 5: a new connection per request comes fast."""

    request_queue_size = 256
    daemon_threads = True


def rounds_of(
    count: int, url: str, close: bool
) -> dict[str, Callable[[], requests.Response | None]]:
    """One round of ``count`` GETs per way of fetching, each with its own session."""
    headers = {"User-Agent": USER_AGENT, "If-None-Match": ETAG}
    if close:
        headers["Connection"] = "close"
    policy = AddressPolicy.allowing([LOOPBACK])

    def run(http: requests.Session) -> requests.Response | None:
        last = None
        with http:
            for _ in range(count):
                last = http.get(url, headers=headers, timeout=10)
                assert last.status_code == 304
        return last

    return {
        "guarded": lambda: run(guard_session(requests.Session(), policy)),
        "plain": lambda: run(requests.Session()),
    }


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> None:
    """Measure both ways of connecting, print the table, the ratios and a profile."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    server = Server(("127.0.0.1", 0), NotModified)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    # A name, as sources have: the check resolves it on every new connection.
    url = f"http://localhost:{server.server_address[1]}/feed"
    print(f"machine: {machine()}")
    print(f"{args.requests} conditional GETs (304) per round, median of {args.rounds} rounds")
    ratios = {}
    for label, close in (("new connection each", True), ("one kept-alive connection", False)):
        ways = rounds_of(args.requests, url, close)
        times: dict[str, list[float]] = {name: [] for name in ways}
        for n in range(args.rounds):
            # Alternate which goes first, so neither always runs on a warmer machine.
            for name in sorted(ways, reverse=n % 2 == 1):
                times[name].append(timed(ways[name]))
        guarded, plain = (statistics.median(times[k]) for k in ("guarded", "plain"))
        ratios[label] = guarded / plain
        per = 1e6 / args.requests
        print(f"{label:27} guarded {guarded * per:8.0f} us/GET   plain requests.Session "
              f"{plain * per:8.0f} us/GET   ratio {guarded / plain:.2f}x")  # fmt: skip
    # The check alone: what judging adds to the resolution any connection makes anyway.
    policy, port, calls = AddressPolicy.allowing([LOOPBACK]), server.server_address[1], 2000
    looked_up = timed(lambda: [resolve("localhost", port) for _ in range(calls)]) / calls
    checked = timed(
        lambda: [checked_addresses("localhost", port, policy) for _ in range(calls)]
    ) / calls  # fmt: skip
    added = (checked - looked_up) * 1e6
    print(f"per new connection: getaddrinfo {looked_up * 1e6:.0f} us, resolve and check "
          f"{checked * 1e6:.0f} us (the check adds {added:.0f} us)")  # fmt: skip
    _, _, listing = profiled(rounds_of(args.requests, url, True)["guarded"], "tottime", 8)
    server.shutdown()
    print("cProfile of the guarded fetcher, a new connection each (by own time):")
    print(listing)


if __name__ == "__main__":
    main()
