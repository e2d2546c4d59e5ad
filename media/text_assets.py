"""Check the text files published beside an episode: transcripts (WebVTT, SRT) and chapters."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any

from media.errors import UnsupportedMedia

_VTT_TIME = r"(?:\d{2,}:)?[0-5]\d:[0-5]\d\.\d{3}"
_VTT_TIMING = re.compile(rf"^{_VTT_TIME}[ \t]+-->[ \t]+{_VTT_TIME}(?:[ \t].*)?$", re.MULTILINE)
_SRT_TIME = r"\d{1,3}:[0-5]\d:[0-5]\d[,.]\d{1,3}"
_SRT_TIMING = re.compile(rf"^{_SRT_TIME}[ \t]*-->[ \t]*{_SRT_TIME}(?:[ \t].*)?$")
_CHAPTERS_VERSION = re.compile(r"1\.\d+(?:\.\d+)?")
# Optional chapter fields and the JSON types the Podcasting 2.0 spec gives them.
_CHAPTER_FIELDS: dict[str, tuple[type, ...]] = {
    "endTime": (int, float),
    "img": (str,),
    "url": (str,),
    "toc": (bool,),
    "location": (dict,),
}


@dataclass(frozen=True)
class TranscriptInfo:
    """The type a transcript is served as."""

    mime_type: str
    extension: str


def check_transcript(data: bytes) -> TranscriptInfo:
    """Accept a UTF-8 WebVTT or SRT transcript; UnsupportedMedia with the reason otherwise."""
    text = _decode(data, "transcript")
    if re.match(r"WEBVTT(?:[ \t\n]|$)", text):
        if not _VTT_TIMING.search(text):
            raise UnsupportedMedia("This WebVTT transcript has no cues (no '-->' timing lines).")
        return TranscriptInfo("text/vtt", ".vtt")
    blocks = [block for block in re.split(r"\n[ \t]*\n", text.strip()) if block.strip()]
    if not blocks:
        raise UnsupportedMedia("The transcript is empty.")
    for number, block in enumerate(blocks, start=1):
        lines = block.split("\n")
        if (
            len(lines) < 2
            or not lines[0].strip().isdigit()
            or not _SRT_TIMING.match(lines[1].strip())
        ):
            if number == 1:
                raise UnsupportedMedia(
                    "A transcript must be WebVTT (starting with 'WEBVTT') or SRT "
                    "(numbered cues with 'hh:mm:ss,mmm --> hh:mm:ss,mmm' timings)."
                )
            raise UnsupportedMedia(f"SRT cue {number} is not a number followed by a timing line.")
    return TranscriptInfo("application/x-subrip", ".srt")


def check_chapters(data: bytes) -> bytes:
    """Validate Podcasting 2.0 JSON chapters and return them as compact UTF-8 JSON."""
    text = _decode(data, "chapters file")
    try:
        doc = json.loads(text, parse_constant=_reject_constant)
    except (json.JSONDecodeError, ValueError) as exc:
        raise UnsupportedMedia(f"The chapters file is not valid JSON: {exc}") from exc
    except RecursionError as exc:
        # json gives up on arrays or objects nested about a thousand deep; no chapters are.
        raise UnsupportedMedia("The chapters file is nested too deeply to be chapters.") from exc
    if not isinstance(doc, dict):
        raise UnsupportedMedia(
            "The chapters file must be a JSON object with 'version' and 'chapters'."
        )
    version = doc.get("version")
    if not isinstance(version, str) or not _CHAPTERS_VERSION.fullmatch(version):
        raise UnsupportedMedia("The chapters file needs a 'version' such as \"1.2.0\".")
    chapters = doc.get("chapters")
    if not isinstance(chapters, list) or not chapters:
        raise UnsupportedMedia("The chapters file needs a non-empty 'chapters' list.")
    for number, chapter in enumerate(chapters, start=1):
        _check_chapter(number, chapter)
    # Apps read chapters in order; a stable sort keeps equal start times as written.
    doc["chapters"] = sorted(chapters, key=lambda chapter: chapter["startTime"])
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _check_chapter(number: int, chapter: Any) -> None:
    if not isinstance(chapter, dict):
        raise UnsupportedMedia(f"Chapter {number} must be a JSON object.")
    start = chapter.get("startTime")
    if not _is_time(start):
        raise UnsupportedMedia(f"Chapter {number} needs a 'startTime' in seconds (0 or more).")
    if not isinstance(chapter.get("title"), str):
        raise UnsupportedMedia(f"Chapter {number} needs a 'title' string.")
    for name, types in _CHAPTER_FIELDS.items():
        if name in chapter and not _has_type(chapter[name], types):
            raise UnsupportedMedia(f"Chapter {number} has an invalid '{name}'.")
    if "endTime" in chapter and not (_is_time(chapter["endTime"]) and chapter["endTime"] >= start):
        raise UnsupportedMedia(f"Chapter {number} ends before it starts.")


def _is_time(value: Any) -> bool:
    return _has_type(value, (int, float)) and math.isfinite(value) and value >= 0


def _has_type(value: Any, types: tuple[type, ...]) -> bool:
    # bool is an int in Python but not a number in JSON.
    if isinstance(value, bool) and bool not in types:
        return False
    return isinstance(value, types)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed in JSON")


def _decode(data: bytes, what: str) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnsupportedMedia(f"The {what} must be UTF-8 text.") from exc
    if "\x00" in text:
        raise UnsupportedMedia(f"The {what} is not text (it contains NUL bytes).")
    return text.replace("\r\n", "\n").replace("\r", "\n")


_CUE_TAG = re.compile(r"<[^>\n]*>")
_CUE_TIMING = re.compile(
    r"^\s*(?P<start>(?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})\s*-->\s*"
    r"(?P<end>(?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})"
)


@dataclass(frozen=True)
class Cue:
    """One timed piece of a transcript: seconds from the start, and what is said."""

    start: float
    end: float
    text: str


def _seconds(stamp: str) -> float:
    parts = stamp.replace(",", ".").split(":")
    return float(sum(float(p) * 60**n for n, p in enumerate(reversed(parts))))


def transcript_cues(data: bytes, limit: int = 20_000) -> list[Cue]:
    """The cues of a WebVTT or SRT transcript, in order, without the header, cue numbers,
    notes or voice tags; at most ``limit``. Undecodable input gives no cues."""
    try:
        text = _decode(data, "transcript")
    except UnsupportedMedia:
        return []
    cues: list[Cue] = []
    for block in re.split(r"\n[ \t]*\n", text):
        lines = [line.strip() for line in block.strip().split("\n")]
        head = lines[0] if lines else ""
        if not head or head.startswith(("WEBVTT", "NOTE", "STYLE", "REGION")):
            continue
        for n, line in enumerate(lines):
            timing = _CUE_TIMING.match(line)
            if timing is None:
                continue
            words = " ".join(_CUE_TAG.sub("", x) for x in lines[n + 1 :] if x).strip()
            if words:
                start, end = _seconds(timing["start"]), _seconds(timing["end"])
                cues.append(Cue(start, end, words))
            break
        if len(cues) >= limit:
            break
    return cues


def transcript_text(data: bytes) -> str:
    """The words of a WebVTT or SRT transcript, for search: cue text only."""
    return " ".join(cue.text for cue in transcript_cues(data))


@dataclass(frozen=True)
class Chapter:
    """A chapter of an episode: where it starts (seconds) and its title."""

    start: float
    title: str


def chapter_list(data: bytes) -> list[Chapter]:
    """The chapters of a Podcasting 2.0 chapters file in order, leaving out the ones marked
    ``"toc": false``; a file that is not valid chapters gives none."""
    try:
        doc = json.loads(check_chapters(data))
    except UnsupportedMedia:
        return []
    return [
        Chapter(float(c["startTime"]), str(c.get("title", "")))
        for c in doc["chapters"]
        if c.get("toc", True) is not False
    ]
