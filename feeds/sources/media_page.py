"""A talk's media page: the links it offers to download the recording itself.

Collection pages list talks; each talk's own page (``/media/<id>``) carries the download
links (``downloads.<host>/<media id>/<clip id>.mp4``, ``.m4a``...). Only ``<a href>`` and
``<source src>`` pointing at an audio or video file count; a video comes first, since its
audio rendition is made here.
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

import lxml.html

from feeds.sources.model import SourceFormatError

AUDIO = (".mp3", ".m4a", ".aac", ".ogg", ".oga", ".opus", ".flac", ".wav")
VIDEO = (".mp4", ".m4v", ".mov")
# As page_text reads pages: libxml2 fetches nothing for HTML.
_PARSER = lxml.html.HTMLParser(no_network=True, remove_comments=True, huge_tree=False)


def download_links(data: bytes, url: str) -> list[str]:
    """Absolute links to the recording on a media page, videos first, in page order."""
    if not data.strip():
        raise SourceFormatError("expected a media page, found an empty document")
    try:
        root = lxml.html.fromstring(data, parser=_PARSER)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise SourceFormatError(f"expected a media page, found no HTML ({exc})") from exc
    found: list[str] = []
    for element in root.iter("a", "source"):
        target = element.get("href") if element.tag == "a" else element.get("src")
        if not target:
            continue
        try:
            link = urljoin(url, target.strip())
            parts = urlsplit(link)
        except ValueError:
            continue  # not a URL at all ("http://[" is a broken IPv6 host to urllib)
        media = parts.scheme in ("http", "https") and parts.path.lower().endswith(AUDIO + VIDEO)
        if media and link not in found:
            found.append(link)
    videos = [link for link in found if urlsplit(link).path.lower().endswith(VIDEO)]
    return videos + [link for link in found if link not in videos]
