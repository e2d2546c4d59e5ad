"""Collection pages of the streaming media service (kind ``collection-page``).

Each media item reads, in text order: title, "N views", speaker line(s), a date line such as
"Thursday 23rd May 2019 - 14:20 to 14:40", then "Collection: ...", "Institution: ..." and
"Created: Tue 28 May 2019". Parsing keys on these labels, not on markup, so it works on the
HTML page, on a restyled page and on a plain-text rendering alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import lxml.html

from feeds.sources.model import SourceFormatError, UpstreamChannel, UpstreamItem
from feeds.sources.page_text import TextLine, document_lines
from feeds.sources.values import absolute_url, parse_int, stable_id

LONDON = ZoneInfo("Europe/London")
DATE_LINE = re.compile(
    r"(\w+day) (\d{1,2})(?:st|nd|rd|th) (\w+) (\d{4})\s*[-–]\s*(\d\d:\d\d) to (\d\d:\d\d)"
)
_VIEWS = re.compile(r"^(\d[\d,]*)\s+views?$", re.IGNORECASE)
_LABEL = re.compile(r"(?<!\S)(Collection|Institution|Created):\s*")
_MEDIA_LINK = re.compile(r"/media/\d+")
_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]+)\s+(\d{4})")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_SPEAKER = re.compile(r"^[^\W\d][\w'’.\- ]*,\s*[A-Z][\w.\- ]{0,12}$")
_SPEAKER_SEPARATOR = re.compile(r"\s*;\s*|\s+and\s+")
_MEDIA_HEADING = re.compile(r"^(Media items|This collection contains \d+)", re.IGNORECASE)
_HTML_H1 = re.compile(rb"<h1\b", re.IGNORECASE)
# As page_text reads pages: libxml2 fetches nothing for HTML.
_SAFE_HTML = lxml.html.HTMLParser(no_network=True, remove_comments=True, huge_tree=False)
_MONTH_NAMES = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)  # fmt: skip
_MONTHS = {
    **{name: number for number, name in enumerate(_MONTH_NAMES, start=1)},
    **{name[:3]: number for number, name in enumerate(_MONTH_NAMES, start=1)},
    "sept": 9,
}


@dataclass(frozen=True)
class _Block:
    title_at: int
    first: int  # first line after the title/views anchor
    end: int  # first line of the next item


def parse(data: bytes, url: str) -> list[UpstreamItem]:
    """Media items of a collection page (HTML or its plain-text rendering)."""
    lines = _split_labels(document_lines(data))
    blocks = _blocks(lines)
    if not blocks:
        raise SourceFormatError(
            "expected a collection page with media items ('N views' or date lines), found none"
        )
    return [_item(lines, block, url) for block in blocks]


def parse_date_line(line: str) -> tuple[datetime, datetime] | None:
    """Start and end, tz-aware Europe/London, of 'Thursday 23rd May 2019 - 14:20 to 14:40'."""
    match = DATE_LINE.search(line)
    month = _MONTHS.get(match.group(3).lower()) if match else None
    if not match or not month:
        return None
    # A day, hour or minute out of range ("31st February", "25:61") and a talk running past
    # midnight at the end of year 9999 are no times at all.
    try:
        day = date(int(match.group(4)), month, int(match.group(2)))
        start = datetime.combine(day, time.fromisoformat(match.group(5)), LONDON)
        end = datetime.combine(day, time.fromisoformat(match.group(6)), LONDON)
        if end < start:  # runs past midnight
            end = datetime.combine(day + timedelta(days=1), end.time(), LONDON)
    except (ValueError, OverflowError):
        return None
    return start, end


def parse_created(value: str) -> date | None:
    """A date from 'Tue 28 May 2019', '28th May 2019' or '2019-05-28 09:42'."""
    if iso := _ISO_DATE.search(value):
        parts = (int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
    elif dmy := _DAY_MONTH_YEAR.search(value):
        parts = (int(dmy.group(3)), _MONTHS.get(dmy.group(2).lower(), 0), int(dmy.group(1)))
    else:
        return None
    try:
        return date(*parts)
    except ValueError:
        return None


def _split_labels(lines: list[TextLine]) -> list[TextLine]:
    # Flattened markup can run "Collection: A Institution: B" or a date line into one line.
    result = []
    for line in lines:
        cuts = {m.start() for m in _LABEL.finditer(line.text)}
        if date_match := DATE_LINE.search(line.text):
            cuts |= {date_match.start(), date_match.end()}
        bounds = sorted(cuts | {0, len(line.text)})
        pieces = [line.text[a:b].strip() for a, b in zip(bounds, bounds[1:], strict=False)]
        pieces = [piece for piece in pieces if piece] or [""]
        result.append(TextLine(pieces[0], line.links))
        result.extend(TextLine(piece) for piece in pieces[1:])
    return result


def _blocks(lines: list[TextLine]) -> list[_Block]:
    views = [i for i, line in enumerate(lines) if _VIEWS.match(line.text)]
    anchors = []
    if views:
        anchors = [(_previous_text(lines, i), i + 1) for i in views]
    else:
        for i, line in enumerate(lines):
            if DATE_LINE.search(line.text):
                top = i
                while top > 0 and _is_speaker_line(lines[top - 1].text):
                    top -= 1
                anchors.append((_previous_text(lines, top), top))
    anchors = [(title, first) for title, first in anchors if title >= 0]
    if not anchors:
        return []
    ends = [title for title, _ in anchors[1:]] + [len(lines)]
    return [_Block(title, first, end) for (title, first), end in zip(anchors, ends, strict=True)]


def _item(lines: list[TextLine], block: _Block, url: str) -> UpstreamItem:
    body = [line.text for line in lines[block.first : block.end]]
    title = lines[block.title_at].text
    date_index = next((i for i, text in enumerate(body) if DATE_LINE.fullmatch(text)), None)
    date_line = body[date_index] if date_index is not None else ""
    times = parse_date_line(date_line)
    labels = _labels(body)
    link = _media_link(lines, block)
    page_url = absolute_url(link, url) if link else None
    views_line = lines[block.first - 1].text
    created = labels.get("Created")
    return UpstreamItem(
        external_id=page_url or stable_id(title, date_line),
        title=title,
        persons=_persons(body, date_index),
        start=times[0] if times else None,
        end=times[1] if times else None,
        page_url=page_url,
        views=parse_int(views_line.split()[0]) if _VIEWS.match(views_line) else None,
        collection=labels.get("Collection"),
        institution=labels.get("Institution"),
        created=parse_created(created) if created else None,
    )


def _labels(body: list[str]) -> dict[str, str]:
    labels: dict[str, str] = {}
    for i, text in enumerate(body):
        match = _LABEL.match(text)
        if not match or match.group(1) in labels:
            continue
        value = text[match.end() :].strip()
        if not value and i + 1 < len(body) and not _is_structural(body[i + 1]):
            value = body[i + 1]  # "<dt>Created:</dt><dd>...</dd>" puts the value on its own line
        if value:
            labels[match.group(1)] = value
    return labels


def _persons(body: list[str], date_index: int | None) -> tuple[str, ...]:
    def until_structural(texts: list[str]) -> list[str]:
        taken = []
        for text in texts:
            if _is_structural(text):
                break
            taken.append(text)
        return taken

    lines = until_structural(body)
    if not lines and date_index is not None:
        lines = until_structural(body[date_index + 1 :])
    names = (name.strip() for line in lines for name in _SPEAKER_SEPARATOR.split(line))
    return tuple(name for name in names if name)


def _media_link(lines: list[TextLine], block: _Block) -> str | None:
    start = block.title_at
    while start > 0 and not lines[start - 1].text:  # a thumbnail link just above the title
        start -= 1
    links = [link for line in lines[start : block.end] for link in line.links]
    media = [link for link in links if _MEDIA_LINK.search(link)]
    if media:
        return media[0]
    return lines[block.title_at].links[0] if lines[block.title_at].links else None


def _previous_text(lines: list[TextLine], index: int) -> int:
    for i in range(index - 1, -1, -1):
        if lines[i].text and not _LABEL.match(lines[i].text):
            return i
    return -1


def _is_structural(text: str) -> bool:
    return bool(DATE_LINE.fullmatch(text) or _LABEL.match(text) or _VIEWS.match(text))


def _is_speaker_line(text: str) -> bool:
    names = [name for name in _SPEAKER_SEPARATOR.split(text) if name]
    return bool(names) and all(_SPEAKER.match(name) for name in names)


def describe(data: bytes, url: str) -> UpstreamChannel:
    """The collection's heading, its description (the text between "Description:" and the
    first media item) and the page itself."""
    lines = _split_labels(document_lines(data))
    blocks = _blocks(lines)
    end = blocks[0].title_at if blocks else len(lines)
    heading, image = _heading(data)
    title = heading or next((line.text for line in lines[:end] if line.text), "")
    description: list[str] = []
    started = False
    for line in lines[:end]:
        started = started or line.text.startswith("Description:")
        if started:
            text = line.text.removeprefix("Description:").strip()
            if _MEDIA_HEADING.match(text):
                break
            if text:
                description.append(text)
    return UpstreamChannel(
        title=title,
        description="\n\n".join(description),
        link=url,
        image=absolute_url(image, url) if image else None,
    )


def _heading(data: bytes) -> tuple[str, str | None]:
    """The page's first <h1> and the first image after it (the collection's), when HTML."""
    if not _HTML_H1.search(data):
        return "", None
    root = lxml.html.fromstring(data, parser=_SAFE_HTML)
    heading = root.find(".//h1")
    if heading is None:
        return "", None
    images = heading.xpath("following::img[1]/@src")
    return " ".join(heading.text_content().split()), (str(images[0]) if images else None)
