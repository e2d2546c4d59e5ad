"""The staff form for a show's settings: every channel field a podcast host offers.

The form only collects; ``webapp.catalog.shows.check_settings`` decides what is valid, so
the API and the CLI refuse exactly what the form refuses.
"""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from webapp.catalog.models import Show
from webapp.catalog.shows import CATEGORIES, KINDS, SHOW_TYPES, STREAM_TYPES

# A category and its subcategory travel in one select value: "Science::Mathematics".
_SEP = "::"


def category_choices() -> list[SelectChoice]:
    """Apple's categories in option groups; each group offers the category and its subs."""
    return [
        SelectChoice(value, label, optgroup=name)
        for name, subs in CATEGORIES.items()
        for value, label in [(name, name)] + [(f"{name}{_SEP}{s}", f"{name} › {s}") for s in subs]
    ]


class ShowForm(FlaskForm):  # type: ignore[misc]
    """New and edited shows."""

    title = StringField("Title", validators=[InputRequired(), Length(max=500)])
    slug = StringField(
        "Slug",
        validators=[Length(max=120)],
        description="Part of every URL of the show. Changing it keeps the old URLs working "
        "(they redirect).",
    )
    kind = SelectField("Kind", choices=[SelectChoice(k, k.capitalize()) for k in KINDS])
    subtitle = StringField("Subtitle", validators=[Length(max=255)])
    description = TextAreaField(
        "Description", description="HTML allowed: paragraphs, headings, links, emphasis, lists."
    )
    artwork = FileField(
        "Cover art", description="JPEG or PNG; made square, 1400 to 3000 pixels, as Apple asks."
    )
    category = SelectField("Apple Podcasts category", choices=category_choices())
    language = StringField("Language", description="A code such as en or en-GB.")
    author = StringField("Author", validators=[Length(max=300)])
    owner_name = StringField("Owner name", validators=[Length(max=300)])
    owner_email = StringField(
        "Owner e-mail",
        validators=[Length(max=300)],
        description="Apple writes here to confirm who owns the podcast.",
    )
    hosts = TextAreaField(
        "Hosts", description="One per line; add a role in brackets, e.g. 'Ada Lovelace (editor)'."
    )
    explicit = BooleanField("Explicit content")
    show_type = SelectField(
        "Type",
        choices=[SelectChoice(t, t.capitalize()) for t in SHOW_TYPES],
        description="Serial: listened to in order (apps number the episodes).",
    )
    copyright = StringField("Copyright", validators=[Length(max=500)])
    license = StringField(
        "Licence", validators=[Length(max=300)], description="e.g. CC-BY-4.0 (an SPDX name)."
    )
    link = StringField("Website", description="The show's home page elsewhere, if any.")
    funding_url = StringField("Support link", description="Where listeners can support you.")
    funding_text = StringField("Support link text", validators=[Length(max=128)])
    location = StringField(
        "Location", validators=[Length(max=300)], description="e.g. the institute's name."
    )
    update_frequency = StringField(
        "How often new episodes come",
        validators=[Length(max=100)],
        description="Words for listeners, e.g. 'Weekly during term'.",
    )
    update_rrule = StringField(
        "The same as a repeat rule",
        validators=[Length(max=200)],
        description="For apps, e.g. FREQ=WEEKLY or FREQ=MONTHLY;BYDAY=1TU (RFC 5545).",
    )
    podroll = TextAreaField(
        "Recommended shows (podroll)",
        description="One per line: a feed URL, or a show's podcast:guid.",
    )
    txt_value = StringField(
        "Verification text (podcast:txt)",
        validators=[Length(max=4000)],
        description="A token a directory asked you to publish to prove you own the feed.",
    )
    txt_purpose = StringField(
        "Its purpose", validators=[Length(max=128)], description="e.g. verify, applepodcastsverify"
    )
    live_stream_url = StringField(
        "Live stream",
        description="Where talks are streamed as they happen. Announced talks are then listed "
        "in podcast apps as live items until their recording is published.",
    )
    live_stream_type = SelectField(
        "Live stream type",
        choices=[SelectChoice("", "none")] + [SelectChoice(t, t) for t in STREAM_TYPES],
        default="",
    )
    block = BooleanField("Hide from podcast directories (itunes:block)")
    complete = BooleanField("Complete: no more episodes will be added")
    new_feed_url = StringField(
        "New feed URL",
        description="Only when moving the podcast to another host: apps are told the new URL.",
    )
    feed_redirect = BooleanField(
        "Redirect the old feed to the new URL (301)",
        description="Do this once apps have had a few days to see the new URL.",
    )

    def settings(self) -> dict[str, Any]:
        """The form's values as show settings (slug and artwork are handled apart)."""
        category, _, sub = str(self.category.data or "").partition(_SEP)
        return {
            "title": self.title.data,
            "kind": self.kind.data,
            "subtitle": self.subtitle.data,
            "description_html": self.description.data,
            "category": category,
            "subcategory": sub or None,
            "language": self.language.data,
            "author": self.author.data,
            "owner_name": self.owner_name.data,
            "owner_email": self.owner_email.data,
            "hosts": self.hosts.data,
            "explicit": bool(self.explicit.data),
            "show_type": self.show_type.data,
            "copyright": self.copyright.data,
            "license": self.license.data,
            "link": self.link.data,
            "funding_url": self.funding_url.data,
            "funding_text": self.funding_text.data,
            "location": self.location.data,
            "block": bool(self.block.data),
            "complete": bool(self.complete.data),
            "update_frequency": self.update_frequency.data,
            "update_rrule": self.update_rrule.data,
            "podroll": self.podroll.data,
            "txt_value": self.txt_value.data,
            "txt_purpose": self.txt_purpose.data,
            "live_stream_url": self.live_stream_url.data,
            "live_stream_type": self.live_stream_type.data,
            "new_feed_url": self.new_feed_url.data,
            "feed_redirect": bool(self.feed_redirect.data),
        }


def initial(show: Show) -> dict[str, Any]:
    """A stored show as the form's starting values."""
    category = show.category + (f"{_SEP}{show.subcategory}" if show.subcategory else "")
    return {
        "title": show.title,
        "slug": show.slug,
        "kind": show.kind,
        "subtitle": show.subtitle,
        "description": show.description_html,
        "category": category,
        "language": show.language,
        "author": show.author,
        "owner_name": show.owner_name,
        "owner_email": show.owner_email,
        "hosts": show.hosts,
        "explicit": show.explicit,
        "show_type": show.show_type,
        "copyright": show.copyright or "",
        "license": show.license,
        "link": show.link or "",
        "funding_url": show.funding_url or "",
        "funding_text": show.funding_text,
        "location": show.location,
        "block": show.block,
        "complete": show.complete,
        "update_frequency": show.update_frequency,
        "update_rrule": show.update_rrule,
        "podroll": show.podroll,
        "txt_value": show.txt_value,
        "txt_purpose": show.txt_purpose,
        "live_stream_url": show.live_stream_url or "",
        "live_stream_type": show.live_stream_type,
        "new_feed_url": show.new_feed_url or "",
        "feed_redirect": show.feed_redirect,
    }


NEW_SHOW_DEFAULTS = {"kind": "podcast", "category": "Science", "language": "en"}
