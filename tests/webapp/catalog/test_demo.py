"""The demo catalogue carries the facts of the two published collection pages."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from webapp import services
from webapp.catalog.models import Episode, Show
from webapp.catalog.text import date_line

INI = "mathematics-of-deep-learning-and-data-science"
# (title, speaker, views, date line) as printed on the INI collection page.
INI_TALKS = [
    ("A Stable Learning Framework", "Thesing, L", 12, "Thursday 23rd May 2019 - 14:20 to 14:40"),
    (
        "Fundamental Limitations on Adversarial Robustness",
        "Fawzi, H",
        17,
        "Thursday 23rd May 2019 - 11:20 to 12:00",
    ),
    (
        "Meta Modelling and Deploying Machine Learning Software",
        "Lawrence, N",
        17,
        "Thursday 23rd May 2019 - 15:40 to 16:20",
    ),
    (
        "Privacy Preserving Machine Learning: A Human Imperative?",
        "Strohmer, T",
        22,
        "Thursday 23rd May 2019 - 14:40 to 15:20",
    ),
    (
        "Robustness and Geometry of Deep Neural Networks",
        "Fawzi, A",
        27,
        "Thursday 23rd May 2019 - 10:20 to 11:00",
    ),
    (
        "The Ethics of Algorithmic Decision Making",
        "Boon, J",
        16,
        "Thursday 23rd May 2019 - 12:00 to 12:40",
    ),
]


def test_ini_talks_as_published(demo_app):
    with services.work(demo_app) as session:
        show = session.scalar(select(Show).where(Show.slug == INI))
        assert show.title == "The Mathematics of Deep Learning and Data Science"
        assert show.institution == "Isaac Newton Institute for Mathematical Sciences"
        assert show.created_at == datetime(2019, 5, 28, 8, 42, tzinfo=UTC)  # 09:42 BST
        talks = {e.title: e for e in show.episodes}
        assert len(talks) == 6
        for title, speaker, views, line in INI_TALKS:
            talk = talks[title]
            assert [c.person.name for c in talk.credits] == [speaker]
            assert talk.views == views
            assert date_line(talk.recorded_start, talk.recorded_end, "Europe/London") == line
            assert talk.created_on == date(2019, 5, 28)
            assert talk.institution == "Isaac Newton Institute for Mathematical Sciences"


def test_talk_times_are_stored_in_utc(demo_app):
    with services.work(demo_app) as session:
        talk = session.scalar(select(Episode).where(Episode.title == "A Stable Learning Framework"))
        # 14:20 British Summer Time is 13:20 UTC.
        assert talk.recorded_start == datetime(2019, 5, 23, 13, 20, tzinfo=UTC)
        assert talk.recorded_end == datetime(2019, 5, 23, 13, 40, tzinfo=UTC)


def test_placeholder_recordings_last_as_long_as_the_talks(demo_app):
    with services.work(demo_app) as session:
        for talk in session.scalar(select(Show).where(Show.slug == INI)).episodes:
            (media,) = talk.media
            slot = (talk.recorded_end - talk.recorded_start).total_seconds()
            assert media.mime_type == "audio/mpeg"
            assert abs(media.duration - slot) < 1
            path = services.storage(demo_app).path(media.storage_key)
            assert path.stat().st_size == media.size


def test_plus_collection_items(demo_app):
    with services.work(demo_app) as session:
        show = session.scalar(
            select(Show).where(Show.slug == "learning-the-mathematics-of-the-deep")
        )
        titles = [e.title for e in sorted(show.episodes, key=lambda e: e.number)]
        assert titles[0] == "Opening the black box"
        assert "Maths in a minute: Gradient descent algorithms" in titles
        assert titles[-1] == "Artificial intelligence takes on COVID-19"
        assert len(titles) == 11
        assert all("machine learning" in e.tag_list for e in show.episodes)


def test_demo_loads_once(demo_app):
    from webapp.catalog.demo import load_demo

    with services.work(demo_app) as session:
        created = load_demo(session, services.storage(demo_app), "http://talkcast.test")
    assert created == 0


def test_ini_talks_are_numbered_in_programme_order_and_published_apart(demo_app):
    with services.work(demo_app) as session:
        show = session.scalar(select(Show).where(Show.slug == INI))
        assert show.show_type == "serial"
        talks = sorted(show.episodes, key=lambda e: e.number)
        assert [t.number for t in talks] == [1, 2, 3, 4, 5, 6]
        starts = [t.recorded_start for t in talks]
        assert starts == sorted(starts)
        assert talks[0].title == "Robustness and Geometry of Deep Neural Networks"  # 10:20
        published = [t.publish_at for t in talks]
        assert published == sorted(published) and len(set(published)) == 6


def test_no_two_demo_talks_share_a_media_file(demo_app):
    with services.work(demo_app) as session:
        keys = [m.storage_key for e in session.scalars(select(Episode)) for m in e.media]
    assert len(keys) == 6 and len(set(keys)) == 6
