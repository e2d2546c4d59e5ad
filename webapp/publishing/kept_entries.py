"""Every public episode as the last build read it, so the next build reads only the newest.

A rebuild needs all public episodes as entries (entries.py); reading 10,000 of them was a
third of a rebuild after one new talk. New talks are the newest, so the entries published
before a cutoff are kept between builds, and each build asks the database one aggregate
about that older part: how many public episodes were published before the cutoff, and two
sums of their revisions. Equal figures mean the same episodes at the same revisions (a
revision is random and replaced by every change an entry is made of: revisions.py), and
only the episodes published at or after the cutoff are read. Any difference (an archived
talk edited, deleted, unpublished or moved in time) reads everything again.

Sound under concurrent writers: the database is asked on every build, nothing depends on a
writer having told this process, and a write committed after the question marks its shows
for another build (marks.py), which asks again.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import and_, func, literal_column, select
from sqlalchemy.orm import Session

from webapp.catalog.models import Episode
from webapp.catalog.operations import public_filter
from webapp.publishing.entries import Entry, read_entries

# A revision is 62 bits: its low 31 and high 31 bits are summed apart, so that neither sum
# can overflow a 64-bit integer in the database.
LOW_BITS = 31
LOW_MASK = (1 << LOW_BITS) - 1
# The newest entries read on every build: at least this many after a cut...
TAIL_KEEP = 64
# ... and a cut again once new episodes have made it this long.
TAIL_LIMIT = 1024

Sums = tuple[int, int, int]
T = TypeVar("T")


def revision_sums(entries: list[Entry]) -> Sums:
    """What the database's aggregate says of the same episodes (count and two sums)."""
    low = sum(e.revision & LOW_MASK for e in entries)
    high = sum(e.revision >> LOW_BITS for e in entries)
    return len(entries), low, high


class PublicEntries(list[Entry]):
    """Every public episode, newest first, as one build read it: the entries read from the
    database, then the kept older ones. What a build derives from the older part (a show's
    episodes, the topics) is kept with that part, so a build after one new episode does not
    go through all of them again."""

    def __init__(
        self,
        newer: list[Entry],
        older: list[Entry],
        memo: dict[Hashable, Any],
        affected: list[Entry] | None = None,
    ) -> None:
        super().__init__(newer)
        self.extend(older)
        self.newer, self._older, self._memo = newer, older, memo
        # When only the newer entries were read: the entries that may have changed since the
        # build before (its newer ones and these), the only ones whose people's and topics'
        # feeds can differ. None after a whole read: anything may have changed.
        self.affected = affected

    def where(self, key: Hashable, keep: Callable[[Entry], bool]) -> list[Entry]:
        """The entries ``keep`` keeps, in order; ``key`` names the condition."""
        older = self._memo.get(key)
        if older is None:
            older = self._memo[key] = [e for e in self._older if keep(e)]
        return [e for e in self.newer if keep(e)] + older

    def derive(self, key: Hashable, make: Callable[[list[Entry]], T]) -> tuple[T, T]:
        """``make`` of the newer entries, and of the older ones (kept under ``key``; what
        ``make`` returns is shared, and not to be changed)."""
        older = self._memo.get(key)
        if older is None:
            older = self._memo[key] = make(self._older)
        return make(self.newer), older


class KeptEntries:
    """The public entries published before ``cutoff``, with their revision sums."""

    def __init__(self, tail_keep: int = TAIL_KEEP, tail_limit: int = TAIL_LIMIT) -> None:
        self.tail_keep, self.tail_limit = tail_keep, tail_limit
        self.clear()
        # Builds that read only the newest entries / everything (for tests and benchmarks).
        self.partial_reads = 0
        self.whole_reads = 0

    def clear(self) -> None:
        """Forget everything (a failed build: the next one reads every entry again)."""
        self._forget_older()
        # The last read's entries from the cutoff on.
        self.newer: list[Entry] = []

    def _forget_older(self) -> None:
        self.cutoff: datetime | None = None
        self.older: list[Entry] = []
        self.sums: Sums = (0, 0, 0)
        # What builds derived from ``older`` (PublicEntries): a new dict for each cut.
        self._memo: dict[Hashable, Any] = {}

    def read(self, session: Session, now: datetime) -> PublicEntries:
        """Every public episode at ``now``, newest first: the same list as
        ``public_entries(session, now)``."""
        where = public_filter(now)
        affected = None
        if self.cutoff is not None and self._older_unchanged(session, where, self.cutoff):
            newer = read_entries(session, and_(where, Episode.publish_at >= self.cutoff))
            self.partial_reads += 1
            affected = self.newer + newer
            if len(newer) > self.tail_limit:
                newer = self._cut(newer + self.older)
        else:
            newer = self._cut(read_entries(session, where))
            self.whole_reads += 1
        self.newer = newer
        return PublicEntries(newer, self.older, self._memo, affected)

    def _older_unchanged(self, session: Session, where: Any, cutoff: datetime) -> bool:
        revision = Episode.revision
        query = select(
            func.count(),
            func.sum(revision.op("&")(LOW_MASK)),
            # The shift's count written as a constant: PostgreSQL shifts a bigint by an
            # integer, and a bound parameter would take the column's type (bigint).
            func.sum(revision.op(">>")(literal_column(str(LOW_BITS)))),
        ).where(and_(where, Episode.publish_at < cutoff))
        count, low, high = session.connection().execute(query).one()
        # PostgreSQL sums bigints as numeric (a Decimal); nothing to sum is NULL.
        return (int(count), int(low or 0), int(high or 0)) == self.sums

    def _cut(self, entries: list[Entry]) -> list[Entry]:
        """Keep the entries published before the ``tail_keep``-th newest one's time; returns
        the others.

        Entries published at the same moment stay on one side, so the two reads of the next
        build (before the cutoff, and from it on) are each in the feeds' order.
        """
        self._forget_older()
        keep = self.tail_keep
        if len(entries) <= keep:
            return entries
        cutoff = entries[keep].published
        first = next((n for n in range(keep, len(entries)) if entries[n].published < cutoff), None)
        if first is None:
            return entries  # all published at one moment: read them all, each build
        self.cutoff, self.older = cutoff, entries[first:]
        self.sums = revision_sums(self.older)
        return entries[:first]
