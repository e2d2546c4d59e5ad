"""Full-jitter exponential backoff with Retry-After and a cap."""

from __future__ import annotations

import random

import pytest

from feeds.sources.fetch import backoff_delay

HOUR = 3600.0


class _Highest(random.Random):
    """Always draws the top of the range, exposing the exponential ceiling."""

    def uniform(self, a: float, b: float) -> float:
        return b


@pytest.mark.parametrize(("failures", "ceiling"), [(1, 60.0), (2, 120.0), (3, 240.0), (6, 1920.0)])
def test_ceiling_doubles_per_failure(failures: int, ceiling: float) -> None:
    assert backoff_delay(failures, None, rng=_Highest()) == ceiling


def test_ceiling_is_capped_even_after_many_failures() -> None:
    assert backoff_delay(10_000, None, rng=_Highest()) == 6 * HOUR


def test_delays_are_jittered_within_the_ceiling() -> None:
    rng = random.Random(1234)

    delays = [backoff_delay(4, None, rng=rng) for _ in range(50)]

    assert all(0.0 <= delay <= 480.0 for delay in delays)
    assert len(set(delays)) > 1


def test_retry_after_is_a_floor() -> None:
    rng = random.Random(99)

    assert all(backoff_delay(1, 900.0, rng=rng) >= 900.0 for _ in range(50))


def test_retry_after_is_capped_too() -> None:
    assert backoff_delay(1, 10 * 24 * HOUR, rng=random.Random(5)) == 6 * HOUR
    assert backoff_delay(1, 10 * HOUR, cap=2 * HOUR, rng=random.Random(5)) == 2 * HOUR


def test_no_failure_no_delay() -> None:
    assert backoff_delay(0, None) == 0.0
