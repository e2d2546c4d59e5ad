"""Search finds public talks by title, speaker, description and transcript words, on SQLite
(FTS5) and PostgreSQL (tsvector): stemmed, prefixed, ranked, marked, paged, forgiving of
misspelt names."""

from __future__ import annotations

from datetime import timedelta

from webapp import services
from webapp.catalog.models import Episode, utcnow
from webapp.catalog.search import search

from factories import attach_file, make_episode, make_show

VTT = (
    "WEBVTT\n\n00:00:00.000 --> 00:00:04.000\n"
    "Today we look at the quasicrystal and its diffraction pattern.\n"
)


def _with_transcript(app, episode_id: int, text: str) -> None:
    attach_file(app, episode_id, "transcript", text.encode(), ".vtt", "text/vtt")


def _titles(app, query: str, **kwargs) -> list[str]:
    with services.work(app) as session:
        return [h.episode.title for h in search(session, query, utcnow(), **kwargs).hits]


def test_finds_by_every_kind_of_text(app):
    make_show(app)
    make_episode(
        app,
        title="A Stable Learning Framework",
        description_html="<p>Why deep networks are unstable.</p>",
    )
    make_episode(app, title="Sphere packings", credits=[])
    tiling = make_episode(app, title="Aperiodic tilings")
    _with_transcript(app, tiling, VTT)
    assert _titles(app, "sphere") == ["Sphere packings"]
    assert sorted(_titles(app, "thesing")) == ["A Stable Learning Framework", "Aperiodic tilings"]
    assert _titles(app, "unstable networks") == ["A Stable Learning Framework"]
    assert _titles(app, "quasicrystal") == ["Aperiodic tilings"]  # a word said in the talk
    assert _titles(app, "learn") == ["A Stable Learning Framework"]  # stemmed
    assert _titles(app, "quasicr") == ["Aperiodic tilings"]  # the last word as a prefix
    assert _titles(app, "sphere quasicrystal") == []  # every word must match


def test_title_matches_rank_above_transcript_matches(app):
    make_show(app)
    spoken = make_episode(app, title="Aperiodic tilings", published=utcnow() - timedelta(hours=1))
    _with_transcript(app, spoken, VTT.replace("quasicrystal", "diffraction diffraction"))
    make_episode(app, title="Diffraction", published=utcnow() - timedelta(days=3))
    assert _titles(app, "diffraction") == ["Diffraction", "Aperiodic tilings"]


def test_snippets_mark_matches_and_escape_everything_else(app):
    make_show(app)
    make_episode(
        app, title="Tilings", description_html="<p>Penrose &lt;script&gt; tilings and kites</p>"
    )
    with services.work(app) as session:
        (hit,) = search(session, "kites", utcnow()).hits
    assert "<mark>kites</mark>" in hit.snippet
    assert "<script>" not in hit.snippet and "script" in hit.snippet


def test_only_public_episodes_and_deleted_ones_go(app):
    make_show(app)
    make_episode(app, title="Draft on tilings", state="draft")
    make_episode(
        app, title="Future tilings", state="scheduled", published=utcnow() + timedelta(days=1)
    )
    gone = make_episode(app, title="Old tilings")
    assert _titles(app, "tilings") == ["Old tilings"]
    with services.work(app) as session:
        from webapp.catalog.operations import delete_episode

        delete_episode(session, session.get(Episode, gone))
    assert _titles(app, "tilings") == []


def test_a_misspelt_name_finds_the_speaker(app):
    make_show(app)
    make_episode(app, title="Sphere packings", credits=[])
    make_episode(app, title="A Stable Learning Framework")
    with services.work(app) as session:
        results = search(session, "Thesign", utcnow())
    assert [h.episode.title for h in results.hits] == ["A Stable Learning Framework"]
    assert results.corrected == "thesing"


def test_results_are_paged(app):
    make_show(app)
    for n in range(25):
        make_episode(app, title=f"Tilings part {n}", published=utcnow() - timedelta(hours=n + 1))
    with services.work(app) as session:
        first = search(session, "tilings", utcnow(), limit=20)
        second = search(session, "tilings", utcnow(), limit=20, offset=20)
    assert first.total == second.total == 25
    assert len(first.hits) == 20 and len(second.hits) == 5
    assert not {h.episode.id for h in first.hits} & {h.episode.id for h in second.hits}


def test_unchanged_episodes_are_not_read_again(app):
    from webapp.catalog.search import refresh

    make_show(app)
    make_episode(app, title="Sphere packings")
    with services.work(app) as session:
        assert refresh(session, None, lambda key: "") == 0


def test_a_rebuild_that_read_only_the_newest_talks_looks_only_at_those(app, monkeypatch):
    """In a large show a rebuild reads only the newest public talks; search looks at those
    and finds what changed, among them talks that became public, and nothing else is read."""
    from webapp.catalog import search as search_module
    from webapp.publishing.kept_entries import KeptEntries

    publisher = services.publisher(app)
    publisher.entries = KeptEntries(tail_keep=2)
    make_show(app)
    start = utcnow() - timedelta(days=30)
    for n in range(6):
        make_episode(app, title=f"Talk {n}", published=start + timedelta(days=n))
    due = utcnow() + timedelta(seconds=1)
    make_episode(app, title="Scheduled quasicrystal talk", published=due, state="scheduled")
    looked_at: list[int] = []
    refresh_chunk = search_module._refresh_chunk

    def counting(session, ids, read):
        looked_at.extend(ids)
        return refresh_chunk(session, ids, read)

    monkeypatch.setattr(search_module, "_refresh_chunk", counting)
    partial = publisher.entries.partial_reads
    make_episode(app, title="Penrose tilings")
    assert publisher.entries.partial_reads > partial
    assert len(looked_at) == 1 and _titles(app, "penrose") == ["Penrose tilings"]
    with services.work(app) as session:
        earlier = session.query(Episode).filter_by(title="Talk 5").one()
        earlier.title = "Ammann bars"
    assert _titles(app, "ammann") == ["Ammann bars"]
    while utcnow() < due:
        pass
    services.rebuild_feeds(app, {earlier.show_id})
    assert _titles(app, "quasicrystal") == ["Scheduled quasicrystal talk"]


def test_search_page_and_api(app):
    make_show(app)
    make_episode(app, title="Sphere packings in dimension 8")
    client = app.test_client()
    page = client.get("/search?q=sphere").get_data(as_text=True)
    assert "1 result" in page and "Sphere packings in dimension 8" in page
    data = client.get("/api/v1/search?q=spher").get_json()
    assert data["total"] == 1
    assert data["results"][0]["url"].endswith("/shows/talks/sphere-packings-in-dimension-8")
    assert "<mark>" in data["results"][0]["snippet_html"]
    assert client.get("/search?q=sphere&page=0").status_code == 400
    assert "0 results" in client.get("/search?q=zzzz").get_data(as_text=True)
