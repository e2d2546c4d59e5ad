"""Read the media access logs from where the last run stopped and count what they hold.

The offsets and the counts are committed together, so a run that dies counts nothing twice
and loses nothing: the next run reads the same lines again.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from webapp.stats.counting import Counter, CountryLookup, Tally
from webapp.stats.logs import Position, hits, read_new
from webapp.stats.models import StatsLogOffset


def count_log(session: Session, path: Path, country: CountryLookup | None) -> Tally:
    """Count the lines added to one log since the last run, and move its offset on."""
    row = session.get(StatsLogOffset, str(path))
    last = Position(row.inode, row.offset) if row is not None else None
    lines, position = read_new(path, last)
    tally = Counter(session, country).count(hits(lines))
    if position is not None:
        if row is None:
            row = StatsLogOffset(path=str(path), inode=position.inode, offset=position.offset)
            session.add(row)
        row.inode, row.offset = position.inode, position.offset
    return tally
