"""What, besides the catalogue, decides a feed document's bytes: the writing code.

A document is rebuilt when its inputs digest changes (publisher.py); the digest starts with
this, so a deployment whose feed code differs rebuilds every document once.
"""

from __future__ import annotations

import hashlib
from importlib.metadata import version
from pathlib import Path

import feeds

_ROOT = Path(__file__).resolve().parent
_SOURCES = sorted(Path(feeds.__file__).resolve().parent.rglob("*.py")) + [
    _ROOT / "publisher.py",
    _ROOT / "entries.py",
]


def _build_code() -> str:
    digest = hashlib.sha256(f"feedgen {version('feedgen')}\n".encode())
    for path in _SOURCES:
        digest.update(path.read_bytes())
    return digest.hexdigest()


BUILD_CODE = _build_code()
