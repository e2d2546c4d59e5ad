"""Search across titles, speakers, descriptions and transcripts, on either database.

One table, ``search_documents``, holds each episode's text; the database indexes it:
SQLite with an FTS5 table kept in step by triggers, PostgreSQL with a generated
``tsvector`` column and a GIN index (both made by migration 0010). Both stem English
words (so "learning" finds "learn") and match the last letters typed as a prefix.
Names are forgiving: a query that finds nothing is tried again with each word replaced by
the closest speaker's name, when one is close.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from markupsafe import Markup, escape
from sqlalchemy import or_, select, text
from sqlalchemy.orm import Session, selectinload

from webapp.catalog.models import Episode, Person, SearchDocument
from webapp.catalog.text import html_to_text

# Marks around matched words in snippets; HTML-escaped text cannot contain them.
_START, _STOP = "\x01", "\x02"
_WORD = re.compile(r"\w+", re.UNICODE)
MAX_TERMS = 12
MAX_TRANSCRIPT = 200_000  # characters of a transcript that are indexed
# Episodes read at once by a refresh (within every database's limit of bound parameters).
CHUNK = 900

# Reads a stored transcript's text by storage key ('' when it cannot).
TranscriptReader = Callable[[str], str]


@dataclass(frozen=True)
class Hit:
    """One search result: the episode, and a snippet with the matched words marked."""

    episode: Episode
    snippet: Markup


@dataclass(frozen=True)
class Results:
    """A page of results; ``corrected`` is the query actually run when names were fixed."""

    hits: list[Hit]
    total: int
    corrected: str | None = None


def terms(query: str) -> list[str]:
    """The words of a query, lower-cased, at most ``MAX_TERMS``."""
    return [w.lower() for w in _WORD.findall(query)][:MAX_TERMS]


def _fingerprint(episode: Episode) -> str:
    parts = [
        episode.title,
        episode.summary,
        episode.description_html,
        "|".join(c.person.name for c in episode.credits),
        "|".join(
            a.storage_key or a.url or "" for a in episode.attachments if a.kind == "transcript"
        ),
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def refresh(
    session: Session,
    show_ids: Iterable[int] | None,
    read: TranscriptReader,
    candidates: Iterable[int] | None = None,
) -> int:
    """Bring the documents of these shows' episodes (all when None) up to date; returns how
    many were written. Only episodes whose text or transcript changed are read again.

    An episode whose revision (webapp/catalog/revisions.py) is the one its document was
    checked at is not even loaded: after one new episode in a large show, one row is read.
    ``candidates``, when the caller knows them, are the only public episodes that can have
    changed (a feed build's newest entries: publishing/kept_entries.py): they are looked at
    instead of every episode. Search finds public episodes only, and an episode that becomes
    public is among a later build's candidates.
    """
    unchecked = (
        select(Episode.id)
        .outerjoin(SearchDocument, SearchDocument.episode_id == Episode.id)
        .where(or_(SearchDocument.revision.is_(None), SearchDocument.revision != Episode.revision))
    )
    if show_ids is not None:
        unchecked = unchecked.where(Episode.show_id.in_(list(show_ids)))
    if candidates is None:
        # One pass over the episodes finds the few to look at; then those are read by id.
        ids = list(session.scalars(unchecked))
    else:
        chosen = sorted(candidates)
        ids = [
            i
            for at in range(0, len(chosen), CHUNK)
            for i in session.scalars(unchecked.where(Episode.id.in_(chosen[at : at + CHUNK])))
        ]
    written = 0
    for at in range(0, len(ids), CHUNK):
        written += _refresh_chunk(session, ids[at : at + CHUNK], read)
    # Documents of deleted episodes go with them: the foreign key cascades, on SQLite too
    # (db/engine.py turns foreign keys on for every connection).
    session.flush()
    return written


def _refresh_chunk(session: Session, ids: list[int], read: TranscriptReader) -> int:
    query = (
        select(Episode)
        .where(Episode.id.in_(ids))
        .options(selectinload(Episode.credits), selectinload(Episode.attachments))
    )
    # The documents of exactly those episodes, read once: most are checked and kept.
    documents = {
        d.episode_id: d
        for d in session.scalars(select(SearchDocument).where(SearchDocument.episode_id.in_(ids)))
    }
    written = 0
    for episode in session.scalars(query):
        fingerprint = _fingerprint(episode)
        document = documents.get(episode.id)
        if document is not None and document.fingerprint == fingerprint:
            document.revision = episode.revision
            continue
        transcript = " ".join(
            read(a.storage_key)
            for a in episode.attachments
            if a.kind == "transcript" and a.storage_key
        )
        if document is None:
            document = SearchDocument(episode_id=episode.id)
        document.fingerprint = fingerprint
        document.revision = episode.revision
        document.title = episode.title
        document.speakers = " ".join(c.person.name for c in episode.credits)
        document.description = html_to_text(episode.description_html) or episode.summary
        document.transcript = transcript[:MAX_TRANSCRIPT]
        session.add(document)
        written += 1
    return written


def search(
    session: Session, query: str, now: datetime, *, limit: int = 20, offset: int = 0
) -> Results:
    """Public episodes matching every word of ``query`` (the last ones as prefixes), best
    first."""
    words = terms(query)
    if not words:
        return Results([], 0)
    results = _run(session, words, now, limit, offset)
    if results.total == 0:
        fixed = _closest_names(session, words)
        if fixed != words:
            again = _run(session, fixed, now, limit, offset)
            return Results(again.hits, again.total, " ".join(fixed))
    return results


def _run(session: Session, words: list[str], now: datetime, limit: int, offset: int) -> Results:
    if session.get_bind().dialect.name == "postgresql":
        return _postgresql(session, words, now, limit, offset)
    return _sqlite(session, words, now, limit, offset)


_MARKS = re.compile(f"[{_START}{_STOP}]")
_MARKED = Markup("<mark>{}</mark>")


def _snippet(raw: str | None) -> Markup:
    """The snippet as safe HTML: its text escaped, the matched words in <mark>."""
    pieces = _MARKS.split(raw or "")
    # Marks come in pairs, so every second piece is a match.
    return Markup("").join(
        _MARKED.format(piece) if n % 2 else escape(piece) for n, piece in enumerate(pieces)
    )


def _results(session: Session, rows: Sequence[Any], total: int) -> Results:
    """Hits from (episode id, snippet) rows, in their order, with their episodes loaded."""
    query = (
        select(Episode)
        .where(Episode.id.in_([r[0] for r in rows]))
        .options(selectinload(Episode.show), selectinload(Episode.credits))
    )
    episodes = {e.id: e for e in session.scalars(query)}
    return Results([Hit(episodes[r[0]], _snippet(r[1])) for r in rows if r[0] in episodes], total)


def _sqlite(session: Session, words: list[str], now: datetime, limit: int, offset: int) -> Results:
    match = " ".join(f'"{w}"*' for w in words)
    base = (
        "FROM search_fts JOIN episodes e ON e.id = search_fts.rowid "
        "WHERE search_fts MATCH :match AND e.state IN ('published', 'scheduled') "
        "AND e.publish_at <= :now"
    )
    params = {"match": match, "now": now, "limit": limit, "offset": offset}
    total = session.execute(text(f"SELECT count(*) {base}"), params).scalar() or 0
    rows = session.execute(
        text(
            "SELECT search_fts.rowid, "
            f"snippet(search_fts, -1, '{_START}', '{_STOP}', ' … ', 24) "
            f"{base} ORDER BY bm25(search_fts, 10.0, 8.0, 3.0, 1.0), e.publish_at DESC "
            "LIMIT :limit OFFSET :offset"
        ),
        params,
    ).all()
    return _results(session, rows, int(total))


def _postgresql(
    session: Session, words: list[str], now: datetime, limit: int, offset: int
) -> Results:
    tsquery = " & ".join(f"{w}:*" for w in words)
    base = (
        "FROM search_documents d JOIN episodes e ON e.id = d.episode_id, "
        "to_tsquery('english', :q) query "
        "WHERE d.document @@ query AND e.state IN ('published', 'scheduled') "
        "AND e.publish_at <= :now"
    )
    params = {
        "q": tsquery,
        "now": now,
        "limit": limit,
        "offset": offset,
        "opts": f"StartSel={_START}, StopSel={_STOP}, MaxFragments=2, MaxWords=24, MinWords=8",
    }
    total = session.execute(text(f"SELECT count(*) {base}"), params).scalar() or 0
    rows = session.execute(
        text(
            # Angle brackets out, as in the index: the parser would take them for tags.
            "SELECT d.episode_id, ts_headline('english', regexp_replace("
            "d.title || ' — ' || d.speakers || ' — ' || d.description || ' ' || d.transcript, "
            "'[<>]', ' ', 'g'), query, :opts) "
            f"{base} ORDER BY ts_rank_cd(d.document, query) DESC, e.publish_at DESC "
            "LIMIT :limit OFFSET :offset"
        ),
        params,
    ).all()
    return _results(session, rows, int(total))


def _closest_names(session: Session, words: list[str]) -> list[str]:
    """Each word replaced by the closest word of a speaker's name, when one is close."""
    vocabulary = {
        w.lower() for (name,) in session.execute(select(Person.name)) for w in _WORD.findall(name)
    }
    fixed = []
    for word in words:
        if word in vocabulary or len(word) < 3:
            fixed.append(word)
            continue
        close = difflib.get_close_matches(word, vocabulary, n=1, cutoff=0.75)
        fixed.append(close[0] if close else word)
    return fixed
