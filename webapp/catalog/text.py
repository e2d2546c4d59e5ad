"""Text helpers for the catalogue: slugs, safe HTML, plain-text summaries, date lines."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from html import unescape
from zoneinfo import ZoneInfo

import nh3

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "em", "h3", "h4", "i", "li", "ol", "p",
    "pre", "strong", "sub", "sup", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value: str) -> str:
    """Drop control characters (they break XML) and trim whitespace."""
    return _CONTROL.sub("", value).strip()


def sanitize_html(html: str) -> str:
    """Keep a small set of formatting tags; scripts, styles and event handlers go."""
    return nh3.clean(
        clean_text(html),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener nofollow",
    )


def html_to_text(html: str) -> str:
    """A plain-text rendering of sanitised HTML, for summaries and descriptions."""
    text = nh3.clean(re.sub(r"</(p|h3|h4|li|br)>|<br\s*/?>", "\n", html), tags=set())
    # Every entity decoded (&nbsp; and &eacute; too): plain text carries characters, and the
    # feed writers escape what XML needs.
    text = unescape(text).replace("\xa0", " ")
    return re.sub(r"\n{2,}", "\n", text).strip()


def slugify(value: str, max_length: int = 80) -> str:
    """An ASCII, lower-case, hyphenated slug (never empty)."""
    ascii_text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-") or "item"


def _ordinal(day: int) -> str:
    if 10 <= day % 100 <= 20:
        return f"{day}th"
    return f"{day}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(day % 10, 'th') }"


def date_line(start: datetime | None, end: datetime | None, tz: str) -> str:
    """'Thursday 23rd May 2019 - 14:20 to 14:40', in the institute's time zone."""
    if start is None:
        return ""
    zone = ZoneInfo(tz)
    local = start.astimezone(zone)
    line = f"{local:%A} {_ordinal(local.day)} {local:%B %Y - %H:%M}"
    if end is not None:
        line += f" to {end.astimezone(zone):%H:%M}"
    return line


def parse_links(text: str) -> list[tuple[str, str]]:
    """Lines of "Title | URL" (or a bare URL, its own title) as (title, URL) pairs."""
    links = []
    for line in text.splitlines():
        title, _, url = line.strip().rpartition("|")
        if url.strip():
            links.append((title.strip() or url.strip(), url.strip()))
    return links
