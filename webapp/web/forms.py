"""Staff forms (Flask-WTF: each carries a CSRF token) and the parsing they share with the API.

Times in forms are ``datetime-local`` values in the institute's time zone (``TIMEZONE``); the
catalogue stores UTC.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from webapp.catalog.models import Episode, utcnow
from webapp.catalog.operations import EPISODE_TYPES, Credit
from webapp.uploads.staging import read_limited

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"
_CREDIT = re.compile(r"^(?P<name>.*?)\s*(?:\((?P<role>[A-Za-z][A-Za-z -]{0,40})\))?$")
PUBLISH_CHOICES = [
    SelectChoice("draft", "Save as a draft"),
    SelectChoice("now", "Publish now"),
    SelectChoice("schedule", "Schedule for the time below"),
]


def local_to_utc(value: datetime, tz: str) -> datetime:
    """A wall-clock time in the institute's zone as an aware UTC datetime."""
    return value.replace(tzinfo=ZoneInfo(tz)).astimezone(ZoneInfo("UTC"))


def utc_to_local(value: datetime | None, tz: str) -> datetime | None:
    """An aware datetime as a naive wall-clock time in the institute's zone, for forms."""
    return value.astimezone(ZoneInfo(tz)).replace(tzinfo=None) if value else None


def parse_time(value: str, tz: str) -> datetime:
    """An ISO 8601 time; one without an offset is read in the institute's zone."""
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise ValueError(f"'{value}' is not an ISO 8601 date and time") from exc
    return parsed.astimezone(ZoneInfo("UTC")) if parsed.tzinfo else local_to_utc(parsed, tz)


def parse_credits(text: str | list[Any]) -> list[Credit]:
    """People from lines like 'Ada Lovelace' or 'Ada Lovelace (host)'; the default role is guest."""
    entries = text if isinstance(text, list) else re.split(r"[\n;]", text)
    credits = []
    for entry in entries:
        if isinstance(entry, Mapping):
            name, role = str(entry.get("name", "")), str(entry.get("role") or "guest")
        else:
            match = _CREDIT.match(str(entry).strip())
            name, role = (match["name"], match["role"] or "guest") if match else ("", "")
        if name.strip():
            credits.append(Credit(name.strip(), role.strip().lower()))
    return credits


def format_credits(episode: Episode) -> str:
    """An episode's credits as the persons field shows them."""
    return "\n".join(
        c.person.name if c.role == "guest" else f"{c.person.name} ({c.role})"
        for c in episode.credits
    )


class MultiCheckboxField(SelectMultipleField):  # type: ignore[misc]
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class EpisodeFields(FlaskForm):  # type: ignore[misc]
    """What the new-episode and edit forms share."""

    title = StringField("Title", validators=[Optional(), Length(max=500)])
    description = TextAreaField(
        "Description", description="HTML allowed: paragraphs, links, emphasis, lists."
    )
    persons = TextAreaField(
        "Speakers and hosts",
        description="One per line. Add a role in brackets, e.g. 'Ada Lovelace (host)'.",
    )
    recorded = DateTimeLocalField("Recorded", format=LOCAL_FORMAT, validators=[Optional()])
    season = IntegerField("Season", validators=[Optional(), NumberRange(min=0, max=100000)])
    number = IntegerField("Episode number", validators=[Optional(), NumberRange(min=0, max=10**9)])
    explicit = BooleanField("Explicit content")
    episode_type = SelectField(
        "Episode type", choices=[SelectChoice(t, t.title()) for t in EPISODE_TYPES]
    )
    venue = StringField(
        "Where it was given",
        validators=[Optional(), Length(max=300)],
        description="e.g. Seminar Room 1, Isaac Newton Institute (podcast:location).",
    )
    soundbites = TextAreaField(
        "Soundbites",
        description="Parts worth hearing first, one per line: start, length, title, "
        "e.g. '12:30 0:45 Why stability matters'.",
    )
    links = TextAreaField(
        "Slides and links",
        description="One per line: a title, a bar, the address, e.g. "
        "'Slides (PDF) | https://example.org/slides.pdf'.",
    )
    social_uri = StringField(
        "Discussion thread",
        validators=[Optional(), Length(max=1000)],
        description="The post (e.g. on Mastodon) where listeners can comment.",
    )
    artwork = FileField("Artwork (JPEG or PNG, made square at 1400-3000 px)")
    transcript = FileField("Transcript (WebVTT or SRT)")
    chapters = FileField("Chapters (Podcasting 2.0 JSON)")
    upload_ids = HiddenField()

    def upload_id_list(self) -> list[str]:
        """The staged uploads the browser attached, in order, without repeats."""
        ids = [i.strip() for i in (self.upload_ids.data or "").split(",") if i.strip()]
        return list(dict.fromkeys(ids))

    def episode_changes(self, tz: str) -> dict[str, Any]:
        """Catalogue fields from the form (the title may be filled in later from tags)."""
        recorded = self.recorded.data
        changes: dict[str, Any] = {
            "description_html": self.description.data or "",
            "recorded_start": local_to_utc(recorded, tz) if recorded else None,
            "season": self.season.data,
            "number": self.number.data,
            "explicit": bool(self.explicit.data),
            "episode_type": self.episode_type.data,
            "venue": self.venue.data or None,
            "soundbites": self.soundbites.data or "",
            "social_uri": self.social_uri.data or None,
            "links": self.links.data or "",
        }
        if (self.title.data or "").strip():
            changes["title"] = self.title.data
        return changes


class NewEpisodeForm(EpisodeFields):
    """The upload form: a new episode with its media, in a show or collection."""

    show_id = SelectField("Show or collection", coerce=int, validators=[InputRequired()])
    publish = SelectField("Publish", choices=PUBLISH_CHOICES, default="draft")
    publish_at = DateTimeLocalField(
        "Publish at (institute time)", format=LOCAL_FORMAT, validators=[Optional()]
    )

    def validate_publish_at(self, field: DateTimeLocalField) -> None:
        if self.publish.data == "schedule":
            check_future(field.data, current_app.config["TIMEZONE"])


class EditEpisodeForm(EpisodeFields):
    """Change an episode's details, attachments and media."""

    remove_media = MultiCheckboxField("Remove these files", coerce=int)


class ScheduleForm(FlaskForm):  # type: ignore[misc]
    """Publish now (no time) or at a future time."""

    publish_at = DateTimeLocalField(
        "Publish at (institute time)", format=LOCAL_FORMAT, validators=[Optional()]
    )

    def validate_publish_at(self, field: DateTimeLocalField) -> None:
        if field.data is not None:
            check_future(field.data, current_app.config["TIMEZONE"])


def submitted_file(field: Any, limit: int, what: str) -> bytes | None:
    """The bytes of a file field's upload (at most ``limit``), or None if none was chosen."""
    storage = field.data
    if storage is None or not getattr(storage, "filename", None):
        return None
    return read_limited(storage.stream, limit, what)


class ConfirmForm(FlaskForm):  # type: ignore[misc]
    """A button that only needs the CSRF token (unpublish, delete)."""


def check_future(value: datetime | None, tz: str) -> None:
    """A schedule needs a time, and it must be ahead of now."""
    if value is None:
        raise ValidationError("Choose the date and time to publish at.")
    if local_to_utc(value, tz) <= utcnow():
        raise ValidationError("Choose a time in the future (or publish now).")
