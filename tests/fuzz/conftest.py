"""The fuzz tests' worker process and the count of cases shown at the end of every run."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fuzzrun import CASE_TIMEOUT, RUN_SEED, Tally
from fuzzworker import Worker

_TALLIES = pytest.StashKey[list[Tally]]()


@pytest.fixture(scope="session")
def fuzz_worker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Worker]:
    """One child process for every fuzz case of the run (replaced after a hang)."""
    worker = Worker(tmp_path_factory.mktemp("fuzz-worker"), CASE_TIMEOUT)
    yield worker
    worker.close()


@pytest.fixture
def record_tally(request: pytest.FixtureRequest) -> Callable[[Tally], None]:
    """Add a target's tally to the summary printed after the run."""

    def record(tally: Tally) -> None:
        request.config.stash.setdefault(_TALLIES, []).append(tally)

    return record


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print how many fuzz cases ran, even under -q (pytest prints no test's own output)."""
    tallies = terminalreporter.config.stash.get(_TALLIES, [])
    if not tallies:
        return
    cases = sum(t.cases for t in tallies)
    refused = sum(t.refused for t in tallies)
    failed = sum(t.failed for t in tallies)
    terminalreporter.write_line(
        f"fuzzing: {cases:,} cases through {len(tallies)} parser calls (seed {RUN_SEED}): "
        f"{cases - refused - failed:,} gave a result, {refused:,} the module's own error, "
        f"{failed:,} crashed or hung"
    )
