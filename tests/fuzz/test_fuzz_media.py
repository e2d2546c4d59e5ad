"""Mutated media, transcripts, chapters and artwork through media/: each gives a result or a
MediaError, never another exception or a hang."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from fuzzrun import Tally, case_count, fuzz, once_per_make_test
from fuzzseeds import (
    CHAPTERS,
    IMAGE_TOKENS,
    MEDIA_TOKENS,
    SRT,
    TEXT_TOKENS,
    VTT,
    image_seeds,
    media_seeds,
)
from fuzzworker import Worker

pytestmark = once_per_make_test


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> list[bytes]:
    return media_seeds(tmp_path_factory.mktemp("fuzz-media-seeds"))


def _check(tally: Tally, record: Callable[[Tally], None]) -> None:
    record(tally)
    assert not tally.failures, "\n\n".join(f.describe() for f in tally.failures)
    # The unmutated seed is accepted, so the target is really reached.
    assert tally.results >= 1


def test_probe_survives_mutated_media(
    fuzz_worker: Worker, record_tally: Callable[[Tally], None], tmp_path: Path, media: list[bytes]
) -> None:
    tally = fuzz(fuzz_worker, "probe", case_count(1000), media, MEDIA_TOKENS, keep=tmp_path)
    _check(tally, record_tally)


@pytest.mark.parametrize(
    ("target", "seeds"),
    [
        ("check_transcript", (VTT, SRT)),
        ("transcript_cues", (VTT, SRT)),
        ("check_chapters", (CHAPTERS,)),
        ("chapter_list", (CHAPTERS,)),
    ],
)
def test_text_assets_survive_mutated_files(
    fuzz_worker: Worker,
    record_tally: Callable[[Tally], None],
    tmp_path: Path,
    target: str,
    seeds: tuple[bytes, ...],
) -> None:
    tally = fuzz(
        fuzz_worker, target, case_count(600), seeds, TEXT_TOKENS, foreign=(VTT, SRT, CHAPTERS),
        keep=tmp_path,
    )  # fmt: skip
    _check(tally, record_tally)


@pytest.mark.parametrize(("target", "cases"), [("make_size", 300), ("prepare_artwork", 60)])
def test_artwork_survives_mutated_images(
    fuzz_worker: Worker,
    record_tally: Callable[[Tally], None],
    tmp_path: Path,
    target: str,
    cases: int,
) -> None:
    tally = fuzz(fuzz_worker, target, case_count(cases), image_seeds(), IMAGE_TOKENS, keep=tmp_path)
    _check(tally, record_tally)
