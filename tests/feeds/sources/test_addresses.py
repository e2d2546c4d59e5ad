"""Fetching only from public addresses: the policy, and a fetcher whose every connection obeys it.

The upstream servers here listen on 127.0.0.1; names are pointed at them (or elsewhere) by
replacing the resolver the connections use, never the system's.
"""

from __future__ import annotations

import ipaddress
import shutil
import socket
import ssl
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests
from pytest_httpserver import HTTPServer
from werkzeug import Response

from feeds.sources import addresses
from feeds.sources.addresses import AddressPolicy, ForbiddenAddress, check_url, guard_session
from feeds.sources.fetch import Fetcher, FetchError

USER_AGENT = "Talkcast/0.1 (+https://talkcast.example/about; feeds@talkcast.example)"
FEED = b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title></channel></rss>'
STRICT = AddressPolicy()
# Only the test server's own address: every other loopback address stays forbidden.
SERVER_ONLY = AddressPolicy.allowing(["127.0.0.1/32"])


@pytest.fixture
def server(httpserver_ipv4: HTTPServer) -> HTTPServer:
    """pytest-httpserver on 127.0.0.1."""
    return httpserver_ipv4


def fake_dns(monkeypatch: pytest.MonkeyPatch, table: dict[str, list[str]]) -> list[str]:
    """Answer the names in ``table`` with its addresses; returns the names asked, in order."""
    asked: list[str] = []
    real: Callable[[str, int], list[tuple[Any, ...]]] = addresses.resolve

    def resolve(host: str, port: int) -> list[tuple[Any, ...]]:
        asked.append(host)
        if host not in table:
            return real(host, port)
        return [
            (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
            for a in table[host]
        ]

    monkeypatch.setattr(addresses, "resolve", resolve)
    return asked


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("169.254.169.254", "a link-local"),
        ("127.0.0.1", "a loopback"),
        ("10.1.2.3", "a private"),
        ("192.168.0.10", "a private"),
        ("172.16.5.4", "a private"),
        ("::1", "a loopback"),
        ("::ffff:127.0.0.1", "a loopback"),
        ("64:ff9b::a9fe:a9fe", "a link-local"),
        ("fe80::1", "a link-local"),
        ("fd00::5", "a private"),
        ("224.0.0.251", "a multicast"),
        ("0.0.0.0", "an unspecified"),  # noqa: S104 - an address judged, not bound
        ("240.0.0.1", "a reserved"),
        ("100.64.0.1", "a non-public"),
    ],
)
def test_non_public_addresses_are_refused(address, kind):
    assert STRICT.refusal(ipaddress.ip_address(address)) == kind


@pytest.mark.parametrize("address", ["93.184.215.14", "2606:4700:4700::1111", "131.111.8.46"])
def test_public_addresses_are_fetched(address):
    assert STRICT.refusal(ipaddress.ip_address(address)) is None


def test_listed_networks_are_let_through():
    policy = AddressPolicy.allowing(["10.20.0.0/16", "::1"])
    assert policy.refusal(ipaddress.ip_address("10.20.3.4")) is None
    assert policy.refusal(ipaddress.ip_address("::1")) is None
    assert policy.refusal(ipaddress.ip_address("10.21.0.1")) == "a private"
    assert policy.refusal(ipaddress.ip_address("127.0.0.1")) == "a loopback"
    with pytest.raises(ValueError, match="10.20.0.0.0"):
        AddressPolicy.allowing(["10.20.0.0.0/16"])


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address"),
        ("http://127.0.0.1:5432/", "127.0.0.1 is a loopback address"),
        ("http://10.0.0.8/feed.xml", "10.0.0.8 is a private address"),
        ("http://[::1]:8080/feed", "::1 is a loopback address"),
        ("https://[::ffff:169.254.169.254]/", "a link-local address"),
        ("ftp://feeds.example.org/feed.xml", "only http and https"),
        ("file:///etc/passwd", "only http and https"),
    ],
)
def test_fetcher_refuses_before_connecting(url, says):
    """Refused with a reason, as a final kind of failure; nothing listens at most of these."""
    with pytest.raises(FetchError) as caught:
        Fetcher(USER_AGENT, timeout=2.0).fetch(url)
    assert caught.value.kind in ("forbidden_address", "invalid_url")
    assert ("only http and https" in says) == (caught.value.kind == "invalid_url")
    if caught.value.kind == "forbidden_address":
        assert says in caught.value.message
    with pytest.raises(ForbiddenAddress, match=says.replace("[", r"\[")):
        check_url(url, STRICT)


def test_a_name_resolving_to_a_private_address_is_refused(monkeypatch):
    fake_dns(monkeypatch, {"feeds.example.org": ["10.9.8.7"]})
    with pytest.raises(ForbiddenAddress, match="feeds.example.org resolves to 10.9.8.7"):
        check_url("https://feeds.example.org/podcast.rss", STRICT)
    with pytest.raises(FetchError, match="resolves to 10.9.8.7, which is a private") as caught:
        Fetcher(USER_AGENT, timeout=2.0).fetch("http://feeds.example.org/podcast.rss")
    assert caught.value.kind == "forbidden_address"


def test_one_private_address_among_public_ones_refuses_the_name(monkeypatch):
    fake_dns(monkeypatch, {"feeds.example.org": ["93.184.215.14", "127.0.0.1"]})
    with pytest.raises(ForbiddenAddress, match="resolves to 127.0.0.1"):
        check_url("http://feeds.example.org/", STRICT)


