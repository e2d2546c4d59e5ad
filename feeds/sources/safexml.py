"""Safe parsing of upstream XML: no DTD entities, no external references, no HTML.

Upstream documents are untrusted, so every XML byte string goes through defusedxml, which
refuses entity declarations (billion laughs) and external entities (local file reads) before
anything is expanded or fetched.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET  # noqa: S405 - only for the Element type and ParseError
from typing import cast

import defusedxml
import defusedxml.ElementTree as DET

from feeds.sources.model import SourceFormatError

_HTML_START = re.compile(
    rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)\b",
    re.IGNORECASE | re.DOTALL,
)
_ENTITY_DECL = re.compile(rb"<!ENTITY", re.IGNORECASE)
_BOM = b"\xef\xbb\xbf"


def looks_like_html(data: bytes) -> bool:
    """Tell whether a document starts like an HTML page rather than an XML one."""
    return bool(_HTML_START.match(data[:4096].removeprefix(_BOM)))


def parse_xml(data: bytes, *, expected: str = "an XML document") -> ET.Element:
    """Parse untrusted XML strictly; raise SourceFormatError for unsafe, HTML or broken input."""
    _reject_html_or_empty(data, expected)
    try:
        root = DET.fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except defusedxml.DefusedXmlException as exc:
        raise SourceFormatError(f"expected {expected}, found forbidden XML: {exc}") from exc
    except ET.ParseError as exc:
        raise SourceFormatError(f"expected {expected}, found malformed XML: {exc}") from exc
    except LookupError as exc:
        raise SourceFormatError(f"expected {expected}, found {exc}") from exc
    return cast(ET.Element, root)


def check_xml(data: bytes, *, expected: str = "an XML document") -> None:
    """Reject unsafe or HTML input but let ill-formed XML through for a lenient parser."""
    _reject_html_or_empty(data, expected)
    try:
        DET.fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except defusedxml.DefusedXmlException as exc:
        raise SourceFormatError(f"expected {expected}, found forbidden XML: {exc}") from exc
    except ET.ParseError as exc:
        # expat may stop before reaching a DTD that a lenient parser would still read.
        if _ENTITY_DECL.search(data):
            raise SourceFormatError(
                f"expected {expected}, found malformed XML with entity declarations"
            ) from exc
    except LookupError as exc:
        # expat knows only a few encodings; a declared one Python lacks too ("UTF-9") is
        # something no parser downstream can read either.
        raise SourceFormatError(f"expected {expected}, found {exc}") from exc


def _reject_html_or_empty(data: bytes, expected: str) -> None:
    if not data.strip():
        raise SourceFormatError(f"expected {expected}, found an empty document")
    if looks_like_html(data):
        raise SourceFormatError(f"expected {expected}, found an HTML page")
