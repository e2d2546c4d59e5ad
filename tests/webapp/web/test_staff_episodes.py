"""Staff create, edit, schedule, unpublish and delete episodes through the forms."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from lxml import etree
from PIL import Image
from sqlalchemy import select
from staffkit import (
    MediaMaker,
    signed_in_staff,
    stored_files,
    token_for,
    upload,
)

from webapp import services
from webapp.catalog.models import Episode
from webapp.catalog.operations import get_show

from factories import make_show

PODCAST = "https://podcastindex.org/namespace/1.0"
ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
VTT = b"WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nWelcome to the talk.\n"
CHAPTERS = {"version": "1.2.0", "chapters": [{"startTime": 0, "title": "Introduction"}]}


@pytest.fixture(scope="session")
def media(tmp_path_factory):
    return MediaMaker(tmp_path_factory.mktemp("episode-media"))


@pytest.fixture
def staff(app):
    return signed_in_staff(app)


def png(width: int = 600, height: int = 400, colour: str = "navy") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "PNG")
    return out.getvalue()


def local_input(dt: datetime) -> str:
    """A datetime-local value in the institute's time zone."""
    return dt.astimezone(ZoneInfo("Europe/London")).strftime("%Y-%m-%dT%H:%M")


def episode_row(app, **where):
    with services.session_factory(app)() as session:
        query = select(Episode)
        for key, value in where.items():
            query = query.where(getattr(Episode, key) == value)
        episode = session.scalar(query)
        if episode is not None:
            _ = (episode.media, episode.attachments, episode.credits, episode.show)
        return episode


def rss_items(client, name="talks.rss"):
    return etree.fromstring(client.get(f"/feeds/{name}").data).findall("channel/item")


def create(app, client, media, *, publish="now", files=("cbr.mp3",), **fields):
    """Upload files by XHR as the page does, then submit the form; returns the response."""
    token = token_for(client, "/staff/episodes/new")
    ids = []
    for name in files:
        body = upload(client, media(name).read_bytes(), name, token).get_json()
        ids.append(body["upload_id"])
    with services.session_factory(app)() as session:
        show_id = get_show(session, "talks").id
    form = {
        "csrf_token": token,
        "show_id": show_id,
        "title": "Sphere packings",
        "persons": "Maryna Viazovska\nAda Lovelace (host)",
        "episode_type": "full",
        "publish": publish,
        "upload_ids": ",".join(ids),
        **fields,
    }
    return client.post("/staff/episodes/new", data=form, content_type="multipart/form-data")


