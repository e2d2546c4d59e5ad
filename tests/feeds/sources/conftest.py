"""Shared helpers for the upstream source tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def fixture_bytes() -> Callable[[str], bytes]:
    """Read a fixture document by file name."""

    def read(name: str) -> bytes:
        return (FIXTURES / name).read_bytes()

    return read


@pytest.fixture
def external_entity(tmp_path: Path) -> tuple[bytes, str]:
    """An RSS document whose entity points at a local file, and that file's secret content."""
    secret = "talkcast-secret-value"
    target = tmp_path / "secret.txt"
    target.write_text(secret)
    document = (
        b'<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY xxe SYSTEM "'
        + target.as_uri().encode()
        + b'">]>\n<rss version="2.0"><channel><title>&xxe;</title>'
        b"<item><title>&xxe;</title><guid>g</guid></item></channel></rss>"
    )
    return document, secret
