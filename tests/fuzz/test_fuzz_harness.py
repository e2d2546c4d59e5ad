"""The fuzz harness itself: inputs rebuild from the seed alone, a crash and a hang are caught
and reported with a minimised input, and the worker goes on after a hang."""

from __future__ import annotations

from pathlib import Path

from fuzzrun import fuzz, once_per_make_test
from fuzzworker import Worker
from mutations import case_input, minimise, mutate
from mutations import case_rng as rng_for

pytestmark = once_per_make_test


def test_a_case_is_rebuilt_from_the_run_seed_and_its_number_alone():
    seeds = [b"<rss><channel><title>x</title></channel></rss>", b"OggS" * 50]
    first = [case_input(7, "parse:rss", i, seeds, (b"<item>",)) for i in range(50)]
    again = [case_input(7, "parse:rss", i, seeds, (b"<item>",)) for i in reversed(range(50))]
    assert first == list(reversed(again))
    assert first[0] == seeds[0]  # case 0 is the seed itself
    assert len(set(first)) > 40  # and the others differ
    assert case_input(8, "parse:rss", 3, seeds) != case_input(7, "parse:rss", 3, seeds)


def test_mutations_stay_within_the_size_limit():
    for index in range(200):
        data = mutate(b"x" * 1000, rng_for(1, "t", index), (b"y" * 500,), max_size=1500)
        assert len(data) <= 1500


def test_minimise_keeps_only_what_makes_the_input_fail():
    data = b"a" * 300 + b"<bad>" + b"z" * 300
    assert minimise(data, lambda d: b"<bad>" in d) == b"<bad>"


def test_a_crash_a_hang_and_a_refusal_are_told_apart(fuzz_worker: Worker):
    crash = fuzz_worker.run("selftest:fail", b"key")
    hang = fuzz_worker.run("selftest:sleep", b"x" * 60, timeout=1.0)  # sleeps a minute
    refused = fuzz_worker.run("selftest:refuse", b"not media")  # a new worker takes over
    result = fuzz_worker.run("selftest:refuse", b"")
    assert crash.kind == "crash" and "KeyError: b'key'" in crash.detail
    assert hang.kind == "hang"
    assert (refused.kind, refused.detail) == ("refused", "MediaError")
    assert result.kind == "result"


def test_a_failing_target_is_reported_with_its_minimised_input(fuzz_worker: Worker, tmp_path: Path):
    tally = fuzz(fuzz_worker, "selftest:fail", 5, [b"abc"], keep=tmp_path)
    assert (tally.cases, tally.failed, tally.results, tally.refused) == (5, 5, 0, 0)
    first = tally.failures[0]
    assert first.index == 0 and len(first.data) == 1  # any one byte keeps the KeyError
    assert first.saved.read_bytes() == first.data
    assert "KeyError" in first.describe()
