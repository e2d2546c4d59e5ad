"""A polite HTTP fetcher for upstream sources: conditional GET, size cap, clear failures.

It fetches exactly the URL it is given (following HTTP redirects only), never links found in
documents. Callers keep ETag/Last-Modified per URL, move to ``permanent_redirect`` when one is
reported, stop on ``gone`` and wait ``backoff_delay(...)`` after other failures.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Literal

import requests
from urllib3.exceptions import DecodeError, HTTPError, ProtocolError, ReadTimeoutError

from feeds.sources.addresses import AddressPolicy, ForbiddenAddress, guard_session

FetchErrorKind = Literal[
    "too_large",
    "truncated",
    "timeout",
    "connection",
    "http",
    "gone",
    "redirects",
    "invalid_url",
    "decoding",
    "forbidden_address",
]
MIB = 1024 * 1024
_CHUNK = 16 * 1024  # small reads bound how far one compressed chunk can expand
_PERMANENT = (301, 308)
# A poll talks to one host at a time; a few pools cover the hosts its redirects lead to.
_POOLS_PER_SESSION = 4


class FetchError(Exception):
    """A fetch that produced no usable document; ``kind`` says why."""

    def __init__(
        self,
        kind: FetchErrorKind,
        message: str,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.kind: FetchErrorKind = kind
        self.message = message
        self.status = status
        self.retry_after = retry_after


@dataclass(frozen=True)
class FetchResult:
    """A successful (or not-modified) fetch."""

    status: int
    body: bytes | None
    etag: str | None
    last_modified: str | None
    final_url: str
    permanent_redirect: str | None
    not_modified: bool
    content_type: str | None


def new_session(policy: AddressPolicy | None = None) -> requests.Session:
    """An HTTP session for one upstream host: kept-alive connections in bounded pools, each
    connection and redirect hop only to an address ``policy`` allows (public ones by default).

    Every session a fetcher uses is made here, so where a connection may go is decided in
    this one place.
    """
    session = guard_session(
        requests.Session(),
        policy or AddressPolicy(),
        pool_connections=_POOLS_PER_SESSION,
        pool_maxsize=1,
        max_retries=0,
    )
    session.max_redirects = 10
    return session


class Fetcher:
    """Fetches one URL at a time with a descriptive User-Agent and hard limits.

    Its session keeps connections alive between fetches (one host's sources are polled one
    after another); ``close()`` it, or use it as a context manager, when the run is over.
    """

    def __init__(
        self,
        user_agent: str,
        timeout: float = 20,
        max_bytes: int = 20 * MIB,
        session: requests.Session | None = None,
        total_timeout: float | None = None,
        policy: AddressPolicy | None = None,
    ) -> None:
        if not user_agent.strip():
            raise ValueError("a descriptive User-Agent with a contact address is required")
        self.user_agent = user_agent
        self.timeout = timeout
        self.max_bytes = max_bytes
        # The read timeout applies per socket read; a slow trickle is bounded by this instead.
        self.total_timeout = total_timeout if total_timeout is not None else 6 * timeout
        # Only public addresses (plus ``policy``'s networks), checked on every connection.
        self.session = (
            guard_session(session, policy or AddressPolicy())
            if session is not None
            else new_session(policy)
        )
        self.session.max_redirects = 10

    def close(self) -> None:
        """Close the kept-alive connections."""
        self.session.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def fetch(
        self, url: str, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        """GET ``url`` conditionally; 304 gives ``not_modified`` and no body."""
        headers = {"User-Agent": self.user_agent}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        deadline = time.monotonic() + self.total_timeout
        try:
            response = self.session.get(
                url, headers=headers, timeout=self.timeout, stream=True, allow_redirects=True
            )
        except requests.RequestException as exc:
            raise _request_error(exc, url) from exc
        except ForbiddenAddress as exc:
            raise FetchError("forbidden_address", f"{url}: {exc}") from exc
        with response:
            _raise_for_status(response)
            not_modified = response.status_code == 304
            if not_modified:
                # A 304 has no body (http.client reads none whatever the headers say); reading
                # it to the end hands the connection back to the pool instead of closing it.
                response.raw.drain_conn()
            body = None if not_modified else self._read_body(response, deadline)
            return FetchResult(
                status=response.status_code,
                body=body,
                etag=response.headers.get("ETag") or (etag if not_modified else None),
                last_modified=response.headers.get("Last-Modified")
                or (last_modified if not_modified else None),
                final_url=response.url,
                permanent_redirect=permanent_redirect(response),
                not_modified=not_modified,
                content_type=response.headers.get("Content-Type"),
            )

    def _read_body(self, response: requests.Response, deadline: float) -> bytes:
        url = response.url
        declared = _content_length(response)
        if declared is not None and declared > self.max_bytes:
            raise FetchError(
                "too_large", f"{url}: Content-Length {declared} exceeds {self.max_bytes} bytes"
            )
        body = bytearray()
        try:
            # read1 returns whatever one socket read brings, so a trickling server cannot
            # hold a read open past the deadline; urllib3 caps each decompressed piece.
            while chunk := response.raw.read1(_CHUNK, decode_content=True):
                body += chunk
                if len(body) > self.max_bytes:
                    raise FetchError("too_large", f"{url}: body exceeds {self.max_bytes} bytes")
                if time.monotonic() > deadline:
                    raise FetchError("timeout", f"{url}: body not complete in time")
        except ReadTimeoutError as exc:
            raise FetchError("timeout", f"{url}: timed out reading the body") from exc
        except ProtocolError as exc:
            raise FetchError("truncated", f"{url}: body ended early ({exc})") from exc
        except DecodeError as exc:
            raise FetchError("decoding", f"{url}: undecodable Content-Encoding ({exc})") from exc
        except HTTPError as exc:
            raise FetchError("connection", f"{url}: {exc}") from exc
        encoded = response.headers.get("Content-Encoding", "identity").lower() != "identity"
        if declared is not None and not encoded and len(body) < declared:
            raise FetchError("truncated", f"{url}: got {len(body)} of {declared} bytes")
        return bytes(body)


def permanent_redirect(response: requests.Response) -> str | None:
    """Where a chain of 301/308 redirects from the requested URL ends, if it starts with one."""
    targets = [step.url for step in response.history[1:]] + [response.url]
    moved = None
    for step, target in zip(response.history, targets, strict=False):
        if step.status_code not in _PERMANENT:
            break
        moved = target
    return moved


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After value (delta-seconds or HTTP-date); never negative."""
    if not value or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def backoff_delay(
    failures: int,
    retry_after: float | None = None,
    base: float = 60.0,
    cap: float = 6 * 3600.0,
    rng: random.Random | None = None,
) -> float:
    """Full-jitter exponential delay after ``failures`` failures, at least Retry-After, capped."""
    if failures <= 0 and retry_after is None:
        return 0.0
    ceiling = min(cap, base * 2.0 ** min(max(failures - 1, 0), 60))
    delay = (rng or random.Random()).uniform(0.0, ceiling)
    if retry_after is not None:
        delay = max(delay, min(retry_after, cap))
    return min(delay, cap)


