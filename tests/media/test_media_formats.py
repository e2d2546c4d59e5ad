"""The fixed extension/MIME table (Apple's enclosure types plus our other assets)."""

from __future__ import annotations

import pytest

from media.formats import extension_for_mime, kind_of, mime_for_extension


@pytest.mark.parametrize(
    ("extension", "mime_type"),
    [
        (".mp3", "audio/mpeg"),
        (".m4a", "audio/x-m4a"),
        (".mp4", "video/mp4"),
        (".m4v", "video/x-m4v"),
        (".mov", "video/quicktime"),
        (".ogg", "audio/ogg"),
        (".oga", "audio/ogg"),
        (".opus", "audio/opus"),
        (".flac", "audio/flac"),
        (".wav", "audio/wav"),
        (".jpg", "image/jpeg"),
        (".png", "image/png"),
        (".vtt", "text/vtt"),
        (".srt", "application/x-subrip"),
        (".json", "application/json+chapters"),
    ],
)
def test_table(extension: str, mime_type: str) -> None:
    assert mime_for_extension(extension) == mime_type
    assert mime_for_extension(extension.upper().lstrip(".")) == mime_type


def test_canonical_extensions() -> None:
    assert extension_for_mime("audio/ogg") == ".ogg"
    assert extension_for_mime("video/quicktime") == ".mov"


def test_kinds() -> None:
    assert [kind_of(m) for m in ("audio/mpeg", "video/mp4", "image/png", "text/vtt")] == [
        "audio",
        "video",
        "image",
        "text",
    ]
    assert kind_of("application/json+chapters") == "chapters"


def test_unknown_extension() -> None:
    with pytest.raises(KeyError):
        mime_for_extension(".exe")
