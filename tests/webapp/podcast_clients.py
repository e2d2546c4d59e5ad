"""Read our feeds as podcast apps do: podcast-partytime, the Podcast Index's parser.

It runs on Debian's nodejs from tests/js (installed by ``make test``); without them the
tests that need it skip and say why.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest

JS = Path(__file__).resolve().parents[1] / "js"


def partytime(document: bytes) -> tuple[dict[str, Any] | None, list[str]]:
    """What partytime keeps of an RSS document, and the warnings it logged."""
    node = shutil.which("node") or shutil.which("nodejs")
    if node is None:
        pytest.skip("nodejs not installed: needed to run podcast-partytime")
    if not (JS / "node_modules" / "podcast-partytime").is_dir():
        pytest.skip("podcast-partytime not installed: run `npm ci --prefix tests/js`")
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        result = subprocess.run(
            [node, str(JS / "partytime.mjs"), out.name],
            input=document,
            capture_output=True,
            timeout=60,
            check=True,
        )
        parsed = json.loads(Path(out.name).read_text() or "null")
    warnings = [
        json.loads(line)["msg"] for line in result.stdout.decode().splitlines() if line.strip()
    ]
    return parsed, warnings
