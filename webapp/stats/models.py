"""Rows of the download statistics: daily counts kept, per-listener state kept two days.

No row holds an IP address: a listener is a hash salted with a secret of its day, and both
the per-listener rows and the salts are deleted once their day is over, so nobody can
later link a listener to an address or to another day.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from webapp.catalog.models import Base


class StatsSalt(Base):
    """The secret mixed into every listener hash of one UTC day."""

    __tablename__ = "stats_salts"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    salt: Mapped[str] = mapped_column(String(64))


class StatsListen(Base):
    """What one listener fetched of one file on one day: merged byte ranges, and whether
    the episode has been counted for them."""

    __tablename__ = "stats_listens"
    __table_args__ = (UniqueConstraint("day", "listener", "media_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    listener: Mapped[str] = mapped_column(String(32))
    media_id: Mapped[int] = mapped_column(Integer)
    episode_id: Mapped[int] = mapped_column(
        ForeignKey("episodes.id", ondelete="CASCADE"), index=True
    )
    # JSON list of [start, end) byte ranges, merged.
    ranges: Mapped[str] = mapped_column(Text, default="[]")
    counted: Mapped[bool] = mapped_column(Boolean, default=False)


class DownloadCount(Base):
    """Downloads of one episode on one day, by app and country (empty: unknown)."""

    __tablename__ = "download_counts"
    __table_args__ = (UniqueConstraint("day", "episode_id", "app", "country"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    episode_id: Mapped[int] = mapped_column(
        ForeignKey("episodes.id", ondelete="CASCADE"), index=True
    )
    app: Mapped[str] = mapped_column(String(100))
    country: Mapped[str] = mapped_column(String(2), default="")
    downloads: Mapped[int] = mapped_column(Integer, default=0)


class StatsLogOffset(Base):
    """How far an access log has been read: its inode (to notice rotation) and offset."""

    __tablename__ = "stats_log_offsets"

    path: Mapped[str] = mapped_column(String(1000), primary_key=True)
    inode: Mapped[int] = mapped_column(BigInteger)
    offset: Mapped[int] = mapped_column(BigInteger, default=0)
