"""A local HTTP/1.1 upstream that keeps connections alive and counts them.

pytest-httpserver answers each request on a connection of its own, so it cannot show
connection reuse; this server can. Import as ``from keepalivekit import CountingUpstream``.
"""

from __future__ import annotations

import hashlib
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class CountingUpstream:
    """Documents by path on 127.0.0.1, conditional GET by ETag (unless ``validators`` is off).

    ``connections`` counts TCP connections accepted, ``requests`` requests answered and
    ``open`` the connections not yet closed by the client.
    """

    def __init__(self) -> None:
        self.documents: dict[str, bytes] = {}
        self.validators = True
        self.connections = self.requests = self.open = 0
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True

    def url(self, path: str) -> str:
        """The address of ``path`` on this server."""
        return f"http://127.0.0.1:{self._server.server_address[1]}{path}"

    def _count(self, name: str, step: int) -> None:
        with self._lock:
            setattr(self, name, getattr(self, name) + step)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        upstream = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive unless the client closes

            def setup(self) -> None:
                upstream._count("connections", 1)
                upstream._count("open", 1)
                super().setup()

            def finish(self) -> None:
                super().finish()
                upstream._count("open", -1)

            def do_GET(self) -> None:  # noqa: N802 - the http.server contract
                upstream._count("requests", 1)
                body = upstream.documents.get(self.path)
                if body is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
                headers = {"ETag": etag} if upstream.validators else {}
                if upstream.validators and self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    body = b""
                else:
                    self.send_response(200)
                    headers["Content-Type"] = "application/rss+xml"
                for name, value in {**headers, "Content-Length": str(len(body))}.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        return Handler

    def wait_until_closed(self, seconds: float = 10.0) -> int:
        """Wait (bounded) for clients to close their connections; the number still open."""
        deadline = time.monotonic() + seconds
        while self.open and time.monotonic() < deadline:
            time.sleep(0.01)
        return self.open

    def __enter__(self) -> CountingUpstream:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def rss(title: str, *items: str) -> bytes:
    """A small RSS document with one item (guid and title) per name."""
    entries = "".join(
        f"<item><title>{name}</title><guid>{name}</guid>"
        "<pubDate>Tue, 22 Apr 2025 09:00:00 +0000</pubDate></item>"
        for name in items
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>'
        f"{entries}</channel></rss>"
    ).encode()