def test_new_episode_with_every_field_reaches_the_feed(app, staff, media):
    response = create(
        app,
        staff,
        media,
        files=("cbr.mp3", "video.mp4"),
        description="<p>On <em>packings</em>.</p><script>alert(1)</script>",
        recorded="2024-07-01T14:30",
        season="2",
        number="7",
        explicit="y",
        episode_type="bonus",
        artwork=(io.BytesIO(png()), "cover.png"),
        transcript=(io.BytesIO(VTT), "talk.vtt"),
        chapters=(io.BytesIO(json.dumps(CHAPTERS).encode()), "chapters.json"),
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    episode = episode_row(app, title="Sphere packings")
    assert episode.state == "published"
    # 14:30 in London in July is 13:30 UTC.
    assert episode.recorded_start == datetime(2024, 7, 1, 13, 30, tzinfo=UTC)
    assert "<script>" not in episode.description_html
    assert [(c.person.name, c.role) for c in episode.credits] == [
        ("Maryna Viazovska", "guest"),
        ("Ada Lovelace", "host"),
    ]
    (item,) = rss_items(staff)
    assert item.findtext("guid") == episode.guid
    assert item.findtext(f"{{{PODCAST}}}season") == "2"
    assert item.findtext(f"{{{PODCAST}}}episode") == "7"
    assert item.findtext(f"{{{ITUNES}}}episodeType") == "bonus"
    assert item.findtext(f"{{{ITUNES}}}explicit") in ("true", "yes")
    assert item.find("enclosure").get("type") == "audio/mpeg"
    alternates = item.findall(f"{{{PODCAST}}}alternateEnclosure")
    assert [a.get("type") for a in alternates] == ["audio/mpeg", "video/mp4"]
    transcript = item.find(f"{{{PODCAST}}}transcript")
    assert transcript.get("type") == "text/vtt"
    assert transcript.get("rel") == "captions"
    chapters = item.find(f"{{{PODCAST}}}chapters")
    assert chapters.get("type") == "application/json+chapters"
    image = item.find(f"{{{ITUNES}}}image").get("href")
    base = "http://talkcast.test"
    # Each attachment is served with its type; the cover was made square and large enough.
    art = staff.get(image.removeprefix(base))
    assert art.mimetype == "image/jpeg"
    assert Image.open(io.BytesIO(art.data)).size == (1400, 1400)
    vtt = staff.get(transcript.get("url").removeprefix(base))
    assert (vtt.mimetype, vtt.data) == ("text/vtt", VTT)
    served = staff.get(chapters.get("url").removeprefix(base))
    assert served.mimetype == "application/json+chapters"
    assert json.loads(served.data)["chapters"][0]["title"] == "Introduction"


def test_drafts_stay_out_of_feeds_and_pages(app, staff, media):
    assert create(app, staff, media, publish="draft").status_code == 302
    episode = episode_row(app, title="Sphere packings")
    assert episode.state == "draft"
    assert rss_items(staff) == []
    assert b"Sphere packings" not in staff.get("/shows/talks").data
    assert staff.get(f"/shows/talks/{episode.slug}").status_code == 404
    assert b"Sphere packings" not in staff.get("/feeds/all.json").data


def test_scheduled_episode_waits_for_its_time(app, staff, media):
    when = (datetime.now(UTC) + timedelta(days=2)).replace(second=0, microsecond=0)
    response = create(app, staff, media, publish="schedule", publish_at=local_input(when))
    assert response.status_code == 302, response.get_data(as_text=True)
    episode = episode_row(app, title="Sphere packings")
    assert (episode.state, episode.publish_at) == ("scheduled", when)
    assert rss_items(staff) == []
    dashboard = staff.get("/staff/").get_data(as_text=True)
    assert "scheduled" in dashboard
    assert local_input(when).replace("T", " ") in dashboard
    # The feed knows when it goes stale: it is rebuilt on the first read after that time.
    assert services.feed_cache(app).get("talks.rss").stale_after == when.timestamp()


def test_schedule_in_the_past_is_refused(app, staff, media):
    past = datetime.now(UTC) - timedelta(hours=1)
    response = create(app, staff, media, publish="schedule", publish_at=local_input(past))
    assert response.status_code == 400
    assert "Choose a time in the future" in response.get_data(as_text=True)
    assert episode_row(app, title="Sphere packings") is None


def test_publishing_needs_a_media_file(app, staff, media):
    response = create(app, staff, media, files=())
    assert response.status_code == 400
    assert "at least one audio or video file" in response.get_data(as_text=True)


def edit_form(client, episode_id, **changes):
    token = token_for(client, f"/staff/episodes/{episode_id}/edit")
    form = {
        "csrf_token": token,
        "title": "Sphere packings",
        "persons": "Maryna Viazovska",
        "episode_type": "full",
        **changes,
    }
    return client.post(
        f"/staff/episodes/{episode_id}/edit", data=form, content_type="multipart/form-data"
    )


def test_edit_changes_fields_and_artwork_gets_a_new_url(app, staff, media):
    create(app, staff, media, artwork=(io.BytesIO(png()), "cover.png"))
    episode = episode_row(app, title="Sphere packings")
    page = staff.get(f"/staff/episodes/{episode.id}/edit").get_data(as_text=True)
    assert 'value="Sphere packings"' in page
    old_art = episode.artwork_key
    response = edit_form(
        staff,
        episode.id,
        title="Sphere packings in dimension 8",
        artwork=(io.BytesIO(png(colour="maroon")), "new-cover.png"),
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    edited = episode_row(app, id=episode.id)
    assert edited.title == "Sphere packings in dimension 8"
    assert edited.guid == episode.guid
    assert edited.artwork_key != old_art
    # The old cover is no longer used by anything, so it is gone; the new one is served.
    assert staff.get(f"/media/{old_art}").status_code == 404
    assert staff.get(f"/media/{edited.artwork_key}").status_code == 200
    (item,) = rss_items(staff)
    assert item.findtext("title") == "Sphere packings in dimension 8"
    assert item.findtext("guid") == episode.guid


def test_edit_adds_and_removes_media(app, staff, media):
    create(app, staff, media)
    episode = episode_row(app, title="Sphere packings")
    (old,) = episode.media
    token = token_for(staff, f"/staff/episodes/{episode.id}/edit")
    new = upload(staff, media("aac.m4a").read_bytes(), "talk.m4a", token).get_json()
    response = edit_form(staff, episode.id, upload_ids=new["upload_id"], remove_media=str(old.id))
    assert response.status_code == 302, response.get_data(as_text=True)
    (current,) = episode_row(app, id=episode.id).media
    assert current.mime_type == "audio/x-m4a"
    assert staff.get(f"/media/{old.storage_key}").status_code == 404
    assert rss_items(staff)[0].find("enclosure").get("type") == "audio/x-m4a"


def test_unpublish_and_publish_again(app, staff, media):
    create(app, staff, media)
    episode = episode_row(app, title="Sphere packings")
    edit_page = f"/staff/episodes/{episode.id}/edit"
    response = staff.post(
        f"/staff/episodes/{episode.id}/unpublish", data={"csrf_token": token_for(staff, edit_page)}
    )
    assert response.status_code == 302
    assert episode_row(app, id=episode.id).state == "unpublished"
    assert rss_items(staff) == []
    assert staff.get(f"/shows/talks/{episode.slug}").status_code == 404
    response = staff.post(
        f"/staff/episodes/{episode.id}/publish", data={"csrf_token": token_for(staff, edit_page)}
    )
    assert response.status_code == 302
    again = episode_row(app, id=episode.id)
    # Same GUID and first publication date: apps see the same episode come back.
    assert (again.state, again.guid, again.publish_at) == (
        "published",
        episode.guid,
        episode.publish_at,
    )
    assert [i.findtext("guid") for i in rss_items(staff)] == [episode.guid]


def test_schedule_from_the_edit_page(app, staff, media):
    create(app, staff, media, publish="draft")
    episode = episode_row(app, title="Sphere packings")
    when = (datetime.now(UTC) + timedelta(days=1)).replace(second=0, microsecond=0)
    token = token_for(staff, f"/staff/episodes/{episode.id}/edit")
    response = staff.post(
        f"/staff/episodes/{episode.id}/publish",
        data={"csrf_token": token, "publish_at": local_input(when)},
    )
    assert response.status_code == 302
    assert episode_row(app, id=episode.id).publish_at == when
    assert episode_row(app, id=episode.id).state == "scheduled"
    assert rss_items(staff) == []


def test_delete_asks_first_then_removes_rows_and_files(app, staff, media):
    create(app, staff, media, transcript=(io.BytesIO(VTT), "talk.vtt"))
    episode = episode_row(app, title="Sphere packings")
    confirm = staff.get(f"/staff/episodes/{episode.id}/delete")
    assert confirm.status_code == 200
    assert "Delete “Sphere packings”?" in confirm.get_data(as_text=True)
    assert episode_row(app, id=episode.id) is not None
    token = token_for(staff, f"/staff/episodes/{episode.id}/delete")
    response = staff.post(f"/staff/episodes/{episode.id}/delete", data={"csrf_token": token})
    assert response.status_code == 302
    assert episode_row(app, id=episode.id) is None
    assert stored_files(app) == []
    assert rss_items(staff) == []


def test_identical_uploads_share_a_file_until_the_last_episode_goes(app, staff, media):
    create(app, staff, media, title="First")
    create(app, staff, media, title="Second")
    first, second = episode_row(app, title="First"), episode_row(app, title="Second")
    assert first.media[0].storage_key == second.media[0].storage_key
    key = first.media[0].storage_key
    for episode, still_there in ((first, 200), (second, 404)):
        token = token_for(staff, f"/staff/episodes/{episode.id}/delete")
        staff.post(f"/staff/episodes/{episode.id}/delete", data={"csrf_token": token})
        assert staff.get(f"/media/{key}").status_code == still_there


def test_dashboard_lists_feeds_episodes_and_uploads(app, staff, media):
    make_show(app, "ini-talks", title="INI talks", kind="collection")
    create(app, staff, media)
    page = staff.get("/staff/").get_data(as_text=True)
    for url in ("/feeds/talks.rss", "/feeds/talks.atom", "/feeds/talks.json"):
        assert f'data-copy="http://talkcast.test{url}"' in page
    assert 'data-copy="http://talkcast.test/feeds/ini-talks.rss"' in page
    assert "Sphere packings" in page
    assert 'class="state state-published"' in page
    assert "cbr.mp3" in page  # recent uploads


def test_bad_artwork_is_refused_and_the_upload_waits_for_a_retry(app, staff, media):
    response = create(app, staff, media, artwork=(io.BytesIO(b"GIF89a not a cover"), "c.png"))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Artwork: Cover art must be a JPEG or PNG image" in page
    assert episode_row(app, title="Sphere packings") is None
    # The media file is still staged: the page lists it and the form keeps its id.
    upload_id = page.split('data-upload-id="')[1].split('"')[0]
    assert f'value="{upload_id}"' in page
    token = token_for(staff, "/staff/episodes/new")
    with services.session_factory(app)() as session:
        show_id = get_show(session, "talks").id
    form = {
        "csrf_token": token,
        "show_id": show_id,
        "title": "Sphere packings",
        "episode_type": "full",
        "publish": "now",
        "upload_ids": upload_id,
    }
    assert staff.post("/staff/episodes/new", data=form).status_code == 302
    assert len(episode_row(app, title="Sphere packings").media) == 1
