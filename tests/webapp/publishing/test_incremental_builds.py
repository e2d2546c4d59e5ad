"""Feed builds write only the documents whose episodes changed, and what they write is what
a build from nothing writes, byte for byte, after every kind of catalogue edit."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from feeds.model import AlternateLink, ArchiveLinks, Item, LiveItem
from webapp import services
from webapp.catalog.models import Episode, MediaFile, Person
from webapp.catalog.operations import (
    Credit,
    add_media_file,
    delete_episode,
    get_show,
    update_episode,
    update_show,
)
from webapp.catalog.people import merge_people
from webapp.catalog.shows import rename_show
from webapp.publishing.feedcache import FeedCache
from webapp.publishing.kept_entries import KeptEntries
from webapp.publishing.publisher import Publisher

from factories import audio_file, make_episode, make_show, video_file

START = datetime(2024, 1, 1, tzinfo=UTC)


@pytest.fixture
def paged_app(app_config: dict[str, Any]) -> Any:
    """Ten talks in pages of three (two archive pages per format), one with video too,
    so the show also has audio-only and video-only feeds."""
    from webapp import create_app

    app = create_app({**app_config, "FEED_PAGE_SIZE": 3})
    # Builds keep all but the two newest entries, as they keep all but 64 of a large show.
    services.publisher(app).entries = KeptEntries(tail_keep=2, tail_limit=4)
    make_show(app)
    for n in range(10):
        media = [audio_file(n), video_file(n)] if n == 3 else [audio_file(n)]
        make_episode(
            app,
            title=f"Talk {n + 1}",
            published=START + timedelta(days=n),
            media=media,
            tags="Topology" if n % 2 else "",
        )
    yield app
    app.extensions["talkcast.engine"].dispose()


def _documents(cache: FeedCache) -> dict[str, bytes]:
    return {name: cache.read(name) or b"" for name in cache.names()}


def _from_nothing(app: Any, folder: Any) -> dict[str, bytes]:
    """Every document as a publisher with no kept state writes it, in a cache of its own."""
    cache = FeedCache(folder)
    with services.work(app) as session:
        Publisher(app.config, cache).rebuild(session, full=True)
    return _documents(cache)


def _pointers(app: Any) -> dict[str, tuple[int, int]]:
    root = services.feed_cache(app).root
    return {p.name[:-5]: (os.stat(p).st_ino, os.stat(p).st_mtime_ns) for p in root.glob("*.json")}


def test_one_new_episode_writes_only_subscription_documents(paged_app: Any, tmp_path: Any) -> None:
    before = _pointers(paged_app)
    assert "talks.archive-2.rss" in before and "talks.audio.archive-1.atom" in before
    publisher = services.publisher(paged_app)
    publisher.built = publisher.kept = 0
    partial = publisher.entries.partial_reads
    make_episode(paged_app, title="Talk 11", published=START + timedelta(days=11))
    assert publisher.entries.partial_reads > partial
    after = _pointers(paged_app)
    rewritten = {name for name in before if after.get(name) != before[name]}
    # The subscription documents of the show (its video-only feed too: its channel carries
    # the show's date), of "all" and of the speaker, in each format; no archive page.
    feeds = ("talks", "talks.audio", "talks.video", "all", "people--thesing-l")
    assert rewritten == {f"{feed}.{fmt}" for feed in feeds for fmt in ("rss", "atom", "json")}
    assert publisher.kept > 0
    assert _documents(services.feed_cache(paged_app)) == _from_nothing(paged_app, tmp_path / "n")


def _retitle_archived(session: Any) -> None:
    oldest = session.scalars(select(Episode).order_by(Episode.publish_at)).first()
    update_episode(session, oldest, title="Talk 1, retitled <b>& more</b>")


def _rename_person(session: Any) -> None:
    person = session.scalars(select(Person)).one()
    person.name = "Thesing, Laura"


def _merge_person(session: Any) -> None:
    oldest = session.scalars(select(Episode).order_by(Episode.publish_at)).first()
    from webapp.catalog.operations import Credit, set_credits

    set_credits(session, oldest, [Credit("Hansen, A", "guest")])
    session.flush()
    source = session.scalars(select(Person).where(Person.name == "Hansen, A")).one()
    target = session.scalars(select(Person).where(Person.name == "Thesing, L")).one()
    merge_people(session, source, target)


def _add_video_to_archived(session: Any) -> None:
    oldest = session.scalars(select(Episode).order_by(Episode.publish_at)).first()
    add_media_file(session, oldest, **video_file(42))


def _change_media(session: Any) -> None:
    media = session.scalars(select(MediaFile).order_by(MediaFile.id)).first()
    # The same length of URL: a change only a revision can tell.
    media.url = media.url.replace("media.", "mediX.")


def _await_copy(session: Any) -> None:
    media = session.scalars(select(MediaFile).order_by(MediaFile.id)).first()
    media.awaiting_download = True


def _delete_archived(session: Any) -> None:
    oldest = session.scalars(select(Episode).order_by(Episode.publish_at)).first()
    delete_episode(session, oldest)


def _uncredit_archived(session: Any) -> None:
    from webapp.catalog.operations import set_credits

    oldest = session.scalars(select(Episode).order_by(Episode.publish_at)).first()
    set_credits(session, oldest, [])


def _untag_archived(session: Any) -> None:
    tagged = session.scalars(
        select(Episode).where(Episode.tags != "").order_by(Episode.publish_at)
    ).first()
    update_episode(session, tagged, tags="")


def _rename_show(session: Any) -> None:
    rename_show(session, get_show(session, "talks"), "seminar")


def _show_language(session: Any) -> None:
    update_show(session, get_show(session, "talks"), language="fr")


EDITS: dict[str, Callable[[Any], None]] = {
    "retitle an archived talk": _retitle_archived,
    "rename a credited person": _rename_person,
    "merge two people": _merge_person,
    "add video to an archived talk": _add_video_to_archived,
    "change a media URL": _change_media,
    "wait for a media copy": _await_copy,
    "delete an archived talk": _delete_archived,
    "take the speaker off an archived talk": _uncredit_archived,
    "take the topic off an archived talk": _untag_archived,
    "change the show's slug": _rename_show,
    "change the show's language": _show_language,
}


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_every_edit_gives_the_documents_a_build_from_nothing_gives(
    paged_app: Any, tmp_path: Any, edit: str
) -> None:
    # The rebuild the edit's marks ask for (inline here), then one of every show.
    with services.work(paged_app) as session:
        EDITS[edit](session)
    assert _documents(services.feed_cache(paged_app)) == _from_nothing(paged_app, tmp_path / "a")
    services.rebuild_feeds(paged_app)
    built = _documents(services.feed_cache(paged_app))
    assert built == _from_nothing(paged_app, tmp_path / "nothing")


def test_new_talks_reach_only_their_peoples_and_topics_feeds(paged_app: Any, tmp_path: Any) -> None:
    """After a partial read, the feeds of the people and topics of the newest entries, as
    they are and as the last build read them, are rebuilt: a talk that leaves a topic or a
    person's list leaves its feed, though the feed's other talks are all archived."""
    from webapp.catalog.operations import set_credits

    with services.work(paged_app) as session:
        oldest = session.scalars(select(Episode).order_by(Episode.publish_at)).first()
        update_episode(session, oldest, tags="Knot theory")
        set_credits(session, oldest, [Credit("Hansen, A", "guest")])
    make_episode(
        paged_app,
        title="Talk 11",
        published=START + timedelta(days=11),
        tags="Knot theory",
        credits=[Credit("Hansen, A", "guest")],
    )
    publisher = services.publisher(paged_app)
    partial = publisher.entries.partial_reads
    with services.work(paged_app) as session:
        newest = session.scalars(select(Episode).order_by(Episode.publish_at.desc())).first()
        update_episode(session, newest, tags="Number theory")
        set_credits(session, newest, [Credit("Thesing, L", "guest")])
    assert publisher.entries.partial_reads > partial
    cache = services.feed_cache(paged_app)
    for feed in ("topics--knot-theory.rss", "people--hansen-a.rss"):
        document = cache.read(feed) or b""
        assert b"Talk 1<" in document and b"Talk 11" not in document
    make_episode(paged_app, title="Talk 12", published=START + timedelta(days=12))
    assert _documents(cache) == _from_nothing(paged_app, tmp_path / "nothing")


def test_a_new_view_count_is_not_a_new_item(paged_app: Any) -> None:
    with services.work(paged_app) as session:
        episode = session.scalars(select(Episode)).first()
        revision = episode.revision
        episode.views += 10
    with services.work(paged_app) as session:
        assert session.get(Episode, episode.id).revision == revision
        update_episode(session, session.get(Episode, episode.id), summary="New words")
    with services.work(paged_app) as session:
        assert session.get(Episode, episode.id).revision != revision


def test_the_operators_rebuild_writes_every_document(paged_app: Any) -> None:
    """A full rebuild does not trust what documents were built from."""
    publisher = services.publisher(paged_app)
    publisher.built = publisher.kept = 0
    services.rebuild_feeds(paged_app)
    assert publisher.built == 0 and publisher.kept > 0
    services.rebuild_feeds(paged_app, full=True)
    assert publisher.built == publisher.kept


def test_other_code_writes_every_document_again(paged_app: Any) -> None:
    """The inputs digest starts with the code's: a deployment with other feed code rebuilds
    everything once, even though no episode changed."""
    publisher = services.publisher(paged_app)
    publisher.build_key += "|other code"
    publisher.built = publisher.kept = 0
    services.rebuild_feeds(paged_app)
    assert publisher.kept == 0 and publisher.built > 0


def test_an_archive_pages_channel_is_the_one_made_for_it(paged_app: Any) -> None:
    """Archive pages take their channel from the subscription document's; it is the channel
    made for the page itself, live items and all settings included."""
    from webapp.publishing.publisher import _channel, archive_channel, feed_name

    publisher = services.publisher(paged_app)
    urls = publisher.urls
    with services.work(paged_app) as session:
        show = get_show(session, "talks")
        update_show(session, show, funding_url="https://give.example/", location="Cambridge")
        main, page = feed_name("talks", "rss", "audio"), feed_name("talks", "rss", "audio", 2)
        links = ArchiveLinks(urls.feed(main), urls.feed(page), None, True)
        alts = (AlternateLink(urls.feed("talks.audio.atom"), "application/atom+xml"),)
        common = (alts, "https://hub.example/", "https://x.example/art.png")
        live = (LiveItem(Item("g", "Live", "l", START, START), "pending", START, None),)
        subscription = _channel(
            show, urls, main, "audio", ArchiveLinks(urls.feed(main)), *common, live
        )
        made = _channel(show, urls, page, "audio", links, *common, ())
        assert archive_channel(subscription, show, urls, page, links) == made
