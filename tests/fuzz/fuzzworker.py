"""Run fuzz cases in a separate process, each with a time limit.

A hang inside C code (expat, libxml2, Pillow, a regular expression) cannot be interrupted
from Python, and a crash of such code would take pytest with it; a child process can simply
be killed and replaced. The child is started with "spawn", never "fork": a fork of a pytest
process whose other tests left threads behind may inherit a lock held by one of them.
"""

from __future__ import annotations

import multiprocessing
import resource
import traceback
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Literal

# How long a new child may take to import the parsers on a loaded machine.
STARTUP_TIMEOUT = 120.0
# Address space a case may use: a few hundred kilobytes of input never needs more, while a
# length field taken at face value would ask for far more.
MEMORY_LIMIT = 2 << 30

Kind = Literal["result", "refused", "crash", "hang"]


@dataclass(frozen=True)
class Outcome:
    """How one case ended; ``detail`` holds the traceback of a crash."""

    kind: Kind
    detail: str = ""


def serve(conn: Connection, workdir: str) -> None:
    """The child's loop: receive (target name, bytes), answer with an Outcome, until None."""
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    import fuzztargets

    fuzztargets.WORKDIR = Path(workdir)
    conn.send("ready")  # imports done: from now on only a case's own time counts
    while (message := conn.recv()) is not None:
        name, data = message
        target = fuzztargets.TARGETS[name]
        try:
            target.run(data)
        except target.refusal as exc:
            outcome = Outcome("refused", type(exc).__name__)
        except Exception:
            outcome = Outcome("crash", traceback.format_exc())
        else:
            outcome = Outcome("result")
        conn.send(outcome)


class Worker:
    """A child process that runs cases; killed and restarted when a case overruns."""

    def __init__(self, workdir: Path, timeout: float) -> None:
        self.workdir = workdir
        self.timeout = timeout
        self._context = multiprocessing.get_context("spawn")
        self._process: multiprocessing.process.BaseProcess | None = None
        self._conn: Connection | None = None

    def _start(self) -> Connection:
        parent, child = self._context.Pipe()
        self._process = self._context.Process(
            target=serve, args=(child, str(self.workdir)), daemon=True
        )
        self._process.start()
        child.close()
        self._conn = parent
        if not parent.poll(STARTUP_TIMEOUT) or parent.recv() != "ready":
            self._stop(kill=True)
            raise RuntimeError("the fuzz worker process did not start")
        return parent

    def run(self, target: str, data: bytes, timeout: float | None = None) -> Outcome:
        """Run one case; a case still running after ``timeout`` seconds (the worker's own
        unless given) is a hang."""
        limit = self.timeout if timeout is None else timeout
        conn = self._conn or self._start()
        conn.send((target, data))
        try:
            if conn.poll(limit):
                outcome: Outcome = conn.recv()
                return outcome
        except EOFError:
            code = self._process.exitcode if self._process else None
            self._stop(kill=True)
            return Outcome("crash", f"the worker process died (exit code {code})")
        self._stop(kill=True)
        return Outcome("hang", f"no answer within {limit:g} s")

    def _stop(self, kill: bool) -> None:
        if self._process is not None:
            if kill:
                self._process.kill()
            elif self._conn is not None:
                self._conn.send(None)
            self._process.join(timeout=10)
        if self._conn is not None:
            self._conn.close()
        self._process = self._conn = None

    def close(self) -> None:
        """Let the child finish and wait for it."""
        self._stop(kill=False)
