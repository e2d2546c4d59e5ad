"""Unsafe or non-XML upstream documents are refused before anything is expanded or read."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from feeds.sources import SourceFormatError, parse
from feeds.sources.safexml import parse_xml

XML_KINDS = ["rss", "youtube", "talks-cam"]
URL = "https://upstream.example/feed"


@pytest.mark.parametrize("kind", XML_KINDS)
def test_billion_laughs_is_refused(kind: str, fixture_bytes: Callable[[str], bytes]) -> None:
    with pytest.raises(SourceFormatError, match="forbidden XML"):
        parse(kind, fixture_bytes("billion_laughs.xml"), URL)


@pytest.mark.parametrize("kind", XML_KINDS)
def test_external_entity_is_refused(kind: str, external_entity: tuple[bytes, str]) -> None:
    document, secret = external_entity

    with pytest.raises(SourceFormatError, match="forbidden XML") as caught:
        parse(kind, document, URL)

    assert secret not in str(caught.value)


def test_entities_behind_a_syntax_error_are_refused_for_lenient_parsing(
    fixture_bytes: Callable[[str], bytes],
) -> None:
    # expat stops at the stray "<<" before it reaches the DTD; feedparser would read on.
    document = b"<<\n" + fixture_bytes("billion_laughs.xml")

    with pytest.raises(SourceFormatError, match="entity declarations"):
        parse("rss", document, URL)


@pytest.mark.parametrize("kind", XML_KINDS)
def test_html_where_xml_was_expected(kind: str) -> None:
    page = b"<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body></body></html>"

    with pytest.raises(SourceFormatError, match="found an HTML page"):
        parse(kind, page, URL)


@pytest.mark.parametrize("kind", ["youtube", "talks-cam"])
def test_truncated_xml(kind: str) -> None:
    with pytest.raises(SourceFormatError, match="malformed XML"):
        parse(kind, b'<?xml version="1.0"?><feed><entry><title>Cut of', URL)


def test_plain_doctype_without_entities_is_accepted() -> None:
    root = parse_xml(
        b'<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" '
        b'"http://my.netscape.com/publish/formats/rss-0.91.dtd"><rss version="0.91"/>'
    )

    assert root.tag == "rss"
