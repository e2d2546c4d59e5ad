"""Podcasting 2.0 settings as staff type them: checked, normalised, refused with reasons."""

from __future__ import annotations

import pytest

from webapp.catalog.errors import CatalogError
from webapp.catalog.models import podcast_guid_for
from webapp.catalog.podcasting import (
    check_podroll,
    check_rrule,
    check_social_uri,
    check_soundbites,
    parse_podroll,
    parse_soundbites,
    seconds,
    social_protocol,
)


@pytest.mark.parametrize(
    ("text", "value"),
    [("73", 73), ("73.5", 73.5), ("1:13", 73), ("1:01:13", 3673), ("0:05.25", 5.25)],
)
def test_times_in_seconds_or_minutes(text, value):
    assert seconds(text) == value


def test_soundbites_read_and_normalised():
    text = "12:30 0:45 Why stability matters\n\n  600 30  \n"
    bites = parse_soundbites(text)
    assert [(b.start, b.duration, b.title) for b in bites] == [
        (750, 45, "Why stability matters"),
        (600, 30, ""),
    ]
    assert check_soundbites(text) == "750 45 Why stability matters\n600 30"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("12:30", "give a start and a duration"),
        ("ten 30 Title", "is not a time"),
        ("10 0 Nothing", "more than 0"),
        ("\n".join(f"{n} 5" for n in range(21)), "at most 20"),
    ],
)
def test_bad_soundbites_say_why(text, message):
    with pytest.raises(CatalogError, match=message):
        check_soundbites(text)


def test_podroll_by_url_guid_or_both():
    guid = "917393e3-1b1e-5cef-ace4-edaa54e1f810"
    text = f"https://plus.maths.org/podcast.rss\n{guid}\n{guid.upper()} https://e.org/f.xml\n"
    shows = parse_podroll(text)
    assert [(s.feed_guid, s.feed_url) for s in shows] == [
        (
            podcast_guid_for("https://plus.maths.org/podcast.rss"),
            "https://plus.maths.org/podcast.rss",
        ),
        (guid, None),
        (guid, "https://e.org/f.xml"),
    ]
    assert check_podroll(check_podroll(text)) == check_podroll(text)
    with pytest.raises(CatalogError, match="feed URL or a podcast:guid"):
        check_podroll("Maths on the Move")


def test_repeat_rules():
    assert check_rrule("rrule:freq=weekly;byday=TH") == "FREQ=WEEKLY;BYDAY=TH"
    assert check_rrule("") == ""
    for bad in ("weekly", "FREQ=SOMETIMES", "FREQ=WEEKLY;BYDAY=XX"):
        with pytest.raises(CatalogError, match="repeat rule"):
            check_rrule(bad)


def test_discussion_threads():
    assert check_social_uri("") is None
    assert check_social_uri(" https://mathstodon.xyz/@ini/1 ") == "https://mathstodon.xyz/@ini/1"
    with pytest.raises(CatalogError, match="http"):
        check_social_uri("javascript:alert(1)")
    assert social_protocol("https://mathstodon.xyz/@ini/1") == "activitypub"
    assert social_protocol("https://bsky.app/profile/ini/post/1") == "atproto"
    assert social_protocol("https://x.com/ini/status/1") == "twitter"