def test_a_name_that_does_not_resolve_now_is_left_to_the_fetch(monkeypatch):
    def fail(host: str, port: int) -> list[tuple[Any, ...]]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(addresses, "resolve", fail)
    check_url("https://feeds.example.org/podcast.rss", STRICT)  # no error: checked on connect


def test_the_connection_goes_to_the_checked_address_with_the_name_kept(server, monkeypatch):
    """Connected where the check looked, while the request still names the host."""
    server.expect_request("/feed").respond_with_data(FEED, content_type="application/rss+xml")
    asked = fake_dns(monkeypatch, {"feeds.example.org": ["127.0.0.1"]})
    url = f"http://feeds.example.org:{server.port}/feed"

    result = Fetcher(USER_AGENT, timeout=2.0, policy=SERVER_ONLY).fetch(url)

    assert result.body == FEED
    assert asked == ["feeds.example.org"]  # one resolution, the one that was checked
    request, _ = server.log[-1]
    assert request.headers["Host"] == f"feeds.example.org:{server.port}"


def test_dns_rebinding_after_the_check_at_add_time_is_refused_at_fetch(server, monkeypatch):
    """Public when the source was added, loopback when it is fetched: refused then."""
    server.expect_request("/feed").respond_with_data(FEED)
    answers = iter([["93.184.215.14"], ["127.0.0.2"]])
    monkeypatch.setattr(
        addresses,
        "resolve",
        lambda host, port: [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in next(answers)
        ],
    )
    url = f"http://rebind.example.org:{server.port}/feed"
    check_url(url, SERVER_ONLY)
    with pytest.raises(FetchError, match="resolves to 127.0.0.2, which is a loopback"):
        Fetcher(USER_AGENT, timeout=2.0, policy=SERVER_ONLY).fetch(url)
    assert server.log == []


@pytest.mark.parametrize(
    "target",
    ["http://127.0.0.2:5432/", "http://[::1]:5432/", "http://169.254.169.254/latest/meta-data/",
     "http://inside.example.org/feed"],
)  # fmt: skip
def test_a_redirect_to_a_forbidden_address_is_refused(server, monkeypatch, target):
    """A public-looking URL that redirects inwards: the hop is refused, nothing is read."""
    fake_dns(monkeypatch, {"feeds.example.org": ["127.0.0.1"], "inside.example.org": ["10.0.0.3"]})
    server.expect_request("/feed").respond_with_response(
        Response(status=302, headers={"Location": target})
    )
    url = f"http://feeds.example.org:{server.port}/feed"
    with pytest.raises(FetchError) as caught:
        Fetcher(USER_AGENT, timeout=2.0, policy=SERVER_ONLY).fetch(url)
    assert caught.value.kind == "forbidden_address"
    assert "address; not fetched" in caught.value.message
    assert len(server.log) == 1


def test_a_redirect_to_another_scheme_is_refused(server):
    server.expect_request("/feed").respond_with_response(
        Response(status=301, headers={"Location": "file:///etc/passwd"})
    )
    with pytest.raises(FetchError) as caught:
        Fetcher(USER_AGENT, timeout=2.0, policy=SERVER_ONLY).fetch(server.url_for("/feed"))
    assert caught.value.kind == "invalid_url"


def test_allowed_redirects_are_still_followed(server):
    server.expect_request("/old").respond_with_response(
        Response(status=301, headers={"Location": server.url_for("/new")})
    )
    server.expect_request("/new").respond_with_data(FEED)
    result = Fetcher(USER_AGENT, timeout=2.0, policy=SERVER_ONLY).fetch(server.url_for("/old"))
    assert result.body == FEED
    assert result.permanent_redirect == server.url_for("/new")


def test_a_guarded_session_ignores_proxies_from_the_environment(server, monkeypatch):
    """A proxy would resolve names itself, out of the check's reach: the session goes direct."""
    monkeypatch.setenv("HTTP_PROXY", "http://10.0.0.1:3128")
    server.expect_request("/feed").respond_with_data(FEED)
    with guard_session(requests.Session(), SERVER_ONLY) as http:
        assert http.get(server.url_for("/feed"), timeout=2).content == FEED
        with pytest.raises(ForbiddenAddress, match="proxy"):
            http.get(server.url_for("/feed"), proxies={"http": "http://10.0.0.1:3128"})


def _certificate(folder: Path, name: str) -> tuple[Path, Path]:
    """A self-signed certificate for ``name``, made with the openssl command."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", f"/CN={name}", "-addext", f"subjectAltName=DNS:{name}",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
def test_https_verifies_the_certificate_against_the_host_name(tmp_path, monkeypatch):
    """TLS to the checked address still sends the name (SNI) and checks the certificate for it."""
    cert, key = _certificate(tmp_path, "feeds.example.org")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    tls = HTTPServer(host="127.0.0.1", port=0, ssl_context=context)
    tls.expect_request("/feed").respond_with_data(FEED)
    tls.start()
    fake_dns(monkeypatch, {"feeds.example.org": ["127.0.0.1"], "other.example.org": ["127.0.0.1"]})
    try:
        with guard_session(requests.Session(), SERVER_ONLY) as http:
            http.verify = str(cert)
            answer = http.get(f"https://feeds.example.org:{tls.port}/feed", timeout=5)
            with pytest.raises(requests.exceptions.SSLError, match="other.example.org"):
                http.get(f"https://other.example.org:{tls.port}/feed", timeout=5)
    finally:
        tls.stop()
    assert answer.content == FEED
    assert tls.log[0][0].headers["Host"] == f"feeds.example.org:{tls.port}"
