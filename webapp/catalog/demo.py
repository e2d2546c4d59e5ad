"""The demo catalogue: two real collections, kept in the repo as ``data/demo_catalogue.json``.

Titles, speakers, talk times, views and dates are as published. The recordings themselves
are not in the repo, so each talk gets a generated silent MP3 of the talk's length, and each
collection a generated cover, both stored and probed like any upload.
"""

from __future__ import annotations

import io
import json
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from media.artwork import prepare_artwork
from media.placeholder import labelled_silent_mp3
from media.probe import probe
from media.storage import LocalStorage
from webapp.catalog.models import Show
from webapp.catalog.operations import Credit, add_media_file, create_episode, create_show

CATALOGUE = Path(__file__).resolve().parent / "data" / "demo_catalogue.json"


def _cover(title: str) -> bytes:
    """A plain 1400 px square cover with the collection's title."""
    img = Image.new("RGB", (1400, 1400), (20, 52, 94))
    draw = ImageDraw.Draw(img)
    font = ImageFont.load_default(size=84)
    words, lines, line = title.split(), [], ""
    for word in words:
        if len(line) + len(word) > 18:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    y = 700 - 55 * len(lines)
    for text in lines:
        draw.text((700, y), text, fill=(255, 255, 255), font=font, anchor="mm")
        y += 110
    out = io.BytesIO()
    img.save(out, "PNG")
    return prepare_artwork(out.getvalue()).data


def _local(value: str, tz: ZoneInfo) -> datetime:
    return datetime.fromisoformat(value).replace(tzinfo=tz)


def _store_placeholder(
    store: LocalStorage, seconds: float, title: str, speakers: str
) -> dict[str, Any]:
    stored = store.put_bytes(labelled_silent_mp3(seconds, title, speakers), ".mp3")
    info = probe(store.path(stored.key))
    return {
        "kind": info.kind,
        "storage_key": stored.key,
        "mime_type": info.mime_type,
        "size": info.size,
        "duration": info.duration,
        "bitrate": info.bitrate,
        "sha256": stored.sha256,
        "original_name": "placeholder.mp3",
    }


def load_demo(session: Session, store: LocalStorage, base_url: str, if_empty: bool = True) -> int:
    """Load the demo catalogue; returns the number of episodes created (0 if skipped)."""
    if if_empty and session.scalar(select(func.count()).select_from(Show)):
        return 0
    doc = json.loads(CATALOGUE.read_text(encoding="utf-8"))
    tz = ZoneInfo(doc["timezone"])
    created = 0
    for spec in doc["shows"]:
        cover = store.put_bytes(_cover(spec["title"]), ".jpg")
        show = create_show(
            session,
            slug=spec["slug"],
            title=spec["title"],
            base_url=base_url,
            kind=spec["kind"],
            summary=spec["summary"],
            description_html=spec["description_html"],
            institution=spec["institution"],
            location=spec["institution"],  # podcast:location: where the talks were given
            author=spec["author"],
            owner_name=spec["owner_name"],
            owner_email=spec["owner_email"],
            link=spec["link"],
            category=spec["category"],
            subcategory=spec["subcategory"],
            medium=spec["medium"],
            show_type="serial" if spec["kind"] == "collection" else "episodic",
            artwork_key=cover.key,
            created_at=_local(spec["created_at"], tz),
        )
        for item in spec["episodes"]:
            start = _local(item["start"], tz) if "start" in item else None
            end = _local(item["end"], tz) if "end" in item else None
            episode = create_episode(
                session,
                show,
                title=item["title"],
                summary=item.get("summary", ""),
                credits=[Credit(p["name"], p["role"]) for p in item.get("persons", [])],
                recorded_start=start,
                recorded_end=end,
                institution=item.get("institution"),
                views=item.get("views", 0),
                number=item.get("position"),
                tags=item.get("tags", []),
                created_on=date.fromisoformat(item["created_on"]) if "created_on" in item else None,
                state="published",
                publish_at=_local(item["published_at"], tz),
            )
            if item.get("placeholder_audio") and start and end:
                seconds = (end - start).total_seconds()
                speakers = "; ".join(p["name"] for p in item.get("persons", []))
                placeholder = _store_placeholder(store, seconds, item["title"], speakers)
                add_media_file(session, episode, **placeholder)
            created += 1
    return created
