"""Named leases in the database: which process may act, until when.

A lease is one ``scheduler_lease`` row taken or renewed with a single atomic
``UPDATE ... WHERE expires_at < now OR holder = me``, which PostgreSQL and SQLite both
serialise, so exactly one holder wins. The scheduler holds one; so does the feed rebuilder.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Table, func, insert, or_, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from webapp.catalog.models import SchedulerLease, utcnow

LEASE_NAME = "scheduler"
_LEASE = cast(Table, SchedulerLease.__table__)


class Lease:
    """One named lease row in the database: who may act, until when."""

    def __init__(self, engine: Engine, holder: str, seconds: float, name: str = LEASE_NAME):
        self.engine, self.holder, self.seconds, self.name = engine, holder, seconds, name

    def hold(self, now: datetime | None = None) -> bool:
        """Take the lease if it is free or expired, or renew it if ours; True if we hold it."""
        now = now or utcnow()
        until = now + timedelta(seconds=self.seconds)
        # Twice at most: if the row did not exist and someone else created it meanwhile
        # (perhaps another job of this very scheduler), the second update decides.
        for _attempt in range(2):
            taken = self._take(now, until)
            if taken is not None:
                return taken
            try:
                with self.engine.begin() as conn:
                    conn.execute(
                        insert(_LEASE).values(name=self.name, holder=self.holder, expires_at=until)
                    )
                return True
            except IntegrityError:
                continue
        return False

    def _take(self, now: datetime, until: datetime) -> bool | None:
        """The atomic update: True if ours now, False if someone else's, None if no row."""
        mine_or_free = or_(_LEASE.c.expires_at < now, _LEASE.c.holder == self.holder)
        with self.engine.begin() as conn:
            taken = conn.execute(
                update(_LEASE)
                .where(_LEASE.c.name == self.name, mine_or_free)
                .values(holder=self.holder, expires_at=until)
            )
            if taken.rowcount == 1:
                return True
            exists = conn.scalar(
                select(func.count()).select_from(_LEASE).where(_LEASE.c.name == self.name)
            )
        return False if exists else None

    def take_over(self, dead: str, now: datetime | None = None) -> bool:
        """Take the lease from ``dead``, a holder known to have died (atomic, like ``hold``)."""
        until = (now or utcnow()) + timedelta(seconds=self.seconds)
        with self.engine.begin() as conn:
            taken = conn.execute(
                update(_LEASE)
                .where(_LEASE.c.name == self.name, _LEASE.c.holder == dead)
                .values(holder=self.holder, expires_at=until)
            )
        return bool(taken.rowcount == 1)

    def release(self) -> None:
        """Give the lease up now so another scheduler need not wait for it to expire."""
        with self.engine.begin() as conn:
            conn.execute(
                update(_LEASE)
                .where(_LEASE.c.name == self.name, _LEASE.c.holder == self.holder)
                .values(expires_at=utcnow() - timedelta(seconds=1))
            )

    def holder_now(self) -> str | None:
        """Who holds an unexpired lease, if anyone."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(_LEASE.c.holder, _LEASE.c.expires_at).where(_LEASE.c.name == self.name)
            ).first()
        if row is None:
            return None
        expires = row.expires_at
        return str(row.holder) if expires is not None and expires > utcnow() else None
