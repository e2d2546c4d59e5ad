"""What, besides the catalogue, decides a feed document's bytes: the code.

A document is rebuilt when its inputs digest changes (publisher.py); the digest starts with
this, so a deployment whose code differs rebuilds every document once. It covers the
writers (feeds/), the publisher and what it uses to turn rows into items (the catalogue's
text helpers and settings parsers): wider than needed, never narrower.
"""

from __future__ import annotations

import hashlib
from importlib.metadata import version
from pathlib import Path

import feeds

_WEBAPP = Path(__file__).resolve().parent.parent
_SOURCES = [
    *sorted(Path(feeds.__file__).resolve().parent.rglob("*.py")),
    *sorted((_WEBAPP / "publishing").glob("*.py")),
    *sorted((_WEBAPP / "catalog").glob("*.py")),
]


def _build_code() -> str:
    digest = hashlib.sha256(f"feedgen {version('feedgen')}\n".encode())
    for path in _SOURCES:
        digest.update(path.read_bytes())
    return digest.hexdigest()


BUILD_CODE = _build_code()
