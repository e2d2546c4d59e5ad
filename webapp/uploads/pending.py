"""Rows first, files after: how uploads and assets reach storage without orphans.

``PendingFiles`` collects what an operation does to files while it writes rows: staged uploads
to move into storage, small assets (artwork, transcripts, chapters) to stage, and old keys to
free. ``apply`` commits the rows first and moves the files after; if the database fails the
staged files are dropped, and if a move fails the rows are deleted again, so no row ever names
a missing file and no file is left without a row. Content-addressed keys are shared by equal
content, so a file is deleted only once no row names its key. Nothing here imports Flask.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from media.artwork import prepare_artwork
from media.errors import MediaError
from media.storage import LocalStorage, StagedFile, key_for
from media.text_assets import check_chapters, check_transcript
from webapp.catalog.models import Attachment, Episode, MediaFile, Show
from webapp.catalog.operations import (
    add_media_file,
    delete_episode,
    queue_rendition,
    touch_show,
    update_episode,
)
from webapp.db.engine import unit_of_work
from webapp.uploads.staging import StagedUpload, UploadError, forget_upload

T = TypeVar("T")
# Every column that names a stored file.
KEY_COLUMNS = (MediaFile.storage_key, Attachment.storage_key, Episode.artwork_key, Show.artwork_key)


@dataclass(frozen=True)
class Asset:
    """Checked artwork, transcript or chapters, ready to store."""

    kind: str
    data: bytes
    mime_type: str
    extension: str


def check_asset(kind: str, data: bytes) -> Asset:
    """Validate (and for artwork, square and resize) a small file before any row is written."""
    try:
        if kind == "artwork":
            art = prepare_artwork(data)
            return Asset(kind, art.data, art.mime_type, art.extension)
        if kind == "transcript":
            checked = check_transcript(data)
            return Asset(kind, data, checked.mime_type, checked.extension)
        return Asset(kind, check_chapters(data), "application/json+chapters", ".json")
    except MediaError as exc:
        raise UploadError(f"{kind.title()}: {exc}") from exc


def unreferenced(session: Session, keys: set[str]) -> set[str]:
    """The keys no row names any more: their files may go."""
    if not keys:
        return set()
    used: set[str | None] = set()
    for column in KEY_COLUMNS:
        used |= set(session.scalars(select(column).where(column.in_(keys))))
    return keys - used


@dataclass
class _Move:
    staged: StagedFile
    extension: str


@dataclass
class PendingFiles:
    """Rows written now, files moved into storage after the commit, old files freed last."""

    storage: LocalStorage
    _moves: list[_Move] = field(default_factory=list)
    _undo: list[tuple[str, int, str | None]] = field(default_factory=list)
    _release: set[str] = field(default_factory=set)
    _moved: list[str] = field(default_factory=list)
    _claimed: list[StagedUpload] = field(default_factory=list)

    def claim(self, uploads: list[StagedUpload]) -> list[StagedUpload]:
        """Uploads this operation uses: dropped if it fails, whether or not rows were written."""
        self._claimed.extend(uploads)
        return uploads

    def created(self, episode: Episode) -> None:
        """A new episode: if its files cannot be stored, it is deleted again."""
        self._undo.append(("episode", episode.id, None))

    def add_media(self, session: Session, episode: Episode, upload: StagedUpload) -> MediaFile:
        """A MediaFile row for a staged upload, stored under its content address."""
        info = upload.info
        media = add_media_file(
            session,
            episode,
            kind=info.kind,
            storage_key=upload.key,
            mime_type=info.mime_type,
            size=info.size,
            duration=info.duration,
            bitrate=info.bitrate,
            width=info.width,
            height=info.height,
            sha256=upload.staged.sha256,
            original_name=upload.original_name,
        )
        self._moves.append(_Move(upload.staged, info.extension))
        if upload not in self._claimed:
            self._claimed.append(upload)
        self._undo.append(("media", media.id, None))
        return media

    def store_copy(self, session: Session, media: MediaFile, upload: StagedUpload) -> None:
        """Make a downloaded upstream file the stored copy of its row (facts from the probe)."""
        info = upload.info
        media.storage_key, media.sha256 = upload.key, upload.staged.sha256
        media.kind, media.mime_type, media.size = info.kind, info.mime_type, info.size
        media.duration = info.duration or media.duration
        media.bitrate, media.width, media.height = info.bitrate, info.width, info.height
        media.awaiting_download = False
        self._moves.append(_Move(upload.staged, info.extension))
        if upload not in self._claimed:
            self._claimed.append(upload)
        self._undo.append(("copy", media.id, None))
        session.flush()
        queue_rendition(session, media)
        touch_show(session, media.episode.show)

    def remove_media(self, session: Session, episode: Episode, media: MediaFile) -> None:
        """Drop a media file from an episode; its file goes once nothing names it."""
        if media.storage_key:
            self._release.add(media.storage_key)
        episode.media.remove(media)
        for position, remaining in enumerate(episode.media):
            remaining.position = position
        session.flush()
        touch_show(session, episode.show)

    def attach(self, session: Session, episode: Episode, asset: Asset) -> None:
        """Set the episode's artwork, or replace its transcript or chapters file."""
        key = self._stage_bytes(asset.data, asset.extension)
        if asset.kind == "artwork":
            old = episode.artwork_key
            if old != key:
                # A changed image has a new key, so its URL changes too.
                update_episode(session, episode, artwork_key=key)
                self._undo.append(("artwork", episode.id, old))
                if old:
                    self._release.add(old)
            return
        for previous in [a for a in episode.attachments if a.kind == asset.kind]:
            if previous.storage_key:
                self._release.add(previous.storage_key)
            episode.attachments.remove(previous)
        attachment = Attachment(
            kind=asset.kind,
            storage_key=key,
            mime_type=asset.mime_type,
            language=episode.show.language,
        )
        episode.attachments.append(attachment)
        session.flush()
        touch_show(session, episode.show)
        self._undo.append(("attachment", attachment.id, None))

    def set_show_artwork(self, session: Session, show: Show, asset: Asset) -> None:
        """Give a show new cover art; a changed image gets a new key, hence a new URL."""
        key = self._stage_bytes(asset.data, asset.extension)
        old = show.artwork_key
        if old == key:
            return
        show.artwork_key = key
        touch_show(session, show)
        self._undo.append(("show_artwork", show.id, old))
        if old:
            self._release.add(old)

    def delete_episode(self, session: Session, episode: Episode) -> None:
        """Delete an episode; its files go once nothing else names them."""
        self._release.update(delete_episode(session, episode))

    def _stage_bytes(self, data: bytes, extension: str) -> str:
        staged = self.storage.stage(io.BytesIO(data), len(data))
        self._moves.append(_Move(staged, extension))
        return key_for(staged.sha256, extension)

    def discard(self) -> None:
        """Drop every staged file that has not been moved (the commit failed)."""
        for move in self._moves:
            self.storage.discard(move.staged)
        self._moves.clear()
        for upload in self._claimed:
            forget_upload(self.storage, upload)

    def apply(
        self,
        factory: sessionmaker[Session],
        operation: Callable[[Session], T],
        rebuild: Callable[[set[int]], Any] | None = None,
    ) -> T:
        """Run ``operation`` in a unit of work, then store its files, then rebuild feeds."""
        dirty: set[int] = set()
        try:
            with unit_of_work(factory, dirty.update) as session:
                result = operation(session)
        except BaseException:
            self.discard()
            raise
        try:
            self._move_all()
        except OSError as exc:
            self._compensate(factory, dirty)
            if rebuild is not None:
                rebuild(dirty)
            raise UploadError(
                "The files could not be written to storage, so nothing was saved. "
                "Try again, and tell the administrators if it keeps happening.",
                500,
            ) from exc
        for upload in self._claimed:
            forget_upload(self.storage, upload)
        with factory() as session:
            for key in unreferenced(session, self._release):
                self.storage.delete(key)
        if rebuild is not None and dirty:
            rebuild(dirty)
        return result

    def _move_all(self) -> None:
        while self._moves:
            move = self._moves[0]
            stored = self.storage.commit(move.staged, move.extension)
            self._moves.pop(0)
            self._moved.append(stored.key)

    def _compensate(self, factory: sessionmaker[Session], dirty: set[int]) -> None:
        """Undo this operation's rows so none names a file that never arrived."""
        self.discard()
        with unit_of_work(factory, dirty.update) as session:
            for what, row_id, old in reversed(self._undo):
                if what == "episode":
                    episode = session.get(Episode, row_id)
                    if episode is not None:
                        delete_episode(session, episode)
                elif what == "artwork":
                    episode = session.get(Episode, row_id)
                    if episode is not None:
                        update_episode(session, episode, artwork_key=old)
                elif what == "copy":
                    copy = session.get(MediaFile, row_id)
                    if copy is not None:
                        copy.storage_key, copy.awaiting_download = None, True
                        touch_show(session, copy.episode.show)
                elif what == "show_artwork":
                    show = session.get(Show, row_id)
                    if show is not None:
                        show.artwork_key = old
                        touch_show(session, show)
                else:
                    row: MediaFile | Attachment | None = (
                        session.get(MediaFile, row_id)
                        if what == "media"
                        else session.get(Attachment, row_id)
                    )
                    if row is not None:
                        show_episode = session.get(Episode, row.episode_id)
                        session.delete(row)
                        session.flush()
                        if show_episode is not None:
                            touch_show(session, show_episode.show)
        # Files this operation moved in or meant to free, if no row names them now.
        with factory() as session:
            for key in unreferenced(session, set(self._moved) | self._release):
                self.storage.delete(key)
