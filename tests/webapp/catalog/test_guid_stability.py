"""GUIDs never change once published: not on edit, title change or rebuild."""

from __future__ import annotations

from datetime import UTC, datetime

from lxml import etree
from sqlalchemy import select

from webapp import services
from webapp.catalog.models import Episode, Show
from webapp.catalog.operations import Credit, set_credits, set_state, update_episode, update_show

from factories import make_episode, make_show

NS = {"podcast": "https://podcastindex.org/namespace/1.0"}


def _guids(client):
    doc = etree.fromstring(client.get("/feeds/talks.rss").data)
    return (
        doc.xpath("string(/rss/channel/podcast:guid)", namespaces=NS),
        [g.text for g in doc.xpath("/rss/channel/item/guid")],
    )


def test_editing_every_field_keeps_guids(app):
    make_show(app)
    episode_id = make_episode(app)
    client = app.test_client()
    channel_guid, (item_guid,) = _guids(client)
    assert channel_guid and item_guid

    with services.work(app) as session:
        episode = session.get(Episode, episode_id)
        update_episode(
            session,
            episode,
            title="A Completely New Title",
            summary="New summary",
            description_html="<p>New description</p>",
            recorded_start=datetime(2020, 1, 2, 10, 0, tzinfo=UTC),
            recorded_end=datetime(2020, 1, 2, 11, 0, tzinfo=UTC),
            institution="Elsewhere",
            venue="Room 2",
            source_url="https://example.org/talk",
            views=999,
            season=2,
            number=7,
            episode_type="bonus",
            explicit=True,
            tags=["new", "tags"],
        )
        set_credits(session, episode, [Credit("Someone, E", "host")])
        set_state(session, episode, "unpublished")
        set_state(session, episode, "published", datetime(2021, 1, 1, tzinfo=UTC))
        show = session.scalar(select(Show).where(Show.slug == "talks"))
        update_show(session, show, title="Renamed show", summary="Other", explicit=True)

    services.rebuild_feeds(app)
    new_channel_guid, (new_item_guid,) = _guids(client)
    assert b"A Completely New Title" in client.get("/feeds/talks.rss").data
    assert new_item_guid == item_guid
    assert new_channel_guid == channel_guid


def test_guid_is_not_derived_from_title(app):
    make_show(app)
    a = make_episode(app, title="Same title")
    b = make_episode(app, title="Same title")
    with services.work(app) as session:
        first, second = session.get(Episode, a), session.get(Episode, b)
        assert first.guid != second.guid
        assert first.slug != second.slug


def test_podcast_guid_is_uuid5_of_feed_url(app):
    import uuid

    make_show(app)
    with services.work(app) as session:
        show = session.scalar(select(Show).where(Show.slug == "talks"))
        expected = uuid.uuid5(
            uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6"), "talkcast.test/feeds/talks.rss"
        )
        assert show.podcast_guid == str(expected)
