"""Turn an HTML page (or its plain-text rendering) into text lines, keeping link targets.

Collection pages are parsed by their text labels rather than CSS classes, so the parser only
needs the visible text in reading order, one line per block, with the links each line holds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import lxml.etree
import lxml.html

from feeds.sources.model import SourceFormatError

# Formatting tags that never end a line; every other element starts and ends one, so that
# "<a>Title</a><span>12 views</span>" gives two lines, whatever the markup around them.
_INLINE = frozenset(
    {
        "b",
        "i",
        "em",
        "strong",
        "sub",
        "sup",
        "u",
        "s",
        "small",
        "mark",
        "code",
        "abbr",
        "q",
        "cite",
        "var",
        "font",
        "tt",
        "bdi",
        "bdo",
        "wbr",
    }
)
_DROP = ("script", "style", "noscript", "template", "head")
_HTML_HINT = re.compile(
    rb"<(?:!doctype\s+html|html|head|body|div|p|ul|ol|li|a|span|h[1-6]|table|dl|section)\b",
    re.IGNORECASE,
)
_SPACE = re.compile(r"\s+")
# libxml2 does not fetch anything for HTML, and blank/comment/PI nodes are never visible text.
_PARSER = lxml.html.HTMLParser(
    no_network=True, remove_comments=True, remove_pis=True, huge_tree=False
)


@dataclass(frozen=True)
class TextLine:
    """One visible line and the ``href`` of each link inside it."""

    text: str
    links: tuple[str, ...] = ()


def document_lines(data: bytes) -> list[TextLine]:
    """Lines of an HTML document, or of a plain-text rendering when there is no markup."""
    if _HTML_HINT.search(data):
        return html_lines(data)
    return text_lines(data.decode("utf-8", errors="replace").removeprefix("\ufeff"))


def text_lines(text: str) -> list[TextLine]:
    """Non-blank lines of plain text, whitespace collapsed."""
    lines = (_clean(line) for line in text.splitlines())
    return [TextLine(line) for line in lines if line]


def html_lines(data: bytes) -> list[TextLine]:
    """Visible lines of an HTML document; scripts and styles dropped, entities not expanded."""
    try:
        root = lxml.html.document_fromstring(data, parser=_PARSER)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise SourceFormatError(f"expected an HTML page, found unparsable input: {exc}") from exc
    # Emptied in place rather than dropped: drop_tree() joins the tail to the text before it,
    # and lxml refuses to set text holding a control character it let through when parsing.
    for element in list(root.iter(*_DROP)):
        element.clear(keep_tail=True)
    builder = _LineBuilder()
    for event, element in lxml.etree.iterwalk(root, events=("start", "end")):
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag in _DROP:
            if event == "end":
                builder.add(element.tail)  # as if the element were not there
        elif event == "start":
            if tag not in _INLINE:
                builder.flush()
            if tag == "a" and element.get("href"):
                builder.links.append(element.get("href", ""))
            builder.add(element.text)
        else:
            if tag not in _INLINE:
                builder.flush()
            builder.add(element.tail)
    builder.flush()
    return builder.lines


class _LineBuilder:
    def __init__(self) -> None:
        self.lines: list[TextLine] = []
        self.parts: list[str] = []
        self.links: list[str] = []

    def add(self, text: str | None) -> None:
        if text:
            self.parts.append(text)

    def flush(self) -> None:
        text = _clean("".join(self.parts))
        if text or self.links:
            self.lines.append(TextLine(text, tuple(self.links)))
        self.parts, self.links = [], []


def _clean(text: str) -> str:
    return _SPACE.sub(" ", text.replace("\xa0", " ")).strip()
