"""Mutated upstream documents through every parser of feeds/sources: each gives items or a
SourceFormatError, never another exception or a hang."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from fuzzrun import Tally, case_count, fuzz, once_per_make_test
from fuzzseeds import MEDIA_PAGE, PAGE_TOKENS, XML_TOKENS, all_source_documents, source_seeds
from fuzzworker import Worker

pytestmark = once_per_make_test

# Cases per target: together the parsers take a few seconds of CPU; feedparser costs about
# 7 ms a case, the others under 2 ms.
CASES = 400
CASES_BY_KIND = {"rss": 250}


@pytest.mark.parametrize("kind", ["rss", "youtube", "talks-cam", "collection-page"])
@pytest.mark.parametrize("call", ["parse", "describe"])
def test_upstream_parsers_survive_mutated_documents(
    fuzz_worker: Worker,
    record_tally: Callable[[Tally], None],
    tmp_path: Path,
    call: str,
    kind: str,
) -> None:
    tokens = PAGE_TOKENS if kind == "collection-page" else XML_TOKENS
    cases = case_count(CASES_BY_KIND.get(kind, CASES))
    tally = fuzz(
        fuzz_worker,
        f"{call}:{kind}",
        cases,
        source_seeds(kind),
        tokens,
        foreign=all_source_documents(),
        keep=tmp_path,
    )
    record_tally(tally)
    assert tally.cases == cases
    assert not tally.failures, "\n\n".join(f.describe() for f in tally.failures)
    # The unmutated seed parses, so the target is really reached, not refused at the door.
    assert tally.results >= 1


def test_media_page_links_survive_mutated_pages(
    fuzz_worker: Worker, record_tally: Callable[[Tally], None], tmp_path: Path
) -> None:
    seeds = [MEDIA_PAGE, *source_seeds("collection-page")]
    tally = fuzz(
        fuzz_worker, "download_links", case_count(CASES), seeds, PAGE_TOKENS, keep=tmp_path
    )
    record_tally(tally)
    assert not tally.failures, "\n\n".join(f.describe() for f in tally.failures)
    assert tally.results >= 1
