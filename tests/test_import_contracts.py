"""The import contracts in pyproject.toml hold, and break when a layer reaches upwards.

``lint-imports`` reads the contracts (import-linter) and checks the static import graph of
``feeds``, ``media`` and ``webapp``. The second half copies the packages, adds one import that
breaks a rule, and shows the check then fails and names that import: a contract that can
never fail would guard nothing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_tree_keeps_every_contract():
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.fixture
def tree_copy(tmp_path: Path) -> Path:
    for name in ("feeds", "media", "webapp"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    return tmp_path


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        # An operation reaching up into a blueprint.
        (
            "webapp/catalog/operations.py",
            "from webapp.web import public",
            "webapp.catalog is not allowed to import webapp.web",
        ),
        # The database layer reaching up into the catalogue.
        (
            "webapp/db/engine.py",
            "from webapp.catalog import models",
            "webapp.db is not allowed to import webapp.catalog",
        ),
        # A data layer using Flask.
        ("webapp/publishing/websub.py", "import flask", "webapp.publishing is not allowed"),
        # A pure package using the web service.
        ("feeds/model.py", "import webapp", "feeds is not allowed to import webapp"),
        # A command module importing the group that registers it: the old circle.
        ("webapp/cli/users.py", "import webapp.cli", "webapp.cli.users is not allowed"),
    ],
)
def test_an_upward_import_breaks_a_contract(tree_copy: Path, module: str, line: str, broken: str):
    path = tree_copy / module
    path.write_text(path.read_text() + f"\n{line}  # noqa\n")
    result = _lint_imports(tree_copy)
    assert result.returncode != 0
    assert broken in result.stdout, result.stdout
