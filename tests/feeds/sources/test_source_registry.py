"""The parser registry keyed by source kind."""

from __future__ import annotations

import pytest

from feeds.sources import PARSERS, parse


def test_every_kind_has_a_parser() -> None:
    assert set(PARSERS) == {"rss", "youtube", "talks-cam", "collection-page"}


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown source kind 'ical'"):
        parse("ical", b"", "https://upstream.example/")
