"""Drive one fuzz target through its cases and tally how they ended.

The run is deterministic: ``TALKCAST_FUZZ_SEED`` (default below) and the case number decide
every input, so a failure reported by ``make test`` comes back the same on any machine.
``TALKCAST_FUZZ_SCALE`` multiplies the number of cases for a longer hunt.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from fuzzworker import Outcome, Worker
from mutations import case_input, minimise

RUN_SEED = int(os.environ.get("TALKCAST_FUZZ_SEED", "20261202"))
SCALE = float(os.environ.get("TALKCAST_FUZZ_SCALE", "1"))
# Far above what any case needs (milliseconds), so only a real hang reaches it even on a
# loaded machine.
CASE_TIMEOUT = 10.0
_KEPT_FAILURES = 3

# make test runs the suite twice, on SQLite then on PostgreSQL; no parser here touches a
# database, so the second pass would only repeat the same deterministic cases.
once_per_make_test = pytest.mark.skipif(
    os.environ.get("TALKCAST_DATABASE_URL", "").startswith("postgresql"),
    reason="the fuzz cases use no database: the SQLite pass of make test already ran them",
)


@dataclass(frozen=True)
class Failure:
    """A case that crashed or hung, with its (minimised) input saved beside the test."""

    index: int
    outcome: Outcome
    saved: Path
    data: bytes

    def describe(self) -> str:
        """What to read in the test report: the case, the input and the traceback's end."""
        shown = repr(self.data) if len(self.data) <= 400 else f"{len(self.data)} bytes"
        tail = "\n".join(self.outcome.detail.strip().splitlines()[-6:])
        return (
            f"case {self.index} ({self.outcome.kind}), minimised input {shown} "
            f"saved at {self.saved}:\n{tail}"
        )


@dataclass
class Tally:
    """How the cases of one target ended."""

    target: str
    cases: int = 0
    results: int = 0
    refused: int = 0
    failures: list[Failure] = field(default_factory=list)
    failed: int = 0


def case_count(base: int) -> int:
    """The number of cases to run for a target whose default is ``base``."""
    return max(1, round(base * SCALE))


def fuzz(
    worker: Worker,
    target: str,
    cases: int,
    seeds: Sequence[bytes],
    tokens: Sequence[bytes] = (),
    foreign: Sequence[bytes] = (),
    keep: Path | None = None,
) -> Tally:
    """Run ``cases`` mutated inputs through ``target``; keep and minimise the first failures."""
    tally = Tally(target)
    for index in range(cases):
        data = case_input(RUN_SEED, target, index, seeds, tokens, foreign)
        outcome = worker.run(target, data)
        tally.cases += 1
        if outcome.kind == "result":
            tally.results += 1
        elif outcome.kind == "refused":
            tally.refused += 1
        else:
            tally.failed += 1
            if len(tally.failures) < _KEPT_FAILURES:
                tally.failures.append(_keep(worker, target, index, data, outcome, keep))
    return tally


def _signature(outcome: Outcome) -> tuple[str, str]:
    lines = outcome.detail.strip().splitlines()
    return outcome.kind, (lines[-1].split(":")[0] if lines else "")


def _keep(
    worker: Worker, target: str, index: int, data: bytes, outcome: Outcome, keep: Path | None
) -> Failure:
    signature = _signature(outcome)
    # Hangs cost a full timeout per try: report those unminimised.
    if outcome.kind == "crash":
        data = minimise(data, lambda d: _signature(worker.run(target, d)) == signature)
    folder = keep or Path(".")
    folder.mkdir(parents=True, exist_ok=True)
    saved = folder / f"{target.replace(':', '-')}-case{index}.bin"
    saved.write_bytes(data)
    return Failure(index, outcome, saved, data)
