"""talks.cam.ac.uk list XML, ``/show/xml/<list id>`` (kind ``talks-cam``)."""

from __future__ import annotations

import xml.etree.ElementTree as ET  # noqa: S405 - parsing itself goes through safexml

from feeds.sources.model import SourceFormatError, UpstreamChannel, UpstreamItem
from feeds.sources.safexml import parse_xml
from feeds.sources.values import absolute_url, parse_rfc822


def parse(data: bytes, url: str) -> list[UpstreamItem]:
    """Talks of a talks.cam list, keyed by talk id (the RSS guid changes on every edit)."""
    root = parse_xml(data, expected="a talks.cam <list> document")
    if root.tag != "list":
        raise SourceFormatError(f"expected a talks.cam <list> document, found <{root.tag}>")
    list_name = _text(root, "name") or None
    items = []
    for talk in root.findall("talk"):
        talk_id = _text(talk, "id")
        if not talk_id:
            continue  # nothing stable to key it on
        items.append(_item(talk, talk_id, url, list_name))
    return items


def _item(talk: ET.Element, talk_id: str, base: str, list_name: str | None) -> UpstreamItem:
    speaker = _text(talk, "speaker")
    page = _text(talk, "url")
    created = parse_rfc822(_text(talk, "created_at"))
    return UpstreamItem(
        external_id=talk_id,
        title=_text(talk, "title"),
        persons=(speaker,) if speaker else (),
        description=_text(talk, "abstract"),
        start=parse_rfc822(_text(talk, "start_time")),
        end=parse_rfc822(_text(talk, "end_time")),
        page_url=absolute_url(page, base) if page else None,
        updated=parse_rfc822(_text(talk, "updated_at")),
        collection=_text(talk, "series") or list_name,
        venue=_text(talk, "venue") or None,
        created=created.date() if created else None,
    )


def _text(parent: ET.Element, tag: str) -> str:
    return (parent.findtext(tag) or "").strip()


def describe(data: bytes, url: str) -> UpstreamChannel:
    """The list's name, details and page."""
    root = parse_xml(data, expected="a talks.cam <list> document")
    page = _text(root, "url")
    return UpstreamChannel(
        title=_text(root, "name"),
        description=_text(root, "details"),
        link=absolute_url(page, url) if page else None,
    )
