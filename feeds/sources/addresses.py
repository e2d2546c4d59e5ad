"""Fetch only from public addresses: a check of where a URL leads, and connections that keep to it.

A source URL or a recording's URL is typed by staff or read from an upstream document, so it
may point at this machine (``127.0.0.1:5432``), the local network (``10.0.0.0/8``) or a cloud
metadata service (``169.254.169.254``). ``check_url`` refuses those when a source is added;
``guard_session`` makes a ``requests.Session`` refuse them on every connection it opens,
redirects included. The connection resolves the name, checks every address and then connects
to a checked address itself, so a name that resolves differently a moment later (DNS
rebinding) cannot slip past the check. Names and TLS (SNI, certificate, ``Host``) still use
the host name. Networks listed in the policy (``allowed_private_networks``) are let through.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError
from urllib3.util.connection import allowed_gai_family, create_connection

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
SockAddr = tuple[Any, ...]
SCHEMES = ("http", "https")
# NAT64 (RFC 6052) carries an IPv4 address in its last 32 bits: judge that address.
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


class ForbiddenAddress(ValueError):
    """A URL that leads somewhere we do not fetch from; the message says where and why.

    Not an ``OSError``: urllib3 and requests would wrap that as a connection failure worth
    retrying, and this one is final.
    """


@dataclass(frozen=True)
class AddressPolicy:
    """Which addresses may be fetched from: public ones, plus the ``allowed`` networks."""

    allowed: tuple[Network, ...] = ()

    @classmethod
    def allowing(cls, networks: Iterable[str]) -> AddressPolicy:
        """A policy letting through the given CIDR networks (``"10.1.0.0/16"``, ``"::1"``)."""
        return cls(tuple(ipaddress.ip_network(str(n).strip(), strict=False) for n in networks))

    def refusal(self, address: Address) -> str | None:
        """Why ``address`` may not be fetched from, or None when it may."""
        plain = _embedded_ipv4(address) or address
        if any(a in net for net in self.allowed for a in (address, plain)):
            return None
        for kind, test in _KINDS:
            if test(plain):
                return kind
        return None


_KINDS: tuple[tuple[str, Any], ...] = (
    ("a loopback", lambda a: a.is_loopback),
    ("a link-local", lambda a: a.is_link_local),
    ("a multicast", lambda a: a.is_multicast),
    ("an unspecified", lambda a: a.is_unspecified),
    ("a reserved", lambda a: a.is_reserved),
    ("a private", lambda a: a.is_private),
    ("a non-public", lambda a: not a.is_global),
)


def _embedded_ipv4(address: Address) -> ipaddress.IPv4Address | None:
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
        if address in _NAT64:
            return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def resolve(host: str, port: int) -> list[tuple[Any, ...]]:
    """``getaddrinfo`` for a stream connection, in the families this machine can use."""
    return socket.getaddrinfo(host, port, allowed_gai_family(), socket.SOCK_STREAM)


def _literal(host: str) -> Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    except ValueError:
        return None


def checked_addresses(host: str, port: int, policy: AddressPolicy) -> list[str]:
    """The addresses ``host`` resolves to, all of them allowed; else ``ForbiddenAddress``.

    One forbidden address refuses the name: a resolver could return it first next time.
    """
    literal = _literal(host)
    found = [literal] if literal else [ipaddress.ip_address(i[4][0]) for i in resolve(host, port)]
    for address in found:
        why = policy.refusal(address)
        if why is not None:
            named = str(address) if literal else f"{host} resolves to {address}, which"
            raise ForbiddenAddress(
                f"{named} is {why} address; not fetched "
                "(list its network in allowed_private_networks to allow it)"
            )
    return list(dict.fromkeys(str(a) for a in found))


def check_url(url: str, policy: AddressPolicy) -> None:
    """Refuse a URL that is not http(s) or whose host is (or resolves to) a forbidden address.

    A name that does not resolve now is let through: every fetch checks again as it connects.
    """
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in SCHEMES or not parts.hostname:
        raise ForbiddenAddress(f"only http and https addresses are fetched (got {url!r})")
    try:
        port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    except ValueError as exc:
        raise ForbiddenAddress(f"{url!r} has no valid port") from exc
    try:
        checked_addresses(parts.hostname, port, policy)
    except (socket.gaierror, UnicodeError):
        return


class _CheckedConnection(HTTPConnection):
    """Connects only to addresses the policy allows, and to exactly the ones it checked."""

    address_policy = AddressPolicy()

    def _new_conn(self) -> socket.socket:
        try:
            addresses = checked_addresses(self._dns_host, self.port, self.address_policy)
        except socket.gaierror as exc:
            raise NameResolutionError(self.host, self, exc) from exc
        error: Exception = NewConnectionError(self, f"{self.host} has no address")
        for address in addresses:
            try:
                return create_connection(
                    (address, self.port), self.timeout,
                    source_address=self.source_address, socket_options=self.socket_options,
                )  # fmt: skip
            except TimeoutError as exc:
                message = f"Connection to {self.host} timed out. (connect timeout={self.timeout})"
                error = ConnectTimeoutError(self, message)
                error.__cause__ = exc
            except OSError as exc:
                error = NewConnectionError(self, f"Failed to establish a new connection: {exc}")
                error.__cause__ = exc
        raise error


class _CheckedHTTPSConnection(_CheckedConnection, HTTPSConnection):
    """The TLS twin: ``connect`` wraps our checked socket, verifying against the host name."""


@cache
def _pool_classes(policy: AddressPolicy) -> dict[str, type[HTTPConnectionPool]]:
    # urllib3 builds connections from a pool's ConnectionCls alone, with no room for our
    # policy in its keyword arguments: each policy gets classes that carry it.
    http = type("PolicyHTTPConnection", (_CheckedConnection,), {"address_policy": policy})
    https = type("PolicyHTTPSConnection", (_CheckedHTTPSConnection,), {"address_policy": policy})
    return {
        "http": type("PolicyHTTPPool", (HTTPConnectionPool,), {"ConnectionCls": http}),
        "https": type("PolicyHTTPSPool", (HTTPSConnectionPool,), {"ConnectionCls": https}),
    }


class CheckedAdapter(HTTPAdapter):
    """A requests adapter whose every connection (redirect hops too) obeys ``policy``."""

    def __init__(self, policy: AddressPolicy, **kwargs: Any) -> None:
        self.policy = policy
        super().__init__(**kwargs)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        """The usual pool manager, building its pools from the checked connection classes."""
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _pool_classes(self.policy)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        """Refused: a proxy resolves names itself, out of reach of the address check."""
        raise ForbiddenAddress(f"fetching through the proxy {proxy} is not supported")


def guard_session(
    session: requests.Session, policy: AddressPolicy, **adapter_kwargs: Any
) -> requests.Session:
    """Make ``session`` fetch only http(s) URLs on allowed addresses; returns it.

    Other schemes find no adapter (requests raises ``InvalidSchema``), and proxies from the
    environment are ignored, so every request goes straight to a checked address.
    """
    session.adapters.clear()
    adapter = CheckedAdapter(policy, **adapter_kwargs)
    for scheme in SCHEMES:
        session.mount(f"{scheme}://", adapter)
    session.trust_env = False
    return session