def _raise_for_status(response: requests.Response) -> None:
    status = response.status_code
    if status < 300 or status == 304:
        return
    url = response.url
    retry_after = parse_retry_after(response.headers.get("Retry-After"))
    if status == 410:
        raise FetchError("gone", f"{url}: 410 Gone; stop polling it", status=status)
    reason = response.reason or ""
    raise FetchError("http", f"{url}: HTTP {status} {reason}".rstrip(), status, retry_after)


def _request_error(exc: requests.RequestException, url: str) -> FetchError:
    if isinstance(exc, requests.Timeout) or (
        exc.args and isinstance(exc.args[0], ReadTimeoutError)
    ):
        return FetchError("timeout", f"{url}: timed out ({exc})")
    if isinstance(exc, requests.TooManyRedirects):
        return FetchError("redirects", f"{url}: too many redirects")
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return FetchError("truncated", f"{url}: connection closed before the body ended ({exc})")
    if isinstance(exc, requests.exceptions.InvalidURL | requests.exceptions.MissingSchema):
        return FetchError("invalid_url", f"{url}: not a fetchable URL ({exc})")
    if isinstance(exc, requests.exceptions.InvalidSchema):
        return FetchError("invalid_url", f"{url}: only http and https are fetched")
    return FetchError("connection", f"{url}: {exc}")


def _content_length(response: requests.Response) -> int | None:
    value = response.headers.get("Content-Length", "").strip()
    return int(value) if value.isdigit() else None
