"""Small builders for catalogue rows used across the web app tests."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from webapp import services
from webapp.catalog.models import utcnow
from webapp.catalog.operations import Credit, add_media_file, create_episode, create_show, get_show


def make_show(app: Any, slug: str = "talks", **fields: Any) -> int:
    """Create a show and return its id."""
    with services.work(app) as session:
        fields.setdefault("title", "Seminar talks")
        fields.setdefault("owner_email", "media@example.org")
        show = create_show(session, slug=slug, base_url=app.config["BASE_URL"], **fields)
        return show.id


def make_episode(
    app: Any,
    slug: str = "talks",
    title: str = "A Stable Learning Framework",
    *,
    media: list[dict[str, Any]] | None = None,
    published: datetime | None = None,
    state: str = "published",
    **fields: Any,
) -> int:
    """Create an episode (with external media rows) in show ``slug`` and return its id."""
    with services.work(app) as session:
        show = get_show(session, slug)
        assert show is not None
        fields.setdefault("credits", [Credit("Thesing, L", "guest")])
        episode = create_episode(
            session,
            show,
            title=title,
            state=state,
            publish_at=published or (utcnow() - timedelta(hours=1)),
            **fields,
        )
        for spec in media if media is not None else [audio_file()]:
            add_media_file(session, episode, **spec)
        return episode.id


def audio_file(n: int = 1, size: int = 1_234_567, duration: float = 1200.0) -> dict[str, Any]:
    """An external MP3 file row."""
    return {
        "kind": "audio",
        "url": f"https://media.example.org/{n}.mp3",
        "mime_type": "audio/mpeg",
        "size": size,
        "duration": duration,
    }


def video_file(n: int = 1, size: int = 98_765_432, duration: float = 1200.0) -> dict[str, Any]:
    """An external MP4 video file row."""
    return {
        "kind": "video",
        "url": f"https://media.example.org/{n}.mp4",
        "mime_type": "video/mp4",
        "size": size,
        "duration": duration,
        "width": 1280,
        "height": 720,
    }


def attach_file(
    app: Any, episode_id: int, kind: str, data: bytes, suffix: str, mime_type: str
) -> str:
    """Store a transcript or chapters file and attach it to an episode, as an upload would;
    its show's feeds (and search documents) follow. Returns the storage key."""
    from webapp.catalog.models import Attachment, Episode
    from webapp.db.engine import mark_show_changed

    key = services.storage(app).put_bytes(data, suffix).key
    with services.work(app) as session:
        episode = session.get(Episode, episode_id)
        assert episode is not None
        episode.attachments.append(Attachment(kind=kind, storage_key=key, mime_type=mime_type))
        episode.updated_at = utcnow()
        mark_show_changed(session, episode.show_id)
    return key
