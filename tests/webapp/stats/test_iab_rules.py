"""The counting rules on their own: bots, app names, listener hashes, the one-minute mark."""

from __future__ import annotations

import pytest

from webapp.stats.iab import (
    FALLBACK_MINUTE_BYTES,
    app_name,
    covered,
    is_bot,
    listener_id,
    merge,
    minute_bytes,
    parse_content_range,
)


@pytest.mark.parametrize(
    "ua",
    [
        "Googlebot/2.1 (+http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        "curl/8.0.1",
        "",
        "   ",
    ],
)
def test_bots_and_blank_agents_are_not_listeners(ua):
    assert is_bot(ua)


@pytest.mark.parametrize(
    ("ua", "app"),
    [
        ("AntennaPod/3.4.0", "AntennaPod"),
        ("Podcasts/1580.1 CFNetwork/1404.0.5 Darwin/22.3.0", "Podcasts"),
        ("gPodder/3.11.1 (+http://gpodder.org/) Linux", "gPodder"),
        ("Spotify/8.6.0 iOS/16.0", "Spotify"),
        ("something nobody knows", "Other"),
    ],
)
def test_apps_are_named_by_ua_parser(ua, app):
    assert not is_bot(ua)
    assert app_name(ua) == app


def test_a_listener_is_ip_and_app_for_one_salt():
    one = listener_id("salt-of-monday", "10.0.0.1", "AntennaPod/3.4.0")
    assert one == listener_id("salt-of-monday", "10.0.0.1", "AntennaPod/3.4.0")
    assert one != listener_id("salt-of-monday", "10.0.0.1", "Podcasts/1580.1")
    assert one != listener_id("salt-of-monday", "10.0.0.2", "AntennaPod/3.4.0")
    # Another day, another salt: the same person cannot be followed across days.
    assert one != listener_id("salt-of-tuesday", "10.0.0.1", "AntennaPod/3.4.0")
    assert "10.0.0.1" not in one and len(one) == 32


def test_a_minute_of_bytes():
    assert minute_bytes(600_000, 150.0) == 240_000
    assert minute_bytes(100_000, 30.0) == 100_000  # shorter than a minute: the whole file
    assert minute_bytes(50_000_000, None) == FALLBACK_MINUTE_BYTES
    assert minute_bytes(0, 60.0) == 0


def test_ranges_merge_and_count_distinct_bytes():
    assert merge([(100, 200), (0, 2), (150, 300), (300, 310), (500, 500)]) == [
        (0, 2),
        (100, 310),
    ]
    assert covered([(0, 100), (50, 150), (0, 100)]) == 150


@pytest.mark.parametrize(
    ("header", "start"),
    [("bytes 0-1/600000", 0), ("bytes 100000-199999/600000", 100000), ("", None), ("x", None)],
)
def test_content_range_start(header, start):
    assert parse_content_range(header) == start
