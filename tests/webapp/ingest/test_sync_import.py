"""Importing from upstream sources served by a real local HTTP server, through the jobs the
scheduler runs, and reading the result back from the served feeds."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import feedparser
import pytest
from pytest_httpserver import HTTPServer
from sourcekit import (
    FIXTURE_FOR,
    Upstream,
    catalogue,
    make_due,
    new_source,
    runs,
    serve_kind,
    source_row,
)
from sqlalchemy import select
from werkzeug import Response

from feeds.sources import UpstreamItem, parse
from webapp import services
from webapp.catalog.models import Episode, EpisodeChange, MediaTask, Show, Source
from webapp.catalog.operations import get_show
from webapp.catalog.shows import edit_show
from webapp.ingest.sources import add_source, address_policy
from webapp.ingest.sync import sync_items
from webapp.jobs import tasks


@pytest.fixture
def server(httpserver_ipv4: HTTPServer) -> HTTPServer:
    """pytest-httpserver on 127.0.0.1."""
    return httpserver_ipv4


def feed_items(client, slug: str = "talks") -> dict[str, str]:
    """Title -> guid of every item in the served JSON Feed.

    Feed readers get every imported item; the podcast (RSS) feed only those with media.
    """
    response = client.get(f"/feeds/{slug}.json")
    assert response.status_code == 200
    return {i["title"]: i["id"] for i in response.json["items"]}


@pytest.mark.parametrize("kind", sorted(FIXTURE_FOR))
def test_new_items_appear_in_the_feed_after_one_scheduled_run(app, client, server, kind):
    upstream = serve_kind(server, kind)
    source_id = new_source(app, kind, upstream.url)
    expected = parse(kind, upstream.body, upstream.url)

    report = tasks.check_due_sources(app)

    assert (report.outcome, report.added, report.updated) == ("ok", len(expected), 0)
    titles = feed_items(client)
    assert sorted(titles) == sorted(i.title for i in expected)
    assert len(set(titles.values())) == len(expected)  # one GUID each
    (run,) = runs(app, "check_source")
    assert (run.source_id, run.outcome, run.added, run.error) == (
        source_id,
        "ok",
        len(expected),
        None,
    )
    source = source_row(app, source_id)
    assert source.etag == upstream.etag
    assert source.last_success_at is not None and source.next_check_at > source.last_success_at
    # The fetch was polite: it said who we are.
    assert upstream.requests[0]["User-Agent"] == app.config["USER_AGENT"]


def test_second_run_with_304_does_nothing(app, client, server):
    upstream = serve_kind(server, "talks-cam")
    source_id = new_source(app, "talks-cam", upstream.url)
    tasks.check_due_sources(app)
    before = catalogue(app)
    etag_before = client.get("/feeds/talks.rss").headers["ETag"]
    checked_before = source_row(app, source_id).last_checked_at
    make_due(app, source_id)

    report = tasks.check_due_sources(app)

    assert (report.outcome, report.added, report.updated) == ("ok", 0, 0)
    assert upstream.requests[-1]["If-None-Match"] == upstream.etag
    # A scheduled 304 writes only the source's check times; the poll's run row counts it.
    assert [r.outcome for r in runs(app, "check_source")] == ["ok"]
    assert report.error == "1 not modified, 0 unchanged"
    assert runs(app, "check_due_sources")[-1].error == report.error
    source = source_row(app, source_id)
    assert source.next_check_at > source.last_checked_at > checked_before
    assert catalogue(app) == before
    assert client.get("/feeds/talks.rss").headers["ETag"] == etag_before


def test_source_not_due_is_not_fetched(app, server):
    upstream = serve_kind(server, "rss")
    new_source(app, "rss", upstream.url)
    tasks.check_due_sources(app)

    tasks.check_due_sources(app)

    assert len(upstream.requests) == 1


def test_changed_item_updates_in_place_with_the_same_guid(app, client, server):
    upstream = serve_kind(server, "talks-cam")
    source_id = new_source(app, "talks-cam", upstream.url)
    tasks.check_due_sources(app)
    guids = feed_items(client)
    upstream.body = upstream.body.replace(
        b"Learning the mathematics of the deep", b"Learning the mathematics of deep networks"
    ).replace(b"Seminar Room 1, Newton Institute", b"Lecture Theatre, Newton Institute")
    make_due(app, source_id)

    report = tasks.check_due_sources(app)

    assert (report.added, report.updated) == (0, 1)
    after = feed_items(client)
    assert len(after) == 3
    assert (
        after["Learning the mathematics of deep networks"]
        == (guids["Learning the mathematics of the deep"])
    )
    with services.work(app) as session:
        episode = session.scalar(select(Episode).where(Episode.external_id == "98765"))
        assert episode.venue == "Lecture Theatre, Newton Institute"
        changes = session.scalars(
            select(EpisodeChange)
            .where(EpisodeChange.episode_id == episode.id)
            .order_by(EpisodeChange.id)
        ).all()
    assert [c.action for c in changes] == ["added", "updated"]
    assert json.loads(changes[1].changes) == {
        "title": [
            "Learning the mathematics of the deep",
            "Learning the mathematics of deep networks",
        ],
        "venue": ["Seminar Room 1, Newton Institute", "Lecture Theatre, Newton Institute"],
    }


def test_same_items_imported_twice_change_nothing(app, server):
    upstream = serve_kind(server, "rss")
    source_id = new_source(app, "rss", upstream.url)
    tasks.check_due_sources(app)
    before = catalogue(app)
    # A different document (whitespace, no validators) listing the very same items.
    upstream.body = upstream.body.replace(b"<channel>", b"<channel>\n\n")
    make_due(app, source_id)

    report = tasks.check_due_sources(app)

    assert (report.outcome, report.added, report.updated) == ("ok", 0, 0)
    assert catalogue(app) == before
    with services.work(app) as session:
        assert session.scalar(select(EpisodeChange.action).where(
            EpisodeChange.action != "added")) is None  # fmt: skip


def test_unchanged_bytes_without_validators_are_not_parsed_again(app, server):
    document = b'<?xml version="1.0"?><list><talk><id>1</id><title>One</title></talk></list>'
    upstream = Upstream(server, "/plain", document, "text/xml")
    # No ETag, no Last-Modified: only the body hash can tell nothing changed.
    upstream.override = lambda request: Response(document, content_type="text/xml")
    source_id = new_source(app, "talks-cam", upstream.url)
    tasks.check_due_sources(app)
    make_due(app, source_id)

    report = tasks.check_due_sources(app)

    assert [r.outcome for r in runs(app, "check_source")] == ["ok"]
    assert report.error == "0 not modified, 1 unchanged"
    assert len(upstream.requests) == 2


def test_item_gone_upstream_is_marked_not_deleted(app, client, server):
    upstream = serve_kind(server, "talks-cam")
    source_id = new_source(app, "talks-cam", upstream.url)
    tasks.check_due_sources(app)
    start = upstream.body.index(b"<talk>\n    <id>101200")
    end = upstream.body.index(b"</talk>", start) + len(b"</talk>")
    upstream.body = upstream.body[:start] + upstream.body[end:]
    make_due(app, source_id)

    report = tasks.check_due_sources(app)

    assert report.outcome == "ok"
    assert runs(app, "check_source")[-1].error == "1 marked as removed upstream"
    assert "Optimisation landscapes" in feed_items(client)  # staff decide, not the sync
    with services.work(app) as session:
        episode = session.scalar(select(Episode).where(Episode.external_id == "101200"))
        assert episode.upstream_removed is True
        actions = session.scalars(
            select(EpisodeChange.action).where(EpisodeChange.episode_id == episode.id)
        ).all()
    assert sorted(actions) == ["added", "removed"]


def test_youtube_videos_past_the_feed_window_are_not_removals(app, server):
    upstream = serve_kind(server, "youtube")
    source_id = new_source(app, "youtube", upstream.url)
    tasks.check_due_sources(app)
    # The channel feed only lists recent videos: the oldest one drops out of it.
    start = upstream.body.index(b"<entry>", upstream.body.index(b"Z_9yWq1LmN4") - 400)
    end = upstream.body.index(b"</entry>", start) + len(b"</entry>")
    assert b"Z_9yWq1LmN4" in upstream.body[start:end]
    upstream.body = upstream.body[:start] + upstream.body[end:]
    make_due(app, source_id)

    tasks.check_due_sources(app)

    with services.work(app) as session:
        flagged = session.scalars(select(Episode).where(Episode.upstream_removed.is_(True)))
        assert list(flagged) == []


def test_returning_item_clears_the_mark(app, server):
    upstream = serve_kind(server, "rss")
    source_id = new_source(app, "rss", upstream.url)
    tasks.check_due_sources(app)
    with services.work(app) as session:
        source = session.get(Source, source_id)
        items = parse("rss", upstream.body, upstream.url)
        result = sync_items(session, source, items[:1] + items[2:])
        assert len(result.removed) == 1
        again = sync_items(session, source, items)
        assert again.updated == result.removed


def test_a_check_fetches_only_the_source_and_queues_same_host_media(app, client, server):
    upstream = serve_kind(server, "rss")
    new_source(app, "rss", upstream.url)

    tasks.check_due_sources(app)

    root = ET.fromstring(client.get("/feeds/talks.rss").data)
    enclosures = {e.get("url"): e.get("length") for e in root.iter("enclosure")}
    # Another host's files stay where they are, as upstream lists them.
    assert enclosures["https://media.example/sarah-hart.mp3"] == "23664000"
    # A file on the source's own host waits for its copy (test_media_downloads fetches it).
    local = server.url_for("/media/opening-black-box.mp4")
    assert local not in enclosures
    with services.session_factory(app)() as session:
        queued = session.scalars(select(MediaTask.url).where(MediaTask.kind == "download"))
        assert list(queued) == [local]
    assert [r.path for r, _ in server.log] == ["/rss"]  # the check fetched only the source


def test_podcast_authors_are_hosts_and_speakers_guests(app, server):
    new_source(app, "rss", serve_kind(server, "rss").url)
    new_source(app, "talks-cam", serve_kind(server, "talks-cam").url, into="seminars")

    tasks.check_due_sources(app)

    with services.work(app) as session:
        roles = {
            (c.person.name, c.role) for e in session.scalars(select(Episode)) for c in e.credits
        }
    assert ("Rachel Thomas", "host") in roles
    assert ("Professor Jane Doe (University of Somewhere)", "guest") in roles


def test_over_long_upstream_values_fit_and_stay_idempotent(app, server):
    upstream = serve_kind(server, "rss")
    source_id = new_source(app, "rss", upstream.url)
    long_id = "https://example.org/talks/" + "x" * 700
    item = UpstreamItem(
        external_id=long_id,
        title="T" * 900,
        persons=("P" * 400,),
        description="First line\nsecond line\n\nA <b>second</b> paragraph? No: plain text & more",
        venue="V" * 400,
    )
    with services.work(app) as session:
        source = session.get(Source, source_id)
        first = sync_items(session, source, [item])
    with services.work(app) as session:
        source = session.get(Source, source_id)
        second = sync_items(session, source, [item])
        episode = session.get(Episode, first.added[0])
        assert len(episode.title) == 500 and len(episode.venue) == 300
        assert episode.external_id.startswith("sha256:")
        assert episode.credits[0].person.name == "P" * 300

    assert (len(first.added), second.added, second.updated, second.unchanged) == (1, [], [], 1)


def test_plain_text_descriptions_become_paragraphs(app, server):
    source_id = new_source(app, "collection-page", serve_kind(server, "collection-page").url)
    item = UpstreamItem(external_id="1", title="One", description="Line one\nline two\n\n1 < 2 & 3")
    with services.work(app) as session:
        result = sync_items(session, session.get(Source, source_id), [item])
        episode = session.get(Episode, result.added[0])
        assert episode.description_html == "<p>Line one<br>line two</p><p>1 &lt; 2 &amp; 3</p>"


@pytest.mark.parametrize("kind", ["youtube", "collection-page", "talks-cam"])
def test_imported_items_keep_their_upstream_page_in_every_format(app, client, server, kind):
    upstream = serve_kind(server, kind)
    new_source(app, kind, upstream.url)
    expected = {i.title: i.page_url for i in parse(kind, upstream.body, upstream.url)}
    assert expected and all(expected.values())

    tasks.check_due_sources(app)

    json_items = {i["title"]: i for i in client.get("/feeds/talks.json").json["items"]}
    atom = feedparser.parse(client.get("/feeds/talks.atom").data)
    related = {
        e.title: [link.href for link in e.links if link.rel == "related"] for e in atom.entries
    }
    for title, page in expected.items():
        assert json_items[title]["external_url"] == page
        assert page in json_items[title]["content_html"]
        assert related[title] == [page]
        episode_page = client.get(json_items[title]["url"].removeprefix("http://talkcast.test"))
        assert page in episode_page.get_data(as_text=True)
    if kind == "youtube":
        assert all("youtube.com/watch?v=" in page for page in expected.values())


@pytest.mark.parametrize(
    ("kind", "title", "link"),
    [
        ("rss", "Maths on the Move", "https://plus.maths.org/content/Podcast"),
        (
            "youtube",
            "INI Seminar Room 1",
            "https://www.youtube.com/channel/UCini0seminar0room0one0",
        ),
        ("talks-cam", "INI seminar series", "https://talks.cam.ac.uk/show/index/12345"),
        ("collection-page", "The Mathematics of Deep Learning and Data Science", None),
    ],
)
def test_a_show_made_by_sources_add_is_described_by_its_upstream(
    app, client, server, kind, title, link
):
    upstream = serve_kind(server, kind)
    new_source(app, kind, upstream.url, into="from-upstream")
    tasks.check_due_sources(app)

    channel = ET.fromstring(client.get("/feeds/from-upstream.atom").data)
    atom = "{http://www.w3.org/2005/Atom}"
    assert channel.findtext(f"{atom}title") == title
    with services.work(app) as session:
        show = session.scalar(select(Show).where(Show.slug == "from-upstream"))
        assert show.link == (link or upstream.url)
        if kind in ("rss", "talks-cam", "collection-page"):
            assert show.description_html and show.summary


def test_staff_settings_win_over_the_upstream(app, client, server):
    upstream = serve_kind(server, "talks-cam")
    source_id = new_source(app, "talks-cam", upstream.url, into="seminars")
    tasks.check_due_sources(app)
    with services.work(app) as session:
        edit_show(session, get_show(session, "seminars"), title="Our seminars")
    upstream.body = upstream.body.replace(b"INI seminar series", b"Renamed upstream")
    make_due(app, source_id)
    tasks.check_due_sources(app)
    with services.work(app) as session:
        assert get_show(session, "seminars").title == "Our seminars"


def test_a_show_titled_by_staff_at_sources_add_keeps_its_title(app, server):
    upstream = serve_kind(server, "youtube")
    with services.work(app) as session:
        add_source(
            session, kind="youtube", url=upstream.url, into="videos",
            base_url=app.config["BASE_URL"], show_title="Our videos",
            policy=address_policy(app.config),
        )  # fmt: skip
    tasks.check_due_sources(app)
    with services.work(app) as session:
        assert get_show(session, "videos").title == "Our videos"


def _png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (1500, 1500), "firebrick").save(out, "PNG")
    return out.getvalue()


def test_a_show_made_by_sources_add_takes_the_upstream_cover_art(app, client, server):
    page = serve_kind(server, "collection-page")
    server.expect_request("/image/2944180").respond_with_data(_png(), content_type="image/png")
    new_source(app, "collection-page", page.url, into="collection")
    tasks.check_due_sources(app)

    channel = ET.fromstring(client.get("/feeds/collection.rss").data).find("channel")
    itunes = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"
    art = channel.find(f"{itunes}image").get("href")
    assert art.startswith("http://talkcast.test/media/") and art.endswith(".jpg")
    assert client.get(art.removeprefix("http://talkcast.test")).status_code == 200


def test_cover_art_on_another_host_is_not_fetched(app, client, server):
    upstream = serve_kind(server, "rss")  # its image is on plus.maths.org
    new_source(app, "rss", upstream.url, into="plus")
    tasks.check_due_sources(app)
    with services.session_factory(app)() as session:
        assert get_show(session, "plus").artwork_key is None
    assert [r.path for r, _ in server.log] == ["/rss"]
